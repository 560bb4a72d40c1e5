"""A lock held through a pointer says the pointer is not NULL.

``spin_lock(pvmw->ptl)`` dereferences ``pvmw->ptl``: while that lock is
held and nothing the walk sees has written ``pvmw->ptl`` since, a test of
it (``if (!pvmw->ptl) { pvmw->ptl = ptl; spin_lock(pvmw->ptl); }``) is
decided non-zero, so a conditional acquire under ``!p->f`` is never a
re-acquisition of the lock held as ``p->f``.  The same holds of a local or
parameter pointer (``spin_lock(lock)`` … ``if (lock)``).

The acquire (``ir.Acquire.through``, named as a condition names the
pointer, only for a learnable variable or read: ``analysis.conditions``)
leaves the fact ``^NAME`` whose value is the class key of the lock taken.
It is dropped as the fact of ``NAME`` itself is, by any write of it (a
field of that name through any pointer, or the pointer it is read
through: ``branchfacts._written``), but not forgotten between the rounds
of a loop as a read's fact is: what it says is tied to the lock still
held, and it decides a test only while a lock of that class is held.
A write by a callee is not seen, as for any fact of a read.
"""

from __future__ import annotations

from lockcheck.analysis.facts import State

__all__ = ["THROUGH", "held_through", "known_through"]

#: Prefix of the fact a lock held through a pointer leaves.
THROUGH = "^"


def held_through(s: State, name: str, key: str) -> State:
    """``s`` after taking the lock of class ``key`` through ``name``."""
    fact = THROUGH + name
    facts = frozenset(f for f in s.facts if f[0] != fact) | {(fact, key)}
    return State(s.held, s.released, facts)


def known_through(s: State, name: str) -> str | None:
    """``nonzero`` when ``s`` holds a lock taken through ``name``, which
    has not been written since; else None."""
    fact = THROUGH + name
    for k, v in s.facts:
        if k == fact:
            return "nonzero" if any(h.key == v for h in s.held) else None
    return None

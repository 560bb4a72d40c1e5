"""Interrupt-enabled acquisitions a callee makes only under a test of its
parameters, and callers whose state says that test fails.

``est_fetch_counters(e)`` takes ``e->stats_lock`` only under ``if
(e->stats_lock)``; its caller does ``est->stats_lock = lock; if (lock)
local_bh_disable(); est_fetch_counters(est, &b);``.  On the path where
BH stays enabled the caller knows ``lock`` — and its copy
``est->stats_lock`` — is NULL, so the callee takes nothing there: its
ENABLED_SOFTIRQ acquisition (``Summary.irq_on``) must not climb to the
caller through that path.  The same holds of a plain pointer parameter
(``f(lock) { if (lock) spin_lock(lock); }`` after ``if (lock)
local_bh_disable();``).

* *Guard* of an ``irq_on`` entry (``Summary.irq_guards``): the facts
  (``zero``/``nonzero``) on a parameter or a field read through one that
  every state making the entry knew, less those on names the function
  writes anywhere (a write of that field name through any pointer, or of
  the parameter: what the test learnt then is not the entry's value).
  Entries made with no such fact have no guard.
* A caller state whose facts contradict a guard (the parameter replaced
  by the argument the call passes, ``Call.arg_vars``) does not inherit
  that entry.  Entries the caller does inherit are guarded by the
  caller's own facts in turn.

Facts of reads are what ``analysis.branchfacts`` keeps of them; a callee
writing the field behind the function's back is not seen (as for any
fact of a read).  Dropping a guard is always safe: the entry is then
inherited everywhere, as before.
"""

from __future__ import annotations

from lockcheck.analysis.ir import Assign, Call
from lockcheck.analysis.irwalk import ir_nodes

__all__ = ["EntryGuards", "keep_guard", "unguarded"]

_VALUES = ("zero", "nonzero")


def _root(name: str) -> tuple[str, tuple[str, ...]]:
    """``io->v.x`` -> (``io``, (``v``, ``x``)); a plain name -> (name, ())."""
    ends = [k for k in (name.find("->"), name.find(".")) if k > 0]
    if not ends:
        return name, ()
    k = min(ends)
    return name[:k], tuple(name[k:].replace("->", ".").split(".")[1:])


class EntryGuards:
    """The guard facts of one function's states (``flow.FunctionFlow``)."""

    def __init__(self, fn) -> None:
        self.params = frozenset(fn.params)
        fields, plain = set(), set()
        for n in ir_nodes(fn.body):
            var = n.var if type(n) is Assign or type(n) is Call else None
            if var:
                root, path = _root(var)
                if path:
                    fields.update(path)
                else:
                    plain.add(root)
        self.fields, self.plain = frozenset(fields), frozenset(plain)

    def of(self, facts) -> frozenset:
        """The facts of ``facts`` a guard may hold."""
        out = []
        for name, value in facts:
            if value not in _VALUES or not name[:1].isidentifier():
                continue
            root, path = _root(name)
            if root in self.params and root not in self.plain and not any(f in self.fields for f in path) \
                    and all(f.isidentifier() for f in path):
                out.append((name, value))
        return frozenset(out)


def keep_guard(guards: dict, key, new: bool, guard: frozenset) -> None:
    """Record an ``irq_on`` entry ``key`` made under ``guard`` (``new``: the
    first time the summary makes it): the guard is what all of them share."""
    if new:
        if guard:
            guards[key] = guard
        return
    old = guards.get(key)
    if old is not None:
        kept = old & guard
        if kept:
            guards[key] = kept
        else:
            del guards[key]


def unguarded(callee_on: dict, guards: dict, facts, call: Call, params) -> dict:
    """The callee's ``irq_on`` entries a caller in a state with ``facts``
    may see: less those whose guard the state contradicts."""
    if not facts or not guards or not call.arg_vars:
        return callee_on
    passed = {params[pos]: text for pos, text in call.arg_vars if pos < len(params)}
    known = dict(facts)
    drop = set()
    for key, guard in guards.items():
        for name, value in guard:
            root, _ = _root(name)
            arg = passed.get(root)
            if arg is None:
                continue
            there = known.get(arg + name[len(root):])
            if there in _VALUES and there != value:
                drop.add(key)
                break
    return {k: v for k, v in callee_on.items() if k not in drop} if drop else callee_on

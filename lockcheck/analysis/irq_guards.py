"""Interrupt-enabled acquisitions a callee makes through a pointer its
caller gives, and caller states that know that pointer is NULL.

``est_fetch_counters(e)`` does ``if (e->stats_lock)
spin_lock(e->stats_lock);``; its caller does ``est->stats_lock = lock;
if (lock) local_bh_disable(); est_fetch_counters(est, &b);``.  On the
path where BH stays enabled the caller knows ``lock`` — and its copy
``est->stats_lock`` (``analysis.field_copies``) — is NULL, so the callee
takes nothing there: ``spin_lock(p)`` dereferences ``p``.  Its
ENABLED_SOFTIRQ acquisition (``Summary.irq_on``) must not climb to the
caller through that path.  The same holds of a plain pointer parameter
(``f(lock) { if (lock) spin_lock(lock); }`` after ``if (lock)
local_bh_disable();``).

* *Guard* of an ``irq_on`` entry (``Summary.irq_guards``): the pointers
  every acquisition making the entry went through (``ir.Acquire.through``),
  each ``nonzero``, when it is a parameter or a field read through one
  that the function writes nowhere (no assignment of the parameter, nor
  of a field of that name through any pointer: the pointer then still
  has the value the caller gave).  An entry inherited from a callee is
  guarded by the callee's guards said of the arguments the call passes
  (``Call.arg_vars``) when those are such names of the caller in turn.
* A caller state that knows a guard's pointer is zero (the callee's
  parameter replaced by the argument) does not inherit that entry.

A callee writing the field behind the function's back is not seen, as
for any fact of a read.  Dropping a guard is always safe: the entry is
then inherited everywhere, as before.
"""

from __future__ import annotations

from lockcheck.analysis.ir import Assign, Call, base_variable
from lockcheck.analysis.irwalk import ir_nodes

__all__ = ["EntryGuards", "keep_guard", "unguarded", "contradicted"]

_NONE: frozenset = frozenset()


def _root(name: str) -> tuple[str, tuple[str, ...]]:
    """``io->v.x`` -> (``io``, (``v``, ``x``)); a plain name -> (name, ())."""
    root = base_variable(name)
    return root, tuple(name[len(root):].replace("->", ".").split(".")[1:])


class EntryGuards:
    """Which pointers of one function (``flow.FunctionFlow``) still hold
    the value its caller gave."""

    def __init__(self, fn) -> None:
        self.params = tuple(fn.params)
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
        self.known: dict[frozenset, frozenset] = {}     # facts -> what they know of the entry (acq_guards)

    def entry_name(self, name: str) -> bool:
        root, path = _root(name)
        return root in self.params and root not in self.plain and not any(f in self.fields for f in path)

    def through(self, name: str) -> frozenset:
        """The guard of an acquisition through ``name`` ("": none)."""
        return frozenset(((name, "nonzero"),)) if name and self.entry_name(name) else _NONE

    def inherited(self, guard: frozenset, call: Call, params) -> frozenset:
        """A callee's guard (on its ``params``) said of what ``call``
        passes, where that is a name of this function's entry."""
        if not guard or not call.arg_vars:
            return _NONE
        passed = {params[pos]: text for pos, text in call.arg_vars if pos < len(params)}
        out = []
        for name, value in guard:
            root, _ = _root(name)
            arg = passed.get(root)
            if arg is not None and self.entry_name(arg + name[len(root):]):
                out.append((arg + name[len(root):], value))
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
    drop = contradicted(guards, facts, call, params)
    return {k: v for k, v in callee_on.items() if k not in drop} if drop else callee_on


def contradicted(guards: dict, facts, call: Call, params, plain: bool = False) -> frozenset:
    """The keys of ``guards`` (a callee's, on its ``params``) whose guard a
    caller state knowing ``facts`` contradicts at ``call`` (``plain``: of
    arguments that are plain variables only, analysis.acq_guards)."""
    passed = {params[pos]: text for pos, text in call.arg_vars
              if pos < len(params) and (not plain or text.isidentifier())}
    known = dict(facts)
    drop = set()
    for key, guard in guards.items():
        for name, value in guard:
            root, _ = _root(name)
            arg = passed.get(root)
            if arg is None:
                continue
            there = known.get(arg + name[len(root):])
            if there in ("zero", "nonzero") and there != value:
                drop.add(key)
                break
    return frozenset(drop)

"""Acquisitions a callee makes only for some values of what its caller passes.

``snd_pcm_group_lock(group, nonatomic)`` takes ``group->mutex`` where
``nonatomic`` is non-zero and ``group->lock`` where it is zero; a caller
that holds the group's spinlock (it knows ``nonatomic`` is zero: it took
the lock by the same test) and then calls a helper that takes the stream
lock again by ``s->pcm->nonatomic`` takes the spinlock there, never the
mutex.  Without the test's value climbing, that caller orders the
spinlock before the mutex and the mutex before the spinlock: a cycle no
run makes (``snd_pcm_unlink()`` → ``relink_to_local()``).

* *Guard* of an acquisition (``Summary.acq_guards``, keyed as
  ``Summary.acquires``): the facts every state making it knew of the
  function's parameters that it never assigns
  (``irq_guards.EntryGuards.entry_name``), known zero or non-zero.  An
  acquisition inherited from a callee is guarded by the callee's guard
  said of the arguments (``Call.arg_vars``), where those are such
  parameters of the caller in turn, and by what the caller's state knows
  of its own.
* A caller state that knows the opposite of a guard's fact of a plain
  variable passed (the callee's parameter replaced by the argument) does
  not inherit that acquisition.

Only plain variables: a field (``q->locked``) may be written by a call
between the caller's store or test and the call (``flow/field_store_flag``:
``q->locked = true; fq_note(q); fq_account(q)``), which the walk's facts
of reads do not see; a parameter passed by value, never assigned, and a
local whose address is never taken cannot change so.  Dropping a guard is
always safe: the acquisition is then inherited everywhere, as before.
"""

from __future__ import annotations

from lockcheck.analysis.irq_guards import EntryGuards, contradicted, keep_guard

__all__ = ["entry_known", "keep_guard", "dropped", "inherited"]

_VALUES = ("zero", "nonzero")
_NONE: frozenset = frozenset()


def entry_known(guards: EntryGuards, facts: frozenset) -> frozenset:
    """What ``facts`` know of the function's entry: (name, zero | nonzero)
    of its entry names.  Memoised per facts on ``guards`` (one function's
    walk meets the same few fact sets at every call)."""
    if not facts:
        return _NONE
    memo = guards.known
    found = memo.get(facts)
    if found is None:
        found = frozenset((n, v) for n, v in facts if v in _VALUES and n.isidentifier() and guards.entry_name(n))
        if len(memo) > 4096:
            memo.clear()
        memo[facts] = found
    return found


def dropped(summary_guards, facts, call, params) -> frozenset:
    """The keys of a callee's acquisitions a caller state knowing ``facts``
    does not make: those whose guard it contradicts."""
    if not summary_guards or not facts or not call.arg_vars:
        return _NONE
    return contradicted(summary_guards, facts, call, params, plain=True)


def inherited(guards: EntryGuards, guard: frozenset | None, call, params) -> frozenset:
    """A callee's guard said of the caller's parameters it passes plainly."""
    if not guard:
        return _NONE
    return frozenset(f for f in guards.inherited(guard, call, params) if f[0].isidentifier())

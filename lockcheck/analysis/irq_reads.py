"""rwlock readers in and out of interrupt context, as lockdep sees them.

With queued rwlocks lockdep's ``read_lock_is_recursive()`` is
``in_interrupt()``: a ``read_lock()`` is a recursive read (``read == 2``)
in hardirq, in softirq or with bottom halves off (``read_lock_bh()``
disables them before it takes the lock), and a plain read (``read == 1``,
blocked by a waiting writer) anywhere else — hardirqs off alone
(``read_lock_irqsave()`` in process context) is not in_interrupt().

The catalogue gives such readers mode ``irq_recursive``.  An acquisition
made where the walk knows it is in interrupt context (an ``irq:in_*`` or
``irq:softirqs_off`` pseudo-lock held, from the function's entry or from a
caller's call site) becomes ``recursive``; one made without stays
``irq_recursive`` and its edges are marked ``entry_decides``: the function
making the edge decides, recursive where it is entered only in interrupt
context, a plain read where some process-context entry reaches it
(:func:`process_entered`).  The circular check keeps every rwlock read
recursive (README, deviation); the interrupt-safety check uses the
dependency kinds lockdep would record (:func:`irq_kinds`) and lockdep's
masking of read usages through them (:func:`conflicts`).
"""

from __future__ import annotations

__all__ = ["IRQ_RECURSIVE", "in_interrupt", "resolve", "CallContexts", "process_entered",
           "irq_kinds", "conflicts"]

IRQ_RECURSIVE = "irq_recursive"
#: pseudo-locks (analysis.irqsafety's keys) that make in_interrupt() true:
#: in hardirq, in softirq, bottom halves off (irq:hardirqs_off does not)
_INTERRUPT = frozenset(("g:irq:in_hardirq", "g:irq:in_softirq", "g:irq:softirqs_off"))


def in_interrupt(held) -> bool:
    """in_interrupt() for a held-lock set, relative to the function's entry."""
    return any(h.key in _INTERRUPT for h in held)


def resolve(mode: str, held) -> str:
    """An rwlock read taken in interrupt context is recursive; elsewhere it
    stays ``irq_recursive`` (decided by the entry context)."""
    if mode == IRQ_RECURSIVE and in_interrupt(held):
        return "recursive"
    return mode


class CallContexts:
    """Per walk of one function: which callees it calls only in interrupt
    context (every state reaching the call has an in_interrupt() pseudo-lock)."""

    __slots__ = ("irq", "process")

    def __init__(self) -> None:
        self.irq: set[str] = set()
        self.process: set[str] = set()

    def note(self, callee: str, held) -> None:
        (self.irq if in_interrupt(held) else self.process).add(callee)

    def irq_only(self) -> frozenset[str]:
        return frozenset(self.irq - self.process)


def process_entered(succ: dict, callers: dict, irq_only: dict, bh_off_roots) -> frozenset[str]:
    """Functions some process-context entry reaches with in_interrupt()
    false: from every root (no scanned caller; but for ``bh_off_roots``,
    entered with bottom halves off) through every call not made only in
    interrupt context (``irq_only``: caller -> such callees; a call the walk
    never recorded counts as process context)."""
    todo = sorted(k for k, n in callers.items() if n == 0 and k not in bh_off_roots)
    seen = set(todo)
    while todo:
        k = todo.pop()
        skip = irq_only.get(k, ())
        for t in succ.get(k, ()):
            if t not in seen and t not in skip:
                seen.add(t)
                todo.append(t)
    return frozenset(seen)


def irq_kinds(rec, entered) -> dict:
    """The dependency kinds lockdep records for an edge (EdgeRecord): its
    kinds, plus (holder, N) for each rwlock read made in a function some
    process-context entry reaches (``entered``: None for any; a large
    recursion's edge, made by no one function, counts as reached)."""
    kinds = dict(rec.kinds)
    for (holder, fn), w in sorted(rec.pending.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if fn is not None and entered is not None and fn not in entered:
            continue
        k = (holder, "N")
        old = kinds.get(k)
        if old is None or w.cost() < old.cost():
            kinds[k] = w
    return kinds


def conflicts(holder: str, acquirer: str, used_rw: str, enabled_rw: str) -> bool:
    """Does a dependency prev -(holder acquirer)-> next connect a
    USED_IN_x usage of prev (read bit ``used_rw``) to an ENABLED_x usage of
    next (``enabled_rw``), as lockdep's check_irq_usage finds them?
    bfs_init_rootb() roots prev with only_xr = (prev is held shared) and
    usage_accumulate() then keeps only its write usages; bfs_init_root()
    roots next with only_xr = (next is a recursive read) and usage_match()
    then matches only its write usages; exclusive_mask() pairs every
    USED_IN bit with both ENABLED bits of that irq (read and write)."""
    if holder == "S" and used_rw == "R":
        return False
    if acquirer == "R" and enabled_rw == "R":
        return False
    return True

"""Work items that run in softirq context: queued only on a BH workqueue.

``queue_work(system_bh_wq, &host->bh_work)`` runs the item's function from
a softirq, as a tasklet, not in a kworker.  From the queueing calls of the
scan (``[bh_work]`` of contexts.toml) this module finds the work classes
(the class lockdep's ``(work_completion)`` map is keyed by, wrappers
resolved by :func:`workclass.work_map`) queued on a bottom-half workqueue
and on nothing else; their runners in :mod:`contexts` also hold the
``irq:in_softirq`` pseudo-lock.  A queueing the walk cannot place (a
workqueue it cannot name, ``schedule_work()``, a work item passed as a
parameter) counts as process context: a work class seen queued once on a
BH queue and once elsewhere stays process context.
"""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.irwalk import calls_in
from lockcheck.analysis.workclass import work_map

__all__ = ["bh_only_work"]


def bh_only_work(functions: list[ir.FunctionIR], spec: dict) -> frozenset[str]:
    """Class keys (``ir.LockRef.key`` of the work object, wrappers
    resolved) of the work items queued only on a bottom-half workqueue."""
    queues = frozenset(spec.get("queues", ()))
    if not queues:
        return frozenset()
    queue = {name: tuple(pos) for name, pos in spec.get("queue", {}).items()}
    schedule = dict(spec.get("schedule", {}))
    bh: set[str] = set()
    other: set[str] = set()
    for fn in functions:
        for call in calls_in(fn.body):
            if call.callee in queue:
                wq_pos, work_pos = queue[call.callee]
                wq = call.args[wq_pos] if wq_pos < len(call.args) else None
                on_bh = wq is not None and not wq.is_param and wq.key.startswith("g:") \
                    and wq.path in queues
            elif call.callee in schedule:
                work_pos, on_bh = schedule[call.callee], False
            else:
                continue
            work = call.args[work_pos] if work_pos < len(call.args) else None
            if work is None or work.is_param:
                continue
            (bh if on_bh else other).add(work_map(work).key)
    return frozenset(bh - other)

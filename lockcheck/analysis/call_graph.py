"""The call graph: each function's calls resolved to their targets (a
specialised copy is a function too), and the roots that are none pruned.

A function nothing calls is a root, entered in process context with
interrupts on.  Three kinds are not: one only ever called through its
specialised copies, a callee outside the scan that nothing of the scan
calls, and a function entered only through calls the scan resolved
(:mod:`lockcheck.analysis.table_entries`).  Walking the graph is
:mod:`lockcheck.analysis.summaries`.
"""

from __future__ import annotations

from lockcheck.analysis.callorder import strongly_connected
from lockcheck.analysis.ir import Call
from lockcheck.analysis.irwalk import calls_in
from lockcheck.analysis.program import Program
from lockcheck.analysis.table_entries import table_entries

__all__ = ["resolve_calls", "CLOSED_ROUNDS"]


def resolve_calls(program: Program, result):
    """The call graph, and per function (a specialised copy is a function
    too) its calls and the targets of each, in :func:`calls_in` order.

    Targets are kept as one tuple per function, equal tuples shared (most
    calls reach nothing or one common function): a dict keyed by call
    held millions of entries on the whole tree.  ``result`` (an
    AnalysisResult) counts the calls resolved and not."""
    succ: dict[str, dict[str, None]] = {k: {} for k in sorted(program.by_key)}
    calls: dict[str, tuple[tuple[Call, ...], tuple[tuple[str, ...], ...]]] = {}
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    todo = sorted(program.by_key)
    seen = set(todo)
    resolvable = program.resolvable_names()
    while todo:
        key = todo.pop()
        fn = program.by_key[key]
        per_call = []
        mine = calls_in(fn.body)
        out = succ[key]
        for call in mine:
            if call.via_param is None and call.callee and call.callee not in resolvable:
                found = ()   # nearly half the calls of a whole tree: to functions it does not define
            elif call.callee is None and call.via_param is None and fn.file in program.outside:
                found = ()   # through a pointer outside the scan: the scan holds a fraction of its
                #              candidates (lockcheck.tree_callees); a callback its caller passed is bound
            else:
                found = tuple(program.resolve(call, fn, key))
            per_call.append(shared.setdefault(found, found))
            width = program.pointsto.width if call.callee is None else 0
            if width:
                program.widths[(key, id(call))] = width
                if program.pointsto.chosen:
                    program.chosen.add((key, id(call)))
            if key not in program.clone_bindings:
                reached = found or program.skipped_targets(call)
                _count(result, call, reached)
                program.pointsto.record(call, reached)
            for t in found:
                out[t] = None
                if t not in seen:  # a new specialised copy
                    seen.add(t)
                    succ[t] = {}
                    todo.append(t)
        calls[key] = (mine, tuple(per_call))
    table_entries(program, succ, calls)     # uncalled, yet entered only through resolved calls
    _prune_uncalled_originals(succ, program.cloned)
    if program.outside:
        _prune_uncalled_outside(succ, {k for k, fn in program.by_key.items() if fn.file in program.outside})
    return succ, calls


def _prune_uncalled_originals(succ: dict[str, dict[str, None]], cloned) -> None:
    """A function only ever called through its specialised copies is not a
    root, and neither is what only such a function calls: removed, with
    whatever is then left with callers that were all removed (its own
    unspecialised callees), transitively.  Left in, each would be entered
    as a process-context root with interrupts on, whatever its real callers
    hold.  So is a recursion only itself calls that one of them belongs to
    (``rbd_dev_image_probe()`` and ``rbd_dev_probe_parent()`` unspecialised:
    every other call goes to clones, :func:`_closed_recursions`)."""
    _prune_uncalled(succ, cloned, None, cloned)


def _prune_uncalled_outside(succ: dict[str, dict[str, None]], outside: set[str]) -> None:
    """A callee outside the scan that nothing of the scan calls (its real
    callers are outside it) is not a root: removed, with the outside
    callees only it called.  A scanned function keeps its place."""
    _prune_uncalled(succ, outside, outside)


def _prune_uncalled(succ: dict[str, dict[str, None]], start, within, closed=()) -> None:
    """Remove the functions of ``start`` no function of ``succ`` calls, then
    (transitively) what is left uncalled by that, if in ``within`` (any
    when None); and the recursions holding one of ``closed`` that only
    they call (:func:`_closed_recursions`), with what is then left uncalled."""
    callers = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for t in targets:
            callers[t] += 1
    todo = sorted(k for k in start if k in succ and not callers[k])
    for _ in range(CLOSED_ROUNDS):
        while todo:
            k = todo.pop()
            for t in succ.pop(k):
                if t in succ:
                    callers[t] -= 1
                    if not callers[t] and (within is None or t in within):
                        todo.append(t)
        found = _closed_recursions(succ, callers, [k for k in sorted(closed) if k in succ])
        if not found:
            return
        for comp in found:
            for k in comp:
                for t in succ.pop(k):
                    if t in succ and t not in comp:
                        callers[t] -= 1
                        if not callers[t] and (within is None or t in within):
                            todo.append(t)


#: Rounds of removing closed recursions (one removed may leave another closed).
CLOSED_ROUNDS = 8


class _Rooted:
    """``succ`` seen from some of its functions only (strongly_connected's roots)."""

    def __init__(self, succ, roots) -> None:
        self.succ, self.roots = succ, roots

    def __iter__(self):
        return iter(self.roots)

    def __getitem__(self, key):
        return self.succ[key]


def _closed_recursions(succ: dict[str, dict[str, None]], callers: dict[str, int], keys: list[str]) -> list[set[str]]:
    """The recursions (strongly connected, with a call inside) holding one
    of ``keys`` that no function outside them calls."""
    if not keys:
        return []
    found = []
    wanted = set(keys)
    for comp in strongly_connected(_Rooted(succ, keys)):
        if wanted.isdisjoint(comp):
            continue
        members = set(comp)
        inside = dict.fromkeys(comp, 0)
        for m in comp:
            for t in succ[m]:
                if t in members:
                    inside[t] += 1
        if any(inside.values()) and all(inside[m] == callers[m] for m in comp):
            found.append(members)
    return found


def _count(result, call: Call, targets) -> None:
    if call.callee:
        if targets:
            result.calls_resolved += 1
        else:
            result.calls_external += 1
    elif targets:
        result.indirect_resolved += 1
    else:
        result.indirect_unresolved += 1

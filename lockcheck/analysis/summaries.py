"""Interprocedural stage: resolve calls, order functions callees-first
(strongly connected components of the call graph, so recursion converges
in a bounded number of rounds), walk each function with its callees'
summaries, and collect every lock-order edge with its best witness.

How functions are identified and calls resolve to them is
:mod:`lockcheck.analysis.program`.  Calls to functions outside the scanned
set are counted, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from lockcheck.analysis.facts import EdgeWitness, Effect, RawEdge, Summary
from lockcheck.analysis.deref_flags import (deref_summary, flag_positions, forget_deref_params, forwarded_derefs,
                                           lock_free, written_derefs)
from lockcheck.analysis.flow import FunctionFlow
from lockcheck.analysis.ir import Call, forget_shared
from lockcheck.analysis.irwalk import calls_in, forget_bodies
from lockcheck.analysis.branchfacts import forget_memos
from lockcheck.analysis.witness_rank import forget_ranks
from lockcheck.analysis import irqsafety, recursions
from lockcheck.analysis.irq_reads import process_entered
from lockcheck.analysis.arch_feasible import join, witness_arches
from lockcheck.analysis.pointsto import PointsTo, TargetStats
from lockcheck.analysis.program import Program
from lockcheck.analysis.callorder import CallGraph, CallOrder, call_order
from lockcheck.analysis.lastwalk import LastWalk, deferred
from lockcheck.analysis.call_graph import resolve_calls
from lockcheck.analysis.releases import forget_assigned, meet_exits
from lockcheck.analysis.walked_bodies import WalkedBodies

__all__ = ["AnalysisResult", "analyse"]

SCC_ROUNDS = 3
#: Other code paths kept per edge besides its best witness (reports show them).
OTHER_WITNESSES = 12


@dataclass
class EdgeRecord:
    """All the ways one class is taken while another is held."""

    src: str
    dst: str
    kinds: dict[tuple[str, str], EdgeWitness] = field(default_factory=dict)
    # best witness per function where the edge is created: other code paths
    # that make the same edge, for triage (an edge can be real while its
    # shortest witness is infeasible)
    by_function: dict[tuple[str, str], EdgeWitness] = field(default_factory=dict)
    # the architectures some witness builds on, over every witness ever
    # added (None: any; analysis.arch_feasible), whichever ones are kept
    archs: frozenset | None = frozenset()
    # rwlock reads whose recursion the entry context decides (RawEdge.
    # entry_decides): (holder, function making the edge; None for a large
    # recursion's) -> best witness (analysis.irq_reads)
    pending: dict[tuple[str, str | None], EdgeWitness] = field(default_factory=dict)

    def add(self, edge: RawEdge, arch_of=None, fn: str | None = None) -> None:
        if self.archs is not None:
            self.archs = join(self.archs, witness_arches(edge.witness, arch_of))
        if edge.entry_decides:
            pk = (edge.holder, fn)
            old = self.pending.get(pk)
            if old is None or edge.witness.cost() < old.cost():
                self.pending[pk] = edge.witness
        k = (edge.holder, edge.acquirer)
        old = self.kinds.get(k)
        if old is None or edge.witness.cost() < old.cost():
            self.kinds[k] = edge.witness
        first = edge.witness.held[0] if edge.witness.held else None
        fk = (first.file, first.function) if first else ("", "")
        old = self.by_function.get(fk)
        if old is None or edge.witness.cost() < old.cost():
            self.by_function[fk] = edge.witness
            if len(self.by_function) > 2 * (OTHER_WITNESSES + 1):
                self._prune()

    def _prune(self) -> None:
        """Keep the cheapest ``OTHER_WITNESSES + 1`` functions' witnesses
        (the best witness is one of them).  A dropped function never
        belongs among them again: the kept ones only get cheaper, and its
        later witnesses cost more than the one dropped or replace it.  On
        the whole tree an edge is made from thousands of functions."""
        kept = sorted(self.by_function.items(), key=lambda kv: kv[1].cost())[:OTHER_WITNESSES + 1]
        self.by_function = dict(kept)

    def alternatives(self, limit: int = OTHER_WITNESSES) -> list[EdgeWitness]:
        best = self.best()
        rest = sorted((w for w in self.by_function.values() if w != best), key=EdgeWitness.cost)
        return rest[:limit]

    def best(self) -> EdgeWitness:
        return min(self.kinds.values(), key=EdgeWitness.cost)


@dataclass
class AnalysisResult:
    edges: dict[tuple[str, str], EdgeRecord] = field(default_factory=dict)
    recursive: dict[str, EdgeRecord] = field(default_factory=dict)
    not_held: dict[str, EdgeRecord] = field(default_factory=dict)   # lockdep_assert_not_held violated
    refs: dict[str, dict] = field(default_factory=dict)       # class key -> {(owner, path): count}
    functions: int = 0
    calls_resolved: int = 0
    calls_external: int = 0
    indirect_resolved: int = 0
    indirect_unresolved: int = 0
    recursions: dict[str, int] = field(default_factory=dict)   # large recursion -> members
    # large recursion -> members walked per pass (never in a report)
    recursion_walks: dict[str, list[int]] = field(default_factory=dict)
    recursion_edges: int = 0      # edges made entering them (each time made, before merging)
    indirect_targets: TargetStats = field(default_factory=TargetStats)
    irq: irqsafety.IrqUsage = field(default_factory=irqsafety.IrqUsage)   # usage states
    irq_findings: list = field(default_factory=list)   # irqsafety.RawIrqFinding
    # display path -> the architectures that build it (None: any;
    # frontend.arch_dirs), or None without a tree
    arch_of: object = None


def analyse(program: Program, times=None) -> AnalysisResult:
    """``times``: a :class:`lockcheck.phase_times.PhaseTimes` the stages are marked on."""
    mark = times.mark if times is not None else (lambda phase: None)
    result = AnalysisResult(functions=len(program.by_key), arch_of=program.arch_of)
    result.irq.arch_of = program.arch_of
    program.bind_function_pointers()
    program.uses_function_params()
    program.pointsto = PointsTo(program, *program.tables)
    program.copy_positions()
    program.strip_ir()
    if program.irq is not None:
        program.irq.learn_entries(program.ops)
    if program.notifiers is not None:
        program.notifiers.learn(list(program.by_key.values()), calls_in)
    mark("points-to")
    succ, calls = resolve_calls(program, result)
    mark("calls resolved")
    forget_bodies()  # it holds every body alive; from here calls are looked up by function
    program.resolved()
    result.indirect_targets = program.pointsto.stats
    # solved, and every call resolved: only its statistics are read (it
    # points back at the program, a cycle the paused collector would keep)
    program.pointsto = None
    given = flag_positions(calls)
    order = call_order(succ)
    graph = CallGraph.of(succ)
    del succ
    waiting = list(order.callers)
    walked = WalkedBodies(program, graph)
    summaries: dict[str, Summary] = {}
    large = recursions.Recursions(program, graph, CallSites(program, calls))
    for comp in order.order:
        members = list(order.members[comp])
        if len(members) >= recursions.LARGE_COMPONENT:
            mark("summaries")
            result.recursions[members[0]] = len(members)
            large.summarise(members, summaries, lambda m, sink: _walk(
                program, m, summaries, calls, result, on_recursion=large.entered, sink=sink, given=given),
                lambda m: finding_callbacks(program, m, result, large.entered))
            large.sites.settle(members)
            mark("large recursion")
        else:
            _walk_component(program, graph, members, summaries, calls, result, large.entered, given)
            _release_calls(calls, members)
        _release_callees(order, comp, waiting, summaries)
        walked.done(members)
        _release_walked(program, given, members)
    summaries.clear()   # the roots' (no caller releases them): from here nothing reads a summary
    mark("summaries")
    result.recursion_walks = large.walks
    result.recursion_edges = large.emit_edges(lambda edge: _emit(result, edge))
    if program.irq is not None:
        result.irq.process_entered = process_entered(graph.succ, graph.callers, result.irq.irq_only_calls,
                                                     _bh_off_roots(program, graph))
    forget_shared()
    forget_assigned()
    forget_deref_params()
    forget_bodies()   # what the walk asked of bodies it never freed
    forget_memos()
    forget_ranks()
    mark("recursion edges, irq entries")
    return result


def _walk_component(program: Program, graph, members: list[str], summaries: dict, calls, result,
                    on_recursion, given: dict | None = None) -> None:
    """A function, or a small recursion walked again until its members'
    summaries stop changing (at most SCC_ROUNDS times)."""
    rounds = SCC_ROUNDS if len(members) > 1 or graph.has_edge(members[0], members[0]) else 1
    # a recursion's findings: from each member's last walk
    last = LastWalk(lambda m: finding_callbacks(program, m, result, on_recursion))
    for _ in range(rounds):
        before = {m: _shape(summaries.get(m)) for m in members}
        for m in members:
            entry = graph.in_degree(m) == 0
            summaries[m] = _walk(program, m, summaries, calls, result, entry, on_recursion,
                                 last.begin(m, rounds > 1), given)
            if entry and program.irq is not None and summaries[m].irq_on:
                result.irq.entered(summaries[m], program.irq.entered_off.get(program.by_key[m].name, frozenset()))
        if all(_shape(summaries[m]) == before[m] for m in members):
            break
    last.flush(members)


class CallSites:
    """Where a caller first calls a callee (line, direct or not, model):
    what a witness step through that call shows.  Found on demand, for
    the few calls a large recursion's edges go through; for the members of
    a walked large recursion, kept when it is walked (:meth:`settle`)."""

    def __init__(self, program: Program, calls: dict) -> None:
        self.program, self.calls = program, calls
        self._first: dict[str, tuple] = {}   # caller -> _sites()

    def settle(self, members: list[str]) -> None:
        """A large recursion's members are walked: of their calls, only the
        first site of each call to another member is kept (all a witness
        step through the recursion shows, :meth:`first`), and the calls go.
        On the whole tree the recursion has some 200k members, whose call
        nodes (their bodies are freed) stayed alive to the end of the walk."""
        inside = frozenset(members)
        for m in members:
            self._first[m] = self._sites(m, self.calls.pop(m, ((), ())), inside)

    def first(self, caller: str, callee: str) -> tuple[int, bool, str]:
        sites = self._first.get(caller)
        if sites is None:
            sites = self._first[caller] = self._sites(caller, self.calls[caller])
        n = len(sites) // 4      # callees, then three values each
        at = n + 3 * sites.index(callee, 0, n)
        return sites[at:at + 3]

    def _sites(self, caller: str, calls, inside: frozenset[str] | None = None) -> tuple:
        """The first site of each callee (of those ``inside``), packed in one
        flat tuple: the callees, then (line, direct, model) of each (a dict
        of tuples per member was 250 MB on the whole tree)."""
        sites: dict[str, tuple[int, bool, str]] = {}
        for call, found in zip(*calls):
            for t in found:
                if (inside is None or t in inside) and t not in sites:
                    model = self.program.labels.get((caller, id(call), t), "") or call.model
                    sites[t] = (call.line, call.callee is not None, model)
        return tuple(sites) + tuple(v for site in sites.values() for v in site)


def _release_calls(calls: dict, members: list[str]) -> None:
    """Drop a walked function's calls: only its own walk reads them (a
    large recursion's members keep theirs for :class:`CallSites`), and once
    its body is freed they alone keep its call nodes alive (the whole tree
    has 3.3 million)."""
    for m in members:
        calls.pop(m, None)


def _release_walked(program: Program, given: dict, members) -> None:
    """Drop what only the walks of ``members`` read, once done: their
    ``*p`` flag positions and their entry facts (on the whole tree some
    400 MB, all still held at the end of the walk)."""
    for m in members:
        given.pop(m, None)
        program.clone_facts.pop(m, None)


def _release_callees(order: CallOrder, comp: int, waiting: list, summaries: dict) -> None:
    """Drop a summary once every caller has used it: a whole tree's
    summaries (each with its acquisition chains) never all fit at once."""
    for callee in order.callees[comp]:
        waiting[callee] -= 1
        if waiting[callee] == 0:
            for m in order.members[callee]:
                summaries.pop(m, None)


def _walk(program: Program, key: str, summaries, calls, result: AnalysisResult,
          entry: bool = False, on_recursion=None, sink: list | None = None, given: dict | None = None) -> Summary:
    """``given``: :func:`deref_flags.flag_positions` of the calls (None:
    every parameter's ``*p`` is summarised)."""
    fn = program.by_key[key]
    by_call = {id(call): found for call, found in zip(*calls.get(key, ((), ())))}
    # a call's targets with their summaries, looked up once per walk: the
    # summaries do not change while it walks (a call is met once per state
    # and loop round); the list is only read
    known: dict[int, list] = {}

    # no inner function refers to another (nor to itself): compiled
    # (lockcheck.compiled_modules), closures share one scope object per
    # call, and a closure that scope held would make a cycle the paused
    # collector never frees (the walk's IR kept for the whole scan)
    def callees(call: Call):
        out = known.get(id(call))
        if out is None:
            out = known[id(call)] = _call_targets(program, key, summaries, by_call, call)
        return out

    found = deferred(sink, *finding_callbacks(program, key, result, on_recursion))   # lastwalk: kept until the last walk
    flow = FunctionFlow(fn, callees, *found, program.irq)
    entry_held = flow.asserted_entry() if entry else ()
    summary = flow.run(entry_held, program.clone_facts.get(key))
    if program.irq is not None:   # the last walk's (analysis.irq_reads)
        only = flow.call_contexts.irq_only()
        if only:
            result.irq.irq_only_calls[key] = only
        else:
            result.irq.irq_only_calls.pop(key, None)
    wanted = None if given is None else given.get(key)
    if lock_free(summary):
        summary.returns = ""
    elif wanted is None and given is not None:
        pass    # no call gives it a flag's address or a parameter: nobody would read what *p does
    elif written_derefs(fn, forwarded := forwarded_derefs(fn, callees)):
        again = partial(_walk_again, program, key, fn, callees, entry_held)
        fewer: dict = {}
        summary.deref_effects = deref_summary(fn, again, forwarded, meet_exits, summary.acquires, fewer, wanted)
        if fewer:
            summary.deref_acquires = fewer
    if program.outside_cut and (fn.file, fn.name) in program.outside_cut:
        return cut_summary(summary)
    return summary


def _call_targets(program: Program, key: str, summaries, by_call: dict, call: Call) -> list:
    """What one call of ``key``'s walk reaches: its targets with their
    summaries, then its no-target tables."""
    out = []
    found = by_call.get(id(call), ())
    width = indirect_width(program, call, found, key)
    chosen = (key, id(call)) in program.chosen
    for t in found:
        s = summaries.get(t)
        if s is not None:
            out.append((program.by_key[t], s, program.labels.get((key, id(call), t), ""), width,
                        program.table_of.get((key, id(call), t)), chosen, t))
    out += [(None, None, "", 0, table) for table in program.no_target.get((key, id(call)), ())]
    return out


def _walk_again(program: Program, key: str, fn, callees, entry_held, facts: dict):
    """``key`` walked again for what its ``*p`` writes under ``facts``
    (analysis.deref_flags)."""
    side = FunctionFlow(fn, callees, _ignore, None, None, None, program.irq)
    side.effects_only = True
    walked = side.run(entry_held, {**(program.clone_facts.get(key) or {}), **facts})
    return walked.effects, side.exits, walked.acquires


def finding_callbacks(program: Program, key: str, result: AnalysisResult, on_recursion) -> tuple:
    """Where a walk of ``key`` reports: edges, recursive locking,
    assert-not-held, recursions entered holding a lock (what
    ``lastwalk.LastWalk`` replays a buffered finding through)."""
    if program.by_key[key].file in program.outside:   # a callee outside the scan: its summary only
        return _ignore, None, None, on_recursion     # (lockcheck.tree_callees)
    return (lambda edge: _emit(result, edge, key), _per_class(result, result.recursive),
            _per_class(result, result.not_held), on_recursion)


def _per_class(result: AnalysisResult, table: dict[str, EdgeRecord]):
    """Findings about one class (recursive locking, assert-not-held)."""
    def record(edge: RawEdge) -> None:
        if edge.src.is_param:
            return
        _record(result, table, edge)
    return record


def cut_summary(summary: Summary) -> Summary:
    """What a callee cut at the depth bound of lockcheck.tree_callees
    gives its callers: only the caller's locks it releases on return (a
    lock it drops and takes again is no release).  Nothing it takes (its
    acquisitions, edges, locks held on return): past the cut they may be
    undone, or retried on a path that is never taken with the caller's
    locks held (``__get_user_pages_locked()``'s retry), and a release lost
    there is worse (``rtnl_unlock()`` cut below ``netdev_run_todo()``)."""
    def released(e: Effect) -> Effect:
        return Effect((), e.released - {h.key for h in e.held})
    return Summary(effects={k: released(e) for k, e in summary.effects.items()},
                   release_through=dict(summary.release_through),
                   param_effects={k: released(e) for k, e in summary.param_effects.items()}).frozen()


def _ignore(edge: RawEdge) -> None:
    pass


def _bh_off_roots(program: Program, graph) -> frozenset[str]:
    """Roots the core enters with bottom halves off (``entered_softirqs_off``
    fields): in_interrupt() from their entry."""
    names = program.irq.entered_bh_off
    return frozenset(k for k, n in graph.callers.items()
                     if n == 0 and k in program.by_key and program.by_key[k].name in names)


def indirect_width(program: Program, call: Call, found, caller_key: str = "") -> int:
    """Candidate targets of an indirect call as resolved, counting those
    the front end skipped (they reach no lock, but are candidates all the
    same); 0 for a call by name.  Witness steps carry it (confidence).
    Resolved by :mod:`pointsto`, the count is of the narrowed candidates."""
    if call.callee is not None:
        return 0
    width = program.widths.get((caller_key, id(call)))
    if width:
        return max(width, len(found))
    return len(found) + len(program.skipped_targets(call))


def _emit(result: AnalysisResult, edge: RawEdge, fn: str | None = None) -> None:
    if edge.src.key in irqsafety.CONTEXT_OF:   # a usage in an interrupt, not an edge
        result.irq.used_in(edge)
        return
    k = (edge.src.class_key, edge.dst.class_key)
    rec = result.edges.get(k)
    if rec is None:
        rec = result.edges[k] = EdgeRecord(*k)
    rec.add(edge, result.arch_of, fn)
    _vote(result, edge.src)
    _vote(result, edge.dst)


def _record(result: AnalysisResult, table: dict[str, EdgeRecord], edge: RawEdge) -> None:
    k = edge.src.class_key
    rec = table.get(k)
    if rec is None:
        rec = table[k] = EdgeRecord(k, k)
    rec.add(edge, result.arch_of)
    _vote(result, edge.src)


def _vote(result: AnalysisResult, ref) -> None:
    votes = result.refs.setdefault(ref.class_key, {})
    k = (ref.key, ref.owner, ref.path, ref.subclass)
    votes[k] = votes.get(k, 0) + 1


def _shape(s: Summary | None):
    return None if s is None else s.shape()

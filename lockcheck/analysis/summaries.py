"""Interprocedural stage: resolve calls, order functions callees-first
(strongly connected components of the call graph, so recursion converges
in a bounded number of rounds), walk each function with its callees'
summaries, and collect every lock-order edge with its best witness.

Functions are identified like the linker does: a ``static`` function (and
every function defined in a header) by ``file:name``, others by name.
Calls to functions outside the scanned set are counted, not guessed.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field

from lockcheck.analysis.facts import EdgeWitness, RawEdge, Summary
from lockcheck.analysis.flow import FunctionFlow
from lockcheck.analysis.ir import Block, Call, CondVar, FunctionIR, Switch, forget_shared
from lockcheck.analysis import irqsafety, recursions
from lockcheck.analysis.pointsto import PointsTo, TargetStats
from lockcheck.analysis.callorder import CallGraph, CallOrder, call_order
from lockcheck.analysis.lastwalk import LastWalk, deferred
from lockcheck.analysis.walked_bodies import WalkedBodies
from lockcheck.analysis.entry_facts import entry_facts, pair_param

__all__ = ["Program", "AnalysisResult", "analyse"]

SCC_ROUNDS = 3
#: Other code paths kept per edge besides its best witness (reports show them).
OTHER_WITNESSES = 12
#: Specialised copies of one function for different function-pointer arguments.
MAX_CLONES = 16
#: ... for a small function (an iterator such as device_for_each_child() or
#: list_sort(): at most SMALL_CALLS calls), which the whole tree calls with
#: hundreds of callbacks: past the limit, every call would reach the union.
MAX_SMALL_CLONES = 1024
SMALL_CALLS = 8


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

    def add(self, edge: RawEdge) -> None:
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
    recursion_edges: int = 0      # edges made entering them (each time made, before merging)
    indirect_targets: TargetStats = field(default_factory=TargetStats)
    irq: irqsafety.IrqUsage = field(default_factory=irqsafety.IrqUsage)   # usage states
    irq_findings: list = field(default_factory=list)   # irqsafety.RawIrqFinding


class Program:
    """Every function of the scan, and how calls resolve to them."""

    def __init__(self, functions: list[FunctionIR], ops: dict | None = None, notifiers=None,
                 not_followed: dict[str, str] | None = None, skipped: frozenset[str] = frozenset()) -> None:
        self.notifiers = notifiers
        # functions the front end left unparsed because no lock is reachable
        # from them: calls to them are resolved, to an empty summary
        self.skipped = skipped
        self.not_followed = not_followed or {}
        # clone key -> {parameter position: [function keys]}; see _specialise
        self.clone_bindings: dict[str, dict[int, list[str]]] = {}
        self.clone_facts: dict[str, dict[str, str]] = {}   # clone key -> {parameter: constant}
        self.cloned: dict[str, int] = {}
        self.labels: dict[tuple[str, int, str], str] = {}
        # (caller, call, target) -> the ops table the target was read from
        self.table_of: dict[tuple[str, int, str], str] = {}
        # (caller, call) -> candidate functions of an indirect call (pointsto.width)
        self.widths: dict[tuple[str, int], int] = {}
        self.no_target: dict[tuple[str, int], tuple[str, ...]] = {}   # tables where that call does nothing
        self.by_key: dict[str, FunctionIR] = {}
        self.globals: dict[str, str] = {}
        self.statics: dict[tuple[str, str], str] = {}
        self.by_name: dict[str, list[str]] = {}
        for fn in sorted(functions, key=lambda f: (f.file.endswith(".h"), f.file, f.line)):
            local = fn.static or fn.file.endswith(".h")
            key = f"{fn.file}:{fn.name}" if local else fn.name
            if key in self.by_key:
                continue  # a second definition (#if/#else variants): keep the first
            self.by_key[key] = fn
            self.by_name.setdefault(fn.name, []).append(key)
            if local:
                self.statics[(fn.file, fn.name)] = key
            else:
                self.globals[fn.name] = key
        self.ops = ops or {}
        # global table -> struct type, (table, field) -> function: see pointsto
        self.tables: tuple[dict, dict] = ({}, {})
        self.pointsto: PointsTo | None = None
        self.irq: irqsafety.IrqModel | None = None   # interrupt contexts (api sets it)

    def resolve_name(self, name: str, from_file: str) -> str | None:
        key = self.statics.get((from_file, name))
        if key is not None:
            return key
        if name in self.globals:
            return self.globals[name]
        keys = self.by_name.get(name)
        if keys:
            headers = [k for k in keys if k.split(":")[0].endswith(".h")]
            return headers[0] if headers else None
        return None

    def resolvable_names(self) -> frozenset[str]:
        """The callee names a direct call can resolve through (:meth:`resolve`
        finds nothing for any other): defined functions and notifier chain
        calls."""
        chains = self.notifiers.call_chain if self.notifiers is not None else ()
        return frozenset(self.by_name).union(chains)

    def bind_function_pointers(self) -> None:
        """Functions passed as arguments: (callee, position) → functions,
        so a call through that parameter inside the callee reaches them."""
        self.bindings: dict[tuple[str, int], list[str]] = {}
        for key in sorted(self.by_key):
            fn = self.by_key[key]
            for call in calls_in(fn.body):
                if not call.fnptr_args or not call.callee:
                    continue
                target = self.resolve_name(call.callee, fn.file)
                if target is None:
                    continue
                for pos, name in call.fnptr_args:
                    k = self.resolve_name(name, fn.file)
                    lst = self.bindings.setdefault((target, pos), [])
                    if k and k not in lst:
                        lst.append(k)
        self._forward_bindings()

    def _forward_bindings(self) -> None:
        """A function-pointer parameter passed on (``msr_io`` hands ``do_msr``
        to ``__msr_io``) carries its bindings to the next callee; to a fixpoint."""
        hops = []
        for key in sorted(self.by_key):
            fn = self.by_key[key]
            for call in calls_in(fn.body):
                if call.forwarded_params and call.callee:
                    target = self.resolve_name(call.callee, fn.file)
                    if target is not None:
                        hops += [((key, param), (target, pos)) for pos, param in call.forwarded_params]
        changed = True
        while changed:
            changed = False
            for src, dst in hops:
                for k in self.bindings.get(src, []):
                    lst = self.bindings.setdefault(dst, [])
                    if k not in lst:
                        lst.append(k)
                        changed = True

    def uses_function_params(self) -> None:
        self.fnptr_users = {k for k, fn in self.by_key.items()
                            if any(c.via_param is not None or c.forwarded_params for c in calls_in(fn.body))}
        # parameters a function tests (if (init_event), switch (reg)) or hands
        # on; only where there are some, as a tuple (an empty frozenset is
        # 216 bytes, and the whole tree has 600k functions, most with a
        # parameter or two at most)
        self.tested: dict[str, tuple[str, ...]] = {}
        for k, fn in self.by_key.items():
            names = set(_tested_names(fn.body)) | {fn.params[p] for c in calls_in(fn.body)
                                                   for _, p in c.forwarded_params if p < len(fn.params)}
            tested = tuple(sorted(n for n in names if n in fn.params or pair_param(n, fn.params)))
            if tested:
                self.tested[k] = tested

    def _entry_facts(self, target: str, call: Call, caller: FunctionIR, caller_key: str) -> dict[str, str]:
        tested = self.tested.get(target, ())
        if not tested:
            return {}
        return entry_facts(self.by_key[target].params, tested, call.const_args, call.forwarded_params,
                           caller.params, self.clone_facts.get(caller_key, {}))

    def _specialise(self, target: str, call: Call, caller: FunctionIR, caller_key: str) -> str:
        """``msr_io(vcpu, argp, do_set_msr, 0)`` calls a copy of ``msr_io`` in
        which ``do_msr`` is ``do_set_msr`` only (not every function any caller
        passes), so witnesses through function pointers stay feasible."""
        fnptr_user = target in getattr(self, "fnptr_users", ())
        if not fnptr_user and (target not in getattr(self, "tested", {})
                               or not (call.const_args or call.forwarded_params)):
            return target   # most calls: nothing to specialise on (checked first: millions of calls)
        facts = self._entry_facts(target, call, caller, caller_key) if hasattr(self, "tested") else {}
        if not fnptr_user and not facts:
            return target
        binding: dict[int, list[str]] = {}
        for pos, name in call.fnptr_args:
            k = self.resolve_name(name, caller.file)
            lst = binding.setdefault(pos, [])   # a callback outside the scan or reaching no
            if k:                               # lock binds to nothing, never to the union
                lst.append(k)
        mine = self.clone_bindings.get(caller_key, {})
        for pos, param in call.forwarded_params:
            if param in mine:
                binding.setdefault(pos, []).extend(mine[param])
        if not binding and not facts:
            return target
        clone = target + "<" + ",".join(f"{p}={'|'.join(v)}" for p, v in sorted(binding.items())) \
            + "".join(f";{k}={v}" for k, v in sorted(facts.items())) + ">"
        if clone not in self.by_key:
            if self.cloned.get(target, 0) >= self._clone_limit(target):
                return target
            self.cloned[target] = self.cloned.get(target, 0) + 1
            self.by_key[clone] = self.by_key[target]
            self.clone_bindings[clone] = binding
            self.clone_facts[clone] = facts
            if target in self.tested:
                self.tested[clone] = self.tested[target]
            if target in self.fnptr_users:
                self.fnptr_users.add(clone)
        return clone

    def _clone_limit(self, target: str) -> int:
        fn = self.by_key[target]
        return MAX_SMALL_CLONES if len(calls_in(fn.body)) <= SMALL_CALLS else MAX_CLONES

    def resolve(self, call: Call, caller: FunctionIR, caller_key: str = "") -> list[str]:
        if self.pointsto is not None:
            self.pointsto.how = ""
            self.pointsto.width = 0
        if call.callee in self.not_followed:
            return []
        if call.via_param is not None:
            if caller_key in self.clone_bindings and call.via_param in self.clone_bindings[caller_key]:
                return list(self.clone_bindings[caller_key][call.via_param])
            return list(getattr(self, "bindings", {}).get((caller_key, call.via_param), []))
        if self.notifiers is not None and self.notifiers.is_dispatch(call):
            return []  # resolved per chain at each *_notifier_call_chain() site
        if call.callee:
            key = self.resolve_name(call.callee, caller.file)
            keys = [self._specialise(key, call, caller, caller_key)] if key else []
            if self.notifiers is not None:
                chain, callbacks = self.notifiers.callbacks(call)
                for cb in callbacks:
                    k = self.resolve_name(cb, caller.file) or (self.by_name.get(cb) or [None])[0]
                    if k and k not in keys:
                        keys.append(k)
                        self.labels[(caller_key, id(call), k)] = f"notifier chain {chain}"
            return keys
        if self.pointsto is not None:
            found = self.pointsto.targets(call, caller, caller_key)
            if found is not None:
                keys = []
                tables = self.pointsto.table_of
                for k in found:
                    spec = self._specialise(k, call, caller, caller_key)
                    if spec not in keys:
                        keys.append(spec)
                        if k in tables:
                            self.table_of[(caller_key, id(call), spec)] = tables[k]
                if self.pointsto.no_target:
                    self.no_target[(caller_key, id(call))] = self.pointsto.no_target
                return keys
        if call.field is not None:
            names = self.ops.get(call.field, [])
            keys = []
            for n in names:
                k = self.globals.get(n) or (self.by_name.get(n) or [None])[0]
                if k:
                    k = self._specialise(k, call, caller, caller_key)
                if k and k not in keys:
                    keys.append(k)
            return keys
        return []

    def strip_ir(self) -> None:
        """Once the pointer flows are solved, the functions keep only what
        the walk reads: the flow facts (on a whole tree hundreds of
        megabytes of uninterned strings), the declared variable names and
        the class notes were read before the analysis (api) or by
        :class:`PointsTo`, and the bare copies a walked function leaves
        (:class:`walked_bodies.WalkedBodies`) would otherwise keep them to the end."""
        copies: dict[int, FunctionIR] = {}
        for key, fn in self.by_key.items():
            if not (fn.flows or fn.var_names or fn.class_notes or fn.unresolved_sites or fn.texts):
                continue
            lean = copies.get(id(fn))
            if lean is None:
                lean = copies[id(fn)] = dataclasses.replace(fn, flows=(), var_names=(), class_notes=(),
                                                            unresolved_sites=(), texts=())
            self.by_key[key] = lean

    def resolved(self) -> None:
        """Every call is resolved (summaries._resolve_calls): what only
        resolving reads goes before the walk, whose peak it would add to
        (the solved pointer values, the argument bindings, the clones'
        bindings and the tested parameters of every function)."""
        self.pointsto.release()
        self.bindings = {}
        self.clone_bindings = {}
        self.tested = {}
        self.fnptr_users = set()

    def skipped_targets(self, call: Call) -> list[str]:
        """Names a call would reach among the skipped functions (for counts only)."""
        if call.callee:
            return [call.callee] if call.callee in self.skipped else []
        if call.field is not None:
            return [n for n in self.ops.get(call.field, ()) if n in self.skipped]
        return []


def analyse(program: Program) -> AnalysisResult:
    result = AnalysisResult(functions=len(program.by_key))
    program.bind_function_pointers()
    program.uses_function_params()
    program.pointsto = PointsTo(program, *program.tables)
    program.strip_ir()
    if program.irq is not None:
        program.irq.learn_entries(program.ops)
    if program.notifiers is not None:
        program.notifiers.learn(list(program.by_key.values()), calls_in)
    succ, calls = _resolve_calls(program, result)
    _BODIES.clear()  # it holds every body alive; from here calls are looked up by function
    program.resolved()
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
            result.recursions[members[0]] = len(members)
            large.summarise(members, summaries, lambda m, sink: _walk(
                program, m, summaries, calls, result, on_recursion=large.entered, sink=sink))
        else:
            _walk_component(program, graph, members, summaries, calls, result, large.entered)
            _release_calls(calls, members)
        _release_callees(order, comp, waiting, summaries)
        walked.done(members)
    result.recursion_edges = large.emit_edges(lambda edge: _emit(result, edge))
    result.indirect_targets = program.pointsto.stats
    forget_shared()
    return result


def _walk_component(program: Program, graph, members: list[str], summaries: dict, calls, result,
                    on_recursion) -> None:
    """A function, or a small recursion walked again until its members'
    summaries stop changing (at most SCC_ROUNDS times)."""
    rounds = SCC_ROUNDS if len(members) > 1 or graph.has_edge(members[0], members[0]) else 1
    last = LastWalk()   # a recursion's findings: from each member's last walk
    for _ in range(rounds):
        before = {m: _shape(summaries.get(m)) for m in members}
        for m in members:
            entry = graph.in_degree(m) == 0
            summaries[m] = _walk(program, m, summaries, calls, result, entry, on_recursion,
                                 last.begin(m, rounds > 1))
            if entry and program.irq is not None and summaries[m].irq_on:
                result.irq.entered(summaries[m], program.irq.entered_off.get(program.by_key[m].name, frozenset()))
        if all(_shape(summaries[m]) == before[m] for m in members):
            break
    last.flush(members)




def _resolve_calls(program: Program, result: AnalysisResult):
    """The call graph, and per function (a specialised copy is a function
    too) its calls and the targets of each, in :func:`calls_in` order.

    Targets are kept as one tuple per function, equal tuples shared (most
    calls reach nothing or one common function): a dict keyed by call
    held millions of entries on the whole tree."""
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
            else:
                found = tuple(program.resolve(call, fn, key))
            per_call.append(shared.setdefault(found, found))
            width = program.pointsto.width if call.callee is None else 0
            if width:
                program.widths[(key, id(call))] = width
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
    _prune_uncalled_originals(succ, program.cloned)
    return succ, calls


def _prune_uncalled_originals(succ: dict[str, dict[str, None]], cloned) -> None:
    """A function only ever called through its specialised copies is not a
    root, and neither is what only such a function calls: removed, with
    whatever is then left with callers that were all removed (its own
    unspecialised callees), transitively.  Left in, each would be entered
    as a process-context root with interrupts on, whatever its real callers
    hold."""
    callers = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for t in targets:
            callers[t] += 1
    todo = sorted(k for k in cloned if k in succ and not callers[k])
    while todo:
        k = todo.pop()
        for t in succ.pop(k):
            if t in succ:
                callers[t] -= 1
                if not callers[t]:
                    todo.append(t)


class CallSites:
    """Where a caller first calls a callee (line, direct or not, model):
    what a witness step through that call shows.  Found on demand, for
    the few calls a large recursion's edges go through."""

    def __init__(self, program: Program, calls: dict) -> None:
        self.program, self.calls = program, calls
        self._first: dict[str, dict[str, tuple[int, bool, str]]] = {}

    def first(self, caller: str, callee: str) -> tuple[int, bool, str]:
        sites = self._first.get(caller)
        if sites is None:
            sites = self._first[caller] = {}
            for call, found in zip(*self.calls[caller]):
                for t in found:
                    if t not in sites:
                        model = self.program.labels.get((caller, id(call), t), "") or call.model
                        sites[t] = (call.line, call.callee is not None, model)
        return sites[callee]


def _release_calls(calls: dict, members: list[str]) -> None:
    """Drop a walked function's calls: only its own walk reads them (a
    large recursion's members keep theirs for :class:`CallSites`), and once
    its body is freed they alone keep its call nodes alive (the whole tree
    has 3.3 million)."""
    for m in members:
        calls.pop(m, None)


def _release_callees(order: CallOrder, comp: int, waiting: list, summaries: dict) -> None:
    """Drop a summary once every caller has used it: a whole tree's
    summaries (each with its acquisition chains) never all fit at once."""
    for callee in order.callees[comp]:
        waiting[callee] -= 1
        if waiting[callee] == 0:
            for m in order.members[callee]:
                summaries.pop(m, None)


def _walk(program: Program, key: str, summaries, calls, result: AnalysisResult,
          entry: bool = False, on_recursion=None, sink: list | None = None) -> Summary:
    fn = program.by_key[key]
    by_call = {id(call): found for call, found in zip(*calls.get(key, ((), ())))}

    def callees(call: Call):
        out = []
        found = by_call.get(id(call), ())
        width = indirect_width(program, call, found, key)
        for t in found:
            s = summaries.get(t)
            if s is not None:
                out.append((program.by_key[t], s, program.labels.get((key, id(call), t), ""), width,
                            program.table_of.get((key, id(call), t))))
        out += [(None, None, "", 0, table) for table in program.no_target.get((key, id(call)), ())]
        return out

    def per_class(table: dict[str, EdgeRecord]):
        """Findings about one class (recursive locking, assert-not-held)."""
        def record(edge: RawEdge) -> None:
            if edge.src.is_param:
                return
            _record(result, table, edge)
        return record

    found = deferred(sink, lambda edge: _emit(result, edge), per_class(result.recursive),
                     per_class(result.not_held), on_recursion)   # lastwalk: kept until the last walk
    flow = FunctionFlow(fn, callees, *found, program.irq)
    return flow.run(flow.asserted_entry() if entry else (), program.clone_facts.get(key))


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


def _emit(result: AnalysisResult, edge: RawEdge) -> None:
    if edge.src.key in irqsafety.CONTEXT_OF:   # a usage in an interrupt, not an edge
        result.irq.used_in(edge)
        return
    k = (edge.src.class_key, edge.dst.class_key)
    rec = result.edges.get(k)
    if rec is None:
        rec = result.edges[k] = EdgeRecord(*k)
    rec.add(edge)
    _vote(result, edge.src)
    _vote(result, edge.dst)


def _record(result: AnalysisResult, table: dict[str, EdgeRecord], edge: RawEdge) -> None:
    k = edge.src.class_key
    rec = table.get(k)
    if rec is None:
        rec = table[k] = EdgeRecord(k, k)
    rec.add(edge)
    _vote(result, edge.src)


def _vote(result: AnalysisResult, ref) -> None:
    votes = result.refs.setdefault(ref.class_key, {})
    k = (ref.key, ref.owner, ref.path, ref.subclass)
    votes[k] = votes.get(k, 0) + 1


def _shape(s: Summary | None):
    return None if s is None else s.shape()


def _count(result: AnalysisResult, call: Call, targets) -> None:
    if call.callee:
        if targets:
            result.calls_resolved += 1
        else:
            result.calls_external += 1
    elif targets:
        result.indirect_resolved += 1
    else:
        result.indirect_unresolved += 1


_BODIES: dict[int, tuple] = {}


def calls_in(node):
    """Every Call in an IR tree (statements and conditions); a function
    body's list is computed once (the stages ask for it several times)."""
    if isinstance(node, Block):
        return _body_facts(node)[1]
    return tuple(n for n in _ir_nodes(node) if type(n) is Call)


def _tested_names(body: Block) -> tuple[str, ...]:
    """Variables tested by conditions or switched on, anywhere in a body."""
    return _body_facts(body)[2]


def _body_facts(body: Block) -> tuple:
    """(body, its calls, the variables it tests), from one walk, kept per
    body: on the whole tree every walk of every body costs a minute."""
    cached = _BODIES.get(id(body))
    if cached is None or cached[0] is not body:
        calls, tested = [], []
        for n in _ir_nodes(body):
            t = type(n)
            if t is Call:
                calls.append(n)
            elif (t is CondVar or t is Switch) and n.var:
                tested.append(n.var)
        cached = _BODIES[id(body)] = (body, tuple(calls), tuple(tested))
    return cached


#: Annotations of fields that never hold IR nodes (not walked).
_SCALAR_TYPES = frozenset(("int", "str", "bool", "str | None", "int | None"))
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        fields = getattr(cls, "__dataclass_fields__", None) or {}
        names = _CHILD_FIELDS[cls] = tuple(n for n, f in fields.items() if f.type not in _SCALAR_TYPES)
    return names


def _ir_nodes(node):
    """Every IR node below ``node`` (statements and conditions), without
    entering a call's own fields."""
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        t = type(n)
        if t is tuple:
            extend(n)
            continue
        yield n
        if t is Call:
            continue
        for name in _CHILD_FIELDS.get(t) or _child_fields(t):
            v = getattr(n, name)
            if v is not None:
                push(v)

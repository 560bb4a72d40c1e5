"""``check(options) -> ScanResult``: the whole pipeline, no printing, no exits.

files → front end (+ extraction, per file, cached) → header inline
functions the code calls → interprocedural summaries → lock graph →
cycles → :class:`~lockcheck.result.ScanResult`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import time

from lockcheck.analysis.contexts import callback_functions
from lockcheck.analysis.cycles import find_cycles
from lockcheck.model.loader import load_model
from lockcheck.analysis.notifiers import NotifierModel
from lockcheck.analysis.names import display_names, preferred_var_names
from lockcheck.analysis.summaries import AnalysisResult, Program, analyse, calls_in
from lockcheck.driver import SKIPPED, discover, header_functions, release_index, run_frontend
from lockcheck.model.primitives import load_catalogue
from lockcheck.options import Options
from lockcheck.result import Edge, Finding, Lock, ScanResult, WitnessStep

__all__ = ["check"]



def check(options: Options, progress=None) -> ScanResult:
    t0 = time.perf_counter()
    with _without_cyclic_gc():
        # the file walk is made once per scan (three walks of a whole tree
        # took six seconds before any work started)
        discovered = discover(options.paths)
        key = _run_key(options, discovered)
        cached = _cached_run(options, key)
        if cached is not None:
            stats = dict(cached.stats, seconds=round(time.perf_counter() - t0, 2))
            return dataclasses.replace(cached, stats=stats, run_info={
                "files_parsed": 0, "files_cached": stats["files"], "whole_scan_cached": True})
        return _check(options, progress, t0, discovered, key)


@contextlib.contextmanager
def _without_cyclic_gc():
    """A scan builds millions of small acyclic objects (IR, summaries, cache
    entries); Python's cycle collector rescans all of them again and again
    as they accumulate.  On the whole tree's warm front end it was most of
    the time (the process sat in ``gc_collect_main`` for over ten minutes).
    Reference counting still frees everything; the rare cycle waits until
    the scan ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_key(options: Options, discovered) -> str | None:
    """Whole-scan identity: configuration plus the files discovered (a new
    file in a scanned directory is a different scan)."""
    from lockcheck.cache import make_key
    if options.cache_dir is None:
        return None
    files, errors, _ = discovered
    docs = [hashlib.blake2b(open(d, "rb").read()).hexdigest() for d in options.docs if os.path.isfile(d)]
    return make_key("run", options.config_digest(), str(options.max_cycle_length), str(options.parse_all), *docs,
                    *errors, *(os.path.abspath(f) for f in files))


def _cached_run(options: Options, key: str | None) -> ScanResult | None:
    """A scan whose every input (scanned files and the headers they reached)
    is byte-identical to a cached one returns that result: a warm re-scan
    reads the files, hashes them and stops."""
    from lockcheck.cache import Cache
    if key is None:
        return None
    entry = Cache(options.cache_dir).get("run", key)
    if entry is None:
        return None
    inputs, result = entry
    for path, digest in inputs:
        try:
            with open(path, "rb") as f:
                if hashlib.blake2b(f.read(), digest_size=16).hexdigest() != digest:
                    return None
        except OSError:
            return None
    return result


def _store_run(options: Options, key: str | None, inputs, result: ScanResult) -> None:
    from lockcheck.cache import Cache
    if key is not None and inputs:
        Cache(options.cache_dir).put("run", key, (inputs, result))


def _check(options: Options, progress, t0: float, discovered, key: str | None) -> ScanResult:
    run = run_frontend(options, extract=True, progress=progress, discovered=discovered)
    functions = [fn for f in run.files for fn in f.irs]
    defined = {fn.name for fn in functions}
    wanted = {c.callee for fn in functions for c in calls_in(fn.body) if c.callee} - defined
    functions += header_functions(run, options, wanted)
    contexts = load_model("contexts", options.model_files)
    functions += callback_functions(functions, contexts)
    notifiers = NotifierModel(contexts.get("notifiers", {}), run.index.var_fields if run.index else {})
    not_followed = load_model("analysis", options.model_files).get("not_followed", {})
    skipped = frozenset(fn.name for f in run.files for fn in f.functions if fn.outcome == SKIPPED)
    program = Program(functions, run.index.ops if run.index else {}, notifiers, not_followed, skipped)
    var_names = preferred_var_names(functions, (v for f in run.files for v in f.var_names))
    counts = _ir_counts(run, functions)
    release_index(run)
    _release_ir(run)
    del functions   # the analysis frees each body once walked (summaries.analyse)
    analysis = analyse(program)
    names = display_names(analysis.refs, var_names)
    if options.docs:
        _add_documented(analysis, names, options.docs)
    result = _build_result(analysis, names, options, load_catalogue(options.model_files))
    stats = _stats(run, counts, analysis, result, time.perf_counter() - t0)
    root = str(run.root) if run.root is not None else "."
    scan = ScanResult(stats, result[0], result[1], result[2], tuple(run.errors), root)
    _store_run(options, key, run.inputs, scan)
    return dataclasses.replace(scan, run_info={"files_parsed": run.files_parsed, "files_cached": run.files_cached})


def _ir_counts(run, functions) -> dict:
    """What the statistics need of the IR, taken before the IR is freed."""
    return {"header_functions": len(functions) - sum(len(f.irs) for f in run.files),
            "unresolved_lock_expressions": sum(fn.unresolved_locks for fn in functions)}


def _release_ir(run) -> None:
    """The front end's per-file results keep their IR; the analysis is its
    only user from here (on the whole tree it is over two gigabytes)."""
    run.files = [dataclasses.replace(f, irs=()) if f.irs else f for f in run.files]


def _add_documented(analysis: AnalysisResult, names: dict[str, str], docs: tuple[str, ...]) -> None:
    """Documented orders the code does not show become marked edges."""
    from lockcheck.analysis.facts import EdgeWitness, Step
    from lockcheck.analysis.summaries import EdgeRecord
    from lockcheck.docs import read_rules
    from lockcheck.docs.graph import DOCUMENTED_MARK, documented_pairs
    key_of = {name: key for key, name in names.items()}
    locks = [Lock(name, key, "lock") for key, name in names.items()]
    for path in docs:
        for src, dst, rule in documented_pairs(read_rules(path).rules, locks):
            k = (key_of[src], key_of[dst])
            if k in analysis.edges:
                continue
            step = Step(rule.file, rule.line, "(documented)", f"{DOCUMENTED_MARK} {rule.parsed()}")
            rec = analysis.edges[k] = EdgeRecord(*k)
            rec.kinds[("E", "N")] = EdgeWitness((step,), (step,))


class _ReportSteps:
    """Analysis chains as report steps, each distinct step and chain made
    once.  Witnesses share their chains (the edges a function makes start
    alike, an edge's alternatives share their tails), and the whole tree's
    report holds millions of steps: made one by one, they were a large
    part of the main process's peak and of the time to build the result."""

    def __init__(self) -> None:
        self._steps: dict = {}
        self._chains: dict = {}

    def __call__(self, chain) -> tuple[WitnessStep, ...]:
        chain = chain if type(chain) is tuple else tuple(chain)
        out = self._chains.get(chain)
        if out is None:
            out = self._chains[chain] = tuple(map(self._step, chain))
        return out

    def _step(self, s) -> WitnessStep:
        out = self._steps.get(s)
        if out is None:
            out = self._steps[s] = WitnessStep(s.function, s.file, s.line, s.what)
        return out


def _kind(chain, catalogue) -> str:
    what = chain[-1].what if chain else ""
    if what.startswith("guard(") and what.endswith(")"):
        prim = catalogue.guard(what[6:-1])
    else:
        prim = catalogue.get(what)
    return prim.kind if prim else "lock"


def _build_result(analysis: AnalysisResult, names: dict[str, str], options: Options, catalogue):
    _steps = _ReportSteps()
    edges: dict[tuple[str, str], Edge] = {}
    kinds: dict[str, str] = {}
    for (src, dst), rec in sorted(analysis.edges.items()):
        for (holder, acquirer), w in sorted(rec.kinds.items()):
            kinds.setdefault(dst, _kind(w.acquire, catalogue))
            kinds.setdefault(src, _kind(w.held, catalogue))
        w = rec.best()
        holder, acquirer = min(k for k, v in rec.kinds.items() if v == w)
        others = tuple((_steps(o.held), _steps(o.acquire)) for o in rec.alternatives())
        edges[(src, dst)] = Edge(names[src], names[dst], holder, acquirer, _steps(w.held), _steps(w.acquire),
                                 others)
    findings = []
    for cyc in find_cycles(analysis.edges, options.max_cycle_length):
        pairs = [(cyc.locks[i], cyc.locks[(i + 1) % len(cyc.locks)]) for i in range(len(cyc.locks))]
        cyc_edges = []
        for (src, dst), kind in zip(pairs, cyc.kinds):
            w = analysis.edges[(src, dst)].kinds[kind]
            cyc_edges.append(Edge(names[src], names[dst], kind[0], kind[1], _steps(w.held), _steps(w.acquire)))
        findings.append(_finding("circular", tuple(names[k] for k in cyc.locks), tuple(cyc_edges)))
    for key, rec in sorted(analysis.recursive.items()):
        w = rec.best()
        holder, acquirer = min(k for k, v in rec.kinds.items() if v == w)
        kinds.setdefault(key, _kind(w.acquire, catalogue))
        edge = Edge(names[key], names[key], holder, acquirer, _steps(w.held), _steps(w.acquire))
        findings.append(_finding("recursive", (names[key],), (edge,)))
    for key, rec in sorted(analysis.not_held.items()):
        w = rec.best()
        holder, acquirer = min(k for k, v in rec.kinds.items() if v == w)
        edge = Edge(names[key], names[key], holder, acquirer, _steps(w.held), _steps(w.acquire))
        findings.append(_finding("assert-not-held", (names[key],), (edge,)))
    locks = tuple(sorted((Lock(names[k], k, kinds.get(k, "lock")) for k in names), key=lambda l: l.name))
    return locks, tuple(edges[k] for k in sorted(edges, key=lambda k: (names[k[0]], names[k[1]]))), \
        tuple(findings)


def _finding(kind: str, locks: tuple[str, ...], edges: tuple[Edge, ...]) -> Finding:
    """Identity from lock names and witness functions, never line numbers."""
    h = hashlib.blake2b(digest_size=6)
    h.update(kind.encode())
    for lock in locks:
        h.update(lock.encode() + b"\0")
    for e in edges:
        for s in e.witness:
            h.update(s.function.encode() + b"\0")
    prefix = {"circular": "LC101", "recursive": "LC102", "assert-not-held": "LC103"}[kind]
    return Finding(f"{prefix}-{h.hexdigest()}", kind, locks, edges)


def _stats(run, counts: dict, analysis: AnalysisResult, result, seconds: float) -> dict:
    total = sum(len(f.functions) for f in run.files)
    skipped = sum(1 for f in run.files for fn in f.functions if fn.outcome == SKIPPED)
    parsed = sum(1 for f in run.files for fn in f.functions if fn.outcome not in ("failed", SKIPPED))
    return {
        "files": len(run.files),
        # skipped: no lock primitive or modelled call is reachable from them (frontend.relevance)
        "functions": {"total": total, "parsed": parsed, "skipped": skipped, "analysed": analysis.functions},
        "header_functions": counts["header_functions"],
        "calls": {"resolved": analysis.calls_resolved, "external": analysis.calls_external,
                  "indirect_resolved": analysis.indirect_resolved,
                  "indirect_unresolved": analysis.indirect_unresolved},
        "unresolved_lock_expressions": counts["unresolved_lock_expressions"],
        # functions the front end could not parse: reported, skipped, the rest counts
        "unparsed": [{"file": f.path, "line": fn.reason_line or fn.line, "function": fn.name, "reason": fn.reason}
                     for f in run.files for fn in f.functions if fn.outcome == "failed"],
        "classes": len(result[0]),
        "edges": len(result[1]),
        "cycles": sum(1 for f in result[2] if f.kind == "circular"),
        "recursive": sum(1 for f in result[2] if f.kind == "recursive"),
        "assert_not_held": sum(1 for f in result[2] if f.kind == "assert-not-held"),
        "seconds": round(seconds, 2),
    }

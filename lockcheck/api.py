"""``check(options) -> ScanResult``: the whole pipeline, no printing, no exits.

files → front end (+ extraction, per file, cached) → header inline
functions the code calls → interprocedural summaries → lock graph →
cycles → :class:`~lockcheck.result.ScanResult`.  The kernel model is loaded
once (:class:`~lockcheck.model.scan_model.ScanModel`); documented orders
join the graph in :mod:`lockcheck.analysis.documented`, and the result is
built (witnesses, cycles, confidence bases) in :mod:`lockcheck.analysis.to_result`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time

from lockcheck import cyclic_gc, never_init
from lockcheck.name_mentions import files_mentioning
from lockcheck.analysis import classes
from lockcheck.analysis.contexts import callback_functions
from lockcheck.analysis.header_scope import HeaderScope
from lockcheck.analysis.program import translation_units
from lockcheck.analysis.hrtimers import hrtimer_functions
from lockcheck.analysis.ops_sequences import sequence_functions
from lockcheck.analysis.documented import add_documented
from lockcheck.analysis.families import FamilyFacts, function_families
from lockcheck.analysis import irqsafety
from lockcheck.atomic_ops import atomic_targets, opted_out_dirs
from lockcheck.analysis.irqsafety import IrqModel
from lockcheck.cache import take_write_failure
from lockcheck.analysis.notifiers import NotifierModel
from lockcheck.analysis.names import display_names, preferred_var_names
from lockcheck.analysis.ir import forget_loaded_tuples
from lockcheck.analysis.irwalk import calls_in
from lockcheck.analysis.program import Program
from lockcheck.analysis.summaries import AnalysisResult, analyse
from lockcheck.analysis.to_result import build_result
from lockcheck.discovery import discover
from lockcheck.frontend.arch_dirs import ArchDirs
from lockcheck.driver import header_functions, release_index, run_frontend
from lockcheck.tree_callees import start_index, tree_functions
from lockcheck.tree_defs import top_dirs
from lockcheck.model.scan_model import ScanModel
from lockcheck.options import Options
from lockcheck.parse_task import SKIPPED
from lockcheck.phase_times import PhaseTimes
from lockcheck.result import ScanResult

__all__ = ["check"]



def check(options: Options, progress=None) -> ScanResult:
    """``progress`` is called with each file's outcome as the front end
    finishes it; if it has a ``start`` method, that is first called once
    with the number of files the scan will parse (not at all when the whole
    scan is reused from the cache)."""
    t0 = time.perf_counter()
    times = PhaseTimes()
    with cyclic_gc.paused():   # lockcheck.cyclic_gc: millions of acyclic objects
        # the file walk is made once per scan (three walks of a whole tree
        # took six seconds before any work started)
        discovered = discover(options.paths, follow_symlinks=options.follow_symlinks)
        key = _run_key(options, discovered)
        times.mark("discovery")
        cached = _cached_run(options, key)
        if cached is not None:
            stats = dict(cached.stats, seconds=round(time.perf_counter() - t0, 2))
            return dataclasses.replace(cached, stats=stats, run_info={
                "files_parsed": 0, "files_cached": stats["files"], "whole_scan_cached": True})
        if hasattr(progress, "start"):
            progress.start(len(discovered[0]))
        take_write_failure(options.cache_dir)      # a failure of an earlier run is not this one's
        result = _check(options, progress, t0, discovered, key, times)
        failure = take_write_failure(options.cache_dir)
        if failure:
            result.run_info["cache_not_written"] = failure
        return result


def _run_key(options: Options, discovered) -> str | None:
    """Whole-scan identity: everything that changes the result's bytes
    besides the content of the files it read (checked on reuse): the
    configuration, the files discovered (a new file in a scanned directory
    is a different scan), the header directories, the documents as named,
    and the directories paths are shown relative to."""
    from lockcheck.cache import make_key
    if options.cache_dir is None:
        return None
    files, errors, root = discovered
    docs = [hashlib.blake2b(open(d, "rb").read()).hexdigest() for d in options.docs if os.path.isfile(d)]
    # each list preceded by its length, so no two inputs give one sequence
    return make_key("run", options.config_digest(), str(options.max_cycle_length), str(options.parse_all),
                    str(options.include_novalidate), str(options.tree_callees),
                    str(len(docs)), *docs, str(len(options.docs)), *options.docs,
                    str(len(options.include_dirs)), *(os.path.abspath(d) for d in options.include_dirs),
                    str(root), _display_base(files, root, options),
                    str(len(errors)), *errors, *(os.path.abspath(f) for f in files))


def _display_base(files, root, options: Options) -> str:
    """The working directory when some path may be shown relative to it
    (discovery.display_path: witness paths outside the tree root, or every path
    when there is no tree), else nothing: a tree scanned from any directory
    inside or outside it gives the same report."""
    if root is None:
        return os.getcwd()
    # by directory: a whole tree is some sixty thousand files in a few thousand
    dirs = {os.path.dirname(os.path.realpath(f) if os.path.islink(f) else os.path.abspath(f)) for f in files} \
        | {os.path.abspath(d) for d in options.include_dirs}
    inside = str(root) + os.sep
    if any(not (os.path.realpath(d) + os.sep).startswith(inside) for d in dirs):
        return os.getcwd()
    return ""


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
    from lockcheck.frontend.special_files import read_regular
    for path, digest in inputs:
        try:   # a file since replaced by a FIFO is refused, not waited on
            if hashlib.blake2b(read_regular(path), digest_size=16).hexdigest() != digest:
                return None
        except OSError:
            return None
    return result


def _store_run(options: Options, key: str | None, inputs, result: ScanResult) -> None:
    from lockcheck.cache import Cache
    if key is not None and inputs:
        Cache(options.cache_dir).put("run", key, (inputs, result))


def _check(options: Options, progress, t0: float, discovered, key: str | None, times: PhaseTimes) -> ScanResult:
    model = ScanModel.load(options.model_files)
    run = run_frontend(options, extract=True, progress=progress, discovered=discovered, model=model,
                       tree_index=start_index(options, discovered[2]))
    times.mark("parse")
    times.split("parse", "index", run.index_seconds)
    functions = [fn for f in run.files for fn in f.irs]
    defined = {fn.name for fn in functions}
    wanted = {c.callee for fn in functions for c in calls_in(fn.body) if c.callee} - defined
    functions += header_functions(run, options, wanted)
    tree_stats: dict = {}
    outside = tree_functions(run, options, functions, tree_stats)
    if outside:   # what they call in headers the scan did not need yet
        defined |= {fn.name for fn in functions} | {fn.name for fn in outside}
        functions += outside
        functions += header_functions(run, options, {c.callee for fn in outside for c in calls_in(fn.body)
                                                     if c.callee} - defined)
    units = translation_units(run.index.included_c) if run.index else {}
    functions += callback_functions(functions, model.contexts, run.index.ops_sites if run.index else {}, units,
                                    run.index.integer_macros if run.index else {})
    functions += hrtimer_functions(functions, model.contexts)
    functions += sequence_functions(functions, model.contexts, run.file_tables)
    times.mark("headers, tree callees, contexts")
    forget_loaded_tuples()   # every IR is loaded: the table that shared their tuples goes
    class_model = model.classes
    excluded = sorted({(fn.file, classes.excluded_reason(fn.file, class_model)) for fn in functions
                       if classes.excluded_reason(fn.file, class_model)})
    extracted = len(functions)
    if excluded:
        functions = [fn for fn in functions if not classes.excluded_reason(fn.file, class_model)]
    class_facts = classes.collect((n for fn in functions for n in fn.class_notes), class_model,
                                  options.include_novalidate)
    noted, inits = never_init.noted_keys(n for fn in functions for n in fn.class_notes)
    notifiers = NotifierModel(model.contexts.get("notifiers", {}), run.index.var_fields if run.index else {})
    not_followed = model.analysis.get("not_followed", {})
    skipped = frozenset(fn.name for f in run.files for fn in f.functions if fn.outcome == SKIPPED)
    program = Program(functions, run.index.ops if run.index else {}, notifiers, not_followed, skipped, units)
    program.outside = frozenset(fn.file for fn in outside)
    program.outside_cut = frozenset((fn.file, fn.name) for fn in outside if (fn.file, fn.name) in run.tree_cut)
    arch_dirs = ArchDirs(run.root, model.analysis.get("arch_symbols", {}))
    program.arch_of = arch_dirs.of_file
    if run.index:
        program.header_scope = HeaderScope(run.index.includes, (f for f, _ in program.statics if f.endswith(".h")),
                                           {n: c for n, c in run.index.macro_clashes.items() if n in program.by_name})
    if run.index:
        program.tables = (run.index.ops_vars, run.index.var_fields)
        program.table_members = run.index.table_members
        program.fn_arrays = run.index.fn_arrays
        program.ops_sites = run.index.ops_sites
        program.table_sites = run.index.table_sites
        program.lexed = frozenset(run.index.includes)
        if run.root is not None:
            tree, dirs = run.root, top_dirs(run.root, options.arch)
            program.mentions = lambda names: files_mentioning(names, tree, dirs)
        program.value_uses = run.index.value_uses
    program.copies_not_followed = frozenset((f"F:{c['struct']}:{c['to']}", f"F:{c['struct']}:{c['from']}")
                                            for c in model.pointsto.get("copies_not_followed", ()))
    if "irq" in model.contexts:
        program.irq = IrqModel(model.contexts["irq"], model.catalogue)
        if program.irq.atomic_specs and run.index:   # [[irq.atomic_ops]]: lockcheck.atomic_ops
            sites = run.index.ops_sites
            opted = opted_out_dirs(program.irq.atomic_specs, sites, run.root)
            program.irq.learn_atomic(atomic_targets(program.irq.atomic_specs, sites, opted))
    families = FamilyFacts(dict(class_model.get("families", {}).get("keyed", {})),
                           function_families(functions, *program.tables,
                                             class_model.get("families", {})),
                           classes.merged_classes(class_facts))
    var_names = preferred_var_names(functions, (v for f in run.files for v in f.var_names))
    counts = _ir_counts(run, functions, extracted - len(functions))
    counts["header_functions"] -= len(outside)
    counts["tree_callees"] = tree_stats if options.tree_callees else {"off": True}
    counts["functions"] = _function_counts(run)
    release_index(run)
    _release_files(run)
    # the analysis frees each body once walked (summaries.analyse): no list
    # here may keep one alive (the tree callees' bodies stayed to the end)
    del functions, outside, defined, wanted
    times.mark("program")
    analysis = analyse(program, times)
    irq_model = program.irq
    # the program's tables (every function's bare copy, the specialised
    # copies, call labels, the index's ops tables) have served: the report
    # reuses their memory rather than adding to the peak (analyse already
    # dropped the points-to solution, which points back at the program: a
    # cycle the paused collector would keep)
    del program
    counts["classes"] = classes.apply(analysis, class_facts)
    if irq_model is not None:     # on the classes as apply left them
        irqsafety.finish(analysis, irq_model, lambda k: classes.canonical(class_facts, k))
    counts["excluded_files"] = [{"file": f, "reason": r} for f, r in excluded]
    names = display_names(analysis.refs, var_names)
    if options.docs:
        add_documented(analysis, names, options.docs)
    times.mark("classes, irq rules")
    result = build_result(analysis, names, options.max_cycle_length, model.catalogue, families)
    times.mark("cycles, report")
    result = _never_initialised(result, noted, inits, run, options)
    times.mark("never initialised")
    stats = _stats(run, counts, analysis, result, time.perf_counter() - t0)
    root = str(run.root) if run.root is not None else "."
    scan = ScanResult(stats, result[0], result[1], result[2], tuple(run.errors), root)
    _store_run(options, key, tuple(run.inputs) + arch_dirs.inputs(), scan)
    times.mark("cache")
    info = {"files_parsed": run.files_parsed, "files_cached": run.files_cached, "phases": dict(times.seconds),
            "peak_mb": dict(times.peak_mb), "recursion_walks": dict(analysis.recursion_walks)}
    if run.tree_index is not None:
        info["tree_seconds"] = run.tree_seconds
        info["tree_index_built"] = run.tree_index_built
    return dataclasses.replace(scan, run_info=info)


def _never_initialised(result, noted, inits: bool, run, options: Options):
    """``result`` with findings through lock fields nothing initialises made
    low (lockcheck.never_init): decided from the whole tree in one, else
    from the files read; only when the files read initialise some field
    lock at all (a cut-down tree that leaves every init out is not judged)."""
    if not inits:
        return result
    dirs = top_dirs(run.root, options.arch) if run.root is not None else ()
    found = never_init.demote(result[2], result[0], noted, lambda candidates: never_init.initialised(
        candidates, run.root, options.arch, dirs, tuple(p for p, _ in run.inputs)))
    return result[:2] + (found,)


def _ir_counts(run, functions, excluded: int = 0) -> dict:
    """What the statistics need of the IR, taken before the IR is freed
    (``excluded``: functions of excluded files, left out of ``functions``)."""
    return {"header_functions": len(functions) + excluded - sum(len(f.irs) for f in run.files),
            "unresolved_lock_expressions": sum(fn.unresolved_locks for fn in functions),
            "unresolved_locks": [{"file": fn.file, "line": line, "function": fn.name, "text": text}
                                 for fn in sorted(functions, key=lambda f: (f.file, f.line, f.name))
                                 for line, text in fn.unresolved_sites]}


def _function_counts(run) -> dict:
    """What the statistics need of the front end's per-file results, taken
    before they are dropped (:func:`_release_files`)."""
    total = skipped = parsed = 0
    unparsed = []
    for f in run.files:
        for fn in f.functions:
            total += 1
            if fn.outcome == SKIPPED:
                skipped += 1
            elif fn.outcome == "failed":
                unparsed.append({"file": f.path, "line": fn.reason_line or fn.line, "function": fn.name,
                                 "reason": fn.reason})
            else:
                parsed += 1
    return {"files": len(run.files), "total": total, "parsed": parsed, "skipped": skipped, "unparsed": unparsed}


def _release_files(run) -> None:
    """The front end's per-file results (their IR, every function's
    outcome): the analysis is the IR's only user from here, and the
    statistics took what they need (on the whole tree the IR is over two
    gigabytes, the outcomes some hundreds of megabytes)."""
    run.files = []
    run.relevant = None          # which functions to parse, and each file's:
    run.file_functions = {}      # the front end's (70 MB on the whole tree)


def _stats(run, counts: dict, analysis: AnalysisResult, result, seconds: float) -> dict:
    functions = counts["functions"]
    return {
        "files": functions["files"],
        # skipped: no lock primitive or modelled call is reachable from them (frontend.relevance)
        "functions": {"total": functions["total"], "parsed": functions["parsed"], "skipped": functions["skipped"],
                      "analysed": analysis.functions},
        "header_functions": counts["header_functions"],
        # callees defined elsewhere in the kernel tree, summarised (lockcheck.tree_callees)
        "tree_callees": counts["tree_callees"],
        "calls": {"resolved": analysis.calls_resolved, "external": analysis.calls_external,
                  "indirect_resolved": analysis.indirect_resolved,
                  "indirect_unresolved": analysis.indirect_unresolved},
        "indirect_targets": analysis.indirect_targets.as_dict(),
        "unresolved_lock_expressions": counts["unresolved_lock_expressions"],
        # lock expressions that name no class once locals are resolved (analysis.classes)
        "unresolved_locks": counts["unresolved_locks"],
        "class_annotations": counts["classes"],
        "excluded_files": counts["excluded_files"],
        # functions the front end could not parse: reported, skipped, the rest counts
        "unparsed": functions["unparsed"],
        "classes": len(result[0]),
        "edges": len(result[1]),
        "cycles": sum(1 for f in result[2] if f.kind == "circular"),
        "recursive": sum(1 for f in result[2] if f.kind == "recursive"),
        "assert_not_held": sum(1 for f in result[2] if f.kind == "assert-not-held"),
        # interrupt safety (analysis.irqsafety): classes per usage state, findings per rule
        "irq": {"used_in_hardirq": len({k[0] for k in analysis.irq.used if k[1] == "HARDIRQ"}),
                "used_in_softirq": len({k[0] for k in analysis.irq.used if k[1] == "SOFTIRQ"}),
                "inconsistent": sum(1 for f in result[2] if f.kind == "irq-inconsistent"),
                "unsafe_order": sum(1 for f in result[2] if f.kind == "irq-unsafe-order")},
        "seconds": round(seconds, 2),
    }

"""Run the front end (and per-function extraction) over a set of paths.

Flow: discover files → lex every scanned file and the headers it reaches
(cached) → merge their facts into one :class:`TreeIndex` (with ``jobs > 1``
in a forked child, see :func:`lockcheck.forked.in_child`) → parse and extract each scanned
file, in parallel processes when ``jobs > 1``, cached by content.  Only
compact per-function records and IR leave a worker; ASTs never do.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lockcheck import __version__
from lockcheck import outcome_pickle
from lockcheck.cache import Cache, make_key
from lockcheck.discovery import discover, display_path
from lockcheck.frontend.struct_homes import struct_homes
from lockcheck.frontend.value_uses import table_struct
from lockcheck.errors import InputError
from lockcheck.executors import Job, make_executor
from lockcheck.frontend import lexed_store
from lockcheck.forked import in_child
from lockcheck.frontend.build_symbols import build_defines, never_defined
from lockcheck.frontend.include_graph import include_graph, macro_clashes
from lockcheck.analysis.state_ranges import state_range_names, table_indices
from lockcheck.frontend.constants import IntegerMacros
from lockcheck.frontend.normalize import FrontendModel
from lockcheck.analysis.program import translation_units
from lockcheck.frontend.macro_tables import resolve_macro_declarations
from lockcheck.frontend.pipeline import TreeIndex, build_index, share_unit_statics
from lockcheck.frontend.relevance import model_seeds, pointer_fields, relevant_functions
from lockcheck.frontend.source import SourceError, read_source
from lockcheck.frontend.tree import IncludeResolver
from lockcheck.lexing import Lexer
from lockcheck.model.scan_model import ScanModel
from lockcheck.options import Options
from lockcheck.parse_task import FileOutcome, TaskContext, init_worker, process_header

__all__ = ["FrontendRun", "run_frontend", "release_index", "header_functions"]


@dataclass
class FrontendRun:
    root: Path | None
    files: list[FileOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    index: TreeIndex | None = None
    seconds: float = 0.0
    cache_hits: int = 0
    cache_misses: int = 0
    cache_rejected: int = 0     # entries whose seal did not hold (lockcheck.cache_auth)
    index_digest: str = ""
    inputs: tuple = ()          # (absolute path, content digest) of every file read
    # names of the functions a scan parses (None: all); see frontend.relevance
    relevant: frozenset[str] | None = None
    file_functions: dict = field(default_factory=dict)   # absolute path -> its function names
    # file (display path) -> {table: (struct type, {field: function})} for the
    # struct types of [[ops_sequence]] (analysis.ops_sequences): per file, as
    # two files' static tables may share a name
    file_tables: dict = field(default_factory=dict)
    files_parsed: int = 0       # this run (cache misses)
    files_cached: int = 0       # reused from the cache
    context: object = None      # the workers' TaskContext, reused for header functions
    model: ScanModel | None = None   # the scan's kernel model, loaded once
    tree_seconds: float = 0.0   # spent on them, the index's wait included (not in any report)
    tree_index: object = None   # tree_defs.DefinitionsIndex being built (lockcheck.tree_callees)
    # (file, name) of those cut at its depth bound: their releases only
    tree_cut: frozenset = frozenset()
    tree_index_built: str = ""  # how the tree's definitions index was built (run info only)
    index_seconds: float = 0.0  # the tree index and relevance, before any file is parsed


# ---------------------------------------------------------------- the run

def run_frontend(options: Options, extract: bool = False, headers_too: bool = False,
                 progress=None, discovered=None, model: ScanModel | None = None,
                 tree_index=None) -> FrontendRun:
    """Lex, index, parse (and optionally extract) every file under
    ``options.paths`` (or the ``discover()`` result the caller made), with
    the scan's kernel model (loaded here when the caller has none)."""
    t0 = time.perf_counter()
    files, errors, root = discovered if discovered is not None else discover(options.paths, headers_too, options.follow_symlinks)
    # from here every path is absolute: the scanned files, the headers
    # reached from them, -I directories, models, the cache and lexed-files
    # directories; a worker (a Dask worker above all) has its own working
    # directory.  Reports name files relative to the tree root (discovery.display_path).
    files, errors = [Path(os.path.abspath(f)) for f in files], list(errors)
    options = options.with_absolute_paths()
    run = FrontendRun(root, errors=list(errors))
    if not files:
        if not errors:
            errors.append("no input files")
        raise InputError("; ".join(errors))
    model = model if model is not None else ScanModel.load(options.model_files)
    run.model = model
    run.tree_index = tree_index   # built on its own core while the scan lexes (lockcheck.tree_callees)
    frontend = FrontendModel.from_dict(model.frontend)
    catalogue = model.catalogue
    cache = Cache(options.cache_dir)
    config = options.config_digest("frontend")   # per-file entries outlive analysis changes
    with _lexed_directory(options.cache_dir) as lexed_dir:
        scanned = frozenset(map(str, files))

        def index_and_relevance():
            index, refs = _build_tree_index(files, root, options, frontend, model.frontend["definitions"],
                                            catalogue, cache, config, run, lexed_dir, scanned,
                                            frozenset(model.analysis.get("lock_types", ())),
                                            frozenset(s["struct"] for s in model.contexts.get("ops_sequence", ())),
                                            state_range_names(model.contexts), model.classes)
            relevant = _relevant(index, refs, model) if extract and not options.parse_all else None
            return (index, relevant, run.errors, run.file_functions, run.inputs, cache.hits, cache.misses,
                    cache.rejected, run.file_tables)

        if options.jobs > 1 and hasattr(os, "fork"):
            (index, run.relevant, run.errors, run.file_functions, run.inputs, cache.hits, cache.misses,
             cache.rejected, run.file_tables) = in_child(index_and_relevance)
        else:
            index, run.relevant = index_and_relevance()[:2]
        run.index = index
        run.index_seconds = time.perf_counter() - t0
        ctx = TaskContext(index, model, options, extract, run.relevant, lexed_dir)
        run.context = ctx
        index_digest = make_key(config, _index_digest(index))
        run.index_digest = index_digest
        jobs = [(str(p), display_path(p, root), _relevance_key(run, p)) for p in files]
        run.files = _run_jobs(jobs, ctx, options, cache, index_digest, extract, progress, run)
        ctx.lexed_dir = None
    for f in run.files:
        if f.error:
            run.errors.append(f.error)
    run.seconds = time.perf_counter() - t0
    run.cache_hits, run.cache_misses, run.cache_rejected = cache.hits, cache.misses, cache.rejected
    return run


def _lexed_directory(cache_dir: Path | None):
    """The run's directory of lexed files (:mod:`lockcheck.frontend.lexed_store`):
    in the cache directory where there is one (a whole tree writes about a
    gigabyte there, which a small ``/tmp`` in memory should not hold),
    else in the system's temporary directory, else none (each file is then
    lexed twice); removed when the run ends."""
    if cache_dir is not None:
        try:
            os.makedirs(cache_dir, exist_ok=True)
            lexed_store.sweep_stale(cache_dir)
            return tempfile.TemporaryDirectory(prefix=lexed_store.PREFIX, dir=cache_dir)
        except OSError:
            pass
    try:
        return tempfile.TemporaryDirectory(prefix="lockcheck-" + lexed_store.PREFIX)
    except OSError:
        return contextlib.nullcontext(None)


def _bounds(root: Path | None, paths) -> tuple[Path, ...]:
    """Where a scan's headers may lie: the kernel tree, or outside one the
    scanned directories (a scanned file's own)."""
    if root is not None:
        return (root,)
    return tuple(Path(p) if os.path.isdir(p) else Path(p).parent for p in paths)


def _build_tree_index(files, root, options, frontend, definitions, catalogue, cache, config, run,
                      lexed_dir: str | None = None, scanned: frozenset[str] = frozenset(),
                      lock_types: frozenset[str] = frozenset(), table_types: frozenset[str] = frozenset(),
                      wanted_integers: frozenset[str] = frozenset(), classes: dict | None = None):
    resolver = IncludeResolver(root, options.arch, tuple(Path(d) for d in options.include_dirs),
                               None if options.follow_symlinks else _bounds(root, options.paths) or None)
    seen: dict[Path, tuple] = {}
    includes: dict[Path, set[Path]] = {}     # file -> files it includes (frontend.struct_homes)
    unresolved: dict[Path, list[str]] = {}   # file -> its quoted includes not found
    merged_refs: dict[str, set[str]] = {}
    defined_digests: list[bytes] = []     # per lexed file, its #define'd names (build_symbols)
    tested: set[str] = set()              # plain symbols an #ifdef tests
    integers = IntegerMacros(frozenset(os.path.abspath(f) for f in files))
    integers.want(wanted_integers)
    # breadth first, one wave of newly reached files at a time (lexed in
    # parallel): the scanned files and the headers next to them, then what
    # they include, and so on; errors come in the order of a serial walk
    wave = list(files)
    for d in dict.fromkeys(f.parent for f in files):  # headers next to scanned files (the file's
        wave += sorted(d.glob("*.h"))                  # own and nearby): each directory once
    with Lexer(root, options, frontend, definitions, cache, config, lexed_dir, scanned) as lexer:
        while wave:
            batch: dict[Path, Path] = {}
            for p in wave:
                rp = Path(os.path.abspath(p))
                if rp not in seen and rp not in batch:
                    batch[rp] = p
            wave = []
            integers.wave_done()
            for (rp, p), summary in zip(batch.items(), lexer.summaries(list(batch.values())), strict=True):
                if isinstance(summary, SourceError):
                    seen[rp] = ()
                    if p not in files:
                        run.errors.append(str(summary))
                    continue
                _merge_refs(merged_refs, summary[5])   # now: a union by name, in any order
                seen[rp] = summary[:5]
                defined_digests.append(summary[6])
                tested.update(summary[7])
                integers.add(str(rp), summary[5], summary[8])
                if str(rp) in integers.scanned:    # a table's [INDEX] designators (analysis.state_ranges)
                    integers.want(table_indices(summary[0].ops))
                for kind, name in summary[2]:
                    h = resolver.resolve(kind, name, p)
                    if h is not None:
                        includes.setdefault(rp, set()).add(Path(os.path.abspath(h)))
                    elif kind == '"':   # perhaps through a Makefile's -I (frontend.include_graph)
                        unresolved.setdefault(rp, []).append(name)
                    if h is not None and Path(os.path.abspath(h)) not in seen:
                        wave.append(h)
    order = sorted(seen, key=lambda q: str(q))
    resolve_macro_declarations([(q, *seen[q][:2]) for q in order if seen[q]], includes, frontend, definitions)
    run.file_functions = {str(q): seen[q][4] for q in order if seen[q]}
    facts = [seen[q][0] for q in order if seen[q]]
    macros = [m for q in order if seen[q] for m in seen[q][1]]
    shown = {q: display_path(q, root) for q in order if seen[q]}
    owners = [shown[q] if str(q).endswith(".c") else None for q in order if seen[q]]   # whose statics
    index = build_index(facts, macros, frontend, catalogue.names(), *key_macro_model(classes or {}),
                        units=owners)
    integers.wave_done()
    index.integer_macros = integers.values()
    index.build_defines = build_defines(files, root)
    index.never_defined = never_defined(tested, defined_digests, index.build_defines)
    index.header_files = {str(q): seen[q][4] for q in order if seen[q] and str(q).endswith(".h")}
    index.struct_homes = struct_homes(
        {shown[q]: seen[q][0].structs for q in order if seen[q]},
        {shown[q]: {shown[h] for h in includes.get(q, ()) if h in shown} for q in order if seen[q]},
        lock_types)
    ops_sites: dict[tuple[str, str], dict[tuple[str, str], None]] = {}   # ordered sets: a list's `in` was quadratic
    table_sites: dict[tuple[str, str], dict[tuple[str, str], None]] = {}
    for q in order:
        if seen[q]:
            for k, names in seen[q][0].ops.items():
                ops_sites.setdefault(k, {}).update(dict.fromkeys((shown[q], n) for n in names))
            for name, held in seen[q][0].fn_arrays.items():
                index.fn_arrays[(shown[q], name)] = tuple(held)
            if seen[q][0].value_uses:
                index.value_uses[shown[q]] = seen[q][0].value_uses
            for (base, member), names in seen[q][0].element_stores.items():
                struct = table_struct(base, index.typedef_targets)
                if struct is not None:
                    table_sites.setdefault((struct, member), {}).update(dict.fromkeys((shown[q], n) for n in names))
    index.ops_sites = {k: list(v) for k, v in ops_sites.items()}
    index.table_sites = {k: list(v) for k, v in table_sites.items()}
    index.included_c = {shown[q]: tuple(sorted(shown[h] for h in includes.get(q, ()) if h in shown and str(h).endswith(".c")))
                        for q in order if seen[q] and str(q).endswith(".c")}
    index.included_c = {f: inc for f, inc in index.included_c.items() if inc}
    index.includes = include_graph(includes, unresolved, {q: shown[q] for q in order if seen[q]})
    index.macro_clashes = macro_clashes({shown[q]: seen[q] for q in order if seen[q]})
    share_unit_statics(index.file_globals, translation_units(index.included_c))
    run.inputs = tuple((str(q), seen[q][3]) for q in order if seen[q])
    run.file_tables = {shown[q]: tables for q in order if seen[q]
                       for tables in [_tables_of(seen[q][0], table_types)] if tables}
    return index, merged_refs


def _tables_of(facts, types: frozenset[str]) -> dict:
    """One file's initialised tables of ``types``: table -> (type, line,
    {field: function})."""
    out: dict = {}
    if types:
        for var, struct in sorted(facts.ops_vars.items()):
            if struct in types:
                out[var] = (struct, facts.table_lines.get(var, 0),
                            {f: fn for (v, f), fn in sorted(facts.var_fields.items()) if v == var})
    return out


def key_macro_model(classes: dict) -> tuple[frozenset[str], frozenset[str]]:
    """(the annotations a macro with a key of its own may call, the names
    never expanded as one) from classes.toml (frontend.key_macros)."""
    from lockcheck.analysis.classes import annotation_names
    calls = frozenset(classes.get("set_class", {})) | frozenset(classes.get("init_key", {}))
    return calls, annotation_names(classes)


def _merge_refs(merged: dict[str, set[str]], refs) -> None:
    """Function name -> everything any function of that name refers to
    (strings interned: a whole tree repeats the same few names)."""
    from sys import intern
    for name, named in refs:
        merged.setdefault(intern(name), set()).update(map(intern, named))


def _relevant(index: TreeIndex, refs: dict[str, set[str]], model: ScanModel) -> frozenset[str]:
    """The functions worth parsing for a scan (:mod:`lockcheck.frontend.relevance`)."""
    contexts, catalogue = model.contexts, model.catalogue
    macros = index.macros
    macro_refs = {name: {t.text for t in macros.all[name].body if t.kind == "id"}
                  for name in macros.expandable} if macros else {}
    seeds = model_seeds(catalogue.names(), contexts) | pointer_fields(index.structs, index.typedef_targets)
    # a call that returns with its caller's lock released (analysis.masked_release):
    # its caller may clear a flag it hands back (``*locked = 0``, analysis.deref_flags)
    seeds |= frozenset(name for row in model.analysis.get("masked_release", ()) for name in row.get("names", ()))
    # lockdep class annotations (analysis.classes) are read where they are
    # made; they lock nothing, so callers do not become relevant for them
    from lockcheck.analysis.classes import annotation_names
    annotations = annotation_names(model.classes)
    annotations |= getattr(macros, "pasting", frozenset()) if macros else frozenset()
    annotating = frozenset(name for name, named in refs.items() if not annotations.isdisjoint(named))
    # functions returning a lock pointer say which lock a caller's local is
    # (`ptl = pmd_lockptr(mm, pmd)`, analysis.class_notes.returns_note)
    lock_types = frozenset(model.analysis.get("lock_types", ()))
    returning = frozenset(name for name, t in index.returns.items()
                          if t is not None and t.pointers == 1 and t.base in lock_types)
    return relevant_functions(refs, macro_refs, index.ops, seeds) | annotating | returning


def _relevance_key(run: FrontendRun, path: Path) -> str:
    """Which of this file's functions the scan parses: part of its cache key."""
    if run.relevant is None:
        return "all"
    names = run.file_functions.get(os.path.abspath(path), ())
    return ",".join(n for n in names if n in run.relevant)


def _index_digest(index: TreeIndex) -> str:
    """What parsing and extraction read from the index, hashed: editing a
    function body leaves the facts (types, macros, prototypes) unchanged,
    so every other file stays cached."""
    import hashlib
    h = hashlib.blake2b(digest_size=20)
    for part in (sorted(index.typedefs), sorted(index.typedef_targets.items()),
                 sorted((k, sorted(v.items())) for k, v in index.structs.items()),
                 sorted(index.globals.items()), sorted(index.returns.items()),
                 sorted((f, sorted(g.items())) for f, g in index.file_globals.items()),
                 sorted(index.ops.items()), sorted(index.var_fields.items()),
                 sorted(index.header_files.values()),  # not the paths: trees copied elsewhere share the cache
                 sorted(index.object_macros), sorted(index.build_defines), sorted(index.never_defined),
                 sorted(index.integer_macros.items()), sorted(index.predicates.items()),
                 sorted(index.out_bits.items()),
                 sorted((f, sorted(h.items())) for f, h in index.struct_homes.items()),
                 sorted((n, m.params, m.text) for n, m in index.macros.all.items()) if index.macros else (),
                 sorted(getattr(index.macros, "pasting", ())) if index.macros else ()):
        h.update(repr(part).encode())
    return h.hexdigest()


def _run_jobs(jobs, ctx: TaskContext, options: Options, cache: Cache, index_digest: str,
              extract: bool, progress, run: FrontendRun) -> list[FileOutcome]:
    """Cached outcomes, then the misses through ``options.executor``
    (:mod:`lockcheck.executors`), which yields them in input order."""
    results: dict[int, FileOutcome] = {}
    pending = []
    hits = 0
    digests = dict(run.inputs)   # read while indexing: no need to read every file again
    for k, (path, display, relevance) in enumerate(jobs):
        digest = digests.get(os.path.abspath(path))
        if digest is None:
            try:
                digest = read_source(Path(path), display).digest
            except SourceError as exc:
                results[k] = FileOutcome(display, 0, error=str(exc))
                continue
        key = make_key("file", __version__, digest, display, index_digest, str(extract), relevance)
        hit = cache.get("file", key)
        if hit is not None:
            hits += 1
            results[k] = hit
            if progress:
                progress(hit)
        else:
            pending.append((k, key, Job(path, display, digest)))
    run.files_parsed, run.files_cached = len(pending), hits
    executor = make_executor(options.executor, options.jobs)
    outs = executor.map(ctx, [job for _, _, job in pending])
    for (k, key, job), blob in zip(pending, outs, strict=True):
        _store(results, k, key, blob, cache, progress, job.display)
    return [results[k] for k in sorted(results)]


def _store(results, k, key, blob: bytes, cache: Cache, progress, display: str) -> None:
    """An executor's answer, read with the unpickler that resolves only
    what an outcome holds (:mod:`lockcheck.outcome_pickle`: a Dask worker
    is another machine), and sealed into the cache."""
    try:
        out = results[k] = outcome_pickle.loads(blob)
    except outcome_pickle.UnsafeOutcome as exc:
        out = results[k] = FileOutcome(display, 0, error=f"{display}: the executor's answer was refused ({exc})")
    if out.error is None:
        cache.put_pickled("file", key, blob)
    if progress:
        progress(out)


def release_index(run: FrontendRun) -> None:
    """Drop the tree index once parsing is over (the interprocedural stage
    reads only its ops tables, handed over beforehand): on the whole tree
    it is a gigabyte the analysis can use instead."""
    run.index = None
    run.context = None
    init_worker(None)
    if run.tree_index is not None:
        run.tree_index.close()


# ---------------------------------------------------------------- header functions

HEADER_ROUNDS = 4


def _header_jobs(misses, run: FrontendRun, options: Options) -> list:
    """Header misses of one round, across processes when -j allows (they
    were a third of a cold KVM scan, done serially)."""
    if not misses:
        return []
    if options.jobs > 1 and len(misses) > 4:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=options.jobs, initializer=init_worker,
                                 initargs=(run.context,)) as ex:
            return list(ex.map(process_header, misses, chunksize=4))
    init_worker(run.context)
    return [process_header(m) for m in misses]


def header_functions(run: FrontendRun, options: Options, wanted: set[str]) -> list:
    """Parse and extract the static inline functions of reached headers that
    the scanned code calls (transitively, a few rounds deep)."""
    from lockcheck.analysis.irwalk import calls_in
    index = run.index
    if index is None or not wanted:
        return []
    catalogue = run.model.catalogue
    done: set[str] = set()
    out = []
    cache = Cache(options.cache_dir)
    index_digest = run.index_digest
    for _ in range(HEADER_ROUNDS):
        wanted = {w for w in wanted if w not in done and w not in catalogue.primitives
                  and (run.relevant is None or w in run.relevant)}
        if not wanted:
            break
        done |= wanted
        new_calls: set[str] = set()
        found: dict[str, list] = {}
        misses = []
        for header, names in sorted(index.header_files.items()):
            hit = wanted.intersection(names)
            if not hit:
                continue
            path = Path(header)
            display = display_path(path, run.root)
            try:
                src = read_source(path, display)
            except SourceError:
                continue
            key = make_key("header", src.digest, display, index_digest, *sorted(hit))
            irs = cache.get("header", key)
            if irs is None:
                misses.append((key, header, display, tuple(sorted(hit))))
            else:
                found[header] = irs
        for (key, header, _, _), irs in zip(misses, _header_jobs(misses, run, options)):
            cache.put("header", key, irs)
            found[header] = irs
        for header in sorted(found):
            out += found[header]
            for fn in found[header]:
                new_calls |= {c.callee for c in calls_in(fn.body) if c.callee}
        wanted = new_calls
    run.cache_rejected += cache.rejected
    return out

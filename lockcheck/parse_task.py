"""The parse stage's task: one file parsed (and extracted) in a worker.

A worker is a local process (:class:`~lockcheck.executors.LocalExecutor`),
a Dask worker (:class:`~lockcheck.executors.DaskExecutor`) or the client
itself.  It receives a :class:`TaskContext` once (the tree index, the
models, the options) and then file paths; it answers with a
:class:`FileOutcome`, pickled once, there, for the driver to store in the
cache as it is.  The driver and the executors both import this module and
it imports neither: the driver chooses an executor, the executor runs
these tasks.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

from lockcheck.frontend import lexed_store
from lockcheck.frontend.normalize import FrontendModel
from lockcheck.frontend.parse import defined_functions, function_name
from lockcheck.frontend.pipeline import TreeIndex, drop_undefined, lex_file, parse_items
from lockcheck.frontend.relevance import declared_struct_vars
from lockcheck.frontend.source import SourceError, read_source
from lockcheck.model.scan_model import ScanModel
from lockcheck.options import Options

__all__ = ["FunctionRecord", "FileOutcome", "TaskContext", "SKIPPED", "init_worker", "process",
           "process_pickled", "process_header", "pickled", "item_function_name", "only_lines"]

SKIPPED = "skipped"   # FunctionRecord.outcome of a function no lock can reach


@dataclass(frozen=True, slots=True)
class FunctionRecord:
    name: str
    line: int
    end_line: int
    outcome: str
    reason: str = ""
    reason_line: int = 0


@dataclass(frozen=True)
class FileOutcome:
    path: str
    lines: int
    functions: tuple[FunctionRecord, ...] = ()
    irs: tuple = ()                      # analysis.ir.FunctionIR per parsed function
    error: str | None = None
    var_names: tuple = ()                # (struct, variable) declared in skipped functions


class TaskContext:
    """What a worker needs: built once per run, sent once per worker.  Every
    path in it is absolute (a worker's working directory is its own)."""

    def __init__(self, index: TreeIndex, model: ScanModel, options: Options, extract: bool,
                 relevant: frozenset[str] | None = None, lexed_dir: str | None = None) -> None:
        self.index, self.model = index, model
        self.frontend, self.catalogue = FrontendModel.from_dict(model.frontend), model.catalogue
        self.options, self.extract, self.relevant = options, extract, relevant
        self.lexed_dir = lexed_dir     # the index phase's lexed files (frontend.lexed_store)


_CTX: TaskContext | None = None


def init_worker(ctx: TaskContext | None) -> None:
    """Set (or, with None, drop) this process's context."""
    global _CTX
    _CTX = ctx


def process(args: tuple[str, str]) -> FileOutcome:
    path, display = args
    ctx = _CTX
    assert ctx is not None
    try:
        src = read_source(Path(path), display)
    except SourceError as exc:
        return FileOutcome(display, 0, error=str(exc))
    try:
        lexed = lexed_store.load(ctx.lexed_dir, src.digest, display) \
            or lex_file(display, src.text, ctx.options.defines, ctx.options.undefines,
                        ctx.frontend.guard_classes)
        items, skipped, votes = _split_relevant(drop_undefined(lexed.items, lexed.guarded, ctx.index.never_defined),
                                                ctx.relevant, ctx.index)
        parsed = parse_items(display, items, ctx.index, ctx.frontend,
                             functions=defined_functions(lexed.items))
    except RecursionError:
        return FileOutcome(display, src.text.count("\n"), error=f"{display}: nesting too deep to parse")
    except Exception as exc:  # a front-end bug must cost one file, not the run
        detail = " ".join(str(exc).split())[:200]
        return FileOutcome(display, src.text.count("\n"),
                           error=f"{display}: internal error, file skipped ({type(exc).__name__}: {detail})")
    records = tuple(sorted([FunctionRecord(f.name, f.line, f.end_line, f.outcome.value, f.reason, f.reason_line)
                            for f in parsed] + skipped, key=lambda r: r.line))
    irs: tuple = ()
    if ctx.extract:
        from lockcheck.analysis.classes import file_statics
        from lockcheck.analysis.extract import extract_functions
        irs = tuple(extract_functions(parsed, ctx.index, ctx.model, display, constants=lexed.macros,
                                      statics=file_statics(lexed.items), items=lexed.items))
    return FileOutcome(display, lexed.lines, records, irs, var_names=votes)


def process_pickled(args: tuple[str, str]) -> bytes:
    """A worker's answer: the outcome pickled once, here, for the parent to
    store in the cache as it is (see :mod:`lockcheck.executors`)."""
    return pickled(process(args))


def pickled(value) -> bytes:
    """A worker's result as the cache stores it."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def item_function_name(item) -> str | None:
    """The name of a lexed function item (None where it cannot be told)."""
    name = function_name(list(item.tokens))
    return None if name == "?" else name


def _split_relevant(items, relevant: frozenset[str] | None, index: TreeIndex):
    """Items to parse, records for the functions left unparsed, and the
    display-name votes of those."""
    if relevant is None:
        return list(items), [], ()
    keep, skipped, votes = [], [], []
    for item in items:
        name = item_function_name(item) if item.kind == "function" else None
        if name is None or name in relevant:
            keep.append(item)
        else:
            skipped.append(FunctionRecord(name, item.line, item.tokens[-1].line, SKIPPED))
            votes += sorted(set(declared_struct_vars(item.tokens, index.typedef_targets)))  # one per function
    return keep, skipped, tuple(votes)


def process_header(args) -> tuple:
    """The wanted static inline functions of one header, as IR; or (with a
    fifth element, line ranges) the wanted functions of a tree file outside
    the scan (lockcheck.tree_callees), its other lines blanked."""
    from lockcheck.analysis.extract import extract_functions
    _, header, display, names = args[:4]
    ctx = _CTX
    assert ctx is not None
    try:
        src = read_source(Path(header), display)
    except SourceError:
        return ()
    text = src.text if len(args) < 5 else only_lines(src.text, args[4])
    lexed = lex_file(display, text, ctx.options.defines, ctx.options.undefines, ctx.frontend.guard_classes)
    items = [i for i in drop_undefined(lexed.items, lexed.guarded, ctx.index.never_defined)
             if i.kind == "function" and item_function_name(i) in names]
    parsed = parse_items(display, items, ctx.index, ctx.frontend)
    return tuple(extract_functions(parsed, ctx.index, ctx.model, display, constants=lexed.macros,
                                   items=lexed.items))


def only_lines(text: str, ranges) -> str:
    """``text`` with every line blanked but those in ``ranges`` (1-based,
    inclusive) and preprocessor lines with their continuations: line
    numbers stay, lexing costs what the kept functions cost."""
    lines = text.split("\n")
    keep = [False] * len(lines)
    for first, last in ranges:
        for i in range(first - 1, min(last, len(lines))):
            keep[i] = True
    continued = False
    for i, line in enumerate(lines):
        if continued or line.lstrip().startswith("#"):
            keep[i] = True
            continued = line.endswith("\\")
        else:
            continued = False
    return "\n".join(line if k else "" for line, k in zip(lines, keep))

"""Lexing for the tree index: each file's lex summary (declarations,
macros, includes, function names and references), cache hits read here,
misses lexed in worker processes a chunk at a time, in input order."""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path
from typing import NamedTuple

from lockcheck.cache import Cache, make_key
from lockcheck.discovery import display_path
from lockcheck.frontend import lexed_store
from lockcheck.frontend.build_symbols import name_digests
from lockcheck.frontend.constants import candidates as integer_candidates
from lockcheck.frontend.enumerators import enumerator_definitions
from lockcheck.frontend.normalize import FrontendModel
from lockcheck.frontend.pipeline import CALL_BODY, declaration_facts, lex_file
from lockcheck.frontend.relevance import function_refs
from lockcheck.frontend.source import SourceError, read_source
from lockcheck.options import Options
from lockcheck.parse_task import item_function_name, pickled

__all__ = ["Lexer", "LEX_CHUNK", "init_lexer", "lex_jobs"]


def _lex_value(display: str, text: str, digest: str, options: Options, frontend: FrontendModel,
               definitions: dict, lexed_dir: str | None = None) -> tuple:
    """A file's contribution to the tree index (pure: cached by content);
    a scanned file's lexed items also go to ``lexed_dir`` for its parse."""
    lexed = lex_file(display, text, options.defines, options.undefines, frontend.guard_classes)
    if lexed_dir:
        lexed_store.save(lexed_dir, digest, lexed)
    functions = [(item_function_name(i), i) for i in lexed.items if i.kind == "function"]
    refs = tuple((name, function_refs(i.tokens)) for name, i in functions if name is not None)
    macros = tuple(m for m in lexed.macros if m.params is not None or _TYPE_LIKE.match(m.body) or m.body == "1"
                   or CALL_BODY.fullmatch(m.body.strip()))
    return (declaration_facts(lexed, frontend, definitions), macros, lexed.includes, digest,
            tuple(sorted({name for name, _ in functions} - {None})), refs,
            name_digests(m.name for m in lexed.macros), tuple(sorted({s for s, _ in lexed.guarded})),
            integer_candidates(lexed.macros) + enumerator_definitions(lexed.items))


#: The object-like macros the index uses stand for a type (``#define
#: Elf_Ehdr Elf64_Ehdr``): words and stars only; or are ``1``, what
#: ``IS_ENABLED()`` of a non-Kconfig symbol tests (frontend.build_symbols); or
#: are a call without arguments (``#define current get_current()``,
#: ``frontend.pipeline.call_macro_globals``).  A whole tree's other
#: ``#define``s (register tables, constants) are most of its macros and
#: would fill the parent's memory for nothing.
_TYPE_LIKE = re.compile(r"[A-Za-z_][\w \t*]{0,80}$")

_LEX_CTX: tuple | None = None


def init_lexer(ctx: tuple) -> None:
    global _LEX_CTX
    _LEX_CTX = ctx


def lex_jobs(jobs: list[tuple[str, str, str, str | None]]) -> list[bytes]:
    """Worker: read and lex a few files (the text is read here, not sent:
    a whole tree's sources must never sit in the parent's memory); each
    summary comes back pickled, as the cache stores it."""
    out = []
    for path, display, digest, lexed_dir in jobs:
        src = read_source(Path(path), display)
        # tokens are kept only for the content the parent hashed: a file
        # edited in between must be lexed again by its parse, not read back
        keep = lexed_dir if src.digest == digest else None
        out.append(pickled(_lex_value(display, src.text, digest, *_LEX_CTX, keep)))
    return out


#: Files lexed per worker round trip (they are small; the pickling is not).
LEX_CHUNK = 16


class _InChunk(NamedTuple):
    """Where a miss's summary will be: chunk number, position in it."""
    chunk: int
    position: int


class Lexer:
    """Lex summaries of a batch of files, in input order: cache hits here,
    misses in ``options.jobs`` processes (the pool is made on the first
    chunk of misses and kept for the next batch).  Cache reads and writes
    stay in this process so the hit/miss counts are the run's.

    Streaming both ways: misses go to the workers a chunk at a time while
    the rest of the batch is still being read and hashed here, and each
    summary is handed back as soon as it and those before it are done, so
    the caller's merging overlaps the workers' lexing."""

    def __init__(self, root, options: Options, frontend: FrontendModel, definitions: dict,
                 cache: Cache, config: str, lexed_dir: str | None = None,
                 scanned: frozenset[str] = frozenset()) -> None:
        self.root, self.options, self.cache, self.config = root, options, cache, config
        self.lexed_dir, self.scanned = lexed_dir, scanned   # where scanned files' lexing is kept
        self.ctx = (options, frontend, definitions)
        self.pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def summaries(self, paths: list[Path]):
        """Yield a summary tuple or the SourceError per path, in order."""
        slots: list = []        # per path: a value, or (chunk number, position in it)
        chunks: list = []       # (cache keys, future or list of blobs)
        pending: list = []
        for p in paths:
            display = display_path(p, self.root)
            try:
                src = read_source(p, display)
            except SourceError as exc:
                slots.append(exc)
                continue
            key = make_key("lex", src.digest, self.config)
            hit = self.cache.get("lex", key)
            if hit is not None:
                slots.append(hit)
                continue
            slots.append(_InChunk(len(chunks), len(pending)))
            keep = self.lexed_dir if os.path.abspath(p) in self.scanned else None
            pending.append((key, (str(p), display, src.digest, keep)))
            if len(pending) == LEX_CHUNK:
                chunks.append(self._submit(pending))
                pending = []
        if pending:   # a last short chunk: not worth starting processes for
            chunks.append(self._submit(pending, here=self.pool is None))
        done: dict[int, list] = {}
        for slot in slots:
            if type(slot) is not _InChunk:
                yield slot
                continue
            c, k = slot
            if c not in done:
                keys, blobs = chunks[c]
                blobs = blobs if type(blobs) is list else blobs.result()
                done = {c: [self._stored(key, blob) for key, blob in zip(keys, blobs)]}
            yield done[c][k]

    def _submit(self, pending: list, here: bool = False):
        """One chunk of misses to a worker (or, with ``-j 1``, done now)."""
        keys, jobs = [m[0] for m in pending], [m[1] for m in pending]
        if here or self.options.jobs <= 1:
            init_lexer(self.ctx)
            return keys, lex_jobs(jobs)
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor
            self.pool = ProcessPoolExecutor(self.options.jobs, initializer=init_lexer, initargs=(self.ctx,))
        return keys, self.pool.submit(lex_jobs, jobs)

    def _stored(self, key: str, blob: bytes):
        self.cache.put_pickled("lex", key, blob)
        return pickle.loads(blob)

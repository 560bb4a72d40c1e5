"""Callees outside the scan: functions the scanned code calls that another
``.c`` file of the kernel tree defines, found through the tree's
definitions index (:mod:`lockcheck.tree_defs`) and parsed by the
front end like header functions (``--no-tree-callees`` turns it off).

A subsystem scan calls out of line into the rest of the tree (``lock_sock()``
is a header inline; the socket lock is taken in ``lock_sock_nested()`` in
``net/core/sock.c``).  Without the callee, the caller holds nothing there.

On demand, in two steps:

1. **Which callees can reach a lock**, read as bytes: a callee name that
   no scanned file, reached header or model defines is looked up in the
   index (a ``static`` definition only from its own file; else the one
   global definition of the scanned architecture, a ``__weak`` one only
   where it is the only one).  Its body (from its definition line to the
   ``}`` at column 0) is scanned for ``name(``; it can reach a lock when it
   calls a lock primitive or modelled call, a function of the scan from
   which a lock is reachable (:mod:`lockcheck.frontend.relevance`), or
   another outside callee that can, followed ``TREE_DEPTH`` calls deep from
   the scanned code.  A callee with a call the bound left unread is *cut*,
   and so are its callers: kept only when a release is reachable from it,
   its summary then holding only the caller's locks it releases
   (:func:`lockcheck.analysis.summaries.cut_summary`); else dropped.
2. **Those parsed**, with every other line of their file blanked (line
   numbers kept: witnesses show the real file and line; preprocessor lines
   kept), one job per file, cached like header functions.

An outside function is never a root: its real callers are outside the
scan.  It gives summaries to its scanned callers; the edges its own walk
would make (two locks both taken outside) are not reported
(:mod:`lockcheck.analysis.summaries`), and one that no scanned function
ends up calling is not walked.  A call through a pointer inside it is
left unresolved: the scan holds a fraction of the tree's candidates (a
callback its scanned caller passes is bound as usual).  The whole tree scanned (every ``.c`` file
is scanned already) costs nothing: the index is never built.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from lockcheck.cache import Cache, make_key
from lockcheck.discovery import display_path
from lockcheck.frontend.source import SourceError, read_source
from lockcheck.tree_defs import DefinitionsIndex

__all__ = ["TREE_DEPTH", "start_index", "tree_functions", "whole_tree"]

#: Calls followed from a scanned function into the tree: its callee, that
#: callee's callees, and theirs.
TREE_DEPTH = 4
#: Lines read after a definition's first line for its body, at most.
MAX_BODY_LINES = 1500

_CALL = re.compile(rb"\b([A-Za-z_]\w*)\s*\(")
#: Comments and string or character literals: no call is made there
#: (``__rtnl_unlock()``'s comment names ``rtnl_lock()`` and ``netdev_run_todo()``).
_NOT_CODE = re.compile(rb"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)


def body_calls(body: bytes) -> frozenset[str]:
    """The names a body calls (``name(``), outside comments and literals."""
    return frozenset(m.group(1).decode() for m in _CALL.finditer(_NOT_CODE.sub(b" ", body)))


def whole_tree(options, root: Path | None) -> bool:
    """Every ``.c`` file of the tree is scanned (a scanned path is the root)."""
    return root is not None and any(os.path.realpath(p) == os.path.realpath(root) for p in options.paths)


def start_index(options, root: Path | None) -> DefinitionsIndex | None:
    """The tree's definitions index, started in the background (None: the
    feature is off, there is no tree, or the whole tree is scanned)."""
    if not options.tree_callees or root is None or whole_tree(options, root):
        return None
    return DefinitionsIndex(Path(root), options.arch, Cache(options.cache_dir) if options.cache_dir else None).start()


class _Files:
    """The tree's files read as lines, each once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[bytes] | None] = {}

    def lines(self, rel: str) -> list[bytes] | None:
        if rel not in self._lines:
            try:
                with open(self.root / rel, "rb") as f:
                    self._lines[rel] = f.read().split(b"\n")
            except OSError:
                self._lines[rel] = None
        return self._lines[rel]


def _definition(lines: list[bytes], line: int):
    """(first line, last line, static, weak) of the definition whose name is
    on ``line`` (1-based), or None when no body follows (a prototype)."""
    i = line - 1
    if i >= len(lines):
        return None
    start = i
    while start > 0 and i - start < 2:     # the return type on a line of its own
        prev = lines[start - 1].rstrip()
        if not prev or prev[:1] in b"#} \t/*" or prev.endswith((b";", b"}", b"*/", b")", b",", b"{", b"\\")):
            break
        start -= 1
    end, brace = None, False
    for j in range(i, min(len(lines), i + MAX_BODY_LINES)):
        text = lines[j]
        if not brace:
            if b"{" in text:
                brace = True
            elif text.rstrip().endswith(b";"):
                return None
        if brace and (text.startswith(b"}") or (j == i and text.rstrip().endswith(b"}"))):
            end = j
            break
    if end is None:
        return None
    head = b" ".join(lines[start:i + 1])
    return start + 1, end + 1, re.search(rb"\bstatic\b", head) is not None, b"__weak" in head


class _Callee:
    """An outside definition: where, the calls it makes that may lead into
    the tree, and whether it calls a lock primitive or a locking function
    of the scan."""
    __slots__ = ("file", "name", "first", "last", "calls", "locks", "releases", "cut")

    def __init__(self, file, name, first, last, calls, locks, releases=False) -> None:
        self.file, self.name, self.first, self.last = file, name, first, last
        self.calls, self.locks, self.releases = calls, locks, releases
        self.cut = False


def _locate(name: str, from_file: str | None, defs: dict, files: _Files, scanned: frozenset[str]):
    """The definition a call of ``name`` from ``from_file`` (a tree-relative
    path, None for a scanned file) reaches, as (file, first, last)."""
    places = [(f, ln) for f, ln in defs.get(name, ()) if f not in scanned]
    if not places:
        return None
    own = [(f, ln) for f, ln in places if f == from_file]
    globals_, weak = [], []
    for f, ln in (own or places):
        lines = files.lines(f)
        d = lines is not None and _definition(lines, ln)
        if not d:
            continue
        if own:
            return f, d[0], d[1]
        if not d[2]:
            (weak if d[3] else globals_).append((f, d[0], d[1]))
    chosen = globals_ or weak
    return chosen[0] if len({c[0] for c in chosen}) == 1 and (globals_ or len(weak) == 1) else None


def tree_functions(run, options, functions, stats: dict) -> list:
    """The outside callees of ``functions`` (scanned and header functions'
    IR) from which a lock can be reached, as IR; ``stats`` filled in."""
    index = getattr(run, "tree_index", None)
    if index is None or run.index is None:
        return []
    t0 = time.perf_counter()
    defs = index.result()
    root = Path(run.root)
    files = _Files(root)
    catalogue = run.model.catalogue
    scanned = frozenset(display_path(Path(p), run.root) for p in run.file_functions)
    defined = {n for names in run.file_functions.values() for n in names} | {fn.name for fn in functions}
    locking = set(catalogue.names())
    # what may release a lock: a release primitive, a function of the scan
    releasing = {n for n in locking if getattr(catalogue.get(n), "action", "") == "release"}
    if run.relevant is not None:
        locking |= run.relevant & defined
        releasing |= run.relevant & defined
    from lockcheck.analysis.irwalk import calls_in
    frontier = {(c.callee, None) for fn in functions for c in calls_in(fn.body) if c.callee}
    frontier = {(n, f) for n, f in frontier if n not in defined and n not in locking}
    stats["wanted"] = len({n for n, _ in frontier})
    found: dict[tuple[str, str], _Callee] = {}
    resolved: dict[tuple[str, str | None], tuple[str, str] | None] = {}   # (name, from file) -> found key
    for _ in range(TREE_DEPTH):
        nxt: set[tuple[str, str | None]] = set()
        for name, from_file in sorted(frontier, key=lambda p: (p[0], p[1] or "")):
            if (name, from_file) in resolved:
                continue
            where = _locate(name, from_file, defs, files, scanned)
            resolved[(name, from_file)] = None if where is None else (where[0], name)
            if where is None or (where[0], name) in found:
                continue
            f, first, last = where
            lines = files.lines(f)
            body = b"\n".join(lines[first - 1:last])
            calls = body_calls(body) - {name}
            found[(f, name)] = _Callee(f, name, first, last,
                                       frozenset(c for c in calls if c not in defined and c not in locking),
                                       not calls.isdisjoint(locking), not calls.isdisjoint(releasing))
            nxt |= {(c, f) for c in found[(f, name)].calls}
        frontier = nxt
    kept, partial = _reaching_locks(found, resolved, defs)
    stats["resolved"] = len(found)
    stats["reach_lock"] = len(kept)
    stats["past_depth"] = partial
    stats["cut_kept"] = sum(c.cut for c in kept)
    run.tree_cut = frozenset((display_path(root / c.file, run.root), c.name) for c in kept if c.cut)
    out = _parse(run, options, kept)
    stats["parsed"] = len(out)
    stats["files"] = len({c.file for c in kept})
    run.tree_index_built = index.built_by   # grep, python or cache: run info, never in a report (cold = warm)
    run.tree_seconds = round(time.perf_counter() - t0 + index.seconds, 2)
    return out


def _reaching_locks(found: dict, resolved: dict, defs: dict) -> tuple[list, int]:
    """The callees from which a lock is reachable, in a stable order, and
    how many of them were cut (a call the tree defines not followed, past
    TREE_DEPTH), both to a fixpoint over the callees found.  A cut callee
    is kept only when a release is reachable from it, marked ``cut``: its
    summary keeps only the caller's locks it releases, nothing it takes
    (its release may lie deeper than the cut: ``rtnl_unlock()`` releases
    three calls down, and a cut below it must not lose that release;
    analysis.summaries.cut_summary)."""
    def targets(c):
        for n in c.calls:
            k = resolved.get((n, c.file), ())
            if k == ():           # not followed: past the depth bound
                yield None if n in defs else ()
            elif k is not None:
                yield k
    reach = {k for k, c in found.items() if c.locks}
    frees = {k for k, c in found.items() if c.releases}
    cut = {k for k, c in found.items() if any(t is None for t in targets(c))}
    changed = True
    while changed:
        changed = False
        for k, c in found.items():
            ts = [t for t in targets(c) if t]
            for grown in (reach, frees, cut):
                if k not in grown and any(t in grown for t in ts):
                    grown.add(k)
                    changed = True
    for k in cut:
        found[k].cut = True
    return [found[k] for k in sorted((reach - cut) | (reach & cut & frees))], len(reach & cut)


def _parse(run, options, kept: list) -> list:
    """Parse and extract the kept callees, one job per file (cached)."""
    from lockcheck.driver import _header_jobs
    by_file: dict[str, list] = {}
    for c in kept:
        by_file.setdefault(c.file, []).append(c)
    cache = Cache(options.cache_dir)
    found: dict[str, tuple] = {}
    misses = []
    for rel in sorted(by_file):
        path = Path(run.root) / rel
        display = display_path(path, run.root)
        try:
            src = read_source(path, display)
        except SourceError:
            continue
        names = tuple(sorted({c.name for c in by_file[rel]}))
        keep = tuple(sorted((c.first, c.last) for c in by_file[rel]))
        key = make_key("tree", src.digest, display, run.index_digest, *names, repr(keep))
        irs = cache.get("tree", key)
        if irs is None:
            misses.append((key, str(path), display, names, keep))
        else:
            found[rel] = irs
            run.inputs += ((str(path), src.digest),)
    for (key, path, display, _, _), irs in zip(misses, _header_jobs(misses, run, options)):
        cache.put("tree", key, irs)
        rel = os.path.relpath(path, run.root)
        found[rel] = irs
        try:
            run.inputs += ((path, read_source(Path(path), display).digest),)
        except SourceError:
            pass
    out = []
    for rel in sorted(found):
        wanted = {c.name for c in by_file[rel]}
        out += [fn for fn in found[rel] if fn.name in wanted]
    run.cache_rejected += cache.rejected
    return out

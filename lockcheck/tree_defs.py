"""Where the tree defines each function: an index of a kernel tree's ``.c``
files, for the callees a scan does not define (:mod:`lockcheck.tree_callees`).

A definition, for this index, is a line that starts at column 0 with an
identifier, reaches ``name(`` and does not end in ``;`` (kernel style puts
a definition's name at the start of a line, or after its return type on
the same line; prototypes, ``EXPORT_SYMBOL(x);`` and the like end in
``;``).  It over-collects (a multi-line prototype, a macro invocation at
file scope): a wrong entry costs one look at a file and finds nothing.

The pass reads every ``.c`` file of the tree's kernel code once (some
680 MB on 6.12): the top-level directories except those that are not
built into a kernel (``Documentation``, ``tools``, ``scripts``,
``samples``, ``usr``), and of ``arch/`` the scanned architecture only.  It
runs as one ``grep`` process started when the scan starts, on its own
core while the scan lexes, its answer read once headers are done; where
``grep -P`` is missing, in Python (about four times slower).  The index
is cached in the cache directory, keyed by the tree's root path and the
modification times of its top-level directories and Makefile: an edited
file that gains or loses a definition is seen once ``lockcheck cache
clear`` is run (a stale entry finds nothing; every file it points to is
read again and parsed from its current content).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from lockcheck import __version__

__all__ = ["Definitions", "DefinitionsIndex", "NOT_KERNEL"]

#: Top-level directories of a tree that hold no kernel code.
NOT_KERNEL = frozenset({"Documentation", "tools", "scripts", "samples", "usr", "LICENSES"})

_PCRE = r"^[A-Za-z_][\w \t*]*?\b\K[A-Za-z_]\w*(?=\((?![^\n]*;[ \t]*$))"
_PY = re.compile(rb"^[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\((?![^\n]*;[ \t]*$)", re.M)


def _top_dirs(root: Path, arch: str) -> list[str]:
    """The directories (relative to the root) whose ``.c`` files are indexed."""
    out = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if not entry.is_dir(follow_symlinks=False) or entry.name.startswith(".") or entry.name in NOT_KERNEL:
            continue
        if entry.name == "arch":
            if (root / "arch" / arch).is_dir():
                out.append(f"arch/{arch}")
            continue
        out.append(entry.name)
    return out


def _signature(root: Path, dirs: list[str]) -> str:
    parts = [str(root)]
    for d in ["Makefile", *dirs]:
        try:
            parts.append(f"{d}:{os.stat(root / d).st_mtime_ns}")
        except OSError:
            parts.append(f"{d}:-")
    return "\0".join(parts)


class DefinitionsIndex:
    """Started with :meth:`start` (at once from the cache, else in the
    background), read with :meth:`result` (:class:`Definitions`: name ->
    ((file relative to the root, line), ...))."""

    def __init__(self, root: Path, arch: str, cache) -> None:
        self.root, self.arch, self.cache = root, arch, cache
        self.dirs = _top_dirs(root, arch)
        from lockcheck.cache import make_key
        self.key = make_key("treedefs", __version__, _PCRE, _signature(root, self.dirs))
        self._defs: Definitions | None = None
        self._proc = None
        self._out = None
        self.seconds = 0.0       # spent waiting for and reading the index (not overlapped)
        self.cached = False
        self.built_by = ""

    def start(self) -> "DefinitionsIndex":
        t0 = time.perf_counter()
        hit = self.cache.get("treedefs", self.key) if self.cache is not None else None
        if hit is not None:
            self._defs, self.cached, self.built_by = hit, True, "cache"
        elif shutil.which("grep") is not None and self.dirs:
            self._out = tempfile.TemporaryFile()
            try:
                self._proc = subprocess.Popen(
                    ["grep", "-rnHoP", "--include=*.c", _PCRE, "--", *self.dirs],
                    cwd=self.root, stdout=self._out, stderr=subprocess.DEVNULL,
                    env=dict(os.environ, LC_ALL="C"))
            except OSError:
                self._proc = None
        self.seconds += time.perf_counter() - t0
        return self

    def result(self) -> Definitions:
        if self._defs is not None:
            return self._defs
        t0 = time.perf_counter()
        defs = None
        if self._proc is not None:
            status = self._proc.wait()
            if status in (0, 1):      # 1: nothing matched
                self._out.seek(0)
                defs, self.built_by = _read_grep(self._out.read()), "grep"
            self._out.close()
            self._proc = self._out = None
        if defs is None:
            defs, self.built_by = self._python(), "python"
        self._defs = defs
        if self.cache is not None:
            self.cache.put("treedefs", self.key, defs)
        self.seconds += time.perf_counter() - t0
        return defs

    def close(self) -> None:
        """Stop a pass still running (a scan that never needed it); forget
        the index (the analysis can use the memory)."""
        self._defs = None
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._out.close()
            self._proc = self._out = None

    def _python(self) -> Definitions:
        found: dict[str, list[tuple[str, int]]] = {}
        for d in self.dirs:
            for dirpath, dirnames, filenames in os.walk(self.root / d):
                dirnames.sort()
                for name in sorted(filenames):
                    if not name.endswith(".c"):
                        continue
                    path = os.path.join(dirpath, name)
                    try:
                        with open(path, "rb") as f:
                            data = f.read()
                    except OSError:
                        continue
                    rel = os.path.relpath(path, self.root)
                    for m in _PY.finditer(data):
                        line = data.count(b"\n", 0, m.start()) + 1
                        found.setdefault(m.group(1).decode(), []).append((rel, line))
        return Definitions(found)


_LINE_BITS = 24


class Definitions:
    """name -> its definitions, compact (half a million names on 6.12): a
    definition is one integer, file number and line."""

    def __init__(self, found: dict[str, list[tuple[str, int]]]) -> None:
        self.files = tuple(sorted({f for places in found.values() for f, _ in places}))
        number = {f: i for i, f in enumerate(self.files)}
        self.table: dict[str, int | tuple[int, ...]] = {}
        for name in sorted(found):
            codes = sorted({number[f] << _LINE_BITS | min(line, (1 << _LINE_BITS) - 1)
                            for f, line in found[name]})
            self.table[name] = codes[0] if len(codes) == 1 else tuple(codes)

    def __contains__(self, name: str) -> bool:
        return name in self.table

    def __len__(self) -> int:
        return len(self.table)

    def get(self, name: str, default=()) -> tuple[tuple[str, int], ...]:
        codes = self.table.get(name)
        if codes is None:
            return default
        mask = (1 << _LINE_BITS) - 1
        return tuple((self.files[c >> _LINE_BITS], c & mask)
                     for c in ((codes,) if isinstance(codes, int) else codes))


def _read_grep(out: bytes) -> Definitions:
    """``path:line:name`` lines (paths relative to the root; a path holding
    ``:`` is split from the right)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for raw in out.split(b"\n"):
        head, _, name = raw.rpartition(b":")
        path, _, line = head.rpartition(b":")
        if not path or not line.isdigit():
            continue
        p = path.decode(errors="surrogateescape")
        found.setdefault(name.decode(errors="surrogateescape"), []).append(
            (p[2:] if p.startswith("./") else p, int(line)))
    return Definitions(found)

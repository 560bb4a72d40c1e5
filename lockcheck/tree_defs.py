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
runs as ``grep | sort`` started when the scan starts, on its own core
while the scan lexes, its answer read once headers are done: one string
sorted by name, looked up by binary search (nothing is built per
definition: half a million of them).  Where ``grep -P`` is missing it
runs in Python (about four times slower).  The index
is cached in the cache directory, keyed by the tree's root path and the
modification times of its top-level directories and Makefile: an edited
file that gains or loses a definition is seen once ``lockcheck cache
clear`` is run (a stale entry finds nothing; every file it points to is
read again and parsed from its current content).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from lockcheck import __version__

__all__ = ["top_dirs", "read_sources", "grep_sources", "Definitions", "DefinitionsIndex", "NOT_KERNEL"]

#: Top-level directories of a tree that hold no kernel code.
NOT_KERNEL = frozenset({"Documentation", "tools", "scripts", "samples", "usr", "LICENSES"})

_PCRE = r"^[A-Za-z_][\w \t*]*?\b\K[A-Za-z_]\w*(?=\((?![^\n]*;[ \t]*$))"
_PY = re.compile(rb"^[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\((?![^\n]*;[ \t]*$)", re.M)


def top_dirs(root: Path, arch: str) -> list[str]:
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


class Definitions:
    """name -> its definitions, read from one bytes string of
    ``path:line:name`` lines sorted by name (bytewise), by binary search:
    half a million definitions on 6.12, of which a scan asks about a few
    hundred; nothing is built per definition."""

    def __init__(self, blob: bytes) -> None:
        self.blob = blob if blob.endswith(b"\n") or not blob else blob + b"\n"

    def __len__(self) -> int:
        return self.blob.count(b"\n")

    def __contains__(self, name: str) -> bool:
        return bool(self.get(name))

    def _first(self, key: bytes) -> int:
        """Start of the first line whose name is not below ``key``."""
        blob = self.blob
        lo, hi = 0, len(blob)
        while lo < hi:
            mid = (lo + hi) // 2
            start = blob.rfind(b"\n", 0, mid) + 1
            if start < lo:
                start = lo
            end = blob.find(b"\n", start)
            if blob[start:end].rpartition(b":")[2] < key:
                lo = end + 1
            else:
                hi = start
        return lo

    def get(self, name: str, default=()) -> tuple[tuple[str, int], ...]:
        key = name.encode()
        blob, at, out = self.blob, self._first(key), []
        while at < len(blob):
            end = blob.find(b"\n", at)
            head, _, found = blob[at:end].rpartition(b":")
            if found != key:
                break
            path, _, line = head.rpartition(b":")
            if line.isdigit():
                p = path.decode(errors="surrogateescape")
                out.append((p[2:] if p.startswith("./") else p, int(line)))
            at = end + 1
        return tuple(sorted(set(out))) or default


def _sorted_by_name(lines) -> bytes:
    return b"".join(sorted(lines, key=lambda ln: (ln.rpartition(b":")[2], ln)))


class DefinitionsIndex:
    """Started with :meth:`start` (at once from the cache, else in the
    background), read with :meth:`result` (:class:`Definitions`)."""

    def __init__(self, root: Path, arch: str, cache) -> None:
        self.root, self.arch, self.cache = root, arch, cache
        self.dirs = top_dirs(root, arch)
        from lockcheck.cache import make_key
        self.key = make_key("treedefs", __version__, _PCRE, _signature(root, self.dirs))
        self._defs: Definitions | None = None
        self._procs: list = []
        self._out = None
        self.seconds = 0.0       # spent waiting for and reading the index (not overlapped)
        self.built_by = ""

    def start(self) -> "DefinitionsIndex":
        t0 = time.perf_counter()
        hit = self.cache.get("treedefs", self.key) if self.cache is not None else None
        if isinstance(hit, bytes):
            self._defs, self.built_by = Definitions(hit), "cache"
        elif shutil.which("grep") is not None and shutil.which("sort") is not None and self.dirs:
            self._out = tempfile.TemporaryFile()
            env = dict(os.environ, LC_ALL="C")
            try:
                grep = subprocess.Popen(["grep", "-rnHoP", "--include=*.c", _PCRE, "--", *self.dirs],
                                        cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
                self._procs.append(grep)
                self._procs.append(subprocess.Popen(["sort", "-t:", "-k3,3", "-k1,1", "-k2,2n"], stdin=grep.stdout,
                                                    stdout=self._out, stderr=subprocess.DEVNULL, env=env))
                grep.stdout.close()
                atexit.register(self.close)    # a scan that ends early leaves no pass running
            except OSError:
                self.close()
        self.seconds += time.perf_counter() - t0
        return self

    def result(self) -> Definitions:
        if self._defs is not None:
            return self._defs
        t0 = time.perf_counter()
        defs = None
        if self._procs:
            statuses = [p.wait() for p in self._procs]
            if statuses[0] in (0, 1) and statuses[1] == 0:      # grep: 1 is nothing matched
                self._out.seek(0)
                defs, self.built_by = Definitions(self._out.read()), "grep"
            self._out.close()
            self._procs, self._out = [], None
        if defs is None:
            defs, self.built_by = Definitions(self._python()), "python"
        self._defs = defs
        if self.cache is not None:
            self.cache.put("treedefs", self.key, defs.blob)
        self.seconds += time.perf_counter() - t0
        return defs

    def close(self) -> None:
        """Stop a pass still running (a scan that never needed it); forget
        the index (the analysis can use the memory)."""
        self._defs = None
        for p in self._procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        if self._out is not None:
            self._out.close()
        self._procs, self._out = [], None

    def _python(self) -> bytes:
        lines = []
        for rel, data in read_sources(self.root, self.dirs, (".c",)):
            name = rel.encode(errors="surrogateescape")
            for m in _PY.finditer(data):
                line = data.count(b"\n", 0, m.start()) + 1
                lines.append(b"%s:%d:%s\n" % (name, line, m.group(1)))
        return _sorted_by_name(lines)


def read_sources(root, dirs, suffixes: tuple[str, ...]):
    """(path relative to ``root``, bytes) of every file under ``root``/``dirs``
    whose name ends in one of ``suffixes``, in a stable order; a file that
    cannot be read is left out (the Python fallbacks of the tree greps)."""
    for d in dirs:
        for dirpath, dirnames, filenames in os.walk(Path(root) / d):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(suffixes):
                    continue
                path = os.path.join(dirpath, name)
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                yield os.path.relpath(path, root), data


def grep_sources(root, dirs, args: list[str], ways: int = 2) -> list[tuple[bytes, bytes]] | None:
    """``grep -rHo ARGS`` over the ``.c`` and ``.h`` files under ``root``/``dirs``:
    (path relative to ``root``, the matched text) per match, in no set
    order, or None when grep is missing or fails (the caller reads the
    files itself: :func:`read_sources`).  The directories are split
    between ``ways`` greps run at once (the scan has finished with its
    other cores: on a whole tree one grep took half a minute)."""
    if not dirs or shutil.which("grep") is None:
        return None
    procs = []
    try:
        for part in _split_operands(root, dirs, ways):
            out = tempfile.TemporaryFile()
            procs.append((out, subprocess.Popen(
                ["grep", "-rHo", "--include=*.c", "--include=*.h", *args, "--", *part], cwd=root,
                stdout=out, stderr=subprocess.DEVNULL, env=dict(os.environ, LC_ALL="C"))))
        codes = [proc.wait() for _, proc in procs]
        if any(code not in (0, 1) for code in codes):
            return None
        found = []
        for out, _ in procs:
            out.seek(0)
            for line in out.read().split(b"\n"):
                path, sep, text = line.partition(b":")
                if sep:
                    found.append((path, text))
        return found
    except OSError:
        return None
    finally:
        for out, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()


def _split_operands(root, dirs, ways: int) -> list[list[str]]:
    """``dirs`` as ``ways`` lists of grep operands covering the same files:
    each directory replaced by its entries two levels down (grep -r names
    a file the same way through either), symbolic links left out as grep -r
    leaves them (an operand's would be followed), dealt round in turn."""
    operands = list(dirs)
    for _ in range(2 if ways > 1 else 0):
        wider = []
        for d in operands:
            full = os.path.join(root, d)
            if not os.path.isdir(full):   # a file; a link given in dirs is followed, as grep follows it
                wider.append(d)
                continue
            try:
                names = sorted(os.listdir(full))
            except OSError:
                wider.append(d)
                continue
            for name in names:
                path = os.path.join(full, name)
                if os.path.islink(path):
                    continue
                if os.path.isdir(path) or name.endswith((".c", ".h")):
                    wider.append(os.path.join(d, name))
        operands = wider
    parts: list[list[str]] = [[] for _ in range(max(1, ways))]
    for k, operand in enumerate(operands):
        parts[k % len(parts)].append(operand)
    return [part for part in parts if part]

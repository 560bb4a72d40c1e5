"""A content-addressed on-disk cache of per-file results.

Keys are hashes of (file content, tree-index digest, configuration, tool
version), so an entry is never stale, only unused.  Writes go to a
temporary file renamed into place (safe under concurrent runs and
interruption); an unreadable entry is deleted and recomputed, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import pickle
import tempfile
from pathlib import Path

__all__ = ["Cache", "make_key", "code_digest", "take_write_failure"]


_CODE_DIGESTS: dict[str, str] = {}
_WRITES = itertools.count()
# cache directory -> why the first write into it failed, until taken
_WRITE_FAILURES: dict[str, str] = {}


def take_write_failure(root: Path | None) -> str | None:
    """Why writing into the cache at ``root`` failed since the last call
    (the first failure's reason), or None: a read-only or full cache costs
    only speed, and the caller says so once per run."""
    return None if root is None else _WRITE_FAILURES.pop(str(root), None)


#: The code whose output the per-file cache entries (lex, file, header)
#: hold: the front end, extraction to IR, the models, the driver.  Changing
#: the analysis or the reports keeps a tree's parse cache.
FRONTEND_CODE = ("frontend/", "model/", "analysis/extract.py", "analysis/conditions.py", "analysis/typing.py",
                 "analysis/ir.py", "analysis/pointer_flows.py",
                 "driver.py", "parse_task.py", "cache.py", "options.py", "executors.py", "__init__.py")


def in_scope(rel: str, scope: str) -> bool:
    """Does the package file ``rel`` count for a ``scope`` code digest?"""
    return scope == "all" or rel.startswith(FRONTEND_CODE)


def code_digest(scope: str = "all") -> str:
    """Hash of lockcheck's own code and shipped models (``scope="frontend"``:
    only :data:`FRONTEND_CODE`): a new build never reads an old build's
    entries (the version string alone would, in development)."""
    if scope not in _CODE_DIGESTS:
        h = hashlib.blake2b(digest_size=16)
        pkg = Path(__file__).parent
        for f in sorted(pkg.rglob("*")):
            if f.suffix not in (".py", ".toml") or "__pycache__" in f.parts:
                continue
            rel = f.relative_to(pkg).as_posix()
            if in_scope(rel, scope):
                h.update(rel.encode() + b"\0" + f.read_bytes())
        _CODE_DIGESTS[scope] = h.hexdigest()
    return _CODE_DIGESTS[scope]


def make_key(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for p in parts:
        h.update(p.encode() + b"\0")
    return h.hexdigest()


class Cache:
    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, key: str) -> str:
        assert self.root is not None
        return os.path.join(self.root, kind, key[:2], f"{key}.pickle")

    def get(self, kind: str, key: str):
        if self.root is None:
            self.misses += 1
            return None
        path = self._path(kind, key)
        try:
            with open(path, "rb") as f:
                value = pickle.load(f)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # corrupted or from an incompatible version
            with contextlib.suppress(OSError):
                os.unlink(path)
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value) -> None:
        """Pickled straight to the file: a whole scan's result is hundreds
        of megabytes that need not exist as one bytes object too."""
        self._write(kind, key, lambda f: pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL))

    def put_pickled(self, kind: str, key: str, blob: bytes) -> None:
        """Store a value a worker already pickled (the parent need not
        pickle every file's IR a second time)."""
        self._write(kind, key, lambda f: f.write(blob))

    def _write(self, kind: str, key: str, write) -> None:
        """Whole entries only: written aside, then renamed into place.  The
        aside name is this process's own (its pid and a count) and the
        directory is made only when missing: a whole tree writes some sixty
        thousand entries from the one process the workers report to."""
        if self.root is None:
            return
        path = self._path(kind, key)
        try:
            try:
                fd, tmp = _open_aside(path)
            except FileNotFoundError:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                fd, tmp = _open_aside(path)
            with os.fdopen(fd, "wb") as f:
                write(f)
            os.replace(tmp, path)
        except OSError as exc:   # a read-only or full cache only costs speed
            _WRITE_FAILURES.setdefault(str(self.root), exc.strerror or str(exc))


def _open_aside(path: str) -> tuple[int, str]:
    """A new file beside ``path`` for writing it whole."""
    tmp = f"{path}.{os.getpid()}-{next(_WRITES)}.tmp"
    try:
        return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp   # as mkstemp
    except FileExistsError:   # left by a crashed process that had this pid
        return tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")

"""A content-addressed on-disk cache of per-file results.

Keys are hashes of (file content, tree-index digest, configuration, tool
version), so an entry is never stale, only unused.  Writes go to a
temporary file renamed into place (safe under concurrent runs and
interruption); an unreadable entry is deleted and recomputed, never trusted.

Every entry is sealed with this user's secret (:mod:`lockcheck.cache_auth`):
one that fails the check (planted, tampered with, or another user's) is
read as bytes, never unpickled, and counted in :attr:`Cache.rejected`.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import pickle
import tempfile
from pathlib import Path

from lockcheck import cache_auth
from lockcheck.frontend.special_files import NotRegular, read_regular

__all__ = ["Cache", "make_key", "code_digest", "take_write_failure", "usage", "clear", "KINDS"]

#: Entry kinds, in the order the driver makes them.
KINDS = ("lex", "file", "header", "run")


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
FRONTEND_CODE = ("frontend/", "model/", "analysis/extract.py", "analysis/call_extract.py", "analysis/conditions.py", "analysis/typing.py",
                 "analysis/ast_walk.py", "analysis/call_args.py",
                 "analysis/declared.py", "analysis/const_locals.py", "analysis/field_stores.py", "analysis/field_copies.py",
                 "analysis/compare_facts.py", "analysis/compare_locals.py", "analysis/known_args.py", "analysis/known_exprs.py",
                 "analysis/known_tests.py", "analysis/known_bits.py", "analysis/pred_keys.py", "analysis/store_tests.py",
                 "analysis/tested_locals.py", "analysis/param_views.py", "analysis/arg_bounds.py",
                 "analysis/deref_flags.py", "analysis/branchfacts.py", "analysis/held_through.py", "analysis/facts.py",
                 "analysis/guards.py",
                 "analysis/local_members.py", "analysis/param_escapes.py",
                 "analysis/classes.py", "analysis/class_notes.py", "analysis/instance_keys.py", "analysis/lock_calls.py", "analysis/masked_release.py",
                 "analysis/ir.py", "analysis/bounded_release.py", "analysis/held_tests.py", "analysis/pointer_flows.py", "analysis/workclass.py",
                 "analysis/substitute.py", "analysis/element_index.py", "analysis/nest_locks.py",
                 "analysis/__init__.py", "analysis/families.py", "analysis/confidence.py", "analysis/irwalk.py",
                 "errors.py", "cache_auth.py", "result.py",
                 "driver.py", "discovery.py", "lexing.py", "parse_task.py", "cache.py", "options.py", "executors.py", "__init__.py",
                 "compiled_modules.py")


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
    """Entries under ``root`` (None: no cache).  Without a usable secret
    (a read-only home, say) the cache is off for the run: it only costs
    speed; an unsafe secret file is an error (:mod:`lockcheck.cache_auth`)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.hits = 0
        self.misses = 0
        self.rejected = 0   # entries whose seal did not hold
        self._secret = b""
        if root is not None:
            try:
                self._secret = cache_auth.load_secret(Path(root))
            except OSError:
                self.root = None

    def _path(self, kind: str, key: str) -> str:
        assert self.root is not None
        return os.path.join(self.root, kind, key[:2], f"{key}.pickle")

    def get(self, kind: str, key: str):
        if self.root is None:
            self.misses += 1
            return None
        path = self._path(kind, key)
        try:   # once: what is checked is what is loaded; a FIFO planted here is not waited on
            data = read_regular(path)
        except NotRegular:
            self.rejected += 1
            self.misses += 1
            return None
        except OSError:   # absent (the common miss), or not readable
            self.misses += 1
            return None
        payload = cache_auth.unseal(self._secret, kind, key, data)
        if payload is None:
            self.rejected += 1
            self._discard(path)
            return None
        try:
            value = pickle.loads(payload)
        except Exception:  # sealed by us but unreadable: an incompatible version
            self._discard(path)
            return None
        self.hits += 1
        return value

    def _discard(self, path: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)
        self.misses += 1

    def put(self, kind: str, key: str, value) -> None:
        """Pickled straight to the file: a whole scan's result is hundreds
        of megabytes that need not exist as one bytes object too."""
        def write(f):
            f.write(bytes(cache_auth.HEADER))   # the seal goes here once the payload is known
            tagging = _Tagging(f, cache_auth.tagger(self._secret, kind, key))
            pickle.dump(value, tagging, protocol=pickle.HIGHEST_PROTOCOL)
            f.seek(0)
            f.write(cache_auth.MAGIC + tagging.mac.digest())
        self._write(kind, key, write)

    def put_pickled(self, kind: str, key: str, blob: bytes) -> None:
        """Store a value a worker already pickled (the parent need not
        pickle every file's IR a second time)."""
        def write(f):
            f.write(cache_auth.MAGIC + cache_auth.tag(self._secret, kind, key, blob))
            f.write(blob)
        self._write(kind, key, write)

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


class _Tagging:
    """A file that also feeds what is written to it to an HMAC."""

    def __init__(self, f, mac) -> None:
        self.f, self.mac = f, mac

    def write(self, data) -> int:
        self.mac.update(data)
        return self.f.write(data)


def _open_aside(path: str) -> tuple[int, str]:
    """A new file beside ``path`` for writing it whole."""
    tmp = f"{path}.{os.getpid()}-{next(_WRITES)}.tmp"
    try:
        return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp   # as mkstemp
    except FileExistsError:   # left by a crashed process that had this pid
        return tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")


# ---------------------------------------------------------------- what `lockcheck cache` shows and clears

def _entries(root: Path, kind: str):
    """Cache files of one kind: finished entries and leftover temporaries."""
    base = root / kind
    if not base.is_dir():
        return
    for sub in sorted(base.iterdir()):
        if sub.is_dir() and len(sub.name) == 2:
            for f in sorted(sub.iterdir()):
                if f.is_file() and f.suffix in (".pickle", ".tmp"):
                    yield f


def usage(root: Path) -> dict:
    """Entries and bytes per kind, and the totals."""
    kinds = {}
    for kind in KINDS:
        n = size = 0
        for f in _entries(root, kind):
            try:
                size += f.stat().st_size
            except FileNotFoundError:   # removed by a concurrent run
                continue
            n += f.suffix == ".pickle"
        kinds[kind] = {"entries": n, "bytes": size}
    return {"location": str(root), "exists": root.is_dir(), "kinds": kinds,
            "entries": sum(k["entries"] for k in kinds.values()),
            "bytes": sum(k["bytes"] for k in kinds.values())}


def clear(root: Path) -> dict:
    """Delete every entry (and emptied shard directory), and the lexed
    files a killed scan left; what was removed (as :func:`usage`).  Only
    files of the cache's own shapes go, never anything else a mistyped
    directory holds."""
    from lockcheck.frontend import lexed_store
    before = usage(root)
    for kind in KINDS:
        for f in _entries(root, kind):
            f.unlink(missing_ok=True)
        base = root / kind
        if base.is_dir():
            for sub in base.iterdir():
                if sub.is_dir() and len(sub.name) == 2:
                    _rmdir_if_empty(sub)
            _rmdir_if_empty(base)
    lexed_store.sweep_stale(root, older_than=0)
    return before


def _rmdir_if_empty(d: Path) -> None:
    try:
        d.rmdir()
    except OSError:   # not empty (a concurrent run wrote meanwhile) or gone
        pass

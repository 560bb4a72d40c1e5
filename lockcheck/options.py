"""Run options shared by every command (frozen: part of the cache key)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Options", "default_cache_dir"]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lockcheck"


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...]
    include_dirs: tuple[str, ...] = ()
    defines: frozenset[str] = frozenset()
    undefines: frozenset[str] = frozenset()
    model_files: tuple[str, ...] = ()
    arch: str = "x86"
    jobs: int = 1
    executor: str = "local"      # or dask://HOST:PORT (lockcheck.executors); not in the cache key
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    max_cycle_length: int = 6
    docs: tuple[str, ...] = ()          # locking documents whose orders join the graph
    parse_all: bool = False             # also parse functions no lock can reach (same findings, slower)
    include_novalidate: bool = False    # also report through lockdep_set_novalidate_class locks
    follow_symlinks: bool = False       # follow symbolic links out of the scanned tree (frontend.special_files)
    tree_callees: bool = True           # summarise callees defined elsewhere in the kernel tree (tree_callees)

    def with_absolute_paths(self) -> "Options":
        """The same options with every path absolute (against the current
        directory): what is sent to workers, which have their own."""
        from dataclasses import replace

        def absolute(paths):
            return tuple(os.path.abspath(p) for p in paths)
        return replace(self, paths=absolute(self.paths), include_dirs=absolute(self.include_dirs),
                       model_files=absolute(self.model_files), docs=absolute(self.docs),
                       cache_dir=Path(os.path.abspath(self.cache_dir)) if self.cache_dir is not None else None)

    def config_digest(self, scope: str = "all") -> str:
        """What, besides file content, changes the output: of the whole scan,
        or (``scope="frontend"``) of the per-file front end and extraction."""
        from lockcheck.cache import code_digest
        h = hashlib.blake2b(digest_size=16)
        model_text = b"".join(Path(p).read_bytes() for p in self.model_files if Path(p).is_file())
        for part in (code_digest(scope), self.arch, ",".join(sorted(self.defines)),
                     ",".join(sorted(self.undefines))):
            h.update(part.encode() + b"\0")
        h.update(model_text)
        return h.hexdigest()

"""Where a file sits in a kernel tree: the root, include paths, headers.

Headers are found the way the kernel's build finds them — ``<linux/x.h>``
under ``include/`` and ``arch/ARCH/include`` (and their ``uapi``),
``"x.h"`` next to the including file — and followed transitively.  Outside
a kernel tree (fixtures), quoted includes and ``-I`` directories still work.
"""

from __future__ import annotations

from pathlib import Path

from lockcheck.frontend.special_files import leaves_tree

__all__ = ["find_tree_root", "IncludeResolver"]


def find_tree_root(path: Path) -> Path | None:
    """The nearest ancestor that looks like a kernel tree root."""
    p = path.resolve()
    if p.is_file():
        p = p.parent
    for candidate in (p, *p.parents):
        if (candidate / "include" / "linux").is_dir() and (candidate / "Kconfig").is_file():
            return candidate
    return None


class IncludeResolver:
    """``confine``: directories a header must really lie in (symbolic links
    and ``..`` resolved; the ``-I`` directories count too), or None to
    accept any (see :mod:`lockcheck.frontend.special_files`)."""

    def __init__(self, root: Path | None, arch: str, extra_dirs: tuple[Path, ...] = (),
                 confine: tuple[Path, ...] | None = None) -> None:
        self.confine = None if confine is None else tuple(confine) + tuple(extra_dirs)
        dirs: list[Path] = list(extra_dirs)
        if root is not None:
            dirs += [root / "include", root / "arch" / arch / "include",
                     root / "include" / "uapi", root / "arch" / arch / "include" / "uapi",
                     root / "arch" / arch / "include" / "generated"]
        self.dirs = [d for d in dirs if d.is_dir()]
        # a whole tree asks for <linux/x.h> hundreds of thousands of times
        self._known: dict[tuple[str, str], Path | None] = {}

    def resolve(self, kind: str, name: str, including: Path) -> Path | None:
        if kind == '"':
            key = (str(including.parent), name)
            if key not in self._known:
                local = including.parent / name
                self._known[key] = local if self._usable(local) else None
            if self._known[key] is not None:
                return self._known[key]
        key = ("<", name)
        if key not in self._known:
            self._known[key] = next((d / name for d in self.dirs if self._usable(d / name)), None)
        return self._known[key]

    def _usable(self, path: Path) -> bool:
        """A regular file (``is_file``: never a FIFO or device), within bounds."""
        if not path.is_file():
            return False
        return self.confine is None or leaves_tree(path, self.confine) is None

"""Where a file sits in a kernel tree: the root, include paths, headers.

Headers are found the way the kernel's build finds them — ``<linux/x.h>``
under ``include/`` and ``arch/ARCH/include`` (and their ``uapi``),
``"x.h"`` next to the including file — and followed transitively.  Outside
a kernel tree (fixtures), quoted includes and ``-I`` directories still work.
"""

from __future__ import annotations

from pathlib import Path

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
    def __init__(self, root: Path | None, arch: str, extra_dirs: tuple[Path, ...] = ()) -> None:
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
                self._known[key] = local if local.is_file() else None
            if self._known[key] is not None:
                return self._known[key]
        key = ("<", name)
        if key not in self._known:
            self._known[key] = next((d / name for d in self.dirs if (d / name).is_file()), None)
        return self._known[key]

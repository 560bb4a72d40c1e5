"""The files a scan reads: C files under the given paths (a kernel tree's
non-kernel top-level directories, hidden directories, special files and
symbolic links out of the tree left out), and how reports name them."""

from __future__ import annotations

import os
from pathlib import Path

from lockcheck.frontend.special_files import leaves_tree, special_kind
from lockcheck.frontend.tree import find_tree_root

__all__ = ["discover", "display_path", "SKIPPED_TOP_DIRS"]

#: Top-level directories of a kernel tree that hold no kernel code.
SKIPPED_TOP_DIRS = frozenset(("tools", "scripts", "samples", "Documentation", "usr", "LICENSES"))


def display_path(path: Path, root: Path | None) -> str:
    p = _resolved(path)
    if root is not None:
        try:
            return str(p.relative_to(root))
        except ValueError:
            pass
    try:
        return os.path.relpath(p)
    except ValueError:
        return str(p)


_RESOLVED_DIRS: dict[str, Path] = {}


def _resolved(path: Path) -> Path:
    """``path.resolve()``, resolving each directory once: the index phase
    names some eighty thousand files of a few thousand directories."""
    if os.path.islink(path):
        return path.resolve()
    parent = os.path.abspath(path.parent)   # not the relative text: the cwd may change between runs
    if parent not in _RESOLVED_DIRS:
        _RESOLVED_DIRS[parent] = path.parent.resolve()
    return _RESOLVED_DIRS[parent] / path.name


def discover(paths: tuple[str, ...], headers_too: bool = False,
             follow_symlinks: bool = False) -> tuple[list[Path], list[str], Path | None]:
    """Files to scan, one-line errors for bad paths (and for the special
    files and escaping symbolic links a directory holds, skipped: see
    :mod:`lockcheck.frontend.special_files`), and the tree root."""
    files: list[Path] = []
    errors: list[str] = []
    root = None
    suffixes = (".c", ".h") if headers_too else (".c",)
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            errors.append(f"{raw}: no such file or directory")
            continue
        root = root or find_tree_root(p)
        if p.is_dir():
            tree = find_tree_root(p)
            found = _admitted(_walk(p, suffixes, tree), (tree or p.resolve(),), follow_symlinks, errors)
            if not found:
                errors.append(f"{raw}: no C files found")
            files += found
        else:
            files.append(p)
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique, errors, root


def _admitted(found: list[Path], bounds: tuple[Path, ...], follow_symlinks: bool, errors: list[str]) -> list[Path]:
    """The walked files a scan may open: no FIFO, socket or device node
    (never opened), no symbolic link out of ``bounds`` unless followed."""
    out = []
    for f in found:
        what = special_kind(f)
        if what is not None:
            errors.append(f"{f}: skipped, {what} is not a regular file")
            continue
        target = None if follow_symlinks else leaves_tree(f, bounds)
        if target is not None:
            errors.append(f"{f}: skipped, a symbolic link out of the scanned tree (to {target}; "
                          f"--follow-symlinks follows it)")
            continue
        out.append(f)
    return out


def _walk(top: Path, suffixes, root: Path | None) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        d = Path(dirpath)
        if root is not None and d.resolve() == root:
            dirnames[:] = [n for n in dirnames if n not in SKIPPED_TOP_DIRS]
        dirnames[:] = sorted(n for n in dirnames if not n.startswith("."))
        out += [d / f for f in sorted(filenames) if f.endswith(suffixes)]
    return out

"""What a scan may open: regular files, and symbolic links that stay in the tree.

A scanned tree is input someone else wrote.  A FIFO named ``x.c`` would
block the scan forever on ``open``; opening a device node can have side
effects (a tape rewinds, a terminal changes state); a socket cannot be
read at all.  So such files are skipped with one line each and never
opened: the type is read with ``stat``, and a file is then opened with
``O_NONBLOCK`` and checked again with ``fstat`` (a regular file swapped
for a FIFO in between is refused, not waited on).

A symbolic link whose target lies outside the scanned tree (the kernel
tree's root, or the scanned directory outside a kernel tree) is skipped
too unless ``--follow-symlinks`` asks for it: a tree unpacked from a
pull request must not make the scan read ``/etc`` or a home directory
(its text could surface in a report).  Symbolic links inside the tree are
followed as before.  Headers are held to the same bounds (plus the ``-I``
directories): an ``#include "../../../../etc/x.h"`` or a header linked
out of the tree is not found.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["special_kind", "leaves_tree", "read_regular", "NotRegular"]

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISDIR, "a directory"))


class NotRegular(OSError):
    """The path names something other than a regular file (message: what)."""


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def special_kind(path: Path | str) -> str | None:
    """What ``path`` is when it is a FIFO, socket or device node (its link
    target's type for a symbolic link); None for a regular file, a
    directory or a path that does not exist."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return None
    return _kind(mode)


def leaves_tree(path: Path | str, bounds: tuple[Path, ...]) -> str | None:
    """Where ``path`` really is (symbolic links and ``..`` resolved) when
    that is outside every directory of ``bounds``; else None."""
    target = os.path.realpath(path)
    for b in bounds:
        b = os.path.realpath(b)
        if target == b or target.startswith(b.rstrip(os.sep) + os.sep):
            return None
    return target


def read_regular(path: Path | str) -> bytes:
    """The bytes of a regular file; :class:`NotRegular` (never blocking,
    never opening a device) for anything else."""
    what = special_kind(path)
    if what is not None:
        raise NotRegular(what)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        what = _kind(st.st_mode)
        if what is not None:
            raise NotRegular(what)
        chunks = []
        while True:
            chunk = os.read(fd, max(st.st_size + 1, 65536))
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)

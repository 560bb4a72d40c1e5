"""Which architectures a source file can be built for, from the tree's layout.

lockdep sees one build, and one build is one architecture.  A file under
``arch/X/`` is built for X only.  Elsewhere, a directory (or an object) that
its parent's Kbuild file enters only under architectures' own Kconfig
symbols (drivers/Makefile: ``obj-$(CONFIG_S390) += s390/``) is built for
those architectures only, and so is everything below it.  The symbols are
model data (``[arch_symbols]`` in analysis.toml: a Kconfig symbol -> the
``arch/`` directory that defines it).

A file's set is ``None`` when any architecture may build it: outside a
kernel tree, a directory its parent's Kbuild file does not name, or one it
enters under any other condition (``obj-y``, ``obj-$(CONFIG_FOO)``).  Each
Kbuild file is read once, each directory and file computed once, and only
for the files a finding's witnesses name.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = ["ArchDirs", "meet", "join"]

_KBUILD_NAMES = ("Makefile", "Kbuild")
#: ``obj-$(CONFIG_S390) += s390/ sclp.o`` (also ``subdir-``, ``:=``)
_ASSIGN = re.compile(r"^\s*(obj|subdir)-(\S+?)\s*[:+]?=\s*(.*)$")
_CONFIG = re.compile(r"^\$\(CONFIG_(\w+)\)$")


def meet(a: frozenset | None, b: frozenset | None) -> frozenset | None:
    """The architectures that build both (``None``: any)."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def join(a: frozenset | None, b: frozenset | None) -> frozenset | None:
    """The architectures that build either."""
    if a is None or b is None:
        return None
    return a | b


class ArchDirs:
    """``of_file(display path)``: the architectures that can build it, or
    None for any.  ``root``: the kernel tree (display paths are relative to
    it); ``symbols``: Kconfig symbol (without ``CONFIG_``) -> architecture."""

    def __init__(self, root: Path | None, symbols: dict[str, str]) -> None:
        self.root = root
        self.symbols = {k.removeprefix("CONFIG_"): v for k, v in symbols.items()}
        self._files: dict[str, frozenset | None] = {}
        self._dirs: dict[tuple[str, ...], frozenset | None] = {}
        self._kbuild: dict[tuple[str, ...], dict[str, list]] = {}
        self._digests: dict[str, str] = {}     # Kbuild file read -> its content digest

    def inputs(self) -> tuple[tuple[str, str], ...]:
        """(absolute path, content digest) of every Kbuild file read: a
        cached scan result holds only while they are unchanged."""
        return tuple(sorted(self._digests.items()))

    def of_file(self, path: str) -> frozenset | None:
        out = self._files.get(path, False)
        if out is False:
            out = self._files[path] = self._compute(path)
        return out

    def _compute(self, path: str) -> frozenset | None:
        if self.root is None or not path or path.startswith("/"):
            return None
        parts = tuple(path.split("/"))
        if ".." in parts or len(parts) < 2:
            return None
        if parts[0] == "arch":
            return frozenset((parts[1],)) if len(parts) > 2 else None
        out = self._dir(parts[:-1])
        stem, dot, ext = parts[-1].rpartition(".")
        if dot and ext == "c":
            out = meet(out, self._entered(parts[:-1], stem + ".o"))
        return out

    def _dir(self, parts: tuple[str, ...]) -> frozenset | None:
        if len(parts) < 2:        # a top-level directory: the top-level Makefile's business
            return None
        out = self._dirs.get(parts, False)
        if out is False:
            out = self._dirs[parts] = meet(self._dir(parts[:-1]), self._entered(parts[:-1], parts[-1] + "/"))
        return out

    def _entered(self, parent: tuple[str, ...], token: str) -> frozenset | None:
        """The architectures under whose symbols ``parent``'s Kbuild files
        name ``token`` (``s390/``, ``sclp.o``); None when any other
        condition names it, or nothing does."""
        conds = self._read(parent).get(token)
        if not conds or any(c is None for c in conds):
            return None
        return frozenset(conds)

    def _read(self, parent: tuple[str, ...]) -> dict[str, list]:
        """token -> the architecture of each ``obj-``/``subdir-`` line
        naming it (None: a condition of no architecture)."""
        table = self._kbuild.get(parent)
        if table is not None:
            return table
        table = self._kbuild[parent] = {}
        d = self.root.joinpath(*parent)
        for name in _KBUILD_NAMES:
            try:
                data = (d / name).read_bytes()
            except OSError:
                continue
            self._digests[str((d / name).resolve())] = hashlib.blake2b(data, digest_size=16).hexdigest()
            text = data.decode(errors="replace")
            for line in text.replace("\\\n", " ").splitlines():
                m = _ASSIGN.match(line.split("#", 1)[0])
                if m is None:
                    continue
                c = _CONFIG.match(m.group(2))
                arch = self.symbols.get(c.group(1)) if c else None
                for token in m.group(3).split():
                    if m.group(1) == "subdir" and not token.endswith("/"):
                        token += "/"
                    table.setdefault(token, []).append(arch)
        return table

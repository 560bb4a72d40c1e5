"""Can a ``.c`` file of a kernel tree see a struct's definition?

For :mod:`lockcheck.never_init`: a line ``mutex_init(&h->reset_lock)``
initialises ``struct S``'s ``reset_lock`` only in a file that sees the
definition of ``struct S`` (its own text, or a header it includes,
transitively).  Includes are resolved by text: ``"x.h"`` beside the file,
then, like ``<x.h>``, in ``include/``, ``arch/ARCH/include/``, their
``uapi/``, and ``include/asm-generic/`` for ``<asm/x.h>`` (Kbuild's
``generic-y``).  The answer may only err towards "sees": an include that
resolves nowhere (a Makefile's ``-I``, a macro), and any header file,
count as seeing the struct; an angle include of the kernel's own
``asm/``, ``linux/``, ``uapi/`` or ``generated/`` that resolves nowhere
is a generated or another build's header and is skipped, and so is any
include that resolves nowhere from a header of ``include/`` or
``arch/*/include/`` (no shared header includes a subsystem's own).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lockcheck.frontend.tree import IncludeResolver

__all__ = ["Sight"]

#: Angle includes of the kernel's own directories that resolve nowhere in
#: the source: generated headers (``<generated/autoconf.h>``,
#: ``<linux/version.h>``) or an architecture's optional ones
#: (``<asm/compiler.h>``), which define no subsystem's struct.
_GENERATED = ("asm/", "generated/", "linux/", "uapi/")

_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*(?:"([^"\n]+)"|<([^>\n]+)>)', re.M)


class Sight:
    """One tree's files, read once each, for :meth:`sees`."""

    def __init__(self, root: Path, arch: str) -> None:
        self.root, self.arch = Path(root), arch
        self._text: dict[str, bytes | None] = {}
        self._includes = IncludeResolver(self.root, arch)   # the front end's search order, cached

    def _read(self, path: str) -> bytes | None:
        if path not in self._text:
            try:
                with open(path, "rb") as f:
                    self._text[path] = f.read()
            except OSError:
                self._text[path] = None
        return self._text[path]

    def _shared(self, path: str) -> bool:
        """A header of the kernel's shared include directories: what it
        includes and the source lacks is generated, another build's or
        another OS's (``acenvex.h``), or the C library's (a uapi header's
        ``<string.h>``), never a subsystem's own header."""
        rel = os.path.relpath(path, self.root).split(os.sep)
        return rel[0] == "include" or (len(rel) > 2 and rel[0] == "arch" and rel[2] == "include")

    def _resolve(self, here: str, quoted: str | None, angled: str | None) -> str | None:
        name = quoted or angled
        found = self._includes.resolve('"' if quoted else "<", name, Path(here))
        if found is None and name.startswith("asm/"):   # Kbuild's generic-y
            found = self._includes.resolve("<", "asm-generic/" + name[4:], Path(here))
        return None if found is None else os.path.normpath(found)

    def sees(self, rel: str, tag: str) -> bool:
        """Does the file (relative to the root) see ``tag``'s definition
        (``struct amdgpu_reset_control``)?  True when unsure."""
        start = os.path.normpath(str(self.root / rel))
        if not start.endswith(".c"):
            return True
        kind, _, name = tag.partition(" ")
        if kind not in ("struct", "union") or not name:
            return True
        defined = re.compile(rb"\b" + kind.encode() + rb"\s+" + re.escape(name.encode()) + rb"\s*\{")
        seen, todo = {start}, [start]
        while todo:
            path = todo.pop()
            text = self._read(path)
            if text is None or defined.search(text):
                return True
            for m in _INCLUDE.finditer(text):
                q, a = (g.decode(errors="replace") if g else None for g in m.groups())
                found = self._resolve(path, q, a)
                if found is None and (self._shared(path) or a is not None and a.startswith(_GENERATED)):
                    continue    # generated, another build's (<asm/compiler.h>), libc's: no driver struct
                if found is None:
                    return True
                if found not in seen:
                    seen.add(found)
                    todo.append(found)
        return False

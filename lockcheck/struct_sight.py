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


_DEFINES = re.compile(rb"\b(struct|union)\s+(\w+)\s*\{")
_WORD = re.compile(r"\w+", re.A)


class Sight:
    """One tree's files for :meth:`sees`.  Each file is read once for the
    tags it defines and the includes it makes, and each ``.c`` file's
    closure of included files found once: a whole tree asks about some ten
    thousand (file, struct) pairs, and searching every included header's
    text again for each took half a minute."""

    def __init__(self, root: Path, arch: str) -> None:
        self.root, self.arch = Path(root), arch
        self._includes = IncludeResolver(self.root, arch)   # the front end's search order, cached
        # path -> (tags it defines, the files it includes, an include
        # resolved nowhere that counts as seeing), or None when unreadable
        self._facts: dict[str, tuple[frozenset[bytes], tuple[str, ...], bool] | None] = {}
        # .c file -> (the files it sees, transitively, in search order; unsure)
        self._closure: dict[str, tuple[tuple[str, ...], bool]] = {}

    def _file_facts(self, path: str):
        if path in self._facts:
            return self._facts[path]
        try:
            with open(path, "rb") as f:
                text = f.read()
        except OSError:
            text = None
        facts = None
        if text is not None:
            tags = frozenset(m.group(1) + b" " + m.group(2) for m in _DEFINES.finditer(text))
            found_all: list[str] = []
            unsure = False
            for m in _INCLUDE.finditer(text):
                q, a = (g.decode(errors="replace") if g else None for g in m.groups())
                found = self._resolve(path, q, a)
                if found is None and (self._shared(path) or a is not None and a.startswith(_GENERATED)):
                    continue    # generated, another build's (<asm/compiler.h>), libc's: no driver struct
                if found is None:
                    unsure = True
                    break
                found_all.append(found)
            facts = (tags, tuple(found_all), unsure)
        self._facts[path] = facts
        return facts

    def _closure_of(self, start: str) -> tuple[tuple[str, ...], bool]:
        """The files ``start`` sees and whether an unreadable file or an
        include resolved nowhere makes it see anything."""
        got = self._closure.get(start)
        if got is None:
            seen, todo, order, unsure = {start}, [start], [], False
            while todo:
                path = todo.pop()
                facts = self._file_facts(path)
                order.append(path)
                if facts is None or facts[2]:
                    unsure = True
                    break
                for found in facts[1]:
                    if found not in seen:
                        seen.add(found)
                        todo.append(found)
            got = self._closure[start] = (tuple(order), unsure)
        return got

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
        if not _WORD.fullmatch(name):
            return True     # no tag the definition pattern reads: unsure
        files, unsure = self._closure_of(start)
        wanted = (kind + " " + name).encode()
        return unsure or any(wanted in self._facts[path][0] for path in files)

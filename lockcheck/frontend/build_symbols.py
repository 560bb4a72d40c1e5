"""Which non-Kconfig symbols a build may define: for ``IS_ENABLED(X)``.

``IS_ENABLED``/``IS_BUILTIN``/``IS_REACHABLE``/``IS_MODULE`` of a symbol are
true only when the symbol is defined to ``1`` (or, for a module, ``X_MODULE``
is).  A ``CONFIG_`` option depends on a configuration lockcheck does not
have: always unknown.  Any other symbol (``DEBUG_RANDOM_TRIE`` in
wireguard's selftest, "define it to 1 to enable") is defined, if at all, by
a ``#define`` the scan sees or by the build: ``-DX`` in a Kbuild file of the
file's directory or one above it (``subdir-ccflags-y += -DI915``), or in the
tree's top-level and architecture makefiles (``-D__KERNEL__``), which also
pass reserved names (``_X``, ``__X``) the compiler defines.  A symbol
none of these define is false: the code it guards is compile-time dead.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = ["build_defines", "maybe_defined", "CONFIG_PREFIX", "name_digests", "never_defined"]

CONFIG_PREFIX = "CONFIG_"
_KBUILD_NAMES = ("Makefile", "Kbuild")
_DASH_D = re.compile(r"-D\s*([A-Za-z_]\w*)")


def build_defines(files, root: Path | None) -> frozenset[str]:
    """Names the build may pass with ``-D`` to any of ``files``: the Kbuild
    files of their directories and every directory above them up to the
    tree root, and the root's own and architecture makefiles."""
    dirs: set[Path] = set()
    stop = root.resolve() if root is not None else None
    for f in files:
        d = Path(f).resolve().parent
        while d not in dirs:
            dirs.add(d)
            if d == stop or d.parent == d or stop is None or stop not in d.parents:
                break
            d = d.parent
    paths = [d / n for d in sorted(dirs) for n in _KBUILD_NAMES]
    if stop is not None:
        paths += sorted((stop / "scripts").glob("Makefile*")) + sorted((stop / "arch").glob("*/Makefile"))
    names: set[str] = set()
    for p in paths:
        try:
            text = p.read_text(errors="replace")
        except OSError:
            continue
        names.update(_DASH_D.findall(text))
    return frozenset(names)


def maybe_defined(name: str, defined) -> bool:
    """Can the build define ``name`` (``defined``: the names a ``#define``
    the scan saw or a ``-D`` of the build gives)?"""
    return name.startswith((CONFIG_PREFIX, "_")) or name in defined


def _digest(name: str) -> bytes:
    return hashlib.blake2b(name.encode(), digest_size=8).digest()


def name_digests(names) -> bytes:
    """The ``#define``d names of one file as 8-byte digests: what
    :func:`never_defined` reads of every lexed file.  A whole tree defines
    millions of names (register tables) that no ``#ifdef`` tests; their
    digests cost 8 bytes each, their strings ten times that."""
    return b"".join(_digest(n) for n in sorted(set(names)))


def never_defined(tested, digests, build: frozenset[str]) -> frozenset[str]:
    """Of the plain symbols ``tested`` by ``#ifdef`` (``frontend.conditionals``),
    those no lexed file defines (``digests``: :func:`name_digests` per file)
    and the build does not pass.  A digest collision only keeps a symbol
    possibly defined: both branches are kept, as before."""
    want = {_digest(n): n for n in tested if not maybe_defined(n, build)}
    for chunk in digests:
        if not want:
            break
        for k in range(0, len(chunk), 8):
            want.pop(chunk[k:k + 8], None)
    return frozenset(want.values())

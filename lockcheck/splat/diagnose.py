"""Why a dependency lockdep saw has no static witness.

The answers, in the order they are tried (the first that holds is given):

* a class is not mapped: the scan never sees that lock;
* none of the stack's functions is defined in the scanned paths;
* the stack passes through functions outside the scanned paths between
  ones inside, or its innermost frames are outside (the call chain leaves
  the scan);
* a frame's caller does not call it by name: a call through a pointer the
  analysis did not resolve, or through a helper the compiler inlined;
* otherwise every call is direct and inside the scan: lockcheck does not
  see the second lock taken while the first is held along this chain.

"Defined in the scanned paths" is read from the source text: a function
definition starts at column 0 in kernel style (``static int foo(...)`` or
the name alone after a type line) and its body ends at the next ``}`` in
column 0.  This only explains a miss; it never decides a match.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["Definitions", "why_missing"]

_DEF = re.compile(r"^(?![#}/*\s])(?!typedef\b)[^;=]*?\b(?P<name>[A-Za-z_]\w*)\s*\((?!.*;\s*$)")


class Definitions:
    """Function definitions (name → body text) in the scanned files."""

    def __init__(self, files) -> None:
        self.bodies: dict[str, str] = {}
        for f in files:
            try:
                text = Path(f).read_text(errors="replace")
            except OSError:
                continue
            self._index(text)

    def _index(self, text: str) -> None:
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            m = _DEF.match(lines[i])
            if not m:
                i += 1
                continue
            j = i + 1
            while j < len(lines) and lines[j] != "}" and not _DEF.match(lines[j]):
                j += 1
            self.bodies.setdefault(m.group("name"), "\n".join(lines[i + 1:j + 1]))
            i = j + 1 if j < len(lines) and lines[j] == "}" else j

    def has(self, fn: str) -> bool:
        return fn in self.bodies

    def calls(self, caller: str, callee: str) -> bool:
        """``caller``'s body names ``callee``, directly or through one helper."""
        body = self.bodies.get(caller, "")
        word = re.compile(rf"\b{re.escape(callee)}\b")
        if word.search(body):
            return True
        helpers = set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", body)) - {caller}
        return any(word.search(self.bodies.get(h, "")) for h in helpers)


def why_missing(frames: tuple[str, ...], defs: Definitions, src: str, dst: str) -> str:
    """One sentence: why no witness of ``src -> dst`` follows ``frames``
    (innermost first, lockdep's own frames already removed)."""
    if not frames:
        return (f"the report shows no stack for this edge and lockcheck has no {src} --> {dst} "
                "dependency in the scan")
    inside = [i for i, f in enumerate(frames) if defs.has(f)]
    if not inside:
        shown = ", ".join(f"{f}()" for f in frames[:3])
        return f"a function outside the scan: none of the stack's functions ({shown}, ...) is in the scanned paths"
    lo, hi = inside[0], inside[-1]
    gap = [frames[i] for i in range(lo, hi + 1) if i not in inside]
    if gap:
        return (f"a function outside the scan: the stack passes through {', '.join(f + '()' for f in gap)}, "
                "not in the scanned paths")
    if lo > 0:
        return (f"a function outside the scan: {frames[lo - 1]}(), called by {frames[lo]}(), is not in the "
                "scanned paths")
    for i in range(lo, hi):
        callee, caller = frames[i], frames[i + 1]
        if not defs.calls(caller, callee):
            return (f"an unresolved call: {caller}() does not call {callee}() by name (a call through a pointer "
                    "lockcheck did not resolve, or through a helper the compiler inlined)")
    outer = frames[hi]
    return (f"every call from {outer}() down to {frames[lo]}() is direct and in the scan, but lockcheck does not "
            f"see {dst} taken while {src} is held along it (the hold is taken outside these functions, or a lock "
            "expression it could not name)")

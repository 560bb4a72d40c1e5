"""Which files of a kernel tree mention a name, as a whole word.

For analysis.table_entries: a non-``static`` function can be used from
any file of the tree, so before it is judged entered only through the
tables the scan saw, every file naming it must be one the scan read.
One ``grep -rlwF`` per batch of names over the tree's kernel code
(tree_defs.top_dirs: ``.c`` and ``.h`` files), then one ``grep -owF`` per
file found to tell the names apart; without ``grep``, Python reads the
files.  A comment or a string naming the function counts too: the answer
errs on the side of "mentioned elsewhere".
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from lockcheck.tree_defs import grep_sources, read_sources

__all__ = ["files_mentioning"]


def files_mentioning(names, root: Path, dirs) -> dict[str, frozenset[str]]:
    """name -> the files (relative to ``root``) that mention it."""
    names = sorted(set(names))
    if not names or not dirs:
        return {n: frozenset() for n in names}
    hits = _grep(names, root, dirs)
    if hits is None:
        hits = _python(names, root, dirs)
    out: dict[str, set[str]] = {n: set() for n in names}
    for path, name in hits:
        if name in out:
            out[name].add(path)
    return {n: frozenset(v) for n, v in out.items()}


def _grep(names, root: Path, dirs) -> list[tuple[str, str]] | None:
    with tempfile.NamedTemporaryFile("w", suffix=".words", delete=False) as fh:
        fh.write("\n".join(names) + "\n")
        words = fh.name
    try:
        hits = grep_sources(root, dirs, ["-wF", "-f", words])
    finally:
        os.unlink(words)
    if hits is None:
        return None
    return [(path.decode(errors="surrogateescape"), name.decode(errors="surrogateescape")) for path, name in hits]


def _python(names, root: Path, dirs) -> list[tuple[str, str]]:
    rx = re.compile(rb"\b(" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
    out = []
    for rel, text in read_sources(root, dirs, (".c", ".h")):
        out += [(rel, m.decode()) for m in set(rx.findall(text))]
    return out

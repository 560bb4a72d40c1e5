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
import shutil
import subprocess
import tempfile
from pathlib import Path

from lockcheck.tree_defs import read_sources

__all__ = ["files_mentioning"]


def files_mentioning(names, root: Path, dirs) -> dict[str, frozenset[str]]:
    """name -> the files (relative to ``root``) that mention it."""
    names = sorted(set(names))
    if not names or not dirs:
        return {n: frozenset() for n in names}
    hits = _grep(names, root, dirs) if shutil.which("grep") is not None else None
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
        done = subprocess.run(["grep", "-rHowF", "--include=*.c", "--include=*.h", "-f", words, "--", *dirs],
                              cwd=root, capture_output=True, env=dict(os.environ, LC_ALL="C"))
    except OSError:
        return None
    finally:
        os.unlink(words)
    if done.returncode not in (0, 1):
        return None
    out = []
    for line in done.stdout.split(b"\n"):
        path, _, name = line.rpartition(b":")
        if path:
            out.append((path.decode(errors="surrogateescape"), name.decode(errors="surrogateescape")))
    return out


def _python(names, root: Path, dirs) -> list[tuple[str, str]]:
    rx = re.compile(rb"\b(" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
    out = []
    for rel, text in read_sources(root, dirs, (".c", ".h")):
        out += [(rel, m.decode()) for m in set(rx.findall(text))]
    return out

"""A scanned file's lexed items, kept on disk from the index phase to the
parse phase of one run.

Both phases lex every scanned ``.c`` file the same way
(:func:`~lockcheck.frontend.pipeline.lex_file`): the index phase for its
declarations, macros and references, the parse phase for the functions
it parses.  Lexing was a third of a parse worker's time on the whole
tree (the tokenizer alone a fifth).  The index phase's workers therefore
write what they lexed here, in a flat form that turns back into the same
tokens several times faster than lexing makes them (strings and counts
only: no per-token objects are pickled), and the parse workers read it
instead of lexing again.  A missing or unreadable entry only costs the
lexing it would have saved: the parse worker lexes the file itself.
Entries are data only (a JSON header, then text and bytes), never
pickles: reading one can fail but cannot run code.

The directory belongs to one run (made and removed by the driver); its
entries are named by file content and name, so a file edited between
the phases is lexed again, never read stale.
"""

from __future__ import annotations

import json
import os
import tempfile
from array import array
from itertools import accumulate, chain, repeat
from operator import itemgetter, sub
from pathlib import Path

from lockcheck.frontend.conditionals import MacroDef
from lockcheck.frontend.items import Item
from lockcheck.frontend.lexer import Token
from lockcheck.frontend.pipeline import LexedFile

__all__ = ["save", "load", "sweep_stale", "is_entry", "PREFIX"]

#: Name prefix of a run's directory (``tempfile`` adds eight characters).
PREFIX = "lexed-"
#: A directory of a run not touched for this long belongs to a killed run:
#: a live one gains or loses files every few seconds while it exists.
STALE_SECONDS = 6 * 3600

_CODES = {"id": "i", "num": "n", "str": "s", "chr": "c", "punct": "p", "other": "o"}
_KINDS = {code: kind for kind, code in _CODES.items()}
_SEPARATOR = "\0"
_new = tuple.__new__
_kind, _text, _line = itemgetter(0), itemgetter(1), itemgetter(2)


def is_entry(path: Path) -> bool:
    """Is ``path`` a file this module writes (an entry, or one being written)?"""
    name = path.name
    return (name.endswith(".lexed") and len(name) == 38) or (name.startswith("tmp") and name.endswith(".tmp"))


def sweep_stale(root: Path, older_than: float = STALE_SECONDS) -> None:
    """Remove the directories that killed runs left in ``root`` (a whole
    tree's is a gigabyte): only ``lexed-*`` directories untouched for
    ``older_than`` seconds, and only the files this module writes in them
    (``lockcheck cache clear`` passes 0)."""
    import time
    now = time.time()
    for d in sorted(Path(root).glob(PREFIX + "*")):
        try:
            if not d.is_dir() or now - d.stat().st_mtime < older_than:
                continue
            for f in d.iterdir():
                if is_entry(f) and f.is_file():
                    f.unlink(missing_ok=True)
            d.rmdir()
        except OSError:   # in use again, not ours, or removed meanwhile
            continue


def _entry(directory: str, digest: str, display: str) -> Path:
    import hashlib
    name = hashlib.blake2b(f"{digest}\0{display}".encode(), digest_size=16).hexdigest()
    return Path(directory) / f"{name}.lexed"


def save(directory: str, digest: str, lexed: LexedFile) -> None:
    """Write ``lexed`` (items and line count) for :func:`load`; a file whose
    tokens hold the separator is not stored (it is lexed again)."""
    tokens = list(chain.from_iterable(item.tokens for item in lexed.items))
    texts = list(map(_text, tokens))
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != max(len(texts) - 1, 0):
        return
    kinds = "".join(map(_CODES.__getitem__, map(_kind, tokens)))
    lines = list(map(_line, tokens))
    first = lines[0] if lines else 0
    steps = list(map(sub, lines[1:], lines[:-1]))
    try:
        encoded_steps, wide = bytes(steps), False          # line steps are small and never negative
    except ValueError:
        encoded_steps, wide = array("q", steps).tobytes(), True
    # object-like macros are kept for extraction (integer #defines compared in
    # conditions); the function-like ones are in the tree index already
    defines = [[m.name, m.body, m.line] for m in lexed.macros if m.params is None]
    text = joined.encode("utf-8", "surrogatepass")
    header = json.dumps([lexed.lines, first, wide, len(kinds), len(text),
                         [[item.kind, len(item.tokens)] for item in lexed.items], defines,
                         [[symbol, [list(r) for r in ranges]] for symbol, ranges in lexed.guarded]],
                        separators=(",", ":"))
    path = _entry(directory, digest, lexed.path)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(header.encode() + b"\n" + kinds.encode("ascii") + text + encoded_steps)
        os.replace(tmp, path)
    except OSError:
        pass  # a full or vanished directory only costs the lexing


def load(directory: str | None, digest: str, display: str) -> LexedFile | None:
    """The items :func:`save` wrote for this content and name (the entry is
    removed: each is read once), or None."""
    if not directory:
        return None
    path = _entry(directory, digest, display)
    try:
        with open(path, "rb") as f:
            data = f.read()
        os.unlink(path)
        lines, first, steps, joined, kinds, shapes, defines, guarded = _decode(data)
    except Exception:   # absent, or unreadable: lex instead
        return None
    texts = joined.split(_SEPARATOR) if kinds else []
    numbers = accumulate(steps, initial=first)
    tokens = list(map(_new, repeat(Token), zip(map(_KINDS.__getitem__, kinds), texts, numbers)))
    items, start = [], 0
    for kind, count in shapes:
        items.append(Item(kind, tuple(tokens[start:start + count])))
        start += count
    return LexedFile(display, tuple(items), defines, (), lines, guarded)


def _decode(data: bytes):
    """The parts :func:`save` wrote; ValueError (or another exception the
    caller treats alike) when ``data`` is not such an entry."""
    end = data.index(b"\n")
    lines, first, wide, n_kinds, n_text, shapes, defines, guarded = json.loads(data[:end])
    kinds = data[end + 1:end + 1 + n_kinds].decode("ascii")
    text_end = end + 1 + n_kinds + n_text
    joined = data[end + 1 + n_kinds:text_end].decode("utf-8", "surrogatepass")
    raw = data[text_end:]
    steps = array("q", raw) if wide else raw
    if len(kinds) != n_kinds or any(k not in _KINDS for k in set(kinds)) or \
            sum(count for _, count in shapes) != n_kinds or len(steps) != max(n_kinds - 1, 0) or \
            (n_kinds and joined.count(_SEPARATOR) != n_kinds - 1):
        raise ValueError("not a lexed-file entry")
    return (int(lines), int(first), steps, joined, kinds, [(str(k), int(c)) for k, c in shapes],
            tuple(MacroDef(str(n), None, str(b), int(ln)) for n, b, ln in defines),
            tuple((str(sym), tuple((int(a), int(b)) for a, b in ranges)) for sym, ranges in guarded))

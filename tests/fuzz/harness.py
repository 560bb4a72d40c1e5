"""The fuzzers' mutations and the readers they drive.

Each reader runs one input the way lockcheck reads it and may end only in
the one-line error it documents (:class:`~lockcheck.errors.InputError`);
anything else propagates and hypothesis reports (and shrinks) the crash.
``COUNTS`` holds the inputs tried per reader, printed by ``make fuzz``.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import strategies as st

from lockcheck.errors import InputError

COUNTS: Counter = Counter()

_TOKEN = re.compile(r"\s+|[A-Za-z_]\w*|\d\w*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|->|\+\+|--|##|.", re.S)

OPS = ("truncate", "delete", "double", "insert", "swap", "brace", "window")

_SCRATCH: list[Path] = []


def scratch() -> Path:
    """One private directory per process, reused by every input: the readers
    take paths, and creating and removing a directory per input cost more
    than reading the input (rmdir alone was 80 % of a config input).  In
    memory (``/dev/shm``) where there is one: on this machine's loaded ext4
    ``/tmp`` an open-for-write alone cost 2.6 ms."""
    if not _SCRATCH:
        shm = Path("/dev/shm")
        where = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
        d = Path(tempfile.mkdtemp(prefix="lockcheck-fuzz-", dir=where))
        atexit.register(shutil.rmtree, d, True)
        _SCRATCH.append(d)
    return _SCRATCH[0]


def forget_scratch() -> None:
    """Remove the scratch directory now (a forked worker never runs atexit)."""
    while _SCRATCH:
        shutil.rmtree(_SCRATCH.pop(), ignore_errors=True)


def _write(name: str, data: bytes) -> Path:
    p = scratch() / name
    p.write_bytes(data)
    return p


def pieces(text: str) -> list[str]:
    """``text`` split into tokens and the whitespace between them (joined back, ``text`` again)."""
    return _TOKEN.findall(text)


def mutations(soup: list[str], max_ops: int = 8):
    """A list of (operation, position, fragment) to apply with :func:`mutate`."""
    return st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 1 << 20), st.sampled_from(soup)),
                    max_size=max_ops)


def mutate(text: str, ops) -> str:
    """Apply ``ops``: truncation, deleted/doubled/swapped tokens, inserted
    fragments (macro soup), an extra or missing brace, a window (the
    tokens from one position on, up to a length: a function cut at both ends)."""
    toks = pieces(text)
    for op, pos, frag in ops:
        n = len(toks)
        k = pos % (n + 1)
        if op == "truncate":
            toks = toks[:k]
        elif op == "delete" and n:
            del toks[k % n]
        elif op == "double" and n:
            span = toks[k % n:k % n + 1 + pos % 7]
            toks[k % n:k % n] = span
        elif op == "insert":
            toks.insert(k, frag)
        elif op == "swap" and n > 1:
            a, b = k % n, (k * 7 + 3) % n
            toks[a], toks[b] = toks[b], toks[a]
        elif op == "brace":
            braces = [j for j, t in enumerate(toks) if t in ("{", "}")]
            if braces and pos % 2:
                del toks[braces[pos % len(braces)]]
            else:
                toks.insert(k, "{}"[pos % 2])
        elif op == "window" and n:
            toks = toks[k % n:k % n + 1 + (pos >> 3) % max(n, 1)]
    return "".join(toks)


# ---------------------------------------------------------------- the front end

_STATE: dict = {}


def _frontend_state():
    if not _STATE:
        from lockcheck.frontend.normalize import FrontendModel
        from lockcheck.model.scan_model import ScanModel
        m = ScanModel.load()
        _STATE.update(model=FrontendModel.from_dict(m.frontend), definitions=m.frontend["definitions"],
                      catalogue=m.catalogue, scan_model=m)
    return _STATE


def run_frontend(text: str) -> None:
    """One file through the front end and extraction, as a scan worker
    does (lex, declaration facts, index, parse, extract), in memory."""
    from lockcheck.analysis.extract import extract_functions
    from lockcheck.frontend.pipeline import build_index, declaration_facts, lex_file, parse_items
    s = _frontend_state()
    COUNTS["frontend"] += 1
    lexed = lex_file("fuzz.c", text)
    facts = declaration_facts(lexed, s["model"], s["definitions"])
    index = build_index([facts], list(lexed.macros), s["model"], s["catalogue"].names())
    parsed = parse_items("fuzz.c", lexed.items, index, s["model"])
    extract_functions(parsed, index, s["scan_model"], "fuzz.c")


def run_source_bytes(data: bytes) -> None:
    """Raw bytes through the source reader (refusals are one-line errors)."""
    from lockcheck.frontend.source import SourceError, read_source
    COUNTS["source"] += 1
    p = _write("x.c", data)
    try:
        src = read_source(p, "x.c")
    except SourceError as exc:
        assert "\n" not in str(exc)
        return
    run_frontend(src.text)


# ---------------------------------------------------------------- the other readers

def _one_line(exc: InputError) -> None:
    assert "\n" not in str(exc).strip(), str(exc)


def run_patch(text: str, name: str = "x.patch") -> None:
    """A patch or mbox through the series reader and ``touched``."""
    from lockcheck.gate.patches import read_series, touched
    COUNTS["patch"] += 1
    p = _write(name, text.encode("utf-8", "surrogatepass"))
    work = scratch() / "work"
    if work.exists():
        shutil.rmtree(work)
    try:
        for patch in read_series([p], work):
            touched(patch, 1)
    except InputError as exc:
        _one_line(exc)


def run_config(text: str) -> None:
    from lockcheck.gate.suppress import load_config
    COUNTS["config"] += 1
    p = _write(".lockcheck.toml", text.encode("utf-8", "surrogatepass"))
    try:
        load_config(p)
    except InputError as exc:
        _one_line(exc)


def run_baseline(text: str, suffix: str) -> None:
    from lockcheck.gate.baseline import load
    COUNTS["baseline"] += 1
    p = _write(f"baseline{suffix}", text.encode("utf-8", "surrogatepass"))
    try:
        load(p)
    except InputError as exc:
        _one_line(exc)


MODEL_PROBE = """static void probe(struct frob *f)
{
	frob_lock(&f->a);
	mutex_lock(&f->b);
	frob_call(f);
	mutex_unlock(&f->b);
	frob_unlock(&f->a);
}
"""


def run_model(text: str) -> None:
    """A ``--model`` file through every model's loader and the consumers
    a scan builds from them, then one function extracted with it."""
    from lockcheck.analysis.extract import extract_functions
    from lockcheck.frontend.normalize import FrontendModel
    from lockcheck.frontend.pipeline import build_index, declaration_facts, lex_file, parse_items
    from lockcheck.model.scan_model import ScanModel
    COUNTS["model"] += 1
    p = _write("model.toml", text.encode("utf-8", "surrogatepass"))
    files = (str(p),)
    try:
        scan_model = ScanModel.load(files)
        model = FrontendModel.from_dict(scan_model.frontend)
        lexed = lex_file("probe.c", MODEL_PROBE)
        facts = declaration_facts(lexed, model, scan_model.frontend["definitions"])
        index = build_index([facts], list(lexed.macros), model, scan_model.catalogue.names())
        parsed = parse_items("probe.c", lexed.items, index, model)
        extract_functions(parsed, index, scan_model, "probe.c")
    except InputError as exc:
        _one_line(exc)

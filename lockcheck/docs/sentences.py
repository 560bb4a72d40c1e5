"""The sentence shapes a locking document states machine-checkable rules in.

One table, one row per shape (a regex and a builder), like Smatch's lock
table: a new shape is one row plus a test sentence.  The shapes are the
ones Documentation/virt/kvm/locking.rst uses in 6.1 and 6.12, written so
that neighbouring spellings (plural, "of", "either ... or") also parse.
A sentence no row matches is returned as unparsed, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lockcheck.docs.rules import Rule

__all__ = ["Context", "parse_sentence", "split_sentences", "normalise", "TYPE_WORDS"]

# a lock as documents spell it: kvm->arch.mmu_lock, cpus_read_lock(), kvm_arch::tsc_write_lock
N = r"&?[A-Za-z_]\w*(?:(?:->|\.|::)[A-Za-z_]\w*)*(?:\(\))?"
L = rf"(?:either\s+)?{N}(?:\s*,\s*{N})*(?:,?\s+(?:and|or)\s+{N})?"

#: declared type -> the lock kind a scan reports (see model/data/primitives.toml)
TYPE_WORDS = {
    "mutex": "mutex", "struct mutex": "mutex", "spinlock": "spinlock", "spinlock_t": "spinlock",
    "raw_spinlock_t": "spinlock", "raw spinlock": "spinlock", "rwlock": "rwlock", "rwlock_t": "rwlock",
    "srcu": "srcu", "srcu lock": "srcu", "srcu_struct": "srcu", "rwsem": "rwsem", "rw_semaphore": "rwsem",
    "percpu_rw_semaphore": "percpu_rwsem", "semaphore": "semaphore", "seqlock_t": "seqlock",
    "local_lock_t": "local_lock", "ww_mutex": "ww_mutex",
}


@dataclass
class Context:
    """What a sentence may refer back to ("These locks", "It", a bare
    ``synchronize_srcu()``) and the heading it sits under."""

    heading: str = ""
    last_list: tuple[str, ...] = ()
    last_subject: str = ""
    srcu: str = ""


def normalise(text: str) -> str:
    """Drop inline markup (``code``, _emphasis_, *emphasis*) and extra spaces."""
    text = re.sub(r"``(.*?)``", r"\1", text)
    text = re.sub(r"(?<![\w>])[_*]+(\w+)[_*]+(?!\w)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|viz)\.|\.\.\.)$", re.I)


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs: splits after '.' and ';' except after an
    abbreviation ("e.g."); a sentence may start lower-case (``kvm->lock is``)."""
    out, start = [], 0
    for m in re.finditer(r"(?<=[.;])\s+", text):
        if _ABBREV.search(text[start:m.start()]):
            continue
        out.append((start, text[start:m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return [(o, s.strip()) for o, s in out if s.strip()]


def _names(lst: str) -> tuple[str, ...]:
    lst = re.sub(r"^either\s+", "", lst.strip())
    return tuple(p.strip() for p in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", lst) if p.strip())


def _types(words: str) -> tuple[str, ...] | None:
    kinds = []
    for w in re.split(r"\s*(?:,|\bor\b|/)\s*", words.strip().lower()):
        if w not in TYPE_WORDS:
            return None
        kinds.append(TYPE_WORDS[w])
    return tuple(dict.fromkeys(kinds))


def _outside(m, ctx):
    ctx.last_subject, ctx.last_list = m["a"], _names(m["l"])
    return [("order", m["a"], b) for b in _names(m["l"])]


def _inside(m, ctx):
    inner = _names(m["l"])
    ctx.last_list = inner
    rules = [("order", m["a"], b) for b in inner]
    if m["req"]:
        rules += [("requires", m["req"], b) for b in inner]
    return rules


def _sync(m, ctx):
    ctx.srcu, ctx.last_list = m["s"].lstrip("&"), _names(m["l"])
    return [("sync", a, ctx.srcu) for a in ctx.last_list]


def _cannot(m, ctx):
    locks = _names(m["l"]) if m["l"] else ctx.last_list
    ctx.srcu = m["s"]
    return [("forbid", m["s"], b) for b in locks] if locks else None


def _nosync(m, ctx):
    s = (m["s"] or ctx.srcu).lstrip("&")
    if not s:
        return None
    ctx.srcu, ctx.last_subject = s, m["a"]
    rules = [("nosync", m["a"], s)]
    if m["u"]:                       # "Unlike A, B is released before": A is not
        rules.append(("sync", m["u"], s))
    return rules


def _can(m, ctx):
    a = m["a"] or ctx.last_subject
    if not a:
        return None
    rules = [("permit", m["s"], a)]
    if m["b"]:
        rules.append(("forbid", m["s"], m["b"]))
    return rules


def _type(m, ctx):
    kinds = _types(m["t"])
    ctx.last_subject = m["a"]
    return [("type", m["a"], "", kinds)] if kinds else None


def _must_take(m, ctx):
    inner = _names(m["l"])
    return [("order", m["a"], b) for b in inner] + [("requires", m["a"], b) for b in inner]


SHAPES = [
    (rf"(?P<a>{N}) is taken outside (?:of )?(?P<l>{L})(?:,.*)?", _outside),
    (rf"(?P<l>{L}) (?:is|are) taken inside (?P<a>{N})(?:,? and cannot be taken without (?:already )?"
     rf"holding (?P<req>{N}))?(?: ?\(.*\))?(?:,.*)?", _inside),
    (rf"synchronize_srcu\((?P<s>&{N})\) is called inside critical sections for (?P<l>{L})", _sync),
    (rf"(?:these locks|(?P<l>{L})) (?:cannot|can not|must not) be taken inside an? (?P<s>{N}) "
     r"read-side critical section(?:,.*)?", _cannot),
    (rf"(?:unlike (?P<u>{N}), )?(?P<a>{N}) (?:instead )?is released before (?:the call to )?"
     rf"synchronize_srcu\((?P<s>&{N})?\)", _nosync),
    (rf"(?:therefore,? )?(?:it|(?P<a>{N})) can (?:therefore )?be taken inside an? (?P<s>{N}) "
     rf"read-side critical section(?:, while (?P<b>{N}) cannot)?(?:,.*)?", _can),
    (rf"(?P<a>{N}) is an? (?P<t>[\w ]+?)", _type),
    (rf"critical sections for (?P<l>{L}) must also take (?P<a>{N})", _must_take),
    (r"everything else is a leaf\b.*", lambda m, ctx: [("leaf-rest", "", "")]),
    (rf"(?P<l>{L}) (?:is|are) (?:a )?leaf(?: lock)?s?\b.*", lambda m, ctx: [("leaf", a, "") for a in _names(m["l"])]),
]
_COMPILED = [(re.compile(p, re.I), build) for p, build in SHAPES]


def parse_sentence(sentence: str, ctx: Context, file: str = "", line: int = 0) -> list[Rule] | None:
    """The rules one sentence states, or None when no shape matches."""
    text = normalise(sentence).rstrip(".:;").strip()
    for rx, build in _COMPILED:
        m = rx.fullmatch(text)
        if not m:
            continue
        parts = build(m, ctx)
        if parts is None:
            continue
        return [Rule(p[0], _clean(p[1]), _clean(p[2]), p[3] if len(p) > 3 else (), file, line,
                     normalise(sentence), ctx.heading) for p in parts]
    return None


def _clean(name: str) -> str:
    return name.lstrip("&") if "(" not in name else name

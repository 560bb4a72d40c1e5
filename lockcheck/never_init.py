"""Lock fields no code ever initialises: lockdep turns itself off on them.

A lock that is a struct field gets its lockdep class from its init call
(``mutex_init()`` and the other rows of ``model/data/classes.toml``, or an
initializer such as ``__MUTEX_INITIALIZER``).  A field that is never
initialised has no key: its first acquisition makes lockdep print "INFO:
trying to register non-static key" and turn itself off
(``assign_lock_key()``, kernel/locking/lockdep.c), so lockdep never
reports a recursive or circular finding through it.  (A static or global
lock needs no init: lockdep keys it by its address; those are ``g:``
classes and never questioned here.)

A finding through a field class that no class note of the scan annotates
(:mod:`lockcheck.analysis.class_notes`: init, init_key, class, same,
store, per_index) gets a low ``uninit`` basis on its edges, with the
reason.  A partial scan does not see the whole kernel, so "never" is
decided from the whole tree when the scan is in one: a cheap text pass
(``grep -P`` over the tree's ``.c`` and ``.h`` files, Python where grep
is missing) looks for any line that pairs an init-like name (any
identifier containing ``init`` or ``lockdep``, whatever its case, which
covers every init row of the model and wrappers named after them) with
``->FIELD`` or ``.FIELD``, or that assigns ``.FIELD = ..._INITIALIZER``
/ ``..._UNLOCKED``; a field named by any component of the class path in
such a line anywhere is taken as initialised.  It may only miss (an
init split over two lines, an init through a helper with no such name),
never wrongly keep a finding.  Outside a kernel tree (fixtures) the files
the scan read are searched instead, and only when they initialise some
field lock: code that initialises none of its locks shows a part of a
program whose init lives elsewhere (a fixture that models the locking
alone), and no class of it is taken as never initialised.  The pass runs
only for classes that appear in findings.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from lockcheck.result import Basis
from lockcheck.tree_defs import grep_sources, read_sources

__all__ = ["noted_keys", "candidate_fields", "initialised", "demote", "REASON"]

REASON = "never initialised: lockdep turns itself off at the first acquisition"

# one line each (grep's unit): an init-like call naming the field, or the
# field assigned an initializer
_INIT = r"\w*(?:[Ii][Nn][Ii][Tt]|[Ll][Oo][Cc][Kk][Dd][Ee][Pp])\w*[ \t]*\([^;\n]*?(?:->|\.)[ \t]*({F})\b"
_INITIALIZER = r"(?:->|\.)[ \t]*({F})[ \t]*=[ \t]*\(?\w*(?:INITIALIZER|UNLOCKED|[Ii][Nn][Ii][Tt])"


def _base(key: str) -> str:
    """A class key without its init-site qualifier, subclass and indexes."""
    key = key.split("#", 1)[0].split("/", 1)[0]
    return re.sub(r"\[\](?:=\d+)?", "", key)


def noted_keys(notes) -> tuple[frozenset[str], bool]:
    """Every class (base key) a class note of the scan names, and whether
    any note initialises a field lock (an ``init`` or ``init_key`` note)."""
    out, inits = set(), False
    for kind, key, detail in notes:
        inits = inits or (kind in ("init", "init_key") and key.startswith("f:"))
        out.add(_base(key))
        if kind in ("same", "store") and detail.startswith(("f:", "g:")):
            out.add(_base(detail))
    return frozenset(out), inits


def _noted(key: str, noted: frozenset[str]) -> bool:
    """Is the class, or a container of it (``f:S:wq`` for ``f:S:wq.lock``), noted?"""
    base = _base(key)
    while True:
        if base in noted:
            return True
        cut = max(base.rfind("."), base.rfind("->"))
        if cut <= base.find(":", 2):
            return False
        base = base[:cut]


def _fields(key: str) -> tuple[str, ...]:
    """The field names of a field class's path (``f:struct S:a.b`` -> a, b)."""
    path = _base(key).split(":", 2)[-1]
    return tuple(p for p in re.split(r"\.|->", path) if re.fullmatch(r"[A-Za-z_]\w*", p))


def candidate_fields(findings, locks, noted: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Field classes of ``findings`` no note annotates: key -> its field names."""
    key_of = {lock.name: lock.key for lock in locks}
    out = {}
    for f in findings:
        for name in f.locks:
            key = key_of.get(name, "")
            if key.startswith("f:") and key not in out and not _noted(key, noted) and _fields(key):
                out[key] = _fields(key)
    return out


def _pattern(fields) -> str:
    alt = "|".join(sorted(set(fields)))
    return _INIT.format(F=alt) + "|" + _INITIALIZER.format(F=alt)


def _tag(key: str) -> str:
    """``struct S`` of ``f:struct S:path``."""
    return key[2:].split(":", 1)[0]


def _hits(pattern: str, root: Path | None, dirs, files) -> list[tuple[str, str]]:
    """(file, field) for each init-like line naming a field: in ``dirs``
    of the tree at ``root`` (``.c`` and ``.h`` files), else in ``files``."""
    rx = re.compile(pattern.encode())
    hits = grep_sources(root, dirs, ["-P", pattern]) if root is not None else None
    if hits is not None:
        out = []
        for path, text in hits:
            m = rx.search(text)
            if m:
                out += [(path.decode(errors="surrogateescape"), g.decode()) for g in m.groups() if g]
        return out
    if root is not None and dirs:
        found = read_sources(root, dirs, (".c", ".h"))
    else:
        found = []
        for p in sorted(files):
            try:
                with open(Path(root) / p if root is not None else p, "rb") as fh:
                    found.append((p, fh.read()))
            except OSError:
                continue
    return [(p, g.decode()) for p, text in found for m in rx.finditer(text) for g in m.groups() if g]


def initialised(candidates: dict[str, tuple[str, ...]], root: Path | None, arch: str = "", dirs=(),
                files=()) -> frozenset[str]:
    """The candidate classes some init-like line may initialise.  In a
    tree, a line counts where its file may see the class's struct
    (lockcheck.struct_sight); outside one (``files``), any line does."""
    fields = sorted({f for fs in candidates.values() for f in fs})
    if not fields:
        return frozenset()
    hits = _hits(_pattern(fields), root, dirs, files)
    by_field: dict[str, set[str]] = {}
    for path, field in hits:
        by_field.setdefault(field, set()).add(path)
    sight = None
    if root is not None and dirs:
        from lockcheck.struct_sight import Sight
        sight = Sight(root, arch)
    out = set()
    for key, fs in candidates.items():
        paths = sorted(set().union(*(by_field.get(f, set()) for f in fs)))
        if paths and (sight is None or any(sight.sees(p, _tag(key)) for p in paths)):
            out.add(key)
    return frozenset(out)


def demote(findings, locks, noted: frozenset[str], initialised) -> tuple:
    """``findings`` with a low ``uninit`` basis on each edge through a field
    class that nothing initialises; ``initialised(candidates)`` answers which
    of the candidate classes (key -> field names) may be initialised
    somewhere (:func:`initialised`; called once, only when there are some)."""
    candidates = candidate_fields(findings, locks, noted)
    if not candidates:
        return tuple(findings)
    seen = initialised(candidates)
    bare = set(candidates) - set(seen)
    if not bare:
        return tuple(findings)
    name_of = {lock.key: lock.name for lock in locks}
    names = {name_of[k] for k in bare if k in name_of}
    out = []
    for f in findings:
        if not names & set(f.locks):
            out.append(f)
            continue
        edges = []
        for e in f.edges:
            hit = sorted({e.src, e.dst} & names)
            extra = tuple(Basis("uninit", "low", f"{n} is {REASON}") for n in hit)
            edges.append(replace(e, basis=e.basis + extra) if extra else e)
        out.append(replace(f, edges=tuple(edges)))
    return tuple(out)

"""Lock classes as lockdep keys them: annotations, merges and exclusions.

Extraction keys a lock by where it lives (``analysis.typing``).  lockdep
then lets code change the key, and this module applies what it says,
from the rows of ``model/data/classes.toml``:

- ``lockdep_set_novalidate_class(&dev->mutex)``: lockdep records no
  dependency through the class, so neither does the checker (unless
  asked: ``include_novalidate``);
- ``lockdep_set_subclass(&serio->lock, depth)`` and a per-instance key
  (``lockdep_set_class(&x->lock, &x->key)``, ``&keys[family]``,
  ``lockdep_register_key()``-d keys, ``lockdep_set_class(locks + i, keys
  + i)``: an element per key, ``locks + i`` being ``&locks[i]``,
  analysis.typing): one checker class stands for several lockdep classes
  or subclasses, so taking one instance while holding another is not
  reported as recursive locking; so do several static keys given to one
  field, as an init macro declaring its own key does at each use
  (``btrfs_state_lockdep_init_map(fs_info, name, state)``:
  frontend.key_macros);
- an array keyed per index (``&keys[i]`` given to ``&locks[i]``): an
  element of known index is its own class (``rw_sem[2]``), the others
  the array's one (analysis.element_index);
- ``lock_set_cmp_fn(&x->lock, cmp, print)``: lockdep lets two locks of
  the class nest when ``cmp(prev, next) < 0``, an order the code keeps at
  run time, so no possible recursive locking is reported on it;
- ``lockdep_set_class(&x->lock, &static_key)``: the class *is* that key;
  two classes given one key are one class;
- a lock and the ``lockdep_map`` annotation taken right after it
  (``down(&console_sem); mutex_acquire(&console_lock_dep_map, ...)``) are
  one lock: lockdep only sees the annotation;
- unresolved lock expressions (``u:`` keys, text that names no class
  once locals are resolved) never make an edge or a recursive finding
  with another unresolved expression;
- files that break the rules on purpose are left out (``excluded_files``).

Annotations are collected per function at extraction
(:mod:`lockcheck.analysis.class_notes`) and applied to the analysis
result as a whole (:func:`apply`), since the annotation and the locking
are usually in different files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lockcheck.frontend.arch_dirs import join
from lockcheck.analysis.class_notes import INIT_SITE, RETURNED
from lockcheck.analysis.element_index import element_votes, indexed_key, nested_elements, split_index
from lockcheck.analysis.substitute import DYNAMIC_SUBCLASS, PARAM_SUBCLASS, split_class_key

__all__ = ["annotation_names", "ClassFacts",
           "collect", "apply", "excluded_reason", "split_class_key", "is_unresolved"]



def annotation_names(model: dict) -> frozenset[str]:
    """Calls whose functions must be parsed for their annotations."""
    return frozenset(model.get("set_class", {})) | frozenset(model.get("set_subclass", {})) | \
        frozenset(model.get("novalidate", {}).get("names", ())) | frozenset(model.get("cmp_fn", {}).get("names", ())) | frozenset(model.get("init", {})) | \
        frozenset(model.get("init_key", {}))


def is_unresolved(class_key: str) -> bool:
    return class_key.startswith("u:")


def excluded_reason(path: str, model: dict) -> str | None:
    """Why a file is left out, if it is (matched on whole trailing path components)."""
    for tail, reason in model.get("excluded_files", {}).items():
        if path == tail or path.endswith("/" + tail):
            return reason
    return None


def _returned_classes(notes) -> dict[str, str]:
    """Function -> the one class it returns (following ``call:G``)."""
    told: dict[str, set[str]] = {}
    for kind, fn, what in notes:
        if kind == "returns":
            told.setdefault(fn, set()).add(what)

    def resolve(fn: str, depth: int) -> str | None:
        whats = told.get(fn, set())
        if len(whats) != 1 or depth > 6:
            return None
        what = next(iter(whats))
        if what.startswith("call:"):
            return resolve(what[5:], depth + 1)
        return None if what == "?" else what
    return {fn: k for fn in told if (k := resolve(fn, 0)) is not None}


# ---------------------------------------------------------------- the facts

@dataclass
class ClassFacts:
    """What the whole scan's annotations say about its classes."""

    novalidate: set[str] = field(default_factory=set)          # base keys
    split: set[str] = field(default_factory=set)               # fields initialised at several places
    paths: set[str] = field(default_factory=set)               # qualified keys an annotation names
    generic: frozenset[str] = frozenset()                      # generic container structs
    several: set[str] = field(default_factory=set)             # base keys: no recursive findings
    ordered: set[str] = field(default_factory=set)             # base keys with a cmp_fn: no recursive findings
    renames: dict[str, str] = field(default_factory=dict)      # base key -> base key
    include_novalidate: bool = False
    per_instance: dict[str, str] = field(default_factory=dict)  # base key -> why (classes.toml)
    # outer fields whose members keep their place (`f:T:slock#struct sock:sk_lock`):
    # lockdep keys them per family ([families.keyed] rows `struct S:f.m`)
    keep_outer: frozenset[str] = frozenset()
    init_sites: dict[str, int] = field(default_factory=dict)    # field -> init places, where several
    family_keyed: dict[str, str] = field(default_factory=dict)  # [families.keyed] rows
    returns: dict[str, str] = field(default_factory=dict)       # function -> the lock it returns
    # fields a static key renames on one instance only (another init site
    # leaves its instances alone): key -> why
    instance_keyed: dict[str, str] = field(default_factory=dict)
    # lock arrays keyed per index: an element of known index is its own
    # class (analysis.element_index)
    per_index: set[str] = field(default_factory=set)


def merged_classes(facts: ClassFacts) -> dict[str, str]:
    """Classes that stand for one lockdep class per instance's key, known
    from the model (``per_instance``): key -> why, for the confidence of
    cycles through them (analysis.families.family_basis); also a field
    initialised at several places, where an access is not tied to one."""
    out = dict(facts.per_instance)
    for key, why in facts.instance_keyed.items():
        out.setdefault(key, why)
    from lockcheck.analysis.families import keyed_why
    for key, n in sorted(facts.init_sites.items()):
        if keyed_why(key, facts.family_keyed) is not None:
            continue    # keyed per family: analysis.families has its own rule
        out.setdefault(key, f"initialised at {n} places, a class per init site; this access is not tied to one")
    return out


def collect(notes, model: dict, include_novalidate: bool = False) -> ClassFacts:
    """``notes``: every function's ``class_notes``."""
    facts = ClassFacts(include_novalidate=include_novalidate,
                       generic=frozenset(model.get("generic_containers", {})))
    facts.novalidate |= {f"f:{k}" for k in model.get("novalidate", {}).get("known", {})}
    facts.per_instance = {f"f:{k}": why for k, why in model.get("per_instance", {}).items()}
    facts.several |= set(facts.per_instance)
    facts.family_keyed = dict(model.get("families", {}).get("keyed", {}))
    facts.keep_outer = frozenset(k.rpartition(".")[0] for k in model.get("families", {}).get("keyed", {})
                                 if "." in k.partition(":")[2])
    notes = list(notes)
    places: dict[str, set[str]] = {}
    for kind, key, detail in notes:
        if kind == "init":
            places.setdefault(key, set()).add(detail)
    # several places in outer structs: each path to the field is its own
    # class (`csq.lock`, `crq.lock`); several init sites of any kind: the
    # field reached where no place is known (a parameter's, a returned
    # pointer's) stands for several of lockdep's classes
    facts.split = {k for k, v in places.items() if len([p for p in v if not p.startswith(INIT_SITE)]) > 1}
    facts.init_sites = {k: len(v) for k, v in places.items() if len(v) > 1}
    facts.several |= set(facts.init_sites)
    facts.returns = _returned_classes(notes)
    # an annotation on one path to a field (`&cpuctx->ctx.lock`) is about
    # that path only; the field's own class stays for every other path
    facts.paths = {key for kind, key, _ in notes if kind in ("class", "subclass", "novalidate") and "#" in key}
    static_keys: dict[str, set[str]] = {}
    stores: dict[str, set[str]] = {}
    for kind, key, detail in notes:
        key = _qualified(facts, key)
        if kind in ("same", "store") and detail != "?":
            detail = _qualified(facts, detail)
        if kind == "novalidate":
            facts.novalidate.add(key)
        elif kind == "subclass":
            facts.several.add(key)
        elif kind == "ordered":
            facts.ordered.add(key)
        elif kind == "class":
            static_keys.setdefault(key, set()).add(detail)
        elif kind == "same":
            facts.renames.setdefault(key, detail)
        elif kind == "store":
            stores.setdefault(key, set()).add(detail)
        elif kind == "init_key" and detail == "dynamic":
            facts.several.add(key)      # a key each caller passes: a class per caller
        elif kind == "per_index":
            facts.several.add(key)      # elements of unknown index: one class for several
            facts.per_index.add(key)
    for key, stored in stores.items():
        # a lock pointer field always set to one lock is that lock's class;
        # set to several (or to what the checker cannot name), it stands
        # for several of lockdep's classes
        if len(stored) == 1 and "?" not in stored:
            facts.renames.setdefault(key, next(iter(stored)))
        else:
            facts.several.add(key)
    for key in facts.paths:
        # `ctx->lock` through a pointer or a parameter may be the annotated
        # path's instance or another: one checker class, several of lockdep's
        facts.several.add(key.partition("#")[0])
    from lockcheck.analysis.instance_keys import instance_keys
    for key, why in instance_keys(notes, static_keys, INIT_SITE).items():
        # `lockdep_set_class(&stop->pi_lock, &stop_pi_lock)` renames that
        # one task's lock: the tasks initialised elsewhere keep the init
        # site's class, and the field stands for several of lockdep's
        facts.instance_keyed[key] = why
        facts.several.add(key)
        del static_keys[key]
    for key, details in static_keys.items():
        details = {d.partition(INIT_SITE)[0] for d in details}
        if len(details) == 1 and next(iter(details)).startswith("static:") and key not in facts.per_instance:
            # one static key for every instance: that key is the class
            # (two classes given one key become one); not for a class keyed
            # per instance (per_instance: ceph's lockdep_set_class() on its
            # own sockets' sk_lock leaves every other socket's class alone)
            facts.renames.setdefault(key, "k:" + next(iter(details))[len("static:"):])
        else:
            facts.several.add(key)
    return facts


def _qualified(facts: ClassFacts, base: str) -> str:
    """A field key keeps its place in the outer struct (``#OUTER:FIELD``,
    analysis.typing) only where lockdep tells the places apart: a field
    initialised at several places, a generic container's lock, a path an
    annotation names (``lockdep_set_class(&cpuctx->ctx.lock, ...)``)."""
    inner, sep, outer = base.partition("#")
    if not sep or outer in facts.keep_outer or inner in facts.split or base in facts.paths or inner.split(":", 2)[1] in facts.generic:
        return base
    return inner


def _canon(facts: ClassFacts, class_key: str) -> str:
    base, sub = split_class_key(class_key)
    if base.startswith("u:") and RETURNED in base:
        base = facts.returns.get(base.rsplit(RETURNED, 1)[1], base)
    base, index = split_index(base)
    base = _qualified(facts, base)
    if index.isdigit() and base in facts.per_index:
        return indexed_key(base, index) + (f"/{_sub(sub)}" if sub else "")
    sub = _sub(sub)
    seen = 0
    while base in facts.renames and seen < 8:
        base = facts.renames[base]
        seen += 1
    return f"{base}/{sub}" if sub else base


def _sub(sub: int) -> int:
    """A parameter's subclass no caller gave: dynamic."""
    return DYNAMIC_SUBCLASS if sub >= PARAM_SUBCLASS else sub


def canonical(facts: ClassFacts, class_key: str) -> str | None:
    """The class ``class_key`` is after :func:`apply` (None: a class apply
    leaves out, novalidate or unresolved); for per-class data kept beside
    the edges (analysis.irqsafety's usage states)."""
    k = _canon(facts, class_key)
    if (not facts.include_novalidate and split_class_key(k)[0] in facts.novalidate) or is_unresolved(k):
        return None
    return k


def apply(analysis, facts: ClassFacts) -> dict[str, int]:
    """Rewrite ``analysis`` (edges, recursive, not_held, display votes) by
    the class facts; returns what was dropped or merged, for statistics."""
    counts = {"edges_novalidate": 0, "edges_unresolved": 0, "recursive_dropped": 0, "classes_rekeyed": 0}

    def skip(key: str) -> bool:
        return not facts.include_novalidate and split_class_key(key)[0] in facts.novalidate

    edges: dict = {}
    for (src, dst), rec in sorted(analysis.edges.items()):
        s, d = _canon(facts, src), _canon(facts, dst)
        if s == d:
            # a lock and its annotation: one lock; two classes given one
            # key, or two elements of an array of one class: that class
            # nested in itself (possible recursive locking)
            if (s.startswith("k:") or _nested_elements(src, dst, rec)) and not skip(s):
                _merge_into(analysis.recursive, s, rec, type(rec))
            continue
        if skip(s) or skip(d):
            counts["edges_novalidate"] += 1
            continue
        if is_unresolved(s) and is_unresolved(d):
            counts["edges_unresolved"] += 1
            continue
        _merge_into(edges, (s, d), rec, type(rec))
    analysis.edges = edges
    for table_name in ("recursive", "not_held"):
        table = getattr(analysis, table_name)
        out: dict = {}
        for key, rec in sorted(table.items()):
            k = _canon(facts, key)
            base = split_class_key(k)[0]
            if table_name == "recursive" and (skip(k) or is_unresolved(k) or base in facts.several
                                              or split_class_key(key)[0] in facts.several
                                              or base in facts.ordered or split_class_key(key)[0] in facts.ordered):
                counts["recursive_dropped"] += 1
                continue
            _merge_into(out, k, rec, type(rec))
        setattr(analysis, table_name, out)
    # a merged class is named as its target is written (the annotation
    # lockdep reports), by its own forms only when the target has none
    refs: dict = {k: dict(v) for k, v in analysis.refs.items() if _canon(facts, k) == k}
    for key, votes in sorted(analysis.refs.items()):
        k = _canon(facts, key)
        if k != key:
            counts["classes_rekeyed"] += 1
            if is_unresolved(key) and not is_unresolved(k):     # a returned lock: named by its class
                votes = {_class_form(k): sum(votes.values())}
            if k not in refs or k.startswith("k:"):
                into = refs.setdefault(k, {})
                for form, n in element_votes(votes, split_class_key(k)[0]).items():
                    into[form] = into.get(form, 0) + n
    analysis.refs = refs
    return counts


def _nested_elements(src: str, dst: str, rec) -> bool:
    """Two elements of one array whose classes are one, the one taken
    holding the other: possible recursive locking, as the walk reports
    two acquisitions of one class (not at a run-time subclass, nor a
    recursive read inside a read)."""
    (a, sub), (b, _) = split_class_key(src), split_class_key(dst)
    return nested_elements(a, b) and sub != DYNAMIC_SUBCLASS and sub < PARAM_SUBCLASS \
        and not set(rec.kinds) <= {("S", "R")}


def _class_form(class_key: str) -> tuple:
    """A written form (analysis.names) for a class known only by its key."""
    base, sub = split_class_key(class_key)
    if base.startswith("f:"):
        _, struct, path = base.split(":", 2)
        return (base, struct, path.partition("#")[0], sub)
    return (base, "", base[2:].partition("@")[0], sub)


def _merge_into(table: dict, k, rec, record_type) -> None:
    old = table.get(k)
    if old is None:
        new = record_type(*(k if isinstance(k, tuple) else (k, k)))
        new.kinds = dict(rec.kinds)
        new.by_function = dict(rec.by_function)
        new.pending = dict(rec.pending)
        new.archs = rec.archs
        table[k] = new
        return
    old.archs = join(old.archs, rec.archs)
    for kind, w in rec.kinds.items():
        if kind not in old.kinds or w.cost() < old.kinds[kind].cost():
            old.kinds[kind] = w
    for fk, w in rec.by_function.items():
        if fk not in old.by_function or w.cost() < old.by_function[fk].cost():
            old.by_function[fk] = w
    for pk, w in rec.pending.items():   # analysis.irq_reads
        if pk not in old.pending or w.cost() < old.pending[pk].cost():
            old.pending[pk] = w


# ---------------------------------------------------------------- file statics

_DECL_ENDS = frozenset(("=", ";", ",", "["))


def file_statics(items) -> frozenset[str]:
    """Names of a file's file-scope ``static`` objects, from its top-level
    declaration items (``static DEFINE_MUTEX(register_mutex);``,
    ``static struct mutex m = ...;``, ``static spinlock_t a, b;``)."""
    out = set()
    for item in items:
        if item.kind != "declaration" or not item.tokens or item.tokens[0].text != "static":
            continue
        toks = item.tokens
        depth = 0
        for k, t in enumerate(toks):
            if t.text in ("(", "{"):
                depth += 1
            elif t.text in (")", "}"):
                depth -= 1
            if t.kind != "id":
                continue
            nxt = toks[k + 1].text if k + 1 < len(toks) else ";"
            if depth == 0 and nxt in _DECL_ENDS:
                out.add(t.text)
            elif depth == 0 and nxt == "(" and t.text.startswith(("DEFINE_", "DECLARE_")) \
                    and k + 2 < len(toks) and toks[k + 2].kind == "id":
                out.add(toks[k + 2].text)
    return frozenset(out)

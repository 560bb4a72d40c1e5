"""Compare documented lock rules with the lock graph of a scan.

Rules enforced (each a *violation*, exit 1):

* ``LC401`` an edge contradicts an order: the document says A before B
  (order, sync) and code holds B while taking A; or code holds an SRCU read
  side while taking a lock documented as forbidden there (forbid); or holds
  a lock documented as released before ``synchronize_srcu`` while syncing
  (nosync).
* ``LC402`` a lock documented as a leaf is held while code takes another.
* ``LC403`` a lock's declared ``:Type:`` is not the kind the code uses.

Informational (never change the exit code): ``LC490`` an order or sync
the code never shows (often: the path is outside the scanned files),
``LC491`` a documented name with no lock class in the scan, ``LC492`` a
rule the lock graph cannot decide (``requires``).

Lockdep subclasses (``&kvm->lock/1``) count as their class here: a
document's ``kvm->lock`` covers every nesting level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lockcheck.docs.names import Mapping, NameMap, base
from lockcheck.docs.rules import Rule
from lockcheck.result import Edge, ScanResult

__all__ = ["Violation", "Review", "check_documented", "review"]

SYNC_CALLS = ("synchronize_srcu",)
OUTER_KINDS = ("order", "sync", "permit", "requires")


@dataclass(frozen=True)
class Violation:
    code: str
    rule: Rule
    message: str
    edge: Edge | None = None


@dataclass
class Review:
    violations: list[Violation] = field(default_factory=list)
    notes: list[Violation] = field(default_factory=list)
    names: dict[str, Mapping] = field(default_factory=dict)
    leaves: tuple[str, ...] = ()       # what "everything else is a leaf" covered


def check_documented(result: ScanResult, rules: list[Rule], aliases=None,
                     reference: tuple[str, ...] = ()) -> list[Violation]:
    """The violations of ``rules`` in ``result`` (for other commands)."""
    return review(result, rules, aliases, reference).violations


def review(result: ScanResult, rules: list[Rule], aliases=None, reference=()) -> Review:
    names = NameMap(result.locks, aliases)
    out = Review()
    for n in [n for r in rules for n in r.names()] + list(reference):
        out.names.setdefault(n, names.map(n))
    by_pair: dict[tuple[str, str], list[Edge]] = {}
    for e in result.edges:
        by_pair.setdefault((base(e.src), base(e.dst)), []).append(e)
    lock = lambda n: out.names[n].lock          # noqa: E731
    for r in rules:
        if r.kind in ("order", "sync"):
            _order(r, lock(r.outer), lock(r.inner), by_pair, out)
        elif r.kind == "forbid":
            for e in by_pair.get((lock(r.outer), lock(r.inner)), []):
                out.violations.append(Violation("LC401", r, _edge_msg(r, e), e))
        elif r.kind == "nosync":
            for e in by_pair.get((lock(r.outer), lock(r.inner)), []):
                if _is_sync(e):
                    out.violations.append(Violation("LC401", r, _edge_msg(r, e), e))
        elif r.kind == "requires":
            out.notes.append(Violation("LC492", r, "not checkable from lock-order edges "
                                       "(needs the held set at every acquisition)"))
        elif r.kind == "leaf":
            _leaf(r, lock(r.outer), result.edges, names, out)
        elif r.kind == "type":
            _type(r, lock(r.outer), names, out)
    rest = [r for r in rules if r.kind == "leaf-rest"]
    if rest:
        outers = {lock(r.outer) for r in rules if r.kind in OUTER_KINDS}
        documented = {lock(n) for r in rules if r.file == rest[0].file for n in r.names()}
        documented |= {lock(n) for n in reference}
        out.leaves = tuple(sorted(documented - outers))
        for leaf in out.leaves:
            _leaf(rest[0], leaf, result.edges, names, out)
    out.violations = _dedupe(out.violations)
    for m in out.names.values():
        if m.how == "unmapped":
            out.notes.append(Violation("LC491", None, f"{m.doc}: no lock class in the scanned code "
                                       f"(checked as {m.lock})"))
    return out


def _dedupe(violations: list[Violation]) -> list[Violation]:
    """One report per code edge and finding kind: "called inside kvm->lock"
    and "cannot be taken inside kvm->srcu" break on the same edge."""
    seen, out = set(), []
    for v in violations:
        key = (v.code, v.edge.src, v.edge.dst) if v.edge else (v.code, v.message)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _order(r: Rule, a: str, b: str, by_pair, out: Review) -> None:
    seen = [e for e in by_pair.get((a, b), []) if r.kind != "sync" or _is_sync(e)]
    if not seen:
        what = f"{a} held around synchronize_srcu({b})" if r.kind == "sync" else f"{a} held while taking {b}"
        out.notes.append(Violation("LC490", r, f"never observed in code: {what}"))
    for e in by_pair.get((b, a), []):
        out.violations.append(Violation("LC401", r, _edge_msg(r, e), e))


def _leaf(r: Rule, leaf: str, edges, names: NameMap, out: Review) -> None:
    """Read sides that never wait (rcu_read_lock, srcu_read_lock) are not
    "taking a lock" in a leaf's sense: they cannot close a deadlock."""
    for e in edges:
        never_waits = names.kind(e.dst) == "rcu" or (names.kind(e.dst) == "srcu" and e.acquirer == "R")
        if base(e.src) == leaf and base(e.dst) != leaf and not never_waits:
            out.violations.append(Violation("LC402", r, f"documented leaf {leaf}; code takes {e.dst} "
                                            f"while holding {e.src} at {chain(e)}", e))


def _type(r: Rule, lock: str, names: NameMap, out: Review) -> None:
    kind = names.kind(lock)
    if kind is None or kind == "lock":
        return                       # not in the scan, or kind unknown
    if kind not in r.types:
        out.violations.append(Violation("LC403", r, f"{lock} is documented as {' or '.join(r.types)} "
                                        f"but the code uses it as a {kind}"))


def _is_sync(e: Edge) -> bool:
    return bool(e.acquire) and e.acquire[-1].what.startswith(SYNC_CALLS)


def chain(e: Edge) -> str:
    """``f() file:line → g() file:line (mutex_lock)``: where src was taken,
    then the calls down to where dst is taken."""
    steps = " → ".join(f"{s.function}() {s.file}:{s.line}" for s in e.witness)
    return f"{steps} ({e.witness[-1].what})" if e.witness else "(no witness)"


def _edge_msg(r: Rule, e: Edge) -> str:
    doc = {
        "order": f"{r.outer} outside {r.inner}",
        "sync": f"synchronize_srcu(&{r.inner}) inside {r.outer}",
        "forbid": f"{r.inner} never inside a {r.outer} read-side section",
        "nosync": f"{r.outer} released before synchronize_srcu(&{r.inner})",
    }[r.kind]
    verb = "synchronizes" if _is_sync(e) else "takes"
    return f"documented: {doc}; code {verb} {e.dst} while holding {e.src} at {chain(e)}"

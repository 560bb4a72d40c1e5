"""Which cycles a change introduced, resolved, or left alone.

Identity of a cycle is :attr:`Finding.id` first, then its *lock cycle*
(kind plus lock names, rotated to start at the smallest): ``Finding.id``
also hashes the witness function names, so a change that only renames a
witness function, or adds a shorter path closing the same cycle, would
otherwise look like one cycle resolved and another introduced, failing the
gate for a deadlock that was already there.  Direction still matters
(a→b→c and a→c→b are different cycles), rotation does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lockcheck.result import Edge, Finding, ScanResult

__all__ = ["Comparison", "Resolved", "compare", "cycle_key", "only"]


def cycle_key(kind: str, locks) -> tuple[str, tuple[str, ...]]:
    """``(kind, locks)`` rotated so the smallest name comes first."""
    locks = tuple(locks)
    if not locks or kind == "irq-unsafe-order":   # safe -> unsafe: never B -> A
        return kind, locks
    k = locks.index(min(locks))
    return kind, locks[k:] + locks[:k]


@dataclass(frozen=True)
class Resolved:
    finding: Finding
    # edges of the cycle absent from HEAD (by lock names); when none is,
    # the edges whose hold/acquire kind changed, as (edge, head edge)
    removed: tuple[Edge, ...]
    weakened: tuple[tuple[Edge, Edge], ...] = ()


@dataclass(frozen=True)
class Comparison:
    base: ScanResult
    head: ScanResult
    introduced: tuple[Finding, ...]
    resolved: tuple[Resolved, ...]
    unchanged: tuple[tuple[Finding, Finding], ...]     # (base, head)
    # set by the gate after the comparison (baseline, suppressions)
    known: tuple[Finding, ...] = field(default=())
    suppressed: tuple[tuple[Finding, str], ...] = field(default=())
    stale: tuple = field(default=())
    # introduced below the gate's confidence (lockcheck.report.screen), and that threshold
    below: tuple[Finding, ...] = field(default=())
    min_confidence: str | None = None

    def summary(self) -> str:
        line = f"{len(self.introduced)} introduced, {len(self.resolved)} resolved, " \
               f"{len(self.unchanged)} unchanged"
        if self.min_confidence:
            line += f" at confidence >= {self.min_confidence}"
        extra = [f"{len(v)} {k}" for k, v in (("known", self.known), ("suppressed", self.suppressed),
                                                (f"below {self.min_confidence}", self.below)) if v]
        return line + (f" ({', '.join(extra)} not counted)" if extra else "")


def compare(base: ScanResult, head: ScanResult) -> Comparison:
    """Match HEAD's findings to BASE's by id, then by lock cycle, one to one."""
    by_id = {f.id: f for f in base.findings}
    unmatched_base = dict(by_id)
    pairs: list[tuple[Finding, Finding]] = []
    rest: list[Finding] = []
    for f in head.findings:
        if f.id in unmatched_base:
            pairs.append((unmatched_base.pop(f.id), f))
        else:
            rest.append(f)
    by_key: dict = {}
    for f in unmatched_base.values():
        by_key.setdefault(cycle_key(f.kind, f.locks), []).append(f)
    introduced = []
    for f in rest:
        same = by_key.get(cycle_key(f.kind, f.locks))
        if same:
            old = same.pop(0)
            pairs.append((old, f))
            del unmatched_base[old.id]
        else:
            introduced.append(f)
    head_edges = {(e.src, e.dst): e for e in head.edges}
    resolved = tuple(_resolved(f, head_edges) for f in base.findings if f.id in unmatched_base)
    return Comparison(base, head, tuple(introduced), resolved, tuple(pairs))


def _resolved(f: Finding, head_edges: dict[tuple[str, str], Edge]) -> Resolved:
    # an interrupt-safety finding's usage witnesses ({IN-HARDIRQ-W} -> x) are not lock-order edges
    removed = tuple(e for e in f.edges if (e.src, e.dst) not in head_edges and not e.src.startswith("{"))
    if removed:
        return Resolved(f, removed)
    weakened = tuple((e, head_edges[(e.src, e.dst)]) for e in f.edges if (e.src, e.dst) in head_edges
                     and (e.holder, e.acquirer) != (head_edges[(e.src, e.dst)].holder,
                                                   head_edges[(e.src, e.dst)].acquirer))
    return Resolved(f, (), weakened)


def only(result: ScanResult, findings) -> ScanResult:
    """``result`` narrowed to ``findings`` (for the shared renderers).

    The counts in ``stats`` follow, so a report's summary does not claim
    that cycles were cut by ``--max-cycles``; errors are left to the caller,
    which reports them once for both trees.
    """
    findings = tuple(findings)
    stats = dict(result.stats)
    stats["cycles"] = sum(1 for f in findings if f.kind == "circular")
    stats["recursive"] = sum(1 for f in findings if f.kind == "recursive")
    return replace(result, findings=findings, stats=stats, errors=())

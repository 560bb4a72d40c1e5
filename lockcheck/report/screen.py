"""What fits a screen: the groups at or above a confidence, and a count
of what was held back and why.

The text report shows the groups (:mod:`lockcheck.report.group`) whose
confidence is at least ``--min-confidence`` (default
:data:`DEFAULT_MIN_CONFIDENCE`), ``--all`` shows every one; JSON and SARIF
always carry every finding with its confidence.  The exit code and the
gate (``diff``, ``check-patch``, baselines) follow the same threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockcheck.analysis.confidence import MEDIUM_TARGETS, WIDE_TARGETS
from lockcheck.report.group import Group, group
from lockcheck.result import LEVELS, Finding

__all__ = ["DEFAULT_MIN_CONFIDENCE", "Screen", "screenful", "at_least", "held_back_rows", "why_held"]

DEFAULT_MIN_CONFIDENCE = "high"


def at_least(f: Finding, level: str | None) -> bool:
    """Is ``f`` at or above ``level`` (None: everything)?"""
    return level is None or LEVELS.index(f.confidence) <= LEVELS.index(level)


@dataclass(frozen=True)
class Screen:
    min_confidence: str | None            # None: --all
    shown: tuple[Group, ...]               # at or above min_confidence, within the limit
    held_back: tuple[Group, ...]           # below min_confidence
    over_limit: tuple[Group, ...] = ()     # at or above it, beyond --max-cycles

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings the screen stands for (leads and the others they count)."""
        return tuple(f for g in self.shown + self.over_limit for f in g.members)


def screenful(findings, min_confidence: str | None = DEFAULT_MIN_CONFIDENCE,
              limit: int | None = None) -> Screen:
    """``findings`` ranked; ``min_confidence`` None shows all."""
    groups = group(tuple(findings))
    kept = tuple(g for g in groups if at_least(g.lead, min_confidence))
    held = tuple(g for g in groups if not at_least(g.lead, min_confidence))
    cut = len(kept) if limit is None else limit
    return Screen(min_confidence, kept[:cut], held, kept[cut:])


def why_held(g: Group) -> str:
    """The kind of doubt that holds a group back (one summary row each)."""
    e = g.lead.weakest_edge
    low = [b for b in e.basis if b.level == e.confidence]
    if not low:
        return "direct calls"
    b = max(low, key=lambda b: b.targets)
    if b.kind == "indirect":
        if b.targets > WIDE_TARGETS:
            return f"indirect call, wide (> {WIDE_TARGETS} candidates)"
        if b.targets > MEDIUM_TARGETS:
            return f"indirect call, {MEDIUM_TARGETS + 1}-{WIDE_TARGETS} candidates"
        return f"indirect call, 2-{MEDIUM_TARGETS} candidates"
    return {"recursion": "large-recursion approximation", "documented": "documented order only",
            "class": "lock class approximated", "model": "kernel model",
            "build": "needs two architectures", "uninit": "lock never initialised"}.get(b.kind, b.kind)


def held_back_rows(screen: Screen) -> list[tuple[str, str, int, int]]:
    """(level, why, reports, findings) per kind of doubt, lowest level last."""
    rows: dict[tuple[str, str], list[int]] = {}
    for g in screen.held_back:
        r = rows.setdefault((g.confidence, why_held(g)), [0, 0])
        r[0] += 1
        r[1] += len(g.members)
    return [(lvl, why, n, m) for (lvl, why), (n, m) in
            sorted(rows.items(), key=lambda kv: (LEVELS.index(kv[0][0]), -kv[1][0], kv[0][1]))]

"""Rendering a comparison: the full lockdep text for what a change
introduced (the shared text report, so a CI log reads like a scan), one
line per resolved cycle naming the edge the change removed, and one
summary line a CI log can grep."""

from __future__ import annotations

from lockcheck.gate.compare import Comparison, only
from lockcheck.report import json_report, text
from lockcheck.report.screen import screenful

__all__ = ["render_text", "document"]


def _chain(locks) -> str:
    return " -> ".join(locks)


def _why(r) -> str:
    if r.removed:
        return "; ".join(f"the change removed the edge {e.src} -> {e.dst}"
                         + (f" ({e.witness[0].function}())" if e.witness else "") for e in r.removed)
    if r.weakened:
        return "; ".join(f"{e.src} -> {e.dst} is now held {h.holder}/acquired {h.acquirer} "
                         f"(was {e.holder}/{e.acquirer})" for e, h in r.weakened)
    return "every edge is still there; the cycle is no longer a strong path within the length bound"


def render_text(cmp: Comparison, out, title: str = "", **opts) -> None:
    w = out.write
    if title:
        w(f"=== {title}\n")
    if cmp.introduced:
        w(f"cycles introduced ({len(cmp.introduced)}):\n\n")
        text.render(only(cmp.head, cmp.introduced), out, screen=screenful(cmp.introduced, None), **opts)
        w("\n")
    if cmp.resolved:
        w(f"cycles resolved ({len(cmp.resolved)}):\n")
        for r in cmp.resolved:
            w(f"  [{r.finding.id}] {_chain(r.finding.locks)}\n      {_why(r)}\n")
    for name, items in (("known (in the baseline)", cmp.known),):
        if items:
            w(f"{name} ({len(items)}):\n")
            for f in items:
                w(f"  [{f.id}] {_chain(f.locks)}\n")
    if cmp.below:
        w(f"introduced below confidence {cmp.min_confidence} ({len(cmp.below)}, not failing; --all counts them):\n")
        for f in cmp.below:
            w(f"  [{f.id}] {_chain(f.locks)}  ({f.confidence}: {f.reason})\n")
    if cmp.suppressed:
        w(f"suppressed ({len(cmp.suppressed)}):\n")
        for f, reason in cmp.suppressed:
            w(f"  [{f.id}] {_chain(f.locks)}\n      reason: {reason}\n")
    if cmp.stale:
        w(f"stale baseline entries, cycle gone ({len(cmp.stale)}):\n")
        for e in cmp.stale:
            w(f"  [{e.id}] {_chain(e.locks)}\n")
    w(cmp.summary() + "\n")


def document(cmp: Comparison) -> dict:
    """The comparison as JSON; introduced cycles in the scan's own format."""
    return {
        "summary": {"introduced": len(cmp.introduced), "resolved": len(cmp.resolved),
                    "unchanged": len(cmp.unchanged), "known": len(cmp.known),
                    "suppressed": len(cmp.suppressed), "stale_baseline": len(cmp.stale),
                    "below_confidence": len(cmp.below), "min_confidence": cmp.min_confidence or "low"},
        "introduced": json_report.document(only(cmp.head, cmp.introduced))["cycles"],
        "resolved": [{"id": r.finding.id, "kind": r.finding.kind, "locks": list(r.finding.locks),
                      "removed_edges": [{"from": e.src, "to": e.dst} for e in r.removed],
                      "weakened_edges": [{"from": e.src, "to": e.dst, "was": e.holder + e.acquirer,
                                          "now": h.holder + h.acquirer} for e, h in r.weakened]}
                     for r in cmp.resolved],
        "unchanged": [{"id": h.id, "base_id": b.id, "locks": list(h.locks)} for b, h in cmp.unchanged],
        "known": [{"id": f.id, "locks": list(f.locks)} for f in cmp.known],
        "suppressed": [{"id": f.id, "locks": list(f.locks), "reason": r} for f, r in cmp.suppressed],
        "stale_baseline": [{"id": e.id, "locks": list(e.locks)} for e in cmp.stale],
        # introduced below the gate's confidence: carried, not failing
        "below_confidence": json_report.document(only(cmp.head, cmp.below))["cycles"],
    }

"""Documented orders as edges of the lock graph.

``scan --docs locking.rst`` adds every documented order ("X is taken
outside Y", "synchronize_srcu(&S) is called inside A") the code does not
already show as an edge, marked as documented, so a cycle closed by code
*and* documentation is reported like any other — with the document line as
the witness of its documented edge.  A code edge that contradicts a
documented order becomes such a two-lock cycle.
"""

from __future__ import annotations

from lockcheck.docs.names import NameMap

__all__ = ["documented_pairs", "DOCUMENTED_MARK"]

DOCUMENTED_MARK = "[model: documented order]"


def documented_pairs(rules, locks, aliases=None) -> list[tuple[str, str, object]]:
    """(outer display name, inner display name, rule) for each order/sync
    rule whose two names map to lock classes of the scan."""
    names = NameMap(locks, aliases)
    out = []
    for r in rules:
        if r.kind not in ("order", "sync"):
            continue
        a, b = names.map(r.outer), names.map(r.inner)
        if a.how == "unmapped" or b.how == "unmapped" or a.lock == b.lock:
            continue
        out.append((a.lock, b.lock, r))
    return out

"""Does a fix close every static path of a report?

Given the report's match on the tree before the change and the scan of the
tree after it, each dependency is *gone* when the after-scan has no edge
between its two classes, else *still there*; each of its static paths
(witnesses) likewise, a path being the same functions making the same
calls (:func:`lockcheck.splat.match.path_id`; line numbers move when a
patch edits a file).  Paths only the after-tree has are counted as new.
The fix closes the report when no static cycle through its classes is
left (:func:`lockcheck.splat.match.through_classes`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lockcheck.result import Finding, ScanResult
from lockcheck.splat.match import EdgeMatch, Path, SplatMatch, _edges_by_pair, path_id, through_classes

__all__ = ["EdgeAfter", "After", "after_change"]


@dataclass(frozen=True)
class EdgeAfter:
    edge: EdgeMatch
    still: bool                                  # the dependency is still made
    paths: tuple[tuple[Path, bool], ...]         # each static path before, and whether it is still there
    new_paths: tuple[tuple, ...] = ()            # (held, acquire) only the after-tree has


@dataclass(frozen=True)
class After:
    label: str                                   # "patch fix.patch", "tree DIR"
    edges: tuple[EdgeAfter, ...]
    cycles: tuple[Finding, ...]                  # static cycles through the report's classes after
    same: tuple[str, ...]                        # ids of those that are exactly the report's cycle
    result: ScanResult

    @property
    def closed(self) -> bool:
        return not self.cycles


def after_change(m: SplatMatch, result: ScanResult, label: str) -> After:
    by_pair = _edges_by_pair(result)
    edges = []
    for em in m.edges:
        e = by_pair.get((em.static_src, em.static_dst)) if em.static_src and em.static_dst else None
        now = {path_id(h, a): (h, a) for h, a in ([(e.held, e.acquire)] + list(e.others) if e else [])}
        before = {path_id(p.held, p.acquire) for p in em.paths}
        paths = tuple((p, path_id(p.held, p.acquire) in now) for p in em.paths)
        new = tuple(v for k, v in sorted(now.items()) if k not in before)
        edges.append(EdgeAfter(em, e is not None, paths, new))
    cycles, same = through_classes(result, [c for c in m.chosen if c], m.report.kind)
    return After(label, tuple(edges), cycles, same, result)

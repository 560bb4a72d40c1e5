"""``lockcheck why A B``: the shortest chain of dependencies from class A to
class B, each edge with its witness, from the result's edges only.

"Shortest" counts edges (networkx BFS), then prefers fewer witness steps
among equally short paths, so the answer is the easiest one to read and
the same every run.  With A == B it is the shortest cycle through A.
"""

from __future__ import annotations

import json

import networkx as nx

from lockcheck.report.console import make_console
from lockcheck.report.dot import resolve_class
from lockcheck.report.json_report import _edge
from lockcheck.report.source import SourceLines
from lockcheck.report.text import _Writer
from lockcheck.result import Edge, ScanResult

__all__ = ["find_path", "render", "through"]


def through(path: tuple[Edge, ...], function: str) -> tuple[Edge, ...]:
    """Prefer, for each edge, the witness (best or other) passing through
    ``function`` — the code path a reviewer is asking about."""
    import dataclasses
    out = []
    for e in path:
        chains = [(e.held, e.acquire)] + list(e.others)
        hit = next((c for c in chains if any(s.function == function for s in c[0] + c[1])), None)
        if hit is not None and hit != (e.held, e.acquire):
            others = tuple(c for c in chains if c != hit)
            e = dataclasses.replace(e, held=hit[0], acquire=hit[1], others=others)
        out.append(e)
    return tuple(out)


def find_path(result: ScanResult, a: str, b: str) -> tuple[Edge, ...] | None:
    """Edges of a shortest path from ``a`` to ``b`` (names or class keys),
    or None.  Raises ValueError for an unknown class."""
    src, dst = resolve_class(result, a), resolve_class(result, b)
    g = nx.DiGraph()
    for e in result.edges:
        g.add_edge(e.src, e.dst, edge=e, weight=len(e.witness))
    if src not in g or dst not in g:
        return None
    starts = [(src, dst)] if src != dst else [(s, dst) for s in sorted(g.successors(src))]
    best = None
    for s, t in starts:
        try:
            paths = list(nx.all_shortest_paths(g, s, t))
        except nx.NetworkXNoPath:
            continue
        for p in paths:
            nodes = ([src] + p) if src == dst else p
            edges = tuple(g.edges[u, v]["edge"] for u, v in zip(nodes, nodes[1:]))
            key = (len(edges), sum(len(e.witness) for e in edges), [(e.src, e.dst) for e in edges])
            if best is None or key < best[0]:
                best = (key, edges)
    return best[1] if best else None


def render(result: ScanResult, out, *, a: str, b: str, path, fmt: str = "text",
           color: bool | None = None, width: int | None = None, **_opts) -> None:
    if fmt == "json":
        doc = {"from": a, "to": b, "path": [_edge(e) for e in path] if path else None}
        out.write(json.dumps(doc, indent=2) + "\n")
        return
    console = make_console(out, color, width)
    w = _Writer(console, SourceLines(result.source_root), {lk.name: lk.kind for lk in result.locks})
    if not path:
        w.line(f"no path: nothing taken while holding {a} leads to {b}")
        return
    names = [path[0].src] + [e.dst for e in path]
    w.line((" --> ".join(names), "bold"), f"  ({len(path)} edge{'s' if len(path) != 1 else ''})")
    for i, e in enumerate(path, 1):
        w.line("")
        w.line(f"-> #{i} ", w.lock(e.src), " --> ", w.lock(e.dst), ":")
        w.chain(e)

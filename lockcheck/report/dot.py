"""``--format dot`` and the model behind ``lockcheck graph``.

The lock-class graph as Graphviz DOT: one node per class, one edge per
lock-order dependency labelled with the function that creates it (the
outermost function of the witness that takes the second lock), cycle edges
and classes in red.  An edge's colour and line say its confidence: cycle
edges of high confidence red and bold, medium orange, low grey; any edge
below high is dotted (a read hold is dashed) and its tooltip says why.  Selection (``cycles_only``, ``around``) happens here,
on the result, so every output (DOT, SVG, PNG, HTML) shows the same graph.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from lockcheck.result import Edge, ScanResult

__all__ = ["View", "select", "resolve_class", "render", "to_dot"]


@dataclass(frozen=True)
class View:
    nodes: tuple[str, ...]                   # sorted display names
    edges: tuple[Edge, ...]
    cycle_edges: frozenset[tuple[str, str]]
    kinds: dict


def resolve_class(result: ScanResult, name: str) -> str:
    """The display name for ``name`` (a display name or a class key).

    Raises ValueError with the closest names, for a one-line CLI error."""
    for lk in result.locks:
        if name in (lk.name, lk.key):
            return lk.name
    names = [lk.name for lk in result.locks]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"no lock class {name!r} in the scanned code{hint}")


def select(result: ScanResult, cycles_only: bool = False, around: str | None = None) -> View:
    """The sub-graph to draw: all edges, or only those on a reported cycle,
    optionally narrowed to ``around`` and its direct neighbours (radius 1,
    every edge among them, so short cycles through it stay visible)."""
    on_cycle: dict[tuple[str, str], Edge] = {}
    for f in result.findings:
        if f.kind == "circular":
            for e in f.edges:
                on_cycle.setdefault((e.src, e.dst), e)
    cyc = frozenset(on_cycle)
    # a cycle edge shows the witness its cycle report gives, not another one
    edges = [on_cycle.get((e.src, e.dst), e) for e in result.edges if not cycles_only or (e.src, e.dst) in cyc]
    if around is not None:
        centre = resolve_class(result, around)
        near = {centre} | {e.dst for e in edges if e.src == centre} | {e.src for e in edges if e.dst == centre}
        edges = [e for e in edges if e.src in near and e.dst in near]
        nodes = near
    else:
        nodes = {e.src for e in edges} | {e.dst for e in edges}
        if not cycles_only:
            nodes |= {lk.name for lk in result.locks}
    edges.sort(key=lambda e: (e.src, e.dst))
    return View(tuple(sorted(nodes)), tuple(edges), cyc, {lk.name: lk.kind for lk in result.locks})


#: Cycle edge colour per confidence.
CONFIDENCE_COLOUR = {"high": "#c0392b", "medium": "#e67e22", "low": "#95a5a6"}


def label(e: Edge) -> str:
    """The witness function: where the dependency is created."""
    return f"{e.acquire[0].function}()" if e.acquire else ""


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(view: View) -> str:
    on_cycle = {n for pair in view.cycle_edges for n in pair}
    lines = ["digraph lockcheck {",
             '  graph [rankdir=LR, fontname="monospace", nodesep=0.4, ranksep=0.8];',
             '  node [shape=box, style=rounded, fontname="monospace", fontsize=11];',
             '  edge [fontname="monospace", fontsize=9];']
    for n in view.nodes:
        attrs = f'label={_q(n)[:-1]}\\n{{{_q(view.kinds.get(n, "lock"))[1:-1]}}}"'
        if n in on_cycle:
            attrs += ', color="#c0392b", fontcolor="#c0392b", penwidth=2'
        lines.append(f"  {_q(n)} [{attrs}];")
    for e in view.edges:
        attrs = f"label={_q(label(e))}"
        if e.holder == "S" or e.acquirer == "R":
            attrs += ", style=dashed"
        elif e.confidence != "high":
            attrs += ", style=dotted"
        if e.confidence != "high":
            attrs += f", tooltip={_q(e.confidence + ': ' + e.reason)}"
        if (e.src, e.dst) in view.cycle_edges:
            colour = CONFIDENCE_COLOUR[e.confidence]
            attrs += f', color="{colour}", fontcolor="{colour}", penwidth={2.5 if e.confidence == "high" else 1.5}'
        lines.append(f"  {_q(e.src)} -> {_q(e.dst)} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(result: ScanResult, out, *, cycles_only: bool = False, around: str | None = None, **_opts) -> None:
    out.write(to_dot(select(result, cycles_only, around)))

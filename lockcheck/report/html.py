"""A self-contained HTML page of the lock graph: no Graphviz, no script, no
network.  Classes sit on a circle (sorted by name, so the picture is
deterministic); cycle edges are red; read holds are dashed.  Below the
picture, every cycle and every edge with its witness, so the page is useful
even where the drawing gets crowded.
"""

from __future__ import annotations

import math
from html import escape

from lockcheck.report.dot import CONFIDENCE_COLOUR, View, label, select
from lockcheck.result import ScanResult

__all__ = ["render"]

RED = "#c0392b"
CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
code,td,pre{font-family:ui-monospace,monospace;font-size:13px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
svg{border:1px solid #ddd;max-width:100%;height:auto}.cyc{color:#c0392b}"""


def _svg(view: View) -> str:
    n = max(len(view.nodes), 1)
    r = max(140, 28 * n)
    size = 2 * r + 360
    c = size / 2
    pos = {name: (c + r * math.cos(2 * math.pi * i / n - math.pi / 2),
                  c + r * math.sin(2 * math.pi * i / n - math.pi / 2)) for i, name in enumerate(view.nodes)}
    on_cycle = {x for pair in view.cycle_edges for x in pair}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size:.0f} {size:.0f}" '
           f'width="{size:.0f}" height="{size:.0f}" font-family="monospace" font-size="12">',
           '<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>']
    for e in view.edges:
        if e.src == e.dst or e.src not in pos or e.dst not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e.src], pos[e.dst]
        d = math.hypot(x2 - x1, y2 - y1) or 1
        ux, uy = (x2 - x1) / d, (y2 - y1) / d
        # bend a little so A->B and B->A do not overlap
        mx, my = (x1 + x2) / 2 - uy * 30, (y1 + y2) / 2 + ux * 30
        colour = CONFIDENCE_COLOUR[e.confidence] if (e.src, e.dst) in view.cycle_edges else "#777"
        dash = ' stroke-dasharray="5,3"' if e.holder == "S" or e.acquirer == "R" else \
            (' stroke-dasharray="2,3"' if e.confidence != "high" else "")
        out.append(f'<g><title>{escape(e.src)} -&gt; {escape(e.dst)}: {escape(label(e))} '
                   f'(confidence {e.confidence})</title>'
                   f'<path d="M{x1 + ux * 20:.1f},{y1 + uy * 20:.1f} Q{mx:.1f},{my:.1f} '
                   f'{x2 - ux * 20:.1f},{y2 - uy * 20:.1f}" fill="none" stroke="{colour}" stroke-width="1.6"'
                   f'{dash} marker-end="url(#a)"/>'
                   f'<text x="{mx:.1f}" y="{my:.1f}" fill="{colour}" font-size="10" text-anchor="middle">'
                   f'{escape(label(e))}</text></g>')
    for name, (x, y) in pos.items():
        colour = RED if name in on_cycle else "#222"
        out.append(f'<g><title>{escape(name)}</title><text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                   f'fill="{colour}" font-weight="bold" stroke="white" stroke-width="4" paint-order="stroke">'
                   f'{escape(name)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def _steps(e) -> str:
    return " &rarr; ".join(f"{escape(s.function)}() <small>{escape(s.file)}:{s.line}</small>" for s in e.witness)


def render(result: ScanResult, out, *, cycles_only: bool = False, around: str | None = None, **_opts) -> None:
    view = select(result, cycles_only, around)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>lockcheck lock graph</title>", f"<style>{CSS}</style></head><body>",
             "<h1>lockcheck lock graph</h1>",
             f"<p>{len(view.nodes)} lock classes, {len(view.edges)} edges; "
             f'<span class="cyc">red</span>: on a reported cycle (orange: medium confidence, grey: low; '
             "dotted: below high); dashed: read hold or recursive read.</p>",
             _svg(view), "<h2>Cycles</h2><ul>"]
    for f in result.findings:
        parts.append(f'<li class="cyc"><code>{escape(" --> ".join(f.locks))}</code> '
                     f"<small>{escape(f.id)}, confidence {f.confidence}</small></li>")
    parts.append("</ul><h2>Edges</h2><table><tr><th>held</th><th>acquired</th><th>witness</th></tr>")
    for e in view.edges:
        cls = ' class="cyc"' if (e.src, e.dst) in view.cycle_edges else ""
        parts.append(f"<tr{cls}><td>{escape(e.src)}</td><td>{escape(e.dst)}</td><td>{_steps(e)}</td></tr>")
    parts.append("</table></body></html>")
    out.write("\n".join(parts) + "\n")

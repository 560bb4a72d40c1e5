"""``--format json``: a stable, versioned, deterministic document.

Schema (version 1)::

    {"version": 1,
     "stats": {"files", "functions": {"total", "parsed", "analysed"}, "classes", "edges", ...},
     "locks": [{"name", "class", "kind"}],
     "edges": [{"from", "to", "holder", "acquirer", "witness": [{"function", "file", "line", "what"}]}],
     "cycles": [{"id", "kind", "locks": [...], "edges": [<edge>, ...]}],
     "errors": ["one line per unreadable input"]}

Timing is left out so the same input always gives the same bytes.
"""

from __future__ import annotations

import json

from lockcheck.result import Edge, ScanResult

__all__ = ["render"]

VERSION = 1


def _edge(e: Edge) -> dict:
    return {"from": e.src, "to": e.dst, "holder": e.holder, "acquirer": e.acquirer,
            "witness": [{"function": s.function, "file": s.file, "line": s.line, "what": s.what}
                        for s in e.witness]}


def render(result: ScanResult, out) -> None:
    stats = {k: v for k, v in result.stats.items() if k != "seconds"}
    doc = {
        "version": VERSION,
        "stats": stats,
        "locks": [{"name": l.name, "class": l.key, "kind": l.kind} for l in result.locks],
        "edges": [_edge(e) for e in result.edges],
        "cycles": [{"id": f.id, "kind": f.kind, "locks": list(f.locks), "edges": [_edge(e) for e in f.edges]}
                   for f in result.findings],
        "errors": list(result.errors),
    }
    out.write(json.dumps(doc, indent=2, sort_keys=False) + "\n")

"""``--format json``: a stable, versioned, deterministic document.

The shape is specified by ``schema/lockcheck-result-v1.json`` (JSON Schema
2020-12, shipped with the package; tests validate every fixture against
it)::

    {"version": 1,
     "stats": {"files", "functions": {"total", "parsed", "analysed"}, "classes", "edges", ...},
     "locks": [{"name", "class", "kind"}],
     "edges": [{"from", "to", "holder", "acquirer", "witness": [{"function", "file", "line", "what"}]}],
     "cycles": [{"id", "kind", "score", "locks": [...], "edges": [<edge>, ...]}],
     "errors": ["one line per unreadable input"]}

``cycles`` holds every finding (``kind`` circular or recursive) in rank
order.  Timing is left out so the same input always gives the same bytes;
fields are only ever added within a version.
"""

from __future__ import annotations

import json
from importlib.resources import files

from lockcheck.report.rank import score
from lockcheck.result import Edge, ScanResult

__all__ = ["render", "document", "schema"]

VERSION = 1
SCHEMA_FILE = "lockcheck-result-v1.json"


def schema() -> dict:
    """The JSON Schema this document follows."""
    return json.loads(files("lockcheck.report").joinpath("schema", SCHEMA_FILE).read_text())


def _edge(e: Edge) -> dict:
    return {"from": e.src, "to": e.dst, "holder": e.holder, "acquirer": e.acquirer,
            "witness": [{"function": s.function, "file": s.file, "line": s.line, "what": s.what}
                        for s in e.witness]}


def document(result: ScanResult) -> dict:
    stats = {k: v for k, v in result.stats.items() if k != "seconds"}
    return {
        "version": VERSION,
        "stats": stats,
        "locks": [{"name": l.name, "class": l.key, "kind": l.kind} for l in result.locks],
        "edges": [_edge(e) for e in result.edges],
        "cycles": [{"id": f.id, "kind": f.kind, "score": score(f), "locks": list(f.locks),
                    "edges": [_edge(e) for e in f.edges]}
                   for f in result.findings],
        "errors": list(result.errors),
    }


def render(result: ScanResult, out, **_opts) -> None:
    out.write(json.dumps(document(result), indent=2, sort_keys=False) + "\n")

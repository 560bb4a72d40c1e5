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

from lockcheck.report import indented_json
from lockcheck.report.rank import score
from lockcheck.result import Edge, ScanResult

__all__ = ["render", "document", "schema"]

VERSION = 1
SCHEMA_FILE = "lockcheck-result-v1.json"


def schema() -> dict:
    """The JSON Schema this document follows."""
    return json.loads(files("lockcheck.report").joinpath("schema", SCHEMA_FILE).read_text())


def _steps(steps) -> list[dict]:
    return [{"function": s.function, "file": s.file, "line": s.line, "what": s.what} for s in steps]


def _edge(e: Edge) -> dict:
    d = {"from": e.src, "to": e.dst, "holder": e.holder, "acquirer": e.acquirer,
         "witness": _steps(e.witness)}
    if e.models:
        d["models"] = list(e.models)
    if e.others:
        d["other_witnesses"] = [_steps(held + acquire) for held, acquire in e.others]
    return d


def _ref(f, reason: str | None = None) -> dict:
    d = {"id": f.id, "kind": f.kind, "locks": list(f.locks)}
    if reason is not None:
        d["reason"] = reason
    return d


def document(result: ScanResult, suppressed=(), known=(), stale=()) -> dict:
    stats = {k: v for k, v in result.stats.items() if k != "seconds"}
    doc = {
        "version": VERSION,
        "stats": stats,
        "locks": [{"name": l.name, "class": l.key, "kind": l.kind} for l in result.locks],
        "edges": [_edge(e) for e in result.edges],
        "cycles": [{"id": f.id, "kind": f.kind, "score": score(f), "locks": list(f.locks),
                    "edges": [_edge(e) for e in f.edges]}
                   for f in result.findings],
        "errors": list(result.errors),
    }
    if suppressed:
        doc["suppressed"] = [_ref(f, reason) for f, reason in suppressed]
    if known:
        doc["known"] = [_ref(f) for f in known]
    if stale:
        doc["stale"] = [{"id": e.id, "kind": e.kind, "locks": list(e.locks), "reason": e.reason} for e in stale]
    return doc


def render(result: ScanResult, out, suppressed=(), known=(), stale=(), **_opts) -> None:
    indented_json.dump(document(result, suppressed, known, stale), out)
    out.write("\n")

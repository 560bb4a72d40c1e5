"""``--format json``: a stable, versioned, deterministic document.

The shape is specified by ``schema/lockcheck-result-v1.json`` (JSON Schema
2020-12, shipped with the package; tests validate every fixture against
it)::

    {"version": 1,
     "stats": {"files", "functions": {"total", "parsed", "analysed"}, "classes", "edges", ...},
     "locks": [{"name", "class", "kind"}],
     "edges": [{"from", "to", "holder", "acquirer", "confidence", "basis": [...],
                "witness": [{"function", "file", "line", "what"}]}],
     "cycles": [{"id", "kind", "score", "confidence", "confidence_reason", "shown", "group", "locks": [...],
                 "edges": [<edge>, ...]}],
     "groups": [{"id", "kind", "confidence", "weakest_edge", "members": [ids]}],
     "errors": ["one line per unreadable input"]}

``cycles`` holds every finding (``kind`` circular or recursive) in rank
order (confidence, then score), whatever ``--min-confidence`` says
(``shown``: at or above it, so the text report shows it or counts it under
its group's lead); ``groups`` every group of them (report.group), the lead
first; a finding is its group's lead when its ``group`` is its own ``id``.  Timing is left out so the same input always gives the same bytes;
fields are only ever added within a version.
"""

from __future__ import annotations

import json
from importlib.resources import files

from lockcheck.report import indented_json
from lockcheck.report.group import group
from lockcheck.report.rank import score
from lockcheck.report.screen import DEFAULT_MIN_CONFIDENCE, at_least
from lockcheck.result import Edge, ScanResult

__all__ = ["render", "document", "schema"]

VERSION = 1
SCHEMA_FILE = "lockcheck-result-v1.json"


def schema() -> dict:
    """The JSON Schema this document follows."""
    return json.loads(files("lockcheck.report").joinpath("schema", SCHEMA_FILE).read_text())


def _step(s) -> dict:
    d = {"function": s.function, "file": s.file, "line": s.line, "what": s.what}
    if s.targets:
        d["targets"] = s.targets
    if s.chosen:
        d["chosen"] = True
    return d


def _steps(steps) -> list[dict]:
    return [_step(s) for s in steps]


class _Witnesses:
    """Witness chains as JSON lists, each distinct step's dict and each
    (held, acquire) pair of chains made once per document.  The result
    shares its steps and chains (analysis.to_result), and every cycle
    repeats its edges' witnesses: made one by one, the whole tree's
    document held millions of equal dicts (gigabytes, the main process's
    last peak).  The text written is the same; the document is only read."""

    def __init__(self) -> None:
        self._steps: dict = {}
        self._chains: dict = {}

    def __call__(self, held, acquire) -> list[dict]:
        k = (id(held), id(acquire))
        hit = self._chains.get(k)
        if hit is None:
            steps = self._steps
            out = []
            for s in held + acquire:
                d = steps.get(s)
                if d is None:
                    d = steps[s] = _step(s)
                out.append(d)
            # the chains are kept alive with their list: their ids stay theirs
            hit = self._chains[k] = (held, acquire, out)
        return hit[2]


def _basis(b) -> dict:
    d = {"kind": b.kind, "level": b.level, "detail": b.detail}
    if b.targets:
        d["targets"] = b.targets
    if b.where:
        d["where"] = b.where
    return d


def _edge(e: Edge, witnesses: _Witnesses | None = None) -> dict:
    witnesses = witnesses or _Witnesses()
    d = {"from": e.src, "to": e.dst, "holder": e.holder, "acquirer": e.acquirer,
         "confidence": e.confidence, "basis": [_basis(b) for b in e.basis],
         "witness": witnesses(e.held, e.acquire)}
    if e.models:
        d["models"] = list(e.models)
    if e.others:
        d["other_witnesses"] = [witnesses(held, acquire) for held, acquire in e.others]
    return d


def _ref(f, reason: str | None = None) -> dict:
    d = {"id": f.id, "kind": f.kind, "locks": list(f.locks)}
    if reason is not None:
        d["reason"] = reason
    return d


def document(result: ScanResult, suppressed=(), known=(), stale=(),
             min_confidence: str | None = DEFAULT_MIN_CONFIDENCE) -> dict:
    stats = {k: v for k, v in result.stats.items() if k != "seconds"}
    groups = group(result.findings)
    group_of = {f.id: g.lead.id for g in groups for f in g.members}
    w = _Witnesses()
    made: dict[int, tuple] = {}

    def edge(e: Edge) -> dict:
        """An edge shared by several findings (analysis.to_result) is one dict."""
        hit = made.get(id(e))
        if hit is None:
            hit = made[id(e)] = (e, _edge(e, w))
        return hit[1]
    doc = {
        "version": VERSION,
        "stats": stats,
        "locks": [{"name": l.name, "class": l.key, "kind": l.kind} for l in result.locks],
        "edges": [_edge(e, w) for e in result.edges],
        "cycles": [{"id": f.id, "kind": f.kind, "score": score(f), "confidence": f.confidence,
                    "confidence_reason": f.reason, "shown": at_least(f, min_confidence),
                    "group": group_of[f.id], "locks": list(f.locks),
                    "edges": [edge(e) for e in f.edges]}
                   for f in result.findings],
        "groups": [{"id": g.lead.id, "kind": g.lead.kind, "confidence": g.confidence,
                    "weakest_edge": {"from": g.lead.weakest_edge.src, "to": g.lead.weakest_edge.dst},
                    "members": [f.id for f in g.members]} for g in groups],
        "errors": list(result.errors),
    }
    if suppressed:
        doc["suppressed"] = [_ref(f, reason) for f, reason in suppressed]
    if known:
        doc["known"] = [_ref(f) for f in known]
    if stale:
        doc["stale"] = [{"id": e.id, "kind": e.kind, "locks": list(e.locks), "reason": e.reason} for e in stale]
    return doc


def render(result: ScanResult, out, suppressed=(), known=(), stale=(),
           min_confidence: str | None = DEFAULT_MIN_CONFIDENCE, **_opts) -> None:
    indented_json.dump(document(result, suppressed, known, stale, min_confidence), out)
    out.write("\n")

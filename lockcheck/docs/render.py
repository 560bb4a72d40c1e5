"""Print a documented-rules review: text for people, JSON for tools.

Kept apart from :mod:`lockcheck.docs.check` (which only appends
violations), as pyflakes keeps its reporter apart from its checker.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from lockcheck.docs.check import Review, Violation
from lockcheck.docs.rules import DocRules

__all__ = ["render_text", "render_json"]


def render_text(doc: DocRules, rev: Review, out) -> None:
    w = lambda s="": print(s, file=out)   # noqa: E731
    w(f"Rules ({len(doc.rules)}):")
    for r in doc.rules:
        ctx = f"  [{r.context}]" if r.context else ""
        w(f"  {r.where:<18} {r.parsed()}{ctx}")
        w(f"  {'':<18}   \"{_short(r.text)}\"")
    if rev.leaves:
        w(f"  leaves (everything else): {', '.join(rev.leaves)}")
    w()
    w("Names:")
    for m in rev.names.values():
        how = "not in the scanned code" if m.how == "unmapped" else m.how
        w(f"  {m.doc:<36} {m.lock}  ({how})")
    w()
    w(f"Not parsed ({len(doc.unparsed)}):")
    for u in doc.unparsed:
        w(f"  {u.file}:{u.line:<6} \"{_short(u.text)}\"")
    for title, first, last, count in doc.skipped:
        w(f"  skipped section \"{title or '(untitled)'}\" lines {first}-{last}: {count} blocks, no rule shape")
    for name, count in sorted(doc.unchecked_fields.items()):
        w(f"  :{name}: fields not checked: {count}")
    w()
    w(f"Violations ({len(rev.violations)}):")
    for v in rev.violations:
        w(f"  {v.code} {_src(v)}{v.message}")
    w()
    w(f"Information ({len(rev.notes)}):")
    for v in rev.notes:
        w(f"  {v.code} {_src(v)}{v.message}")
    w()
    w(f"{len(doc.rules)} rules, {len(doc.unparsed)} sentences not parsed, "
      f"{len(rev.violations)} violations, {len(rev.notes)} notes")


def render_json(doc: DocRules, rev: Review, out) -> None:
    data = {
        "version": 1,
        "rules": [dict(asdict(r), parsed=r.parsed()) for r in doc.rules],
        "leaves": list(rev.leaves),
        "names": [asdict(m) for m in rev.names.values()],
        "unparsed": [asdict(u) for u in doc.unparsed],
        "skipped_sections": [{"title": t, "first_line": a, "last_line": b, "blocks": n}
                             for t, a, b, n in doc.skipped],
        "unchecked_fields": doc.unchecked_fields,
        "violations": [_violation(v) for v in rev.violations],
        "notes": [_violation(v) for v in rev.notes],
    }
    json.dump(data, out, indent=2)
    out.write("\n")


def _violation(v: Violation) -> dict:
    d = {"code": v.code, "message": v.message, "rule": v.rule.parsed() if v.rule else None,
         "where": v.rule.where if v.rule else None}
    if v.edge is not None:
        d["edge"] = {"from": v.edge.src, "to": v.edge.dst,
                     "witness": [asdict(s) for s in v.edge.witness]}
    return d


def _src(v: Violation) -> str:
    return f"{v.rule.where}: " if v.rule else ""


def _short(text: str, n: int = 110) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."

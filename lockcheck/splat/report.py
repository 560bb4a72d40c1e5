"""The splat answer, in lockdep's words (text) or as JSON.

Text follows the report it answers: the banner, the class names side by
side, then "the existing dependency chain (in reverse order)" with one
block per dependency, each saying found (with the witness lockcheck
prefers and how many stack functions it shares, then the other static
paths making it) or not found and why; then the static cycles through the
report's classes; with a change, per dependency and per path gone / still
there, and the verdict.  JSON follows
``lockcheck/report/schema/lockcheck-splat-v1.json``.
"""

from __future__ import annotations

import json
from importlib.resources import files

from lockcheck.report.console import make_console
from lockcheck.report.json_report import _edge, _steps
from lockcheck.report.rank import score
from lockcheck.report.source import SourceLines
from lockcheck.report.text import IND, _Writer
from lockcheck.splat.after import After
from lockcheck.splat.match import Path, SplatMatch

__all__ = ["render_text", "document", "schema", "SCHEMA_FILE"]

SCHEMA_FILE = "lockcheck-splat-v1.json"
MAX_OTHER_PATHS = 5
MAX_CYCLES = 10


def schema() -> dict:
    return json.loads(files("lockcheck.report").joinpath("schema", SCHEMA_FILE).read_text())


def _one_line(p: Path) -> str:
    """A static path on one line: the function holding the first lock (and
    where it took it), the calls down to where the second is taken."""
    steps = p.steps
    if not steps:
        return "(no steps)"
    first = p.held[-1] if p.held else steps[0]
    fns = [f"{s.function}()" for s in p.acquire if s.function != first.function]
    if len(fns) > 4:        # the whole chain is in the JSON and in the block above
        fns = fns[:2] + [f"({len(fns) - 3} more)"] + fns[-1:]
    last = steps[-1]
    head = f"{first.function}() holds it ({first.file}:{first.line})"
    return " -> ".join([head, *fns]) + f" takes it at {last.file}:{last.line}"


def _shares(em) -> str:
    p = em.paths[0]
    n = len(em.frames)
    if not n:
        return "the report shows no stack for it"
    return (f"shares {len(p.shared)} of {n} stack functions ({em.in_scan} of them in the scan)"
            + (f": {', '.join(p.shared)}" if p.shared else ""))


def _title(m: SplatMatch) -> str:
    return f"lockcheck splat: {m.report.title}"


def render_text(matches, afters, out, source: str, root: str = ".", kinds: dict | None = None,
                color: bool | None = None, width: int | None = None) -> None:
    """``matches`` (one per report) and, after a change, ``afters`` alike;
    ``root`` is where witness files are read for quoting, ``kinds`` the
    lock kinds by class name (``{mutex}``)."""
    console = make_console(out, color, width)
    w = _Writer(console, SourceLines(root), kinds or {})
    for k, m in enumerate(matches):
        _render_one(w, m, afters[k] if afters else None, source, len(matches), k)
        if k + 1 < len(matches):
            w.line("")


def _render_one(w: _Writer, m: SplatMatch, after: After | None, source: str, total: int, k: int) -> None:
    title = _title(m)
    w.line(("=" * len(title), "red"))
    w.line((title, "bold red"))
    w.line(("-" * len(title), "red"))
    r = m.report
    found = sum(1 for e in m.edges if e.found)
    where = f"{source}:{r.line}" + (f" (report {k + 1} of {total})" if total > 1 else "")
    w.line(f"report at {where}; {r.task or 'a task'}: {found} of {len(m.edges)} dependencies have a static witness")
    for note in r.notes:
        w.line(("note: ", "yellow"), note)
    w.line("")
    w.line("lockdep class --> lockcheck class:")
    for mp, chosen in zip(m.classes, m.chosen):
        if chosen:
            how = f"  ({mp.how})" if mp.how else ""
            alt = [c for c in mp.candidates if c != chosen]
            alts = f"  [also: {', '.join(alt)}]" if alt else ""
            w.line(f" ({mp.lockdep}) --> ", (chosen, "bold"), how, alts)
        else:
            w.line(f" ({mp.lockdep}) --> ", ("not mapped", "bold red"), f": {mp.why_not}")
    w.line("")
    if r.kind == "circular":
        w.line("the existing dependency chain (in reverse order) is:")
    elif r.kind == "recursive":
        w.line("the recursive acquisition is:")
    else:
        w.line(f"{r.title}: lockcheck does not check interrupt contexts yet; the classes are mapped above")
    for em in m.edges:
        w.line("")
        what = "  (the acquisition that closes the cycle)" if em.closing and r.kind == "circular" else ""
        w.line(f"-> #{em.number} ", (f"({em.dst})", "bold"), f": {em.src} --> {em.dst}", what)
        if not em.found:
            w.line(IND, ("not found: ", "bold red"), em.why_not)
            continue
        w.line(IND, ("found", "bold green"), f", {_shares(em)}:")
        w.chain(em.edge)
        rest = em.paths[1:]
        if rest:
            w.line(IND, (f"{len(rest)} other static path{'s' if len(rest) != 1 else ''} make{'s' if len(rest) == 1 else ''} "
                         "this dependency:", "bold"))
            for p in rest[:MAX_OTHER_PATHS]:
                w.line(IND, "  ", _one_line(p))
            if len(rest) > MAX_OTHER_PATHS:
                w.line(IND, f"  ... and {len(rest) - MAX_OTHER_PATHS} more (--format json lists them)")
    w.line("")
    _cycles(w, m.cycles, m.same, "static cycles through these classes")
    if after is not None:
        _after(w, m, after)


def _cycles(w: _Writer, cycles, same, what: str) -> None:
    if not cycles:
        w.line(f"{what}: none")
        return
    w.line(f"{what} ({len(cycles)}, ranked as in scan):")
    # the report's own cycle is always listed, wherever it ranks
    shown = [f for k, f in enumerate(cycles) if k < MAX_CYCLES or f.id in same]
    for f in shown:
        mark = "   <- the report's cycle" if f.id in same else ""
        w.line("  ", (f"[{f.id}]", "yellow"), f" {f.confidence}, score {score(f)}: ", " --> ".join(f.locks), mark)
    if len(shown) < len(cycles):
        w.line(f"  ... and {len(cycles) - len(shown)} more (--format json lists them)")


def _after(w: _Writer, m: SplatMatch, a: After) -> None:
    w.line("")
    w.line((f"after {a.label}:", "bold"))
    for ea in a.edges:
        em = ea.edge
        state = ("still there", "bold red") if ea.still else ("gone", "bold green")
        w.line(f"-> #{em.number} {em.src} --> {em.dst}: ", state)
        for p, still in ea.paths:
            w.line(IND, ("still there: " if still else "gone:        ", "red" if still else "green"), _one_line(p))
        if ea.new_paths:
            w.line(IND, f"{len(ea.new_paths)} path{'s' if len(ea.new_paths) != 1 else ''} only the changed tree has")
    w.line("")
    _cycles(w, a.cycles, a.same, f"static cycles through these classes after {a.label}")
    w.line("")
    if a.closed:
        w.line(("verdict: ", "bold"), ("closed", "bold green"),
               f": no static cycle through the report's classes is left after {a.label}")
    else:
        n = len(a.cycles)
        w.line(("verdict: ", "bold"), ("not closed", "bold red"),
               f": {n} static cycle{'s' if n != 1 else ''} through the report's classes remain{'s' if n == 1 else ''} "
               f"after {a.label}")


def _path_doc(p: Path) -> dict:
    return {"witness": _steps(p.steps), "shared": list(p.shared)}


def _cycle_doc(f, same) -> dict:
    return {"id": f.id, "kind": f.kind, "confidence": f.confidence, "score": score(f), "locks": list(f.locks),
            "same_as_report": f.id in same}


def _report_doc(m: SplatMatch, after: After | None) -> dict:
    r = m.report
    doc = {
        "kind": r.kind, "line": r.line, "title": r.title, "task": r.task, "notes": list(r.notes),
        "classes": [{"lockdep": mp.lockdep, "lockcheck": c, "candidates": list(mp.candidates), "how": mp.how,
                     "why_not": mp.why_not} for mp, c in zip(m.classes, m.chosen)],
        "dependencies": [{"number": em.number, "closing": em.closing, "from": em.src, "to": em.dst,
                          "from_class": em.static_src, "to_class": em.static_dst, "stack": list(em.frames),
                          "found": em.found, "why_not": em.why_not, "stack_in_scan": em.in_scan,
                          "edge": _edge(em.edge) if em.edge else None,
                          "paths": [_path_doc(p) for p in em.paths]} for em in m.edges],
        "cycles": [_cycle_doc(f, m.same) for f in m.cycles],
    }
    if after is not None:
        doc["after"] = {
            "label": after.label, "closed": after.closed,
            "dependencies": [{"number": ea.edge.number, "from": ea.edge.src, "to": ea.edge.dst, "still": ea.still,
                              "paths": [{"witness": _steps(p.steps), "still": s} for p, s in ea.paths],
                              "new_paths": [_steps(h + a) for h, a in ea.new_paths]} for ea in after.edges],
            "cycles": [_cycle_doc(f, after.same) for f in after.cycles],
        }
    return doc


def document(matches, afters, errors=()) -> dict:
    return {"version": 1,
            "reports": [_report_doc(m, afters[k] if afters else None) for k, m in enumerate(matches)],
            "errors": list(errors)}

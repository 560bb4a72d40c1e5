"""The front-end coverage report behind ``lockcheck stats``."""

from __future__ import annotations

import json
from collections import Counter

__all__ = ["summarize", "render_stats_json", "render_stats_text"]


def summarize(run) -> dict:
    outcomes: Counter = Counter()
    failures = []
    reasons: Counter = Counter()
    lines = 0
    for f in run.files:
        lines += f.lines
        for fn in f.functions:
            outcomes[fn.outcome] += 1
            if fn.outcome != "clean":
                reasons[(fn.outcome, fn.reason)] += 1
            if fn.outcome == "failed":
                failures.append({"file": f.path, "line": fn.reason_line or fn.line,
                                 "function": fn.name, "reason": fn.reason})
    total = sum(outcomes.values())
    # lock expressions that name no class once locals are resolved (analysis.classes)
    unresolved = [{"file": fn.file, "line": line, "function": fn.name, "text": text}
                  for f in run.files for fn in f.irs for line, text in fn.unresolved_sites]
    unresolved.sort(key=lambda u: (u["file"], u["line"], u["text"]))
    return {
        "files": len(run.files),
        "unreadable": [f.error for f in run.files if f.error],
        "lines": lines,
        "functions": {
            "total": total,
            "parsed": total - outcomes["failed"],
            "clean": outcomes["clean"],
            "header_fallback": outcomes["header-fallback"],
            "statement_dropped": outcomes["statement-dropped"],
            "failed": outcomes["failed"],
        },
        "reasons": [{"outcome": o, "reason": r, "count": c}
                    for (o, r), c in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))],
        "failures": failures,
        "unresolved_locks": unresolved,
        "seconds": round(run.seconds, 2),
        "lines_per_second": int(lines / run.seconds) if run.seconds else 0,
        "cache": {"hits": run.cache_hits, "misses": run.cache_misses, "rejected": run.cache_rejected},
    }


def render_stats_json(summary: dict) -> str:
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.2f}%" if b else "n/a"


def render_stats_text(summary: dict, top: int) -> None:
    from rich.console import Console
    from rich.table import Table
    console = Console()
    fn = summary["functions"]
    table = Table(title="lockcheck front-end coverage", show_header=False)
    table.add_row("files", str(summary["files"]))
    table.add_row("lines", str(summary["lines"]))
    table.add_row("functions", str(fn["total"]))
    table.add_row("parsed", f"{fn['parsed']} ({_pct(fn['parsed'], fn['total'])})")
    table.add_row("clean", f"{fn['clean']} ({_pct(fn['clean'], fn['total'])})")
    table.add_row("header fallback", str(fn["header_fallback"]))
    table.add_row("statement dropped", str(fn["statement_dropped"]))
    table.add_row("failed", str(fn["failed"]))
    table.add_row("time", f"{summary['seconds']} s ({summary['lines_per_second']} lines/s)")
    console.print(table)
    if summary["reasons"][:top]:
        reasons = Table(title="top reasons (functions not clean)")
        reasons.add_column("count", justify="right")
        reasons.add_column("outcome")
        reasons.add_column("reason")
        for r in summary["reasons"][:top]:
            reasons.add_row(str(r["count"]), r["outcome"], r["reason"])
        console.print(reasons)
    unresolved = summary.get("unresolved_locks", [])
    if unresolved:
        t = Table(title=f"unresolved lock expressions ({len(unresolved)}; first {top})")
        t.add_column("where")
        t.add_column("function")
        t.add_column("expression")
        for u in unresolved[:top]:
            t.add_row(f"{u['file']}:{u['line']}", u["function"], u["text"])
        console.print(t)

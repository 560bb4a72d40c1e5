"""The plain text report: one block per finding, in lockdep's words, with
the static witness (file:line and call chain) in place of runtime stacks."""

from __future__ import annotations

from lockcheck.result import Edge, Finding, ScanResult

__all__ = ["render"]


def _site(s) -> str:
    return f"{s.function}() at {s.file}:{s.line}"


def _chain(edge: Edge) -> list[str]:
    lines = [f"       {edge.src} taken: " + " -> ".join(_site(s) for s in edge.held)]
    lines.append(f"       {edge.dst} taken: " + " -> ".join(_site(s) for s in edge.acquire))
    return lines


def _circular(f: Finding) -> list[str]:
    closing = f.edges[-1]
    out = ["WARNING: possible circular locking dependency detected",
           f"[{f.id}] {' --> '.join(f.locks)} --> {f.locks[0]}",
           f"  {_site(closing.acquire[-1])} acquires {closing.dst}",
           f"  while holding {closing.src} (taken at {_site(closing.held[-1])})",
           "  the existing dependency chain is:"]
    for n, e in enumerate(f.edges):
        out.append(f"    -> #{n} {e.src} --> {e.dst}  [{e.holder}{e.acquirer}]")
        out += _chain(e)
    return out


def _recursive(f: Finding) -> list[str]:
    e = f.edges[0]
    return ["WARNING: possible recursive locking detected",
            f"[{f.id}] {e.src} acquired while already held",
            *_chain(e)]


def render(result: ScanResult, out) -> None:
    for err in result.errors:
        out.write(f"lockcheck: warning: {err}\n")
    for f in result.findings:
        lines = _circular(f) if f.kind == "circular" else _recursive(f)
        out.write("\n".join(lines) + "\n\n")
    s = result.stats
    out.write(f"{s['files']} files, {s['functions']['parsed']}/{s['functions']['total']} functions parsed, "
              f"{s['classes']} lock classes, {s['edges']} edges, {s['cycles']} cycles, "
              f"{s['recursive']} recursive-locking findings\n")

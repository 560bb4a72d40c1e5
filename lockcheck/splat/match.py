"""Each dependency of a lockdep report → the static witnesses making it.

A circular report names the classes ``L0`` (being acquired, block ``#0``)
… ``Ld`` (already held, the highest block).  Block ``#k`` (k ≥ 1) carries
the stack that created ``L(k-1) -> Lk``; block ``#0`` the stack of the
closing acquisition ``Ld -> L0`` (kernel/locking/lockdep.c: each
``lock_list`` entry keeps the trace of the acquisition that added it, and
the BFS root gets the current one).  A recursive report is the one
dependency ``X -> X`` with the backtrace as its stack.

For each dependency the static edge of the mapped classes is looked up;
of its witnesses (the best one and the others) the one sharing the most
functions with the stack comes first ("shares k of n stack functions");
without an edge, :func:`lockcheck.splat.diagnose.why_missing` says why.
Static cycles through at least two of the report's classes (one, for a
recursive report) are listed ranked as ``scan`` ranks them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from lockcheck.gate.compare import cycle_key
from lockcheck.model.loader import load_model
from lockcheck.report.rank import rank
from lockcheck.result import Edge, Finding, ScanResult, WitnessStep
from lockcheck.splat.diagnose import Definitions, why_missing
from lockcheck.splat.names import Mapping, NameMap
from lockcheck.splat.read import Report

__all__ = ["Path", "EdgeMatch", "SplatMatch", "match_report", "internal_frames", "path_id"]


@dataclass(frozen=True)
class Path:
    """One static witness of a dependency."""
    held: tuple[WitnessStep, ...]
    acquire: tuple[WitnessStep, ...]
    shared: tuple[str, ...]          # the stack functions it passes through

    @property
    def steps(self) -> tuple[WitnessStep, ...]:
        return self.held + self.acquire


def path_id(held, acquire) -> tuple[str, ...]:
    """A witness by its functions and the call each makes (lines move when
    a patch edits the file; the path is the same path)."""
    return tuple(f"{s.function}>{s.what}" for s in (*held, *acquire))


@dataclass(frozen=True)
class EdgeMatch:
    number: int                      # lockdep's block number; the closing acquisition is #0
    src: str                         # as lockdep prints them
    dst: str
    frames: tuple[str, ...]          # the block's stack, lockdep's own frames removed, innermost first
    static_src: str | None           # lockcheck's class names
    static_dst: str | None
    paths: tuple[Path, ...] = ()     # best first; empty: not found
    in_scan: int = 0                 # how many of ``frames`` are defined in the scanned paths
    why_not: str = ""
    edge: Edge | None = None

    @property
    def found(self) -> bool:
        return bool(self.paths)

    @property
    def closing(self) -> bool:
        return self.number == 0


@dataclass(frozen=True)
class SplatMatch:
    report: Report
    classes: tuple[Mapping, ...]     # L0 .. Ld (one for a recursive report)
    chosen: tuple[str | None, ...]   # lockcheck class per entry of ``classes``
    edges: tuple[EdgeMatch, ...]     # as lockdep prints them: #d .. #1, then #0
    cycles: tuple[Finding, ...]      # static cycles through the report's classes, ranked
    same: tuple[str, ...]            # ids of those with exactly the report's cycle

    @property
    def unmapped(self) -> tuple[Mapping, ...]:
        return tuple(m for m, c in zip(self.classes, self.chosen) if c is None)


def internal_frames(model_files: tuple[str, ...] = ()) -> frozenset[str]:
    """lockdep's and the lock primitives' own frames (never part of a witness)."""
    from lockcheck.model.primitives import load_catalogue
    frames = load_model("splat", model_files).get("frames", {}).get("internal", [])
    return frozenset(frames) | load_catalogue(model_files).names()


def _clean(frames, internal) -> tuple[str, ...]:
    out: list[str] = []
    for f in frames:
        if f not in internal and f not in out:
            out.append(f)
    return tuple(out)


def dependencies(report: Report) -> list[tuple[int, str, str, tuple[str, ...]]]:
    """``(number, src, dst, frames)`` per dependency, as printed (none for
    the interrupt-state reports: lockcheck does not check those yet)."""
    if report.kind not in ("circular", "recursive"):
        return []
    if report.kind == "recursive":
        x = report.acquiring.name
        extra = tuple(f for f in (report.acquiring.at, report.holding.at) if f)
        return [(0, report.holding.name, x, report.backtrace + extra)]
    blocks = {b.number: b for b in report.blocks}
    top = max(blocks)
    names = {n: b.name for n, b in blocks.items()}
    names.setdefault(0, report.acquiring.name)
    names.setdefault(top, report.holding.name)
    out = []
    for n in range(top, 0, -1):
        if n in blocks and n - 1 in names:
            out.append((n, names[n - 1], names[n], blocks[n].frames))
    extra = tuple(f for f in (report.acquiring.at, report.holding.at) if f)
    closing = blocks[0].frames if 0 in blocks else ()
    out.append((0, report.holding.name, report.acquiring.name, closing + extra))
    return out


def _classes(report: Report) -> tuple[str, ...]:
    if report.kind == "recursive":
        return (report.acquiring.name,)
    if report.kind != "circular":       # interrupt-state reports: their lock lines only
        return tuple(dict.fromkeys(x.name for x in (report.acquiring, report.holding) if x is not None))
    blocks = {b.number: b.name for b in report.blocks}
    blocks.setdefault(0, report.acquiring.name)
    blocks.setdefault(max(blocks), report.holding.name)
    return tuple(blocks[n] for n in sorted(blocks))


def _edges_by_pair(result: ScanResult) -> dict[tuple[str, str], Edge]:
    out: dict[tuple[str, str], Edge] = {}
    for e in result.edges:
        out.setdefault((e.src, e.dst), e)
    for f in result.findings:        # recursive findings keep their X -> X edge only here
        for e in f.edges:
            out.setdefault((e.src, e.dst), e)
    return out


def _choose(classes: tuple[str, ...], maps: list[Mapping], deps, by_pair) -> list[str | None]:
    """One lockcheck class per printed class: among several candidates the
    one most of the report's dependencies agree with."""
    chosen: list[str | None] = [m.name for m in maps]
    index = {c: i for i, c in enumerate(classes)}
    for i, m in enumerate(maps):
        if len(m.candidates) < 2:
            continue

        def agree(cand: str) -> int:
            n = 0
            for _, s, d, _ in deps:
                if s == classes[i] or d == classes[i]:
                    other = maps[index[d if s == classes[i] else s]].candidates
                    pairs = [(cand, o) if s == classes[i] else (o, cand) for o in other or ()]
                    n += any(p in by_pair for p in pairs)
            return n
        chosen[i] = max(m.candidates, key=lambda c: (agree(c), -m.candidates.index(c)))
    return chosen


def _paths(e: Edge, frames: tuple[str, ...]) -> tuple[Path, ...]:
    stack = set(frames)
    chains = [(e.held, e.acquire)] + list(e.others)
    out = []
    for k, (held, acquire) in enumerate(chains):
        fns = []
        for s in (*held, *acquire):
            for f in (s.function, s.what.split(" ")[0]):
                if f in stack and f not in fns:
                    fns.append(f)
        out.append((-len(fns), k, Path(held, acquire, tuple(fns))))
    return tuple(p for _, _, p in sorted(out, key=lambda t: t[:2]))


def match_report(report: Report, result: ScanResult, defs: Definitions, internal: frozenset[str],
                 model_files: tuple[str, ...] = ()) -> SplatMatch:
    names = NameMap(result, model_files)
    classes = _classes(report)
    maps = [names.map(c) for c in classes]
    deps = dependencies(report)
    by_pair = _edges_by_pair(result)
    chosen = _choose(classes, maps, deps, by_pair)
    static = dict(zip(classes, chosen))
    mapping = dict(zip(classes, maps))
    edges = []
    for n, src, dst, frames in deps:
        frames = _clean(frames, internal)
        s, d = static.get(src), static.get(dst)
        if s is None or d is None:
            bad = mapping[src] if s is None else mapping[dst]
            why = f"a lock the scan never sees: {bad.lockdep} is not mapped ({bad.why_not})"
            edges.append(EdgeMatch(n, src, dst, frames, s, d, why_not=why))
            continue
        e = by_pair.get((s, d))
        if e is None:
            edges.append(EdgeMatch(n, src, dst, frames, s, d, why_not=why_missing(frames, defs, s, d)))
            continue
        paths = _paths(e, frames)
        best = paths[0]
        shown = dataclasses.replace(e, held=best.held, acquire=best.acquire,
                                    others=tuple((p.held, p.acquire) for p in paths[1:]))
        edges.append(EdgeMatch(n, src, dst, frames, s, d, paths, edge=shown,
                               in_scan=sum(1 for f in frames if defs.has(f))))
    cycles, same = through_classes(result, [c for c in chosen if c], report.kind) if deps else ((), ())
    return SplatMatch(report, tuple(maps), tuple(chosen), tuple(edges), cycles, same)


def through_classes(result: ScanResult, classes: list[str], kind: str) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
    """Static cycles through the report's classes (at least two of them; for
    a recursive report, recursive findings on its class), ranked; and the
    ids of those that are exactly the report's cycle."""
    want = set(classes)
    if kind == "recursive":
        hits = [f for f in result.findings if f.kind == "recursive" and set(f.locks) <= want]
        return tuple(rank(hits)), tuple(f.id for f in hits)
    hits = [f for f in result.findings if f.kind == "circular" and len(want & set(f.locks)) >= min(2, len(want))]
    key = cycle_key("circular", classes)
    same = tuple(f.id for f in hits if cycle_key(f.kind, f.locks) == key)
    return tuple(rank(hits)), same

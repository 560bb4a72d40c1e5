"""From the analysis to the result every report renders: display names,
witnesses as report steps (each distinct step made once), cycles and
per-class findings, and each edge's basis (:mod:`lockcheck.analysis.confidence`)."""

from __future__ import annotations

import hashlib

from lockcheck.analysis.arch_feasible import arch_basis, arch_rewitnessed
from lockcheck.analysis.confidence import edge_basis
from lockcheck.analysis.families import FamilyFacts, family_basis, irq_family_basis, irq_order_family_basis, rewitnessed
from lockcheck.analysis.cycles import find_cycles
from lockcheck.analysis.summaries import AnalysisResult
from lockcheck.result import Edge, Finding, Lock, WitnessStep

__all__ = ["build_result"]


class _ReportSteps:
    """Analysis chains as report steps, each distinct step and chain made
    once.  Witnesses share their chains (the edges a function makes start
    alike, an edge's alternatives share their tails), and the whole tree's
    report holds millions of steps: made one by one, they were a large
    part of the main process's peak and of the time to build the result."""

    def __init__(self) -> None:
        self._steps: dict = {}
        self._chains: dict = {}

    def __call__(self, chain) -> tuple[WitnessStep, ...]:
        chain = chain if type(chain) is tuple else tuple(chain)
        out = self._chains.get(chain)
        if out is None:
            out = self._chains[chain] = tuple(map(self._step, chain))
        return out

    def _step(self, s) -> WitnessStep:
        out = self._steps.get(s)
        if out is None:
            out = self._steps[s] = WitnessStep(s.function, s.file, s.line, s.what, s.targets, s.chosen)
        return out


def _kind(chain, catalogue) -> str:
    what = chain[-1].what if chain else ""
    if what.startswith("guard(") and what.endswith(")"):
        prim = catalogue.guard(what[6:-1])
    else:
        prim = catalogue.get(what)
    return prim.kind if prim else "lock"


def build_result(analysis: AnalysisResult, names: dict[str, str], max_cycle_length: int, catalogue,
                 families: FamilyFacts | None = None):
    """(locks, edges, findings) of a :class:`~lockcheck.result.ScanResult`:
    display names, the chosen witnesses as report steps, every cycle and
    per-class finding, and what each edge rests on (analysis.confidence).
    ``families``: the classes lockdep keys per family or per instance and
    each function's family (analysis.families)."""
    _steps = _ReportSteps()
    arch_of = analysis.arch_of
    # an edge in many cycles is made once (its witness is the same object
    # each time, kept alive by the analysis): the whole tree has some
    # 25,000 cycles over a few thousand edges
    made: dict[tuple, Edge] = {}

    def edge(src: str, dst: str, holder: str, acquirer: str, w, others=()) -> Edge:
        if not others:
            k = (src, dst, holder, acquirer, id(w))
            e = made.get(k)
            if e is None:
                e = made[k] = _edge(src, dst, holder, acquirer, w, others)
            return e
        return _edge(src, dst, holder, acquirer, w, others)

    def _edge(src: str, dst: str, holder: str, acquirer: str, w, others=()) -> Edge:
        held, acquire = _steps(w.held), _steps(w.acquire)
        classes = ((src, names[src]),) if src == dst else ((src, names[src]), (dst, names[dst]))
        return Edge(names[src], names[dst], holder, acquirer, held, acquire, others,
                    edge_basis(held + acquire, w.approximation, classes))

    def strongest(rec):
        w = rec.best()
        return (w,) + min(k for k, v in rec.kinds.items() if v == w)

    edges: dict[tuple[str, str], Edge] = {}
    kinds: dict[str, str] = {}
    for (src, dst), rec in sorted(analysis.edges.items()):
        for (holder, acquirer), w in sorted(rec.kinds.items()):
            kinds.setdefault(dst, _kind(w.acquire, catalogue))
            kinds.setdefault(src, _kind(w.held, catalogue))
        w, holder, acquirer = strongest(rec)
        others = tuple((_steps(o.held), _steps(o.acquire)) for o in rec.alternatives())
        edges[(src, dst)] = edge(src, dst, holder, acquirer, w, others)
    findings = []
    for cyc in find_cycles(analysis.edges, max_cycle_length):
        pairs = [(cyc.locks[i], cyc.locks[(i + 1) % len(cyc.locks)]) for i in range(len(cyc.locks))]
        cyc_edges = tuple(edge(src, dst, kind[0], kind[1], analysis.edges[(src, dst)].kinds[kind])
                          for (src, dst), kind in zip(pairs, cyc.kinds))
        archs = [analysis.edges[p].archs for p in pairs]
        cyc_edges = arch_rewitnessed(cyc_edges, archs, arch_of, tuple(edges[p].others for p in pairs),
                                     lambda k, e, chains, pairs=pairs: rewitnessed(e, chains, pairs[k], names))
        if families:
            cyc_edges = family_basis(cyc.locks, cyc_edges, families, names,
                                     tuple(edges[p].others for p in pairs))
        cyc_edges = arch_basis(cyc_edges, archs, arch_of)
        findings.append(_finding("circular", tuple(names[k] for k in cyc.locks), cyc_edges))
    for key, rec in sorted(analysis.recursive.items()):
        w, holder, acquirer = strongest(rec)
        kinds.setdefault(key, _kind(w.acquire, catalogue))
        findings.append(_finding("recursive", (names[key],),
                                 arch_basis((edge(key, key, holder, acquirer, w),), [rec.archs], arch_of)))
    for key, rec in sorted(analysis.not_held.items()):
        w, holder, acquirer = strongest(rec)
        kinds.setdefault(key, _kind(w.held, catalogue))     # the chain ends at the assertion
        findings.append(_finding("assert-not-held", (names[key],),
                                 arch_basis((edge(key, key, holder, acquirer, w),), [rec.archs], arch_of)))
    for raw in analysis.irq_findings:
        findings.append(_irq_finding(raw, names, _steps, edge, families, analysis))
        for key, (label, ref, chain) in zip(raw.keys * (2 // len(raw.keys)), raw.usages):
            kinds.setdefault(key, _kind(chain, catalogue))
    locks = tuple(sorted((Lock(names[k], k, kinds.get(k, "lock")) for k in names), key=lambda l: l.name))
    return locks, tuple(edges[k] for k in sorted(edges, key=lambda k: (names[k[0]], names[k[1]]))), \
        tuple(findings)


def _irq_finding(raw, names: dict, steps, edge, families: FamilyFacts | None = None,
                 analysis: AnalysisResult | None = None) -> Finding:
    """An interrupt-safety finding (analysis.irqsafety): its edges are the
    usage witnesses, each an edge from the state's label (``{IN-HARDIRQ-W}``)
    to the class, after the lock-order edge for irq-unsafe-order; checked
    for one architecture building them all (analysis.arch_feasible)."""
    out, sets, alternatives = [], [], []
    arch_of = analysis.arch_of if analysis is not None else None
    if raw.edge is not None:
        src, dst = raw.keys
        out.append(edge(src, dst, raw.edge_kind[0], raw.edge_kind[1], raw.edge))
        rec = analysis.edges.get(raw.keys) if analysis is not None else None
        sets.append(rec.archs if rec is not None else None)
        alternatives.append(tuple((steps(o.held), steps(o.acquire)) for o in rec.alternatives())
                            if rec is not None and arch_of is not None else ())

    def usage(label, key, acquire) -> Edge:
        name = names[key]
        return Edge("{" + label + "}", name, "E", "N", (), acquire, (), edge_basis(acquire, "", ((key, name),)))

    # one usage per key (irq-unsafe-order: safe, unsafe); both of the one class
    usage_keys = raw.keys * (2 // len(raw.keys))
    for key, (label, _, chain), chains in zip(usage_keys, raw.usages, raw.arch_chains):
        out.append(usage(label, key, steps(chain)))
        alternatives.append(tuple(((), steps(c)) for c in chains))
    sets += list(raw.archs)

    def rewitness(k, e, chains):
        if raw.edge is not None and k == 0:
            return rewitnessed(e, chains, raw.keys, names)
        return usage(e.src[1:-1], usage_keys[k - (raw.edge is not None)], chains[1])

    out = list(arch_rewitnessed(tuple(out), sets, arch_of, tuple(alternatives), rewitness))
    if families and raw.kind == "irq-inconsistent":
        out = list(irq_family_basis(raw.keys[0], out, families, names))
    elif families and raw.kind == "irq-unsafe-order" and raw.edge is not None:
        out = list(irq_order_family_basis(raw.keys, out, families, names, tuple(alternatives), rewitness))
    out = arch_basis(tuple(out), sets, arch_of)
    return _finding(raw.kind, tuple(names[k] for k in raw.keys), tuple(out))


def _finding(kind: str, locks: tuple[str, ...], edges: tuple[Edge, ...]) -> Finding:
    """Identity from lock names and witness functions, never line numbers."""
    h = hashlib.blake2b(digest_size=6)
    h.update(kind.encode())
    for lock in locks:
        h.update(lock.encode() + b"\0")
    for e in edges:
        for s in e.witness:
            h.update(s.function.encode() + b"\0")
    prefix = {"circular": "LC101", "recursive": "LC102", "assert-not-held": "LC103",
              "irq-inconsistent": "LC301", "irq-unsafe-order": "LC302"}[kind]
    return Finding(f"{prefix}-{h.hexdigest()}", kind, locks, edges)

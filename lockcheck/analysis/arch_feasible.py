"""Findings no one build shows: witnesses of two architectures.

lockdep's graph is that of one running kernel, built for one architecture.
A witness chain builds only where every file it passes through does
(:mod:`lockcheck.frontend.arch_dirs`: ``arch/X/``, directories Kbuild
enters under an architecture's own symbol); an edge where any of its
witnesses does (``EdgeRecord.archs``, joined over every witness added,
so it survives the merge that keeps the cheapest ones); a finding only on
the architectures all its edges share (an irq finding's usage states
count as edges, each with its one kept chain).

A finding no architecture builds whole is not dropped: it is demoted to
low confidence (a ``build`` basis naming each edge's architectures and
the file that confines it).  The architecture sets come from reading
Kbuild files, not from Kconfig; a mistake there, or a usage state another
architecture also reaches by a chain not kept, must not make a real
deadlock vanish, only leave the default report.  A feasible finding whose
shown witness builds on none of its architectures shows, where one is
kept, another witness of that edge that does.
"""

from __future__ import annotations

from dataclasses import replace

from lockcheck.frontend.arch_dirs import join, meet
from lockcheck.result import Basis

__all__ = ["join", "meet", "chain_arches", "witness_arches", "common_arches", "arch_rewitnessed", "arch_basis"]


def chain_arches(steps, arch_of) -> frozenset | None:
    """The architectures that build every file of ``steps`` (None: any)."""
    out = None
    if arch_of is None:
        return out
    last = None
    for s in steps:
        if s.file is last:      # a function's steps share one file string
            continue
        last = s.file
        a = arch_of(last)
        if a is not None:
            out = a if out is None else out & a
    return out


def witness_arches(w, arch_of) -> frozenset | None:
    """Of an EdgeWitness: its held and acquire chains both."""
    if arch_of is None:
        return None
    return meet(chain_arches(w.held, arch_of), chain_arches(w.acquire, arch_of))


def common_arches(sets) -> frozenset | None:
    """The architectures that build every edge (``sets``: per edge)."""
    common = None
    for s in sets:
        common = meet(common, s)
    return common


def arch_rewitnessed(edges: tuple, sets, arch_of, alternatives=(), rewitness=None) -> tuple:
    """A finding's ``edges`` (report Edges) given ``sets``, per edge the
    architectures some witness of it builds on: where only some
    architectures build it all, each edge whose shown witness builds on none
    of them shown by an alternative (``alternatives``: per edge, (held,
    acquire) chains; ``rewitness(k, edge, chains)`` makes the edge) that does."""
    common = common_arches(sets)
    if not common or rewitness is None:
        return tuple(edges)
    out = list(edges)
    for k, e in enumerate(edges):
        shown = chain_arches(e.held + e.acquire, arch_of)
        if shown is None or shown & common:
            continue
        for chains in (alternatives[k] if k < len(alternatives) else ()):
            a = chain_arches(chains[0] + chains[1], arch_of)
            if a is None or a & common:
                out[k] = rewitness(k, e, chains)
                break
    return tuple(out)


def arch_basis(edges: tuple, sets, arch_of) -> tuple:
    """``edges`` with, where no architecture builds them all, a low
    ``build`` basis on the edge that empties the intersection."""
    common, emptied = None, None
    for k, s in enumerate(sets):
        common = meet(common, s)
        if common is not None and not common:
            emptied = k
            break
    if emptied is None:
        return tuple(edges)
    out = list(edges)
    e = out[emptied]
    out[emptied] = replace(e, basis=e.basis + (Basis("build", "low", _detail(edges, sets, arch_of)),))
    return tuple(out)


def _detail(edges, sets, arch_of) -> str:
    parts = []
    for e, s in zip(edges, sets):
        if s is None:
            continue
        where = next((st.file for st in e.held + e.acquire if arch_of(st.file) is not None), "")
        parts.append(f"{e.src} --> {e.dst} builds only for {', '.join(sorted(s)) or 'no architecture'}"
                     + (f" ({where})" if where else ""))
    return "no one architecture builds all of it (lockdep never sees it): " + "; ".join(parts)

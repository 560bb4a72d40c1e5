"""The call graph's strongly connected components, callees first, kept small.

``networkx.condensation`` builds a second graph with a node, an attribute
dict and a member set per component: on the whole tree (600k functions,
1.4M call edges) that was a few hundred megabytes held for the whole
interprocedural walk.  The walk needs only, per component, its members,
the components it calls and how many components call it; here those are
plain lists indexed by component number.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import networkx as nx

__all__ = ["CallGraph", "CallOrder", "call_order"]


@dataclass(frozen=True, slots=True)
class CallGraph:
    """The call graph as the walk reads it: each function's callees and
    how many functions call it.  networkx keeps two dicts per node and
    one per edge; on the whole tree that was half a gigabyte held for
    the whole walk."""

    succ: dict[str, tuple[str, ...]]
    callers: dict[str, int]

    @classmethod
    def of(cls, graph: nx.DiGraph) -> "CallGraph":
        return cls({n: tuple(graph.succ[n]) for n in graph}, dict(graph.in_degree()))

    def __contains__(self, node: str) -> bool:
        return node in self.succ

    def successors(self, node: str) -> tuple[str, ...]:
        return self.succ[node]

    def in_degree(self, node: str) -> int:
        return self.callers[node]

    def has_edge(self, caller: str, callee: str) -> bool:
        return callee in self.succ[caller]


@dataclass(frozen=True, slots=True)
class CallOrder:
    members: tuple[tuple[str, ...], ...]     # per component, sorted
    callees: tuple[tuple[int, ...], ...]     # per component: the components it calls
    callers: tuple[int, ...]                 # per component: how many components call it
    order: tuple[int, ...]                   # callees before callers


def call_order(graph: nx.DiGraph) -> CallOrder:
    """Components of ``graph``, ordered callees first; among independent
    components the one with the greatest smallest member comes first (the
    reverse of a lexicographic topological sort: deterministic)."""
    members = sorted(tuple(sorted(c)) for c in nx.strongly_connected_components(graph))
    comp_of = {m: k for k, ms in enumerate(members) for m in ms}
    callees = []
    callers = [0] * len(members)
    for k, ms in enumerate(members):
        out = sorted({comp_of[t] for m in ms for t in graph.successors(m)} - {k})
        for c in out:
            callers[c] += 1
        callees.append(tuple(out))
    return CallOrder(tuple(members), tuple(callees), tuple(callers), _callees_first(members, callees, callers))


def _callees_first(members, callees, callers) -> tuple[int, ...]:
    """Kahn's algorithm from the roots, smallest first member first, reversed."""
    waiting = list(callers)
    heap = [(members[k][0], k) for k, n in enumerate(waiting) if n == 0]
    heapq.heapify(heap)
    out = []
    while heap:
        _, k = heapq.heappop(heap)
        out.append(k)
        for c in callees[k]:
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(heap, (members[c][0], c))
    out.reverse()
    return tuple(out)

"""The call graph's strongly connected components, callees first, kept small.

The call graph is a plain mapping, function → its callees in the order
first called (a dict used as an ordered set): networkx kept two dicts per
node and one per edge and its ``add_edge`` was a quarter of resolving a
whole tree's calls.  ``networkx.condensation`` also built a second graph
with a node, an attribute dict and a member set per component (a few
hundred megabytes held for the whole walk on 600k functions and 1.8M call
edges).  The walk needs only, per component, its members, the components
it calls and how many components call it; here those are plain lists
indexed by component number.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

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
    def of(cls, succ: dict[str, dict[str, None]]) -> "CallGraph":
        callers = dict.fromkeys(succ, 0)
        for targets in succ.values():
            for t in targets:
                callers[t] += 1
        return cls({n: tuple(targets) for n, targets in succ.items()}, callers)

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


def call_order(succ: dict[str, dict[str, None]]) -> CallOrder:
    """Components of the graph ``succ`` (every callee is a key too), ordered
    callees first; among independent components the one with the greatest
    smallest member comes first (the reverse of a lexicographic topological
    sort: deterministic)."""
    members = sorted(tuple(sorted(c)) for c in strongly_connected(succ))
    comp_of = {m: k for k, ms in enumerate(members) for m in ms}
    callees = []
    callers = [0] * len(members)
    for k, ms in enumerate(members):
        out = sorted({comp_of[t] for m in ms for t in succ[m]} - {k})
        for c in out:
            callers[c] += 1
        callees.append(tuple(out))
    return CallOrder(tuple(members), tuple(callees), tuple(callers), _callees_first(members, callees, callers))


def strongly_connected(succ: dict[str, dict[str, None]]) -> list[list[str]]:
    """The strongly connected components of ``succ`` (Tarjan's algorithm,
    without recursion: the kernel's call chains are deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in succ:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            v, callees = work[-1]
            for w in callees:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work and low[v] < low[work[-1][0]]:
                    low[work[-1][0]] = low[v]
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


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

"""Cycles in the lock-order graph, with lockdep's rule for read locks.

lockdep reports a cycle when a new dependency closes one: the new edge
plus the shortest path back.  So does this module, for every edge of every
strongly connected component: one shortest cycle through each edge (up to
a length bound), rotated so the smallest class comes first, deduplicated
and sorted — the same input always gives the same list.  Enumerating
every elementary cycle instead is exponential: a whole-kernel graph has
components where that never ends.

A cycle only deadlocks if lockdep would call its path *strong*: there is a
choice of dependency kind for each edge such that no lock is entered by a
recursive-read acquisition (``-(*R)->``) and left while held shared
(``-(S*)->``).  The search walks (lock, entered-by-recursive-read) states,
so the shortest path found is a strong one.  This is why two SRCU readers
never close a cycle, while ``synchronize_srcu()`` (an exclusive acquire)
or an rwsem reader (not recursive) can.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import product

import networkx as nx

__all__ = ["Cycle", "find_cycles", "is_strong"]


@dataclass(frozen=True)
class Cycle:
    locks: tuple[str, ...]                   # class keys in acquisition order
    kinds: tuple[tuple[str, str], ...]       # chosen (holder, acquirer) per edge


def find_cycles(edges: dict, max_length: int) -> list[Cycle]:
    """``edges``: (src, dst) → record with ``.kinds`` {(holder, acquirer): witness}."""
    graph = nx.DiGraph()
    graph.add_edges_from(sorted(edges))
    found: dict[tuple[str, ...], Cycle] = {}
    for comp in sorted(nx.strongly_connected_components(graph), key=min):
        if len(comp) < 2:
            continue
        # per lock: (successor, its edge's kinds sorted) -- sorted once here,
        # not at every step of every search (the whole tree: 31M sorts)
        succ = {n: tuple((m, tuple(sorted(edges[(n, m)].kinds)))
                         for m in sorted(graph.successors(n)) if m in comp) for n in comp}
        pred = {n: frozenset(m for m in graph.predecessors(n) if m in comp) for n in comp}
        searches: dict = {"pred": pred}
        steps = _state_steps(succ)
        for u in sorted(comp):
            for v, _ in succ[u]:
                cycle = _shortest_through(u, v, steps, edges, max_length, searches)
                if cycle is not None and cycle.locks not in found:
                    found[cycle.locks] = cycle
        searches.clear()
    graph.clear()   # its cached views make it a reference cycle (see summaries.analyse)
    return sorted(found.values(), key=lambda c: (len(c.locks), c.locks))


def _state_steps(succ: dict) -> dict:
    """Per search state (lock, entered by a recursive read): the states one
    edge on, in search order, each with the kind of the edge taken; never
    the forbidden ``*R`` then ``S*`` turn of a strong path.  Made once per
    component: the searches expand every state thousands of times (on the
    whole tree that expansion was a sixth of the analysis)."""
    steps = {}
    for node, out in succ.items():
        for entered_r in (False, True):
            steps[(node, entered_r)] = tuple(((nxt, kind[1] == "R"), kind) for nxt, kinds in out
                                             for kind in kinds if not (entered_r and kind[0] == "S"))
    return steps


def _shortest_through(u: str, v: str, steps, edges, max_length: int, searches: dict) -> Cycle | None:
    """The shortest strong cycle that starts with the edge ``u -> v``."""
    best = None
    for first in sorted(edges[(u, v)].kinds):
        path = _path_back_shared(v, u, first, steps, max_length - 1, searches)
        if path is not None and len(set(path[0])) == len(path[0]) and u not in path[0] \
                and (best is None or len(path[0]) < len(best[0])):
            best = ([u] + path[0], [first] + path[1])
    if best is None:
        return None
    locks, kinds = best
    start = locks.index(min(locks))
    return Cycle(tuple(locks[start:] + locks[:start]), tuple(kinds[start:] + kinds[:start]))


def _path_back_shared(v: str, u: str, first: tuple[str, str], steps, max_edges: int, searches: dict):
    """:func:`_path_back` from one search per start state instead of one per
    edge: a breadth-first search from ``v`` discovers every ``u`` in the
    order the search towards that ``u`` alone would, so the first state
    found at ``u`` is that search's answer whenever it is acceptable (the
    rare other case runs the search for this edge).  The cycle search on
    a lock graph of E edges and V locks does 2·V searches instead of E."""
    start = (v, first[1] == "R")
    search = searches.get(start)
    if search is None:
        search = searches[start] = _search(start, steps, max_edges, searches["pred"][v])
    parent, first_seen = search
    state = first_seen.get(u)
    if state is None:
        return None
    if not (state[1] and first[0] == "S"):
        return _unwind(parent, state)
    return _path_back(v, u, first, steps, max_edges)


def _search(start: tuple[str, bool], steps, max_edges: int, targets) -> tuple[dict, dict]:
    """Breadth-first over (lock, entered by a recursive read) states, in
    the order :func:`_path_back` uses; the first state found per lock.  It
    stops once every lock in ``targets`` (those with an edge back to the
    start) is found: in a dense graph most of them close short cycles.
    One level at a time, inline: the hottest loop of a whole-tree report."""
    left = set(targets)
    parent: dict[tuple[str, bool], tuple] = {start: None}
    first_seen: dict[str, tuple[str, bool]] = {}
    frontier = [start]
    for _ in range(max_edges):
        reached = []
        for state in frontier:
            for new, kind in steps[state]:
                if new in parent:
                    continue
                parent[new] = (state, kind)
                reached.append(new)
                if new[0] not in first_seen:
                    first_seen[new[0]] = new
                    left.discard(new[0])
                    if not left:
                        return parent, first_seen
        frontier = reached
    return parent, first_seen


def _path_back(v: str, u: str, first: tuple[str, str], steps, max_edges: int):
    """Breadth-first from ``v`` to ``u`` over (lock, entered by a recursive
    read) states: nodes after ``v`` and the kind chosen per edge, or None.
    ``u`` is never passed through."""
    start = (v, first[1] == "R")
    parent: dict[tuple[str, bool], tuple] = {start: None}
    for found in _breadth_first(start, steps, parent, max_edges, blocked=u):
        for new in found:
            if new[0] == u and not (new[1] and first[0] == "S"):
                return _unwind(parent, new)
    return None


def _breadth_first(start: tuple[str, bool], steps, parent: dict, max_edges: int, blocked: str | None = None):
    """Per state expanded, in breadth-first order, the states it reaches
    first (:func:`_expand`, recorded in ``parent``); none passes through
    ``blocked``.  One resume per expansion, not per state found."""
    queue = deque([(start, 0)])
    while queue:
        state, depth = queue.popleft()
        if depth >= max_edges:
            continue
        found = _expand(state, steps, parent)
        yield found
        queue.extend((new, depth + 1) for new in found if new[0] != blocked)


def _expand(state: tuple[str, bool], steps, parent: dict) -> list:
    """The states one edge from ``state`` not yet in ``parent``, in search
    order, each recorded in ``parent`` with how it is reached."""
    out = []
    for new, kind in steps[state]:
        if new not in parent:
            parent[new] = (state, kind)
            out.append(new)
    return out


def _unwind(parent, state):
    nodes, kinds = [], []
    while parent[state] is not None:
        prev, kind = parent[state]
        nodes.append(state[0])
        kinds.append(kind)
        state = prev
    nodes.reverse()
    kinds.reverse()
    return [state[0]] + nodes[:-1], kinds


def is_strong(kinds_per_edge: list[list[tuple[str, str]]]):
    """A choice of kinds with no ``*R`` edge followed by an ``S*`` edge, or None."""
    n = len(kinds_per_edge)
    if n * max(len(k) for k in kinds_per_edge) > 64:
        kinds_per_edge = [k[:2] for k in kinds_per_edge]
    for choice in product(*kinds_per_edge):
        if all(not (choice[i][1] == "R" and choice[(i + 1) % n][0] == "S") for i in range(n)):
            return tuple(choice)
    return None

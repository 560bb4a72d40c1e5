"""Cycles in the lock-order graph, with lockdep's rule for read locks.

Elementary cycles are enumerated per strongly connected component up to a
length bound (networkx ``simple_cycles``), rotated so the smallest class
comes first, deduplicated and sorted — the same input always gives the
same list.

A cycle only deadlocks if lockdep would call its path *strong*: there is a
choice of dependency kind for each edge such that no lock is entered by a
recursive-read acquisition (``-(*R)->``) and left while held shared
(``-(S*)->``).  This is why two SRCU readers never close a cycle, while
``synchronize_srcu()`` (an exclusive acquire) or an rwsem reader (not
recursive) can.
"""

from __future__ import annotations

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
    for raw in nx.simple_cycles(graph, length_bound=max_length):
        if len(raw) < 2:
            continue
        start = raw.index(min(raw))
        locks = tuple(raw[start:] + raw[:start])
        if locks in found:
            continue
        pairs = [(locks[i], locks[(i + 1) % len(locks)]) for i in range(len(locks))]
        kinds = is_strong([sorted(edges[p].kinds) for p in pairs])
        if kinds is not None:
            found[locks] = Cycle(locks, kinds)
    return sorted(found.values(), key=lambda c: (len(c.locks), c.locks))


def is_strong(kinds_per_edge: list[list[tuple[str, str]]]):
    """A choice of kinds with no ``*R`` edge followed by an ``S*`` edge, or None."""
    n = len(kinds_per_edge)
    if n * max(len(k) for k in kinds_per_edge) > 64:
        kinds_per_edge = [k[:2] for k in kinds_per_edge]
    for choice in product(*kinds_per_edge):
        if all(not (choice[i][1] == "R" and choice[(i + 1) % n][0] == "S") for i in range(n)):
            return tuple(choice)
    return None

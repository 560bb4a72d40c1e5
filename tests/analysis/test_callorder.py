"""The call graph's components and order (analysis/callorder.py) without
networkx: the same components networkx finds, callees before callers."""

from __future__ import annotations

import random

import networkx as nx

from lockcheck.analysis.callorder import CallGraph, call_order, strongly_connected


def random_graph(seed: int) -> dict[str, dict[str, None]]:
    rnd = random.Random(seed)
    names = [f"f{i}" for i in range(rnd.randint(1, 40))]
    succ = {n: {} for n in names}
    for _ in range(rnd.randint(0, 120)):
        succ[rnd.choice(names)][rnd.choice(names)] = None
    return succ


def test_components_are_networkx_components():
    for seed in range(200):
        succ = random_graph(seed)
        graph = nx.DiGraph()
        graph.add_nodes_from(succ)
        graph.add_edges_from((a, b) for a, bs in succ.items() for b in bs)
        want = sorted(sorted(c) for c in nx.strongly_connected_components(graph))
        assert sorted(sorted(c) for c in strongly_connected(succ)) == want, seed


def test_order_puts_every_callee_component_first():
    for seed in range(100):
        succ = random_graph(seed)
        order = call_order(succ)
        position = {comp: k for k, comp in enumerate(order.order)}
        assert sorted(order.order) == list(range(len(order.members)))
        for comp, callees in enumerate(order.callees):
            assert all(position[c] < position[comp] for c in callees)
            assert order.callers[comp] == sum(comp in cs for cs in order.callees)


def test_a_deep_chain_needs_no_recursion():
    succ = {f"f{i}": {f"f{i + 1}": None} for i in range(50_000)}
    succ["f50000"] = {"f0": None}
    (comp,) = strongly_connected(succ)
    assert len(comp) == 50_001


def test_call_graph_keeps_callee_order_and_counts_callers():
    succ = {"a": {"c": None, "b": None}, "b": {"c": None}, "c": {"c": None}}
    graph = CallGraph.of(succ)
    assert graph.successors("a") == ("c", "b")
    assert graph.in_degree("c") == 3 and graph.in_degree("a") == 0
    assert graph.has_edge("c", "c") and "b" in graph

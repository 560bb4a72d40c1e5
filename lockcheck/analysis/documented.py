"""Documented lock orders (``scan --docs``) the code does not show become
edges of the graph, each marked ``[model: documented order]`` with the
document's file and line as its witness."""

from __future__ import annotations

from lockcheck.analysis.facts import EdgeWitness, Step
from lockcheck.analysis.summaries import AnalysisResult, EdgeRecord
from lockcheck.docs import read_rules
from lockcheck.docs.graph import DOCUMENTED_MARK, documented_pairs
from lockcheck.result import Lock

__all__ = ["add_documented"]


def add_documented(analysis: AnalysisResult, names: dict[str, str], docs: tuple[str, ...]) -> None:
    """Documented orders the code does not show become marked edges."""
    key_of = {name: key for key, name in names.items()}
    locks = [Lock(name, key, "lock") for key, name in names.items()]
    for path in docs:
        for src, dst, rule in documented_pairs(read_rules(path).rules, locks):
            k = (key_of[src], key_of[dst])
            if k in analysis.edges:
                continue
            step = Step(rule.file, rule.line, "(documented)", f"{DOCUMENTED_MARK} {rule.parsed()}")
            rec = analysis.edges[k] = EdgeRecord(*k, archs=None)   # a document: any architecture
            rec.kinds[("E", "N")] = EdgeWitness((step,), (step,))

"""Dependencies between lockcheck's modules go one way: no module imports
(at the top or inside a function) one that imports it back, directly or
through others.  The driver chooses an executor, the executors run the
parse task, and neither of those reaches back into the driver."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "lockcheck"


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                # a package's own __init__ runs first anyway: not an edge back
                if target in modules and target != name and not name.startswith(target + "."):
                    graph.add_edge(name, target)
    return graph


def test_the_graph_sees_the_imports_it_checks():
    graph = import_graph()
    assert graph.has_edge("lockcheck.driver", "lockcheck.executors")
    assert graph.has_edge("lockcheck.executors", "lockcheck.parse_task")
    assert graph.has_edge("lockcheck.driver", "lockcheck.parse_task")


def test_no_module_imports_one_that_imports_it_back():
    cycles = sorted(sorted(c) for c in nx.simple_cycles(import_graph()))
    assert cycles == []

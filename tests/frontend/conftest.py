"""Helpers for the front-end tests: tokens in, tokens out, snippets parsed.

Helpers are fixtures, not imported names.  ``tests/frontend`` is a package
(``__init__.py``) so this file is ``frontend.conftest`` and does not replace
``tests/conftest.py`` in ``sys.modules`` (``from conftest import ...`` in
other test directories keeps working whatever order pytest collects in).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
KERNEL = REPO / "kernel" / "linux-source-6.12"
NO_KERNEL = "needs make kernel (linux-source-6.12 unpacked under kernel/)"


@pytest.fixture(scope="session")
def model():
    from lockcheck.frontend.normalize import FrontendModel
    from lockcheck.model.loader import load_model
    return FrontendModel.from_dict(load_model("frontend"))


def _texts(toks) -> str:
    return " ".join(t.text for t in toks)


@pytest.fixture(scope="session")
def fe(model):
    """``fe.tokens(src)``, ``fe.text(toks)``, ``fe.run(pass, src, typedefs)``
    (one normalisation pass, rendered as space-joined text), ``fe.index(src)``
    and ``fe.parse(src, typedefs)`` (the whole pipeline on one file)."""
    from lockcheck.frontend import normalize as norm
    from lockcheck.frontend.lexer import tokenize
    from lockcheck.frontend.pipeline import build_index, declaration_facts, lex_file, parse_items
    from lockcheck.model.loader import load_model
    from lockcheck.model.primitives import load_catalogue

    definitions = load_model("frontend")["definitions"]
    primitives = load_catalogue().names()

    def run(pass_fn, src: str, typedefs=frozenset()) -> str:
        return _texts(pass_fn(tokenize(src), norm._Ctx(model, frozenset(typedefs))))

    def index(*sources: str):
        lexed = [lex_file(f"f{k}.c", s) for k, s in enumerate(sources)]
        facts = [declaration_facts(lx, model, definitions) for lx in lexed]
        return build_index(facts, [m for lx in lexed for m in lx.macros], model, primitives)

    def parse(src: str, *headers: str, typedefs=frozenset()):
        idx = index(*headers, src)
        lexed = lex_file("t.c", src)
        return parse_items("t.c", lexed.items, idx, model, frozenset(typedefs))

    return SimpleNamespace(tokens=tokenize, text=_texts, run=run, index=index, parse=parse)


@pytest.fixture(scope="session")
def calls():
    """``calls(ast)`` → list of (callee name, rendered argument list) of every
    ``FuncCall`` in a pycparser AST, in source order."""
    from pycparser import c_ast, c_generator

    gen = c_generator.CGenerator()

    class V(c_ast.NodeVisitor):
        def __init__(self):
            self.out = []

        def visit_FuncCall(self, node):
            name = node.name.name if isinstance(node.name, c_ast.ID) else gen.visit(node.name)
            args = [gen.visit(a) for a in node.args.exprs] if node.args else []
            self.out.append((name, args))
            self.generic_visit(node)

    def collect(ast):
        v = V()
        v.visit(ast)
        return v.out
    return collect

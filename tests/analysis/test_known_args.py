"""analysis.known_args: what a call's arguments are on every path to it."""

from pycparser import c_parser, c_ast

from lockcheck.analysis.known_args import known_args
from lockcheck.analysis.call_graph import _prune_uncalled


def known(src: str, unsigned=frozenset()) -> dict[str, tuple]:
    """callee name -> its call's known arguments, for the one function of ``src``."""
    fd = c_parser.CParser().parse(src).ext[-1]
    params = [p.name for p in fd.decl.type.args.params]
    found = known_args(fd.body, params, lambda n: True, frozenset(unsigned), lambda d: False, frozenset({"unlikely"}))
    calls = {}

    class V(c_ast.NodeVisitor):
        def visit_FuncCall(self, node):
            calls[node.name.name] = found.get(id(node), ())
            self.generic_visit(node)
    V().visit(fd)
    return calls


def test_dereferenced_or_tested_pointer_is_nonzero():
    got = known("struct s { int f; }; void g(struct s *p, struct s *q, int flags) {"
                " if (unlikely(!q)) return; a(p); p->f = 1; b(p, q); if (flags && p->f) c(p); d(p); }")
    assert got["a"] == () and got["b"] == ((0, "nonzero"), (1, "nonzero"))


def test_dereference_under_an_unrelated_test_counts_one_naming_the_pointer_not():
    got = known("struct s { int f; }; void g(struct s *p, struct s *q, int flags) {"
                " if (flags && !p->f) return; if (q && q->f) x(); a(p, q); }")
    assert got["a"] == ((0, "nonzero"),)


def test_write_or_join_forgets():
    got = known("struct s { int f; }; void g(struct s *p, struct s *r, int c) {"
                " p->f = 1; p = r; a(p); if (c) r->f = 0; b(r); }")
    assert got["a"] == () and got["b"] == ()


def test_counted_parameter_and_unsigned():
    got = known("void g(int depth, unsigned int n, int m) { if (++depth > 8) return; a(depth); b(n + 1);"
                " c(m + 1); m = 3; d(m + 1); depth = m; e(depth); }", unsigned={"n"})
    assert got["a"] == ((0, "+0"),) and got["b"] == ((0, ">0"),) and got["c"] == ((0, "+2"),)
    assert got["d"] == ((0, ">0"),) and got["e"] == ((0, "nonzero"),)


def test_goto_from_below_knows_nothing():
    got = known("struct s { int f; }; void g(struct s *p) { p->f = 0; again: a(p); p = 0; goto again; }")
    assert got["a"] == ()


def test_closed_recursion_of_cloned_originals_is_pruned():
    succ = {"root": {"f<0>": None}, "f<0>": {"g<0>": None}, "g<0>": {"f<1>": None}, "f<1>": {"g<1>": None},
            "g<1>": {"f<1>": None}, "f": {"g": None}, "g": {"f": None}, "h": {"h": None}}
    _prune_uncalled(succ, {"f": 2}, None, {"f": 2})
    assert sorted(succ) == ["f<0>", "f<1>", "g<0>", "g<1>", "h", "root"]

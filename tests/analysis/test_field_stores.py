"""analysis.field_stores, analysis.guards and entry_facts' held fields: which
constant field stores a call is given, which static keys guard a call."""

from __future__ import annotations

from pycparser import c_ast, c_parser

from lockcheck.analysis import ir
from lockcheck.analysis.ast_walk import walk_nodes
from lockcheck.analysis.conditions import constant_value
from lockcheck.analysis.entry_facts import entry_facts
from lockcheck.analysis.field_stores import field_stores
from lockcheck.analysis.guards import common_guards, guard_facts

_DECLS = "struct s { int a; int b; struct s *next; }; void f(struct s *p); void g(void);\n"


def _given(body: str) -> dict[str, tuple]:
    """Callee name -> the held facts of its (last) call in ``h(p)``."""
    ast = c_parser.CParser().parse(_DECLS + "void h(struct s *p, int x) {" + body + "}")
    fd = ast.ext[-1]
    found = field_stores(fd.body, ("p", "x"), frozenset(), lambda n: constant_value(n))
    out = {}
    for n in walk_nodes(fd.body):
        if isinstance(n, c_ast.FuncCall) and id(n) in found:
            out[n.name.name] = found[id(n)]
    return out


def test_a_store_then_the_call_given_the_object():
    assert _given("p->a = 1; f(p);") == {"f": ((0, "->a", "nonzero"),)}
    assert _given("p->a = 0; p->b = 1; f(p);") == {"f": ((0, "->a", "zero"), (0, "->b", "nonzero"))}


def test_anything_that_may_change_it_between_drops_it():
    assert _given("p->a = 1; g(); f(p);") == {}             # any call
    # a field of that name, through any pointer (the new store holds)
    assert _given("p->a = 1; p->next->a = 0; f(p);") == {"f": ((0, "->next->a", "zero"),)}
    assert _given("p->a = 1; p->next->a++; f(p);") == {}
    assert _given("p->a = 1; p = p->next; f(p);") == {}     # the root
    assert _given("p->a = 1; goto l; l: f(p);") == {}       # a label
    assert _given("{ struct s *p = 0; p->a = 1; } f(p);") == {}   # another p, out of scope


def test_branches_and_loops():
    assert _given("if (x) p->a = 1; f(p);") == {}
    assert _given("if (x) p->a = 1; else p->a = 1; f(p);") == {"f": ((0, "->a", "nonzero"),)}
    assert _given("p->a = 1; while (x) { f(p); x--; }") == {}           # the loop calls: all dropped
    assert _given("p->a = 1; while (x) { if (x) f(p); p->b = 2; }") == {}


def test_held_fields_enter_the_callee_where_it_tests_them_or_hands_them_on():
    got = entry_facts(("q", "n"), ("q->a",), (), (), (), {}, (), (("q->a", "nonzero"), ("q->b", "zero")))
    assert got == {"q->a": "nonzero"}
    got = entry_facts(("q", "n"), ("q",), (), (), (), {}, (), (("q->a", "nonzero"),))
    assert got == {"q->a": "nonzero"}
    got = entry_facts(("q",), ("()==(q->a,#2)",), (), (), (), {}, (), (("q->a", "#2"),))
    assert got == {"()==(q->a,#2)": "nonzero"}


def test_a_call_knows_the_static_keys_of_the_ifs_around_it():
    key = ir.CondVar("static_key:k", "nonzero", True, True)
    other = ir.CondVar("x", "nonzero", True)
    reg, plain = ir.Call(3, "INIT_WORK"), ir.Call(5, "INIT_WORK")
    body = ir.Block((ir.If(ir.CondAnd(key, other), ir.Block((reg,)), ir.Block((plain,))),))
    facts = guard_facts(body)
    assert facts == {id(reg): frozenset({("static_key:k", "nonzero")})}
    negated = ir.If(ir.CondNot(key), ir.Block(()), ir.Block((plain,)))
    assert guard_facts(ir.Block((negated,))) == {id(plain): frozenset({("static_key:k", "nonzero")})}
    assert common_guards([facts[id(reg)], frozenset()]) == ()
    assert common_guards([facts[id(reg)]] * 2) == ((-1, "static_key:k", "nonzero"),)


def test_a_body_without_a_store_to_keep_is_not_walked(monkeypatch):
    from lockcheck.analysis import field_stores as fs
    walked = []
    real = fs._Walker.stmt
    monkeypatch.setattr(fs._Walker, "stmt", lambda self, n, p: walked.append(n) or real(self, n, p))
    # no constant store (x is no root's field, y not given by address): no walk
    assert _given("int y = 1; p->a = x; f(p); g();") == {} and not walked
    # one of a local given by address, or of a root's field: walked, given
    assert _given("int y = 1; f(p); h2(&y);") == {"h2": ((0, "->*", "nonzero"),)} and walked
    assert _given("p->a = 1; f(p);") == {"f": ((0, "->a", "nonzero"),)}

"""analysis.store_tests: stores (``__set_bit``, ``list_del_init``, ``|=``)
that make a test of the object known to the next call given it, through
analysis.known_args; analysis.tested_locals' locals holding a test."""

from pycparser import c_ast, c_parser

from lockcheck.analysis.known_args import known_args
from lockcheck.analysis.param_views import tagged, views
from lockcheck.analysis.pred_keys import entry_tests, unfold
from lockcheck.analysis.store_tests import store_test_table

_MODEL = {"store_tests": [
    {"names": ["__set_bit"], "test": "test_bit", "value": "nonzero"},
    {"names": ["__clear_bit"], "test": "test_bit", "value": "zero"},
    {"names": ["list_del_init"], "test": "list_empty", "args": [0], "value": "nonzero"},
    {"names": ["list_add"], "test": "list_empty", "args": [0], "value": "zero"},
    {"names": ["bad"], "test": "t", "value": "maybe"},
]}
_DECLS = "struct l { struct l *next; }; struct s { unsigned long flags; struct l item; struct s *peer; int n; };\n"
_INTEGERS = {"RO": 2, "F": 4}


def _constant(node):
    if node.__class__ is c_ast.Constant:
        return f"#{int(node.value, 0)}"
    if node.__class__ is c_ast.ID and node.name in _INTEGERS:
        return f"#{_INTEGERS[node.name]}"
    return f"id:{node.name}" if node.__class__ is c_ast.ID and node.name.isupper() else None


def known(body: str, predicates=None) -> dict[str, tuple]:
    """Callee name -> the known tests its (last) call in ``h(p, q, x)`` gives."""
    fd = c_parser.CParser().parse(_DECLS + "void h(struct s *p, struct s *q, int x) {" + body + "}").ext[-1]
    found = known_args(fd.body, ["p", "q", "x"], lambda n: n in ("p", "q", "x", "v"), frozenset(), lambda d: False,
                       frozenset(), predicates, _constant, _INTEGERS, store_test_table(_MODEL))
    calls = {}
    for n in _calls(fd.body):
        calls[n.name.name] = tuple(k for k in found.get(id(n), ()) if ":" in k[1])
    return calls


def _calls(node):
    out = []

    class V(c_ast.NodeVisitor):
        def visit_FuncCall(self, n):
            out.append(n)
            self.generic_visit(n)
    V().visit(node)
    return out


def test_table_rows():
    table = store_test_table(_MODEL)
    assert table["list_del_init"] == (("list_empty", (0,), "nonzero"),)
    assert table["__set_bit"] == (("test_bit", None, "nonzero"),) and "bad" not in table


def test_a_store_decides_the_next_callee_test():
    assert known("__set_bit(RO, &p->flags); f(p);")["f"] == ((0, "nonzero:()test_bit(#2,&$->flags)"),)
    assert known("__clear_bit(RO, &p->flags); f(p);")["f"] == ((0, "zero:()test_bit(#2,&$->flags)"),)
    assert known("list_del_init(&p->item); f(p);")["f"] == ((0, "nonzero:()list_empty(&$->item)"),)
    assert known("p->flags |= F; f(p);")["f"] == ((0, "nonzero:()&($->flags,#4)"),)
    assert known("p->flags &= ~F; f(p);")["f"] == ((0, "zero:()&($->flags,#4)"),)
    # the last store wins; a symbol of unknown value stays a symbol
    assert known("__set_bit(RO, &p->flags); __clear_bit(RO, &p->flags); f(p);")["f"] == \
        ((0, "zero:()test_bit(#2,&$->flags)"),)
    assert known("__set_bit(BUSY, &p->flags); f(p);")["f"] == ((0, "nonzero:()test_bit(id:BUSY,&$->flags)"),)


def test_what_may_change_it_drops_it():
    assert known("__set_bit(RO, &p->flags); g(p); f(p);")["f"] == ()          # a call given the object
    assert known("__set_bit(RO, &p->flags); g(&p->n); f(p);")["f"] == ()      # ... or a member's address
    assert known("__set_bit(RO, &p->flags); p->flags = 0; f(p);")["f"] == ()   # the field, through any pointer
    assert known("__set_bit(RO, &p->flags); q->flags++; f(p);")["f"] == ()
    assert known("__set_bit(RO, &p->flags); p = q; f(p);")["f"] == ()          # the variable
    assert known("if (x) __set_bit(RO, &p->flags); f(p);")["f"] == ()          # one branch only
    assert known("__set_bit(RO, &p->flags); while (x) { g(p); x--; } f(p);")["f"] == ()
    assert known("__set_bit(RO, &p->flags); switch (x) { case 1: p->flags = 0; } f(p);")["f"] == ()
    assert known("list_del_init(&p->item); list_add(&p->item, &q->item); f(p);")["f"] == \
        ((0, "zero:()list_empty(&$->item)"),)
    # a store of the table changes the field it is given only
    assert known("__set_bit(RO, &p->flags); list_del_init(&p->item); f(p);")["f"] == \
        ((0, "nonzero:()list_empty(&$->item)"), (0, "nonzero:()test_bit(#2,&$->flags)"))
    assert known("p->flags |= F; __clear_bit(RO, &p->flags); f(p);")["f"] == \
        ((0, "zero:()test_bit(#2,&$->flags)"),)


def test_what_does_not_reach_the_object_keeps_it():
    # a call given only what is read through it, or another object
    assert known("__set_bit(RO, &p->flags); g(p->peer, &p->peer->n, q); f(p);")["f"] == \
        ((0, "nonzero:()test_bit(#2,&$->flags)"),)
    # both branches leave it so: the test's own outcome on the other branch
    assert known("if (!list_empty(&p->item)) { list_del_init(&p->item); g(p->peer); } f(p);")["f"] == \
        ((0, "nonzero:()list_empty(&$->item)"),)


def test_predicates_unfold_with_symbols():
    predicates = {"is_ro": ("test_bit", ("id:RO", "&$0->flags")), "is_busy": ("test_bit", ("id:BUSY", "&$0->flags"))}
    assert unfold("is_ro", ["d"], predicates, _INTEGERS) == "test_bit(#2,&d->flags)"
    assert unfold("is_busy", ["d"], predicates, _INTEGERS) == "test_bit(id:BUSY,&d->flags)"
    kind = known("__set_bit(RO, &p->flags); f(p);", predicates)["f"][0][1]
    assert entry_tests(("d",), ("()test_bit(#2,&d->flags)",), ((0, kind),)) == {"()test_bit(#2,&d->flags)": "nonzero"}


_VIEW_DECLS = ("struct o { int n; }; struct l { struct l *next; };"
               " struct e { struct o obj; struct o alt; struct l node; struct e *peer; };\n")


def _views(body: str):
    fd = c_parser.CParser().parse(_VIEW_DECLS + "void h(struct o *obj, int x) {" + body + "}").ext[-1]
    return {v: (src, tag) for v, (src, tag, _) in views(fd.body, lambda n: True, frozenset({"container_of"})).items()}


def test_views_of_a_parameter():
    assert _views("struct e *e = container_of(obj, sizeof(struct e), obj); x++;") == \
        {"e": ("obj", "sizeof(struct e)|obj")}
    assert _views("struct e *e = container_of(obj, sizeof(struct e), obj); e = e->peer;") == {}    # written again
    assert _views("struct e *e = container_of(obj, sizeof(struct e), obj); obj = 0;") == {}        # the parameter too
    assert _views("if (x) { struct e *e = container_of(obj, sizeof(struct e), obj); }") == {}      # not at the top
    assert _views("struct e *e = other(obj, sizeof(struct e), obj);") == {}


def test_view_tests_enter_the_callee_view_with_the_same_tag():
    kind = tagged("nonzero:()list_empty(&$->node)", "struct e|obj")
    assert kind == "nonzero:{struct e|obj}()list_empty(&$->node)"
    tested = ("()list_empty(&w->node)",)
    assert entry_tests(("o",), tested, ((0, kind),), (("w", 0, "struct e|obj"),)) == {tested[0]: "nonzero"}
    assert entry_tests(("o",), tested, ((0, kind),), (("w", 0, "struct e|alt"),)) == {}
    assert entry_tests(("o",), tested, ((0, kind),), ()) == {}

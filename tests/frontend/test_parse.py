"""pycparser with the kernel hook and the retry chain."""

from __future__ import annotations

import pytest
from pycparser import c_ast

from lockcheck.frontend.parse import KernelCParser, Outcome


def _decl_types(ast):
    """(name, kind of declared type) for every Decl inside function bodies."""
    out = []

    class V(c_ast.NodeVisitor):
        def visit_Decl(self, node):
            t = node.type
            while isinstance(t, c_ast.PtrDecl):
                t = t.type
            out.append((node.name, type(t.type).__name__ if isinstance(t, c_ast.TypeDecl) else "?"))
            self.generic_visit(node)
    V().visit(ast)
    return out


def test_known_type_name_is_a_type():
    p = KernelCParser()
    p.known_types = frozenset({"gpa_t"})
    ast = p.parse("void f(void) { gpa_t a; a = (gpa_t) 1; }")
    assert ("a", "IdentifierType") in _decl_types(ast)
    assert isinstance(ast.ext[0].body.block_items[1].rvalue, c_ast.Cast)


def test_unknown_type_name_fails():
    p = KernelCParser()
    with pytest.raises(Exception):
        p.parse("void f(void) { gpa_t a; }")


def test_local_variable_shadows_a_known_type_name():
    p = KernelCParser()
    p.known_types = frozenset({"r"})
    ast = p.parse("void f(void) { int r; r = 1; r * 2; }")
    body = ast.ext[0].body.block_items
    assert isinstance(body[1], c_ast.Assignment)
    assert isinstance(body[2], c_ast.BinaryOp) and body[2].op == "*"


def test_errors_without_coordinate_get_one():
    p = KernelCParser()
    with pytest.raises(Exception, match=r":2:\d+: Invalid expression"):
        p.parse("void f(void) {\n x = ; }")


def _one(fe, src, *headers, **kw):
    fns = fe.parse(src, *headers, **kw)
    assert len(fns) == 1
    return fns[0]


def test_outcome_clean(fe):
    f = _one(fe, "int f(int a)\n{\n\treturn a + 1;\n}\n")
    assert (f.name, f.outcome, f.line, f.end_line, f.ast.coord.line) == ("f", Outcome.CLEAN, 1, 4, 1)


def test_outcome_clean_after_learning_a_typedef(fe):
    f = _one(fe, "void f(void)\n{\n\tfoo_t a, *p = g();\n\tPFOO q = 0;\n\th(p, q, a);\n}\n")
    assert f.outcome is Outcome.CLEAN
    assert set(f.learned_typedefs) == {"foo_t", "PFOO"}


def test_outcome_header_fallback(fe):
    f = _one(fe, "int f(int a)) {\n\treturn a;\n}\n")
    assert f.outcome is Outcome.HEADER_FALLBACK
    assert f.ast is not None and f.ast.decl.name == "f"


def test_attribute_macro_before_the_name_is_dropped(fe):
    """``static rx_result debug_noinline f(..)`` with neither word known: the
    word before the name goes, the parameters and the name stay."""
    f = _one(fe, "static rx_result rx_noinline f(struct rx *r)\n{\n\treturn r->x;\n}\n")
    assert f.outcome is Outcome.CLEAN
    assert f.ast.decl.name == "f" and f.ast.decl.type.args.params[0].name == "r"
    assert "static" in f.ast.decl.storage


def test_struct_tag_before_the_name_is_no_attribute(fe):
    f = _one(fe, "static struct rx rx_h(int a)\n{\n\treturn g(a);\n}\n")
    assert f.outcome is Outcome.CLEAN and f.ast.decl.name == "rx_h"


def test_header_fallback_keeps_the_name_and_static(fe):
    f = _one(fe, "static int f(int a)) {\n\treturn a;\n}\n")
    assert f.outcome is Outcome.HEADER_FALLBACK
    assert f.ast.decl.name == "f" and "static" in f.ast.decl.storage


def test_outcome_statement_dropped(fe):
    f = _one(fe, "void f(void)\n{\n\ta();\n\tb() c d e;\n\tlock(&m);\n}\n")
    assert f.outcome is Outcome.STATEMENT_DROPPED
    assert f.dropped_statements == 1 and f.reason_line == 4
    names = [n.name.name for n in f.ast.body.block_items]
    assert names == ["a", "__lc_unparsed", "lock"]


def test_outcome_failed_is_recorded_with_reason(fe):
    f = _one(fe, "void f(void)\n{\n\ta(;\n")
    assert f.outcome is Outcome.FAILED and f.ast is None
    assert f.reason and f.reason_line >= 1


def test_lines_are_source_lines(fe):
    f = _one(fe, "\n\n\nvoid f(void)\n{\n\n\tmutex_lock(&m);\n}\n")
    call = f.ast.body.block_items[0]
    assert call.coord.line == 7


SAMPLE = r'''
static int f(struct kvm *kvm, const char *s)
{
	unsigned long long x = 0x10ULL + 1.5e3 + .5f + 'a' + '\n' + L'b';
	const char *msg = "a" "b\"c" u8"d";
	int n = sizeof(struct kvm) >> 2, *p = &n;
	x <<= 3; x |= ~x ^ (x && !x || x != 1);
	n = n > 0 ? n-- : ++n;
	return kvm->n.m[0] + p[1] + (int)(x % 7);
}
'''


def test_tokens_fed_to_pycparser_give_the_text_path_ast():
    """parse_function feeds our tokens to pycparser (its own lexer would
    re-lex them): the AST, with coordinates, must be the text path's."""
    from lockcheck.frontend.lexer import tokenize
    from lockcheck.frontend.parse import _pyc_tokens, _render
    toks = tokenize(SAMPLE)
    text_ast = KernelCParser().parse(_render(toks, "s.c")[0], "s.c")
    fed = _pyc_tokens(toks, "s.c")
    assert fed is not None
    token_ast = KernelCParser().parse_tokens(fed, "s.c")

    def dump(ast):
        out = []

        class V(c_ast.NodeVisitor):
            def generic_visit(self, node):
                out.append((type(node).__name__, str(node.coord),
                            tuple((a, repr(getattr(node, a))) for a in node.attr_names)))
                super().generic_visit(node)
        V().visit(ast)
        return out
    assert dump(token_ast) == dump(text_ast)
    assert len(dump(text_ast)) > 60


def test_a_token_only_pycparser_can_lex_goes_through_the_text_path():
    from lockcheck.frontend.lexer import Token
    from lockcheck.frontend.parse import _pyc_tokens
    assert _pyc_tokens([Token("num", "1_1", 1)], "s.c") is None      # pycparser splits it
    assert _pyc_tokens([Token("other", "`", 1)], "s.c") is None


def test_a_function_of_the_file_is_no_type_name_there(fe):
    """Another header's typedef named like this file's function (hfi1's
    ``intr_handler`` type, winbond-840.c's ``intr_handler()``): in this file
    the name is the function, in its definition and where it is passed."""
    from lockcheck.frontend.parse import defined_functions
    from lockcheck.frontend.pipeline import lex_file

    header = "typedef int (*intr_handler)(struct ctx *rcd, int data);\n"
    src = ("static irqreturn_t intr_handler(int irq, void *data)\n{\n\treturn 0;\n}\n"
           "int drv_open(int irq)\n{\n\treturn request_irq(irq, intr_handler, 0, \"d\", 0);\n}\n")
    handler, opener = fe.parse(src, header)
    assert handler.outcome is Outcome.CLEAN and handler.name == "intr_handler"
    arg = opener.ast.body.block_items[0].expr.args.exprs[1]
    assert isinstance(arg, c_ast.ID) and arg.name == "intr_handler"
    # a function returning a function pointer: the word before `(*` is its return type
    items = lex_file("t.c", "static u32 (*pick(int x))(int)\n{\n\treturn 0;\n}\n").items
    assert defined_functions(items) == frozenset()
    assert defined_functions(lex_file("t.c", src).items) == {"intr_handler", "drv_open"}

"""The statement the retry chain drops is always a whole statement."""

from __future__ import annotations

import pytest

from lockcheck.frontend.recovery import statement_span

BODY = "void f(void) { a(); %s z(); }"


@pytest.mark.parametrize("stmt, bad", [
    ("x = g(1, @, 2);", "@"),                        # error inside call arguments
    ("for (i = 0; i < n; @) k();", "@"),             # inside a for head
    ("s = (struct s){ .a = @ };", "@"),              # inside a compound literal
    ("struct s v = { 1, { @ } };", "@"),             # inside a nested initialiser
    ("if (c) { @; } else { k(); }", "if"),           # a whole if/else
    ("do { k(); } while (@);", "@"),                 # a do-while
])
def test_span_is_the_whole_statement(fe, stmt, bad):
    toks = fe.tokens(BODY % stmt)
    idx = next(k for k, t in enumerate(toks) if t.text == bad)
    a, b = statement_span(toks, idx, body=toks.index(next(t for t in toks if t.text == "{")))
    assert fe.text(toks[a:b]) == fe.text(fe.tokens(stmt))


def test_error_in_inner_block_drops_only_the_inner_statement(fe):
    toks = fe.tokens(BODY % "if (c) { k(); @; m(); }")
    idx = next(k for k, t in enumerate(toks) if t.text == "@")
    a, b = statement_span(toks, idx, body=5)
    assert fe.text(toks[a:b]) == "@ ;"


def test_dropping_an_argument_error_keeps_the_rest_parsed(fe, calls):
    (fn,) = fe.parse("void f(void)\n{\n\tlock(&m);\n\tx = g(1, @, 2);\n\tunlock(&m);\n}\n")
    assert fn.outcome.value == "statement-dropped"
    assert [c for c, _ in calls(fn.ast)] == ["lock", "__lc_unparsed", "unlock"]


@pytest.mark.parametrize("stmt, dropped", [
    # a macro call with no semicolon of its own ends at its parenthesis
    ("D2(for (;;) { k(); }) unlock(&m);", "D2(for (;;) { k(); })"),
    # a label before the statement is kept
    ("out: x = g(1, @, 2);", "x = g(1, @, 2);"),
    ("out: D2(for (;;) { @; }) unlock(&m);", "D2(for (;;) { @; })"),
    # a control statement's head is not a call
    ("if (@) k(); ", "if (@) k();"),
    ("while (c) g(@);", "while (c) g(@);"),
])
def test_span_is_one_statement(fe, stmt, dropped):
    toks = fe.tokens(BODY % stmt)
    idx = next(k for k, t in enumerate(toks) if t.text in ("@", "{") and k > 5)
    a, b = statement_span(toks, idx, body=toks.index(next(t for t in toks if t.text == "{")))
    assert fe.text(toks[a:b]) == fe.text(fe.tokens(dropped))


def test_label_and_statement_after_a_dropped_macro_stay(fe, calls):
    src = "int f(void)\n{\n\tlock(&m);\n\tgoto out;\nout:\n\tD2(for (;;) { k(); })\n\tunlock(&m);\n\treturn 0;\n}\n"
    (fn,) = fe.parse(src)
    assert fn.outcome.value == "statement-dropped"
    assert [c for c, _ in calls(fn.ast)] == ["lock", "__lc_unparsed", "unlock"]

"""Bounded work per function (lockcheck.frontend.bounds): a pathological
function is skipped with a reason and the rest of the file counts."""

from __future__ import annotations

import time

import pytest

from lockcheck.frontend import bounds
from lockcheck.frontend.lexer import tokenize
from lockcheck.frontend.normalize import FrontendModel, _Ctx, string_glue
from lockcheck.frontend.pipeline import build_index, lex_file, parse_items
from lockcheck.model.loader import load_model

GOOD = "static int good(int a)\n{\n\tmutex_lock(&m);\n\treturn a + 1;\n}\n"
MODEL = FrontendModel.from_dict(load_model("frontend"))


def _parse(text: str):
    lexed = lex_file("t.c", text)
    index = build_index([], list(lexed.macros), MODEL, frozenset({"mutex_lock"}))
    return {p.name: p for p in parse_items("t.c", lexed.items, index, MODEL)}


def _pasting_macros(levels: int, copies: int) -> str:
    """X1 pastes its argument ``copies`` times into a lock call, X2 into
    X1, ...: the expansion of X<levels>(a) has copies**levels tokens."""
    args = " ".join(["a"] * copies)
    lines = [f"#define X1(a) mutex_lock({args})"]
    lines += [f"#define X{k}(a) X{k - 1}({args})" for k in range(2, levels + 1)]
    return "\n".join(lines) + f"\nvoid blowup(int a)\n{{\n\tX{levels}(a);\n}}\n"


@pytest.mark.parametrize("name, body, reason", [
    ("blocks", "{" * 300 + "x();" + "}" * 300, "brackets nested 302 deep"),
    ("ifs", "if (a) {" * 200 + "x();" + "}" * 200, "brackets nested 202 deep"),
    ("parens", "x = " + "(" * 300 + "a" + ")" * 300 + ";", "brackets nested 301 deep"),
    ("huge", "a = a + 1;\n" * 25_000, "150008 tokens is over the limit"),
])
def test_a_pathological_function_is_skipped_and_the_rest_counts(name, body, reason):
    t0 = time.perf_counter()
    parsed = _parse(f"void {name}(int a)\n{{\n{body}\n}}\n" + GOOD)
    assert parsed[name].outcome.value == "failed" and parsed[name].ast is None
    assert parsed[name].reason.startswith("skipped: ") and reason in parsed[name].reason
    assert parsed["good"].outcome.value == "clean"
    assert time.perf_counter() - t0 < 60


def test_nesting_within_the_bound_still_parses():
    parsed = _parse("void f(int a)\n{\n" + "if (a) {" * 40 + "x();" + "}" * 40 + "\n}\n")
    assert parsed["f"].outcome.value == "clean"


def test_a_macro_pasting_its_argument_at_every_level_is_stopped():
    """4**9 = 262,144 tokens: past the limit, stopped while expanding."""
    parsed = _parse(_pasting_macros(9, 4) + GOOD)
    assert parsed["blowup"].reason == f"skipped: macro expansion grows past {bounds.MAX_FUNCTION_TOKENS} tokens"
    assert parsed["good"].outcome.value == "clean"


def test_a_self_referential_macro_ends():
    text = ("#define lk(x) lk(x) + mutex_lock(x)\n#define A B\n#define B A\n"
            "void f(int a)\n{\n\tlk(&m);\n\tA;\n}\n" + GOOD)
    parsed = _parse(text)
    assert set(parsed) == {"f", "good"}


def test_string_glue_is_linear_in_a_run_of_identifiers():
    """Regression: a scan forward from every identifier made a macro's
    65,536 pasted identifiers cost half an hour."""
    ctx = _Ctx(MODEL)
    toks = tokenize("x = " + "a " * 60_000 + ";")
    t0 = time.perf_counter()
    assert string_glue(toks, ctx) == toks
    assert time.perf_counter() - t0 < 5
    assert [t.text for t in string_glue(tokenize('pr_info(KERN_INFO DRV ": x" PRIx64, v);'), ctx)] == \
        ["pr_info", "(", '": x"', ",", "v", ")", ";"]

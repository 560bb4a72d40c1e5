"""analysis.arg_bounds: lower bounds of sums of constants and unsigned
terms, and the order tests they decide."""

from __future__ import annotations

from pycparser import c_parser

from lockcheck.analysis.arg_bounds import bound_args, bound_of, bounded_outcome, lower_bound
from lockcheck.analysis.entry_facts import entry_facts, passed_constants

UNSIGNED = {"u", "v", "base"}


def _args(src: str):
    """The arguments of the one call in ``void f(void) { g(<src>); }``."""
    fd = c_parser.CParser().parse(f"void f(void) {{ g({src}); }}").ext[-1]
    return fd.body.block_items[0].args.exprs


def _constant(node):
    return int(node.value) if node.__class__.__name__ == "Constant" else None


def _unsigned(node):
    return getattr(node, "name", None) in UNSIGNED


def test_sums_of_constants_and_unsigned_terms_have_a_bound():
    args = _args("1029 + u, u + 16, 3 + u + 4 + v, 1029 + s, u, 5 + 6, 0 + u, -2 + u, u - 3")
    assert bound_args(args, _constant, _unsigned) == ((0, ">=1029"), (1, ">=16"), (2, ">=7"))
    assert lower_bound(args[3], _constant, _unsigned) is None       # a signed term
    assert lower_bound(args[5], _constant, _unsigned) is None       # all constants: const_values says it
    assert bound_of(">=1029") == 1029 and bound_of(">0") is None and bound_of("nonzero") is None


def test_order_tests_decided_by_a_bound():
    # p < K / K < p (how analysis.compare_facts names every order test)
    assert bounded_outcome(1029, "#1024", "<", False) == "zero"
    assert bounded_outcome(1029, "#1029", "<", False) == "zero"
    assert bounded_outcome(1029, "#1030", "<", False) is None
    assert bounded_outcome(1029, "#1024", "<", True) == "nonzero"
    assert bounded_outcome(1029, "#1029", "<", True) is None
    assert bounded_outcome(10, "#9", ">", False) == "nonzero"
    assert bounded_outcome(10, "#10", ">=", False) == "nonzero"
    assert bounded_outcome(10, "#10", "<=", True) == "nonzero"
    assert bounded_outcome(10, "#9", "<=", False) == "zero"
    assert bounded_outcome(10, "#10", "<=", False) is None
    # equality: false below the bound only; masks and symbols undecided
    assert bounded_outcome(10, "#3", "==", False) == "zero"
    assert bounded_outcome(10, "#10", "==", False) is None
    assert bounded_outcome(10, "#12", "==", False) is None
    assert bounded_outcome(10, "#1", "&", False) is None
    assert bounded_outcome(10, "id:REG_MAX", "<", False) is None


def test_a_bound_decides_the_callee_s_entry_facts_where_no_constant_is_passed():
    params = ("st", "reg", "len")
    tested = ("()<(reg,#1024)", "()<(len,#4)", "()==(reg,#0)")
    got = entry_facts(params, tested, ((2, "#2"),), (), (), {}, known_args=((1, ">0"), (1, ">=1029")))
    assert got == {"()<(reg,#1024)": "zero", "()==(reg,#0)": "zero", "()<(len,#4)": "nonzero"}
    low = entry_facts(params, tested, (), (), (), {}, known_args=((1, ">=1000"),))
    assert low == {"()==(reg,#0)": "zero"}
    # a constant passed wins over a bound (never both in one call, but the constant is exact)
    assert passed_constants(((1, "#7"),), (), ((1, ">=1029"), (2, ">=3"))) == {1: ["#7"], 2: [">=3"]}

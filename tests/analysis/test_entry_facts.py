"""analysis.entry_facts: which tests of a specialised callee a constant argument decides."""

from __future__ import annotations

from lockcheck.analysis.entry_facts import entry_facts, pair_param

PARAMS = ("res", "flags", "n")


def _facts(tested, const_args):
    return entry_facts(PARAMS, tuple(tested), tuple(const_args), (), (), {})


def test_a_mask_test_is_decided_by_an_integer_flag():
    tested = ["()&(flags,#1)", "()&(flags,#6)"]
    assert _facts(tested, [(1, "#1")]) == {"()&(flags,#1)": "nonzero", "()&(flags,#6)": "zero"}
    assert _facts(tested, [(1, "zero")]) == {"()&(flags,#1)": "zero", "()&(flags,#6)": "zero"}


def test_orderings_keep_the_operand_order():
    tested = ["()<(n,#8)", "()<(#8,n)", "()>=(n,#8)"]
    assert _facts(tested, [(2, "#3")]) == {"()<(n,#8)": "nonzero", "()<(#8,n)": "zero", "()>=(n,#8)": "zero"}


def test_a_symbol_decides_only_equality_with_itself():
    tested = ["()==(flags,id:F_NOCTX)", "()&(flags,id:F_NOCTX)", "()==(flags,#1)"]
    assert _facts(tested, [(1, "id:F_NOCTX")]) == {"()==(flags,id:F_NOCTX)": "nonzero"}
    assert pair_param("()&(flags,#1)", PARAMS) == ("flags", "#1")
    assert pair_param("()&(res,other)", PARAMS) is None

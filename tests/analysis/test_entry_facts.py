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


def test_a_symbol_with_a_value_decides_as_its_integer():
    tested = ["flags", "()&(flags,#4)", "()==(flags,id:F_NOTIFY)", "()==(flags,id:F_LOCK)"]
    got = entry_facts(PARAMS, tuple(tested), ((1, "id:F_NOTIFY"),), (), (), {}, ((1, 2),))
    assert got == {"flags": "id:F_NOTIFY", "()&(flags,#4)": "zero", "()==(flags,id:F_NOTIFY)": "nonzero"}


def test_a_local_of_several_constants_decides_only_what_all_decide():
    tested = ["n", "()==(n,#-1)", "()==(n,#0)"]
    got = entry_facts(PARAMS, tuple(tested), (), (), (), {}, ((2, 0), (2, 2)))
    assert got == {"()==(n,#-1)": "zero"}
    got = entry_facts(PARAMS, tuple(tested), (), (), (), {}, ((2, 1), (2, 2)))
    assert got == {"n": "nonzero", "()==(n,#-1)": "zero", "()==(n,#0)": "zero"}


def test_zero_handed_on_decides_a_mask_of_an_unknown_symbol():
    tested = ["()&(flags,id:IO_URING_F_UNLOCKED)"]
    got = entry_facts(PARAMS, tuple(tested), (), ((1, 0),), ("issue_flags",), {"issue_flags": "zero"})
    assert got == {"()&(flags,id:IO_URING_F_UNLOCKED)": "zero"}
    assert _facts(tested, [(1, "id:IO_URING_F_LOCKED")]) == {}

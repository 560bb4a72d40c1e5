"""analysis.const_params and analysis.case_match: constants handed down
through wrappers, and the switch cases a known value enters."""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.case_match import CaseEntry, matches
from lockcheck.analysis.const_params import (MAX_TESTS, downstream_tests, entry_outcomes, outcome_facts,
                                             outcome_key, own_tests)

PARAMS = ("conn", "mask", "val", "flags")
TESTED = ("()&(flags,#17)", "()&(flags,#2)", "conn")


def test_tests_reach_the_callers_handing_the_parameter_on():
    own = {("inner", 3): own_tests(TESTED, PARAMS)[3]}
    hops = [(("wrap", 3), ("inner", 3)), (("outer", 0), ("wrap", 3)), (("wrap", 3), ("wrap", 3))]
    found = downstream_tests(own, hops)
    assert found[("outer", 0)] == found[("wrap", 3)] == found[("inner", 3)] == \
        (("&", "#17", False), ("&", "#2", False))


def test_tests_per_parameter_are_bounded():
    own = {("inner", 0): [("==", f"#{k}", False) for k in range(MAX_TESTS + 4)]}
    assert len(downstream_tests(own, [(("wrap", 0), ("inner", 0))])[("wrap", 0)]) == MAX_TESTS


class _Call:
    def __init__(self, const_args=(), const_values=(), forwarded_params=(), known_args=()):
        self.const_args, self.const_values, self.forwarded_params = const_args, const_values, forwarded_params
        self.known_args = known_args


def test_outcomes_of_a_constant_and_of_a_parameter_handed_on():
    tests = {3: (("&", "#17", False), ("&", "#2", False))}
    hard = entry_outcomes(PARAMS, tests, _Call(((3, "id:CS_HARD"),), ((3, 1),)), (), {}, frozenset())
    assert hard == {"flags": ((("&", "#17", False), "nonzero"), (("&", "#2", False), "zero"))}
    assert outcome_key(hard) == ";flags&#17=nonzero;flags&#2=zero"
    both = entry_outcomes(PARAMS, tests, _Call(const_values=((3, 3),)), (), {}, frozenset())
    assert dict(both["flags"])[("&", "#2", False)] == "nonzero"
    # the wrapper hands its parameter f on: what its clone knows goes down
    on = _Call(forwarded_params=((3, 0),))
    assert entry_outcomes(PARAMS, tests, on, ("f",), hard, frozenset()) == {}     # it knows nothing of f
    known = {"f": hard["flags"]}
    assert entry_outcomes(PARAMS, tests, on, ("f",), known, frozenset()) == hard
    assert entry_outcomes(PARAMS, tests, on, ("f",), known, frozenset({"f"})) == {}   # f assigned
    assert outcome_facts(TESTED, PARAMS, hard) == {"()&(flags,#17)": "nonzero", "()&(flags,#2)": "zero"}


def test_outcomes_of_a_lower_bound():
    """An argument known at least N (analysis.arg_bounds) decides the order
    tests down the calls as every value from N up does; a mask stays open."""
    tests = {3: (("<", "#1024", False), ("&", "#2", False))}
    got = entry_outcomes(PARAMS, tests, _Call(known_args=((3, ">0"), (3, ">=1029"))), (), {}, frozenset())
    assert got == {"flags": ((("<", "#1024", False), "zero"),)}
    assert entry_outcomes(PARAMS, tests, _Call(known_args=((3, ">=1000"),)), (), {}, frozenset()) == {}


def test_a_known_value_enters_the_cases_it_may_match():
    new, dele, zero, named = (ir.CaseLabel(value="id:RTM_NEWADDR", number=20), ir.CaseLabel(value="id:RTM_DELADDR"),
                              ir.CaseLabel(number=0), ir.CaseLabel(value="id:X"))
    assert matches("zero", new) is False and matches("zero", zero) is True and matches("zero", dele) is None
    assert matches("nonzero", zero) is False and matches("nonzero", new) is None
    assert matches("id:RTM_NEWADDR", new) is True and matches("id:RTM_NEWADDR", named) is False
    cases = CaseEntry([new, named, ir.CaseLabel(default=True)])
    assert cases.entry("zero") == (frozenset({named}), True)
    assert cases.entry("id:X") == (frozenset({named}), False)

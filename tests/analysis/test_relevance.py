"""A scan parses only the functions a lock can be reached from
(lockcheck/frontend/relevance.py); skipping the others must not change
any edge, cycle or witness."""

from __future__ import annotations

import dataclasses

import pytest

from lockcheck.api import check
from lockcheck.driver import SKIPPED, run_frontend
from lockcheck.frontend.lexer import tokenize
from lockcheck.frontend.relevance import THROUGH_PARAMETER, function_refs, model_seeds, relevant_functions
from lockcheck.options import Options
from tests.test_fixtures import FIXTURE_IDS, FIXTURE_MAP, FIXTURES


def refs(src: str) -> frozenset[str]:
    return function_refs(tuple(tokenize(src)))


def test_refs_are_body_identifiers_member_calls_and_parameter_calls():
    r = refs("static int f(struct kvm *kvm, int (*cb)(int)) { int x = g(kvm->n); "
             "if (x) return ops->run(x) + cb(x); return (*cb)(x); }")
    assert {"g", "->run", THROUGH_PARAMETER} <= r
    # parameters, members read as values and keywords are not references
    assert not {"kvm", "cb", "n", "int", "return", "if", "run"} & r


def test_a_function_used_as_a_value_is_a_reference():
    assert "my_cb" in refs("void f(void) { register_thing(&w, my_cb); }")


def test_closure_goes_through_functions_macros_and_ops_fields():
    graph = {
        "wrapper": {"LOCK_IT"},          # macro expanding to a primitive
        "caller": {"wrapper"},
        "visit": {"->lookup"},           # member call reaching an ops target
        "lookup_locked": {"mutex_lock"},
        "walker": {THROUGH_PARAMETER},
        "pure": {"memset", "pure2"},
        "pure2": {"strlen"},
    }
    macros = {"LOCK_IT": {"mutex_lock", "lock"}}
    ops = {("struct ops", "lookup"): ["lookup_locked"]}
    seeds = model_seeds(frozenset({"mutex_lock"}), {})
    got = relevant_functions(graph, macros, ops, seeds)
    assert got == {"wrapper", "caller", "visit", "lookup_locked", "walker"}


def test_model_names_are_seeds():
    contexts = {"static_calls": {"wrappers": {"kvm_x86_call": "struct kvm_x86_ops"}, "callers": ["static_call"]},
                "notifiers": {"call_chain": {"blocking_notifier_call_chain": 0}, "block_field": "notifier_call"},
                "callback": [{"register": {"INIT_WORK": [1]}, "runner": "process_one_work"}]}
    seeds = model_seeds(frozenset(), contexts)
    assert {"kvm_x86_call", "static_call", "blocking_notifier_call_chain", "->notifier_call",
            "INIT_WORK", "process_one_work"} <= seeds


def _skipped(path) -> set[str]:
    run = run_frontend(Options(paths=(str(path),), cache_dir=None), extract=True)
    return {fn.name for f in run.files for fn in f.functions if fn.outcome == SKIPPED}


def test_the_fixture_skips_exactly_its_lock_free_helpers():
    assert _skipped(FIXTURES / "relevance") == {"dev_hash", "dev_mix", "dev_name_len"}


def test_parse_all_skips_nothing():
    run = run_frontend(Options(paths=(str(FIXTURES / "relevance"),), cache_dir=None, parse_all=True),
                       extract=True)
    assert all(fn.outcome != SKIPPED for f in run.files for fn in f.functions)


@pytest.mark.parametrize("case", FIXTURE_IDS)
def test_skipping_changes_no_finding_or_edge(case):
    options = Options(paths=(str(FIXTURE_MAP[case]),), cache_dir=None)
    fast = check(options)
    full = check(dataclasses.replace(options, parse_all=True))
    assert fast.edges == full.edges
    assert fast.findings == full.findings
    assert fast.locks == full.locks
    assert fast.stats["functions"]["total"] == full.stats["functions"]["total"]

"""A scan parses only the functions a lock can be reached from
(lockcheck/frontend/relevance.py); skipping the others must not change
any edge, cycle or witness."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lockcheck.api import check
from lockcheck.driver import run_frontend
from lockcheck.parse_task import SKIPPED
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


def test_calls_to_names_nothing_defines_resolve_to_nothing():
    """call_graph.resolve_calls skips program.resolve for a direct call whose
    callee is neither defined nor a notifier chain call: on every fixture,
    resolve itself must find nothing for exactly those calls."""
    from lockcheck.analysis.contexts import callback_functions
    from lockcheck.analysis.notifiers import NotifierModel
    from lockcheck.analysis.irwalk import calls_in
    from lockcheck.analysis.program import Program
    from lockcheck.driver import run_frontend
    from lockcheck.model.loader import load_model
    from lockcheck.options import Options
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    skipped_calls = chain_calls = 0
    for path in sorted({p.parent for p in fixtures.rglob("*.c")}):
        run = run_frontend(Options(paths=(str(path),), cache_dir=None), extract=True)
        contexts = load_model("contexts")
        chain_names = set(contexts["notifiers"]["call_chain"])
        # as scanned, and without the chain functions' own definitions (a
        # scan that does not include kernel/notifier.c still binds callbacks)
        for drop in (set(), chain_names):
            functions = [fn for f in run.files for fn in f.irs if fn.name not in drop]
            functions += callback_functions(functions, contexts)
            notifiers = NotifierModel(contexts.get("notifiers", {}), run.index.var_fields)
            program = Program(functions, run.index.ops, notifiers)
            program.bind_function_pointers()
            program.uses_function_params()
            notifiers.learn(list(program.by_key.values()), calls_in)
            resolvable = program.resolvable_names()
            for key, fn in sorted(program.by_key.items()):
                for call in calls_in(fn.body):
                    if call.via_param is None and call.callee and call.callee not in resolvable:
                        skipped_calls += 1
                        assert program.resolve(call, fn, key) == [], (path, key, call.callee)
                    elif call.callee in chain_names and program.resolve(call, fn, key):
                        chain_calls += 1
    assert skipped_calls > 20 and chain_calls > 0


def test_a_call_through_a_local_read_from_a_member_is_a_member_call():
    src = "void f(struct tx *tx) { cb_t done = tx->complete; if (done) (*done)(tx, 1); }"
    assert "->complete" in refs(src)
    plain = "void f(struct tx *tx) { cb_t done = tx->complete; g(done); }"
    assert "->complete" not in refs(plain)      # read, never called


def test_a_run_time_store_into_a_member_reaches_its_calls():
    graph = {"init": {"=->complete"}, "run_cb": {"->complete"}, "other": {"->open"}}
    got = relevant_functions(graph, {}, {}, frozenset({"=->complete"}))
    assert got == {"init", "run_cb"}

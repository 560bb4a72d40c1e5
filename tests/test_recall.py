"""The recall set (benchmarks/recall.toml, RECALL.md) on Debian's 6.1 and 6.12 trees.

Every case is an upstream lock-order fix: the pair's cycle should be reported
in linux-source-6.1 and not in linux-source-6.12.  Cases the checker misses
today are strict xfails carrying the missing mechanism, so a fix that starts
catching one turns the run red until its ``expect`` is updated.  The scans
skip when either tree is absent (make kernel; make kernel KVERSION=6.1).

`make test` scans only the cases marked ``quick`` in recall.toml (a caught
and missed mix of small scans); ``RECALL_ALL=1`` (set by ``make recall``)
scans every case.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("recall", REPO / "benchmarks" / "recall.py")
recall = importlib.util.module_from_spec(_spec)
sys.modules["recall"] = recall
_spec.loader.exec_module(recall)

CASES = recall.load_cases()
_missing = [f"{t} (make kernel KVERSION={v})" for v, t in recall.TREES.items()
            if not (t / "Makefile").exists()]
needs_trees = pytest.mark.skipif(bool(_missing), reason="needs " + ", ".join(_missing))
RUN_ALL = os.environ.get("RECALL_ALL") == "1"


def _scan_marks(case):
    marks = [pytest.mark.kernel, needs_trees]
    if not (case.quick or RUN_ALL):
        marks.append(pytest.mark.skip(reason="not in the quick subset: make recall (RECALL_ALL=1)"))
    return marks


def _param(case):
    marks = _scan_marks(case)
    if case.expect == "missed":
        marks.append(pytest.mark.xfail(strict=True, reason=case.reason))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("recall-cache"))
    done = {}

    def get(case):
        if case.id not in done:
            done[case.id] = recall.run_case(case, [], cache)
        return done[case.id]
    return get


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_cycle_reported_in_6_1_and_gone_in_6_12(case, outcomes):
    o = outcomes(case)
    assert not o.old.error and not o.new.error, (o.old.error, o.new.error)
    assert o.verdict == "caught", (o.verdict, recall.render([o]))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_scan_marks(c)) for c in CASES])
def test_6_12_is_silent_on_the_pair(case, outcomes):
    """The fixed tree never reports the pair, whether or not 6.1 is caught."""
    o = outcomes(case)
    assert not o.new.error, o.new.error
    assert o.new.cycles == []
    assert not (o.new.forward and o.new.backward)


def test_cases_are_well_formed():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    for c in CASES:
        assert c.kind in ("order", "irq"), c.id
        n = 1 if c.kind == "irq" else 2
        assert len(c.pair) == n and len(c.classes) == n, c.id
        assert c.expect in ("caught", "missed"), c.id
        assert c.expect == "caught" or c.reason, f"{c.id}: a miss needs its reason"
        assert all(c.paths[v] for v in ("6.1", "6.12")), c.id
    quick = [c for c in CASES if c.quick]
    # the subset `make test` runs keeps both verdicts represented
    assert {c.expect for c in quick} == {"caught", "missed"}
    # issue 21: the set carries at least two interrupt-safety deadlocks
    assert sum(c.kind == "irq" for c in CASES) >= 2


def _result(cycles, edges, locks):
    return {"cycles": [{"kind": "circular", "locks": list(c)} for c in cycles],
            "edges": [{"from": a, "to": b} for a, b in edges],
            "locks": [{"name": n, "class": k} for n, k in locks]}


CASE = recall.Case(id="t", title="t", pair=("&a->m", "g_lock"), classes=("f:struct a:m", "g:g_lock"),
                   paths={"6.1": ("x.c",), "6.12": ("x.c",)}, expect="caught")


def test_judge_matches_a_cycle_through_both_classes_by_class_id():
    # matched through the locks table (class id) and the pair's display names
    locks = [("&a->m", "f:struct a:m"), ("g_lock", "g:g_lock"), ("other", "g:other")]
    side = recall.judge(CASE, _result([("&a->m", "other", "g_lock")],
                                      [("&a->m", "other"), ("g_lock", "&a->m")], locks))
    assert side.cycles == [("&a->m", "other", "g_lock")]
    assert side.backward and not side.forward


def test_judge_ignores_cycles_through_one_class_only():
    locks = [("&a->m", "f:struct a:m"), ("other", "g:other")]
    side = recall.judge(CASE, _result([("&a->m", "other")], [("&a->m", "other")], locks))
    assert side.cycles == [] and not side.forward and not side.backward


def test_judge_counts_only_shown_cycles():
    locks = [("&a->m", "f:struct a:m"), ("g_lock", "g:g_lock")]
    result = _result([("&a->m", "g_lock")], [("&a->m", "g_lock"), ("g_lock", "&a->m")], locks)
    result["cycles"][0]["shown"] = False        # below the scan's --min-confidence
    side = recall.judge(CASE, result)
    assert side.cycles == [] and side.held_back == 1
    result["cycles"][0]["shown"] = True
    assert recall.judge(CASE, result).cycles == [("&a->m", "g_lock")]


def test_verdicts():
    hit, none = recall.Side(cycles=[("a", "b")]), recall.Side()
    assert recall.Outcome(CASE, hit, none).verdict == "caught"
    assert recall.Outcome(CASE, none, none).verdict == "missed"
    assert recall.Outcome(CASE, hit, hit).verdict == "noisy"
    assert recall.Outcome(CASE, hit, recall.Side(error="boom")).verdict == "error"


IRQ_CASE = recall.Case(id="i", title="i", pair=("&d->lock",), classes=("f:struct d:lock",),
                       paths={"6.1": ("x.c",), "6.12": ("x.c",)}, expect="caught", kind="irq")


def test_judge_irq_case_counts_irq_findings_on_its_lock_only():
    locks = [("&d->lock", "f:struct d:lock"), ("other", "g:other")]
    result = _result([("&d->lock", "other")], [("&d->lock", "other"), ("other", "&d->lock")], locks)
    # a circular finding through the lock is not an irq-safety finding
    assert recall.judge(IRQ_CASE, result).cycles == []
    result["cycles"] = [{"kind": "irq-inconsistent", "locks": ["other"]},
                        {"kind": "irq-unsafe-order", "locks": ["other", "&d->lock"]},
                        {"kind": "irq-inconsistent", "locks": ["&d->lock"], "shown": False}]
    side = recall.judge(IRQ_CASE, result)
    assert side.cycles == [("other", "&d->lock")] and side.held_back == 1
    # edges say nothing about an irq case
    assert not side.forward and not side.backward


def test_judge_order_case_ignores_irq_findings():
    locks = [("&a->m", "f:struct a:m"), ("g_lock", "g:g_lock")]
    result = _result([], [], locks)
    result["cycles"] = [{"kind": "irq-unsafe-order", "locks": ["&a->m", "g_lock"]}]
    assert recall.judge(CASE, result).cycles == []


def test_load_cases_reads_kind(tmp_path):
    f = tmp_path / "r.toml"
    f.write_text('[[case]]\nid = "a"\ntitle = "a"\npair = ["x"]\nclasses = ["g:x"]\n'
                 'paths_6_1 = ["a.c"]\nexpect = "caught"\nkind = "irq"\n'
                 '[[case]]\nid = "b"\ntitle = "b"\npair = ["x", "y"]\nclasses = ["g:x", "g:y"]\n'
                 'paths_6_1 = ["b.c"]\nexpect = "caught"\n')
    a, b = recall.load_cases(f)
    assert (a.kind, b.kind) == ("irq", "order")

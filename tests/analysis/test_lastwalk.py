"""Findings of a recursion come from each member's last walk
(lockcheck/analysis/lastwalk.py): a member walked before the callee that
releases its lock must not keep that early walk's false findings, in a
small recursion and in a large one (its component forced to count as large)."""

from __future__ import annotations

import pytest

import lockcheck.analysis.lastwalk as lastwalk
import lockcheck.analysis.recursions as recursions
from lockcheck.analysis.lastwalk import LastWalk, deferred
from lockcheck.api import check
from lockcheck.options import Options
from tests.test_fixtures import FIXTURES

FIXTURE = FIXTURES / "held" / "release_in_recursion.c"


def recursive_locks(result) -> set[str]:
    return {f.locks[0] for f in result.findings if f.kind == "recursive"}


def test_small_recursion_reports_from_the_last_walk():
    result = check(Options(paths=(str(FIXTURE),), cache_dir=None))
    assert recursive_locks(result) == {"umount_sem"}
    assert not [f for f in result.findings if f.kind == "circular"]


def test_large_recursion_reports_from_the_last_walk(monkeypatch):
    monkeypatch.setattr(recursions, "LARGE_COMPONENT", 3)
    seen = []
    real = recursions.Recursions.summarise

    def spy(self, members, summaries, walk, rebuild=None):
        seen.append(len(members))
        return real(self, members, summaries, walk, rebuild)
    monkeypatch.setattr(recursions.Recursions, "summarise", spy)
    result = check(Options(paths=(str(FIXTURE),), cache_dir=None))
    assert seen and max(seen) >= 3          # the recursion was summarised as a large one
    assert "namespace_sem" not in recursive_locks(result)


def _replay(out: list):
    """A LastWalk's ``rebuild``: every function's one callback appends to ``out``."""
    return lambda key: (out.append,)


def test_a_new_walk_drops_the_buffered_findings():
    out = []
    last = LastWalk(_replay(out))
    emit, = deferred(last.begin("f"), out.append)
    emit("early")
    emit, = deferred(last.begin("f"), out.append)
    emit("late")
    assert out == []
    last.flush()
    assert out == ["late"]
    assert deferred(last.begin("g", False), out.append) == (out.append,)


def test_past_the_bound_the_buffers_are_spilled_and_all_reported(monkeypatch):
    monkeypatch.setattr(lastwalk, "COUNT_EVERY", 1)
    out = []
    last = LastWalk(_replay(out), limit=1)
    for k in range(5):
        emit, = deferred(last.begin(f"f{k}"), out.append)
        emit(k)
        emit(k)
    assert list(last.spilled) == ["f0", "f1", "f2", "f3"]   # past the bound: written out
    last.begin("f2", False)                       # walked again, reporting at once: its spilled ones go
    last.flush()
    assert out == [0, 0, 1, 1, 3, 3, 4, 4]


#: fixture -> the one true recursive finding it holds (no cycle)
BOTH_WAYS = {"release_in_recursion.c": "umount_sem", "release_deep_in_recursion.c": "dev_list_lock"}


def scan(monkeypatch, name: str, large: int, bound: int | None):
    """A fixture as a large or a small recursion; with ``bound``, every
    buffered finding past it spilled (the whole tree's large recursion
    passes the bound in its first pass)."""
    if bound is not None:
        monkeypatch.setattr(lastwalk, "MAX_PENDING", bound)
        monkeypatch.setattr(lastwalk, "COUNT_EVERY", 1)
    monkeypatch.setattr(recursions, "LARGE_COMPONENT", large)
    return check(Options(paths=(str(FIXTURE.parent / name),), cache_dir=None))


@pytest.mark.parametrize("bound", [None, 0])
@pytest.mark.parametrize("large", [2, 1000])
@pytest.mark.parametrize("name", sorted(BOTH_WAYS))
def test_only_last_walks_report_also_past_the_bound(monkeypatch, name, large, bound):
    result = scan(monkeypatch, name, large, bound)
    assert recursive_locks(result) == {BOTH_WAYS[name]}    # the true one is still found
    assert not [f for f in result.findings if f.kind == "circular"]


def test_running_count_matches_the_buffers():
    # the bound is checked against a running count (summing every buffer at
    # each check was quadratic in a large recursion): it must equal the sum
    out = []
    last = LastWalk(_replay(out))
    for i, key in enumerate(["a", "b", "a", "c", "b", "a"]):
        emit, = deferred(last.begin(key), out.append)
        for _ in range(i + 1):
            emit(key)
    last.begin("d", False)
    assert last.total == sum(map(len, last.pending.values()))
    last.flush(["a"])
    assert out == ["a"] * 6
    assert last.total == sum(map(len, last.pending.values())) == 4 + 5


def test_spilled_findings_are_reported_as_without_a_bound(monkeypatch):
    """The findings past the bound are written out and read back: reported
    as if there were no bound, in the same order, and a function walked
    again forgets its spilled findings."""
    monkeypatch.setattr(lastwalk, "COUNT_EVERY", 1)

    def walks(limit):
        out = []
        last = LastWalk(lambda key: (lambda *a: out.append((key,) + a),), limit=limit)
        for k in [0, 1, 2, 1, 3, 4, 0]:          # f1 and f0 walked twice: their last walks count
            key = f"f{k}"
            emit, = deferred(last.begin(key), lambda *a, key=key: out.append((key,) + a))
            emit(k, "x")
            emit(k, ("y", k))
        spilled = dict(last.spilled)
        last.flush([f"f{k}" for k in range(5)])
        return out, spilled
    unbounded, none = walks(10 ** 6)
    bounded, spilled = walks(1)
    assert not none and spilled                    # the small bound did spill
    assert bounded == unbounded
    assert [k for k, *_ in unbounded] == ["f0", "f0", "f1", "f1", "f2", "f2", "f3", "f3", "f4", "f4"]

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

    def spy(self, members, summaries, walk):
        seen.append(len(members))
        return real(self, members, summaries, walk)
    monkeypatch.setattr(recursions.Recursions, "summarise", spy)
    result = check(Options(paths=(str(FIXTURE),), cache_dir=None))
    assert seen and max(seen) >= 3          # the recursion was summarised as a large one
    assert "namespace_sem" not in recursive_locks(result)


def test_a_new_walk_drops_the_buffered_findings():
    out = []
    last = LastWalk()
    emit, = deferred(last.begin("f"), out.append)
    emit("early")
    emit, = deferred(last.begin("f"), out.append)
    emit("late")
    assert out == []
    last.flush()
    assert out == ["late"]
    assert deferred(last.begin("g", False), out.append) == (out.append,)


def test_past_the_bound_the_buffers_are_dropped_and_listed(monkeypatch):
    monkeypatch.setattr(lastwalk, "COUNT_EVERY", 1)
    out = []
    last = LastWalk(limit=1)
    for k in range(5):
        emit, = deferred(last.begin(f"f{k}"), out.append)
        emit(k)
        emit(k)
    last.flush()
    assert out == [4, 4]                          # only the walk not yet counted
    assert last.redo([f"f{k}" for k in range(5)]) == ["f0", "f1", "f2", "f3"]
    last.begin("f2", False)                       # walked again, reporting at once
    assert last.redo(["f2", "f3"]) == ["f3"]


#: fixture -> the one true recursive finding it holds (no cycle)
BOTH_WAYS = {"release_in_recursion.c": "umount_sem", "release_deep_in_recursion.c": "dev_list_lock"}


def scan(monkeypatch, name: str, large: int, bound: int | None):
    """A fixture as a large or a small recursion; with ``bound``, every
    buffered finding past it dropped (the whole tree's large recursion
    passed the bound in its first pass)."""
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
    last = LastWalk()
    for i, key in enumerate(["a", "b", "a", "c", "b", "a"]):
        sink = last.begin(key)
        sink.extend([(print, ())] * (i + 1))
    last.begin("d", False)
    assert last.total == sum(map(len, last.pending.values()))
    last.flush(["a"])
    assert last.total == sum(map(len, last.pending.values())) == 4 + 5

"""Findings of a recursion come from each member's last walk
(lockcheck/analysis/lastwalk.py): a member walked before the callee that
releases its lock must not keep that early walk's false findings, in a
small recursion and in a large one (its component forced to count as large)."""

from __future__ import annotations

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


def past_the_bound(monkeypatch, large: int):
    """The fixture with every buffered finding dropped (the bound the whole
    tree's large recursion passes in its first pass), as a large or a small
    recursion."""
    monkeypatch.setattr(lastwalk, "MAX_PENDING", 0)
    monkeypatch.setattr(lastwalk, "COUNT_EVERY", 1)
    monkeypatch.setattr(recursions, "LARGE_COMPONENT", large)
    return check(Options(paths=(str(FIXTURE),), cache_dir=None))


def test_a_large_recursion_past_the_bound_reports_no_early_walk(monkeypatch):
    result = past_the_bound(monkeypatch, 3)
    assert recursive_locks(result) == {"umount_sem"}       # the true one is still found
    assert not [f for f in result.findings if f.kind == "circular"]


def test_a_small_recursion_past_the_bound_reports_no_early_walk(monkeypatch):
    result = past_the_bound(monkeypatch, 1000)
    assert recursive_locks(result) == {"umount_sem"}
    assert not [f for f in result.findings if f.kind == "circular"]

"""Findings of a recursion come from each member's last walk
(lockcheck/analysis/lastwalk.py): a member walked before the callee that
releases its lock must not keep that early walk's false findings, in a
small recursion and in a large one (its component forced to count as large)."""

from __future__ import annotations

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


def test_past_the_bound_the_buffers_are_reported_as_they_are():
    out = []
    last = LastWalk(limit=1)
    for k in range(300):
        emit, = deferred(last.begin(f"f{k:03}"), out.append)
        emit(k)
        emit(k)
    assert out and out[:2] == [0, 0]      # reported before the end, in the order walked
    last.flush()
    assert sorted(out) == sorted(list(range(300)) * 2)

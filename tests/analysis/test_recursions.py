"""Large recursions of the call graph are summarised once
(lockcheck/analysis/recursions.py).  fixtures/large_recursion is a small
allocation → reclaim → allocation recursion: scanned with the component
forced to count as large, it must give the fixpoint's edges and cycle, with
witnesses that follow real calls, and honour the depth bound."""

from __future__ import annotations

import pytest

import lockcheck.analysis.recursions as recursions
from lockcheck.analysis.facts import Summary
from lockcheck.api import check
from lockcheck.options import Options
from tests.test_fixtures import FIXTURES

FIXTURE = FIXTURES / "large_recursion"


def scan(large: int | None = None, depth: int | None = None, monkeypatch=None):
    if large is not None:
        monkeypatch.setattr(recursions, "LARGE_COMPONENT", large)
    if depth is not None:
        monkeypatch.setattr(recursions, "RECURSION_DEPTH", depth)
    return check(Options(paths=(str(FIXTURE),), cache_dir=None))


def pairs(result) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in result.edges}


def test_the_fixture_is_one_recursion_of_three_functions(monkeypatch):
    seen = []
    real = recursions.Recursions.summarise

    def spy(self, members, summaries, walk):
        seen.append(sorted(members))
        return real(self, members, summaries, walk)
    monkeypatch.setattr(recursions.Recursions, "summarise", spy)
    scan(3, monkeypatch=monkeypatch)
    assert seen == [["alloc_pages_slow", "fixtures/large_recursion/alloc_reclaim.c:wake_kswapd", "shrink_all"]]


def test_a_large_recursion_gives_the_fixpoint_edges_and_cycle(monkeypatch):
    small = scan()
    assert ("refill_mutex", "kswapd_lock") in pairs(small)
    assert not [f for f in small.findings if f.kind != "circular"]
    large = scan(3, 3, monkeypatch)
    assert pairs(large) == pairs(small)
    assert [f.locks for f in large.findings if f.kind == "circular"] == \
        [f.locks for f in small.findings if f.kind == "circular"] == [("cache_mutex", "shrinker_mutex")]


def test_the_depth_bound_drops_locks_further_in(monkeypatch):
    near = pairs(scan(3, 1, monkeypatch))
    assert ("refill_mutex", "zone_lock") in near          # taken where it enters
    assert ("refill_mutex", "shrinker_mutex") in near     # one call in
    assert ("refill_mutex", "cache_mutex") in near        # one, then out of the recursion
    assert ("refill_mutex", "kswapd_lock") not in near    # two calls in
    assert ("shrinker_mutex", "cache_mutex") in near      # the cycle survives


def test_witnesses_through_a_recursion_follow_real_calls(monkeypatch):
    result = scan(3, 3, monkeypatch)
    edge = next(e for e in result.edges if (e.src, e.dst) == ("refill_mutex", "kswapd_lock"))
    chain = [(s.function, s.what) for s in edge.acquire]
    assert chain == [("cache_refill", "alloc_pages_slow"), ("alloc_pages_slow", "shrink_all"),
                     ("shrink_all", "wake_kswapd"), ("wake_kswapd", "spin_lock")]
    edge = next(e for e in result.edges if (e.src, e.dst) == ("refill_mutex", "cache_mutex"))
    chain = [(s.function, s.what) for s in edge.acquire]
    assert chain == [("cache_refill", "alloc_pages_slow"), ("alloc_pages_slow", "shrink_all"),
                     ("shrink_all", "shrink_one"), ("shrink_one", "cache_shrink_scan"),
                     ("cache_shrink_scan", "mutex_lock")]


def test_members_keep_no_copy_of_the_recursions_locks(monkeypatch):
    """The point of it: a member's summary holds a pointer, not the set."""
    kept: dict[str, Summary] = {}
    real = recursions.Recursions.summarise

    def spy(self, members, summaries, walk):
        real(self, members, summaries, walk)
        kept.update({m: summaries[m] for m in members})
        assert set(self.by_id[members[0]].takes) == set(members)
    monkeypatch.setattr(recursions.Recursions, "summarise", spy)
    scan(3, monkeypatch=monkeypatch)
    assert len(kept) == 3
    for member, summary in kept.items():
        assert summary.acquires == {}
        assert list(summary.recursions.values()) == [((), member)]


@pytest.mark.parametrize("depth", [1, 3])
def test_a_large_recursion_scan_is_deterministic(monkeypatch, depth):
    assert scan(3, depth, monkeypatch) == scan(3, depth, monkeypatch)

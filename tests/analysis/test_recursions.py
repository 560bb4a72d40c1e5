"""Large recursions of the call graph are summarised once
(lockcheck/analysis/recursions.py).  The fixtures in fixtures/large_recursion
are small recursions; scanned with their components forced to count as
large, they must give the fixpoint's edges and cycle, with witnesses that
follow real calls, and honour the depth bound."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import lockcheck.analysis.recursions as recursions
from lockcheck.analysis.facts import Summary
from lockcheck.api import check
from lockcheck.options import Options
from tests.test_fixtures import FIXTURES, REPO

FIXTURE = FIXTURES / "large_recursion"
ALLOC = FIXTURE / "alloc_reclaim.c"
WALK = FIXTURE / "tree_walk.c"


def scan(path=FIXTURE, large: int | None = None, depth: int | None = None, monkeypatch=None):
    if large is not None:
        monkeypatch.setattr(recursions, "LARGE_COMPONENT", large)
    if depth is not None:
        monkeypatch.setattr(recursions, "RECURSION_DEPTH", depth)
    return check(Options(paths=(str(path),), cache_dir=None))


def pairs(result) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in result.edges}


def acquire_chain(result, src: str, dst: str) -> list[tuple[str, str]]:
    edge = next(e for e in result.edges if (e.src, e.dst) == (src, dst))
    return [(s.function, s.what) for s in edge.acquire]


def test_each_fixture_component_is_one_recursion(monkeypatch):
    seen = []
    real = recursions.Recursions.summarise

    def spy(self, members, summaries, walk, *rest):
        seen.append(sorted(m.rsplit(":", 1)[-1] for m in members))
        return real(self, members, summaries, walk, *rest)
    monkeypatch.setattr(recursions.Recursions, "summarise", spy)
    scan(large=3, monkeypatch=monkeypatch)
    assert sorted(seen) == [["alloc_pages_slow", "shrink_all", "wake_kswapd"],
                            ["leaf_a", "leaf_b", "leaf_c"], ["walk_a", "walk_b", "walk_c"]]


def test_a_large_recursion_gives_the_fixpoint_edges_and_cycle(monkeypatch):
    small = scan()
    assert {("refill_mutex", "kswapd_lock"), ("walk_mutex", "leaf_lock")} <= pairs(small)
    assert not [f for f in small.findings if f.kind != "circular"]
    large = scan(large=3, depth=3, monkeypatch=monkeypatch)
    assert large.stats["edges"] == small.stats["edges"]
    assert pairs(large) == pairs(small)
    assert [f.locks for f in large.findings] == [f.locks for f in small.findings] == \
        [("cache_mutex", "shrinker_mutex")]


def test_the_depth_bound_drops_locks_further_in(monkeypatch):
    near = pairs(scan(ALLOC, large=3, depth=1, monkeypatch=monkeypatch))
    assert ("refill_mutex", "zone_lock") in near          # taken where it enters
    assert ("refill_mutex", "shrinker_mutex") in near     # one call in
    assert ("refill_mutex", "cache_mutex") in near        # one, then out of the recursion
    assert ("refill_mutex", "kswapd_lock") not in near    # two calls in
    assert ("refill_mutex", "kswapd_lock") in pairs(scan(ALLOC, large=3, depth=2, monkeypatch=monkeypatch))


def test_every_entry_into_a_recursion_counts(monkeypatch):
    """visit_all() reaches the walk recursion at walk_a() and at walk_c():
    at depth 1, node_b_lock is near only the first, node_c_lock only the
    second, and leaf_lock only through walk_c()'s entry into the leaf
    recursion."""
    near = pairs(scan(WALK, large=3, depth=1, monkeypatch=monkeypatch))
    assert {("walk_mutex", lock) for lock in ("node_a_lock", "node_b_lock", "node_c_lock", "leaf_lock")} <= near


def test_witnesses_through_a_recursion_follow_real_calls(monkeypatch):
    result = scan(large=3, depth=3, monkeypatch=monkeypatch)
    assert acquire_chain(result, "refill_mutex", "kswapd_lock") == [
        ("cache_refill", "alloc_pages_slow"), ("alloc_pages_slow", "shrink_all"),
        ("shrink_all", "wake_kswapd"), ("wake_kswapd", "spin_lock")]
    assert acquire_chain(result, "refill_mutex", "cache_mutex") == [
        ("cache_refill", "alloc_pages_slow"), ("alloc_pages_slow", "shrink_all"),
        ("shrink_all", "shrink_one"), ("shrink_one", "cache_shrink_scan"), ("cache_shrink_scan", "mutex_lock")]
    # into the walk recursion at walk_c(), then into the leaf recursion at leaf_a()
    assert acquire_chain(result, "walk_mutex", "leaf_lock") == [
        ("walk_all", "visit_all"), ("visit_all", "visit_last"), ("visit_last", "walk_c"),
        ("walk_c", "leaf_a"), ("leaf_a", "spin_lock")]


def test_members_keep_no_copy_of_the_recursions_locks(monkeypatch):
    """The point of it: a member's summary holds a pointer, not the set."""
    kept: dict[str, Summary] = {}
    real = recursions.Recursions.summarise

    def spy(self, members, summaries, walk, *rest):
        real(self, members, summaries, walk, *rest)
        kept.update({m: summaries[m] for m in members})
        assert set(self.by_id[members[0]].takes) == set(members)
    monkeypatch.setattr(recursions.Recursions, "summarise", spy)
    scan(ALLOC, large=3, monkeypatch=monkeypatch)
    assert len(kept) == 3
    ident = min(kept)
    for member, summary in kept.items():
        assert summary.acquires == {}
        assert summary.recursions == {(ident, member): ((), frozenset())}


_SCAN_AS_LARGE = """
import json, sys
import lockcheck.analysis.recursions as r
r.LARGE_COMPONENT, r.RECURSION_DEPTH = 3, 1
from lockcheck.api import check
from lockcheck.options import Options
res = check(Options(paths=(sys.argv[1],), cache_dir=None))
print(json.dumps([[e.src, e.dst, e.holder, e.acquirer, [list(map(str, (s.function, s.file, s.line, s.what)))
                   for s in e.held + e.acquire], len(e.others)] for e in res.edges]))
print(json.dumps([[f.id, f.locks] for f in res.findings]))
"""


def test_a_large_recursion_scan_is_deterministic_across_hash_seeds():
    outs = []
    for seed in ("0", "1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-c", _SCAN_AS_LARGE, str(FIXTURE)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outs.append(proc.stdout)
    assert json.loads(outs[0].splitlines()[0])     # edges were made
    assert outs[0] == outs[1] == outs[2]


def test_few_entries_keeps_the_nearest_per_recursion_in_nearest_order():
    """flow._few_entries against a sort of every entry (what it replaced):
    the same entries kept, in the same order, on random summaries."""
    import random
    from lockcheck.analysis import flow
    from lockcheck.analysis.facts import Step

    def by_sorting_all(recursions):
        if len(recursions) <= flow.MAX_RECURSION_ENTRIES:
            return recursions
        kept, count = {}, {}
        for k, v in sorted(recursions.items(), key=lambda kv: (len(kv[1][0]), kv[1][0], kv[0])):
            if count.get(k[0], 0) < flow.MAX_RECURSION_ENTRIES:
                count[k[0]] = count.get(k[0], 0) + 1
                kept[k] = v
        return kept

    for seed in range(60):
        rnd = random.Random(seed)
        recursions = {}
        for _ in range(rnd.randint(0, 40)):
            ident = rnd.choice(["rec:a", "rec:b", "rec:c"])
            member = f"m{rnd.randint(0, 30)}"
            chain = tuple(Step(f"f{rnd.randint(0, 3)}.c", rnd.randint(1, 9), f"fn{rnd.randint(0, 5)}")
                          for _ in range(rnd.randint(0, 4)))
            recursions[(ident, member)] = (chain, frozenset())
        got = flow._few_entries(recursions)
        want = by_sorting_all(recursions)
        assert list(got.items()) == list(want.items()), seed


def test_a_release_by_a_member_walked_later_counts(monkeypatch):
    # ipoib_remove_one(): rtnl_unlock() seen releasing nothing on its first walk
    path = FIXTURES / "held" / "release_in_large_recursion.c"
    assert not scan(path).findings        # walked to its fixpoint as a small recursion
    assert not scan(path, large=2, monkeypatch=monkeypatch).findings


def test_a_walked_large_recursion_keeps_only_its_members_call_sites(monkeypatch):
    """Once a large recursion is walked its members' calls go (their
    bodies are freed already; on the whole tree some 200k members' call
    nodes stayed to the end of the walk): only the first site of each call
    to another member stays, which is all its witness steps show."""
    kept = []
    real = recursions.Recursions.emit_edges

    def spy(self, emit):
        kept.append(({k.rsplit(":", 1)[-1] for k in self.sites.calls}, dict(self.sites._first)))
        return real(self, emit)
    monkeypatch.setattr(recursions.Recursions, "emit_edges", spy)
    result = scan(large=3, depth=3, monkeypatch=monkeypatch)
    (calls, first), = kept
    members = {"alloc_pages_slow", "shrink_all", "wake_kswapd", "leaf_a", "leaf_b", "leaf_c",
               "walk_a", "walk_b", "walk_c"}
    assert not calls & members
    assert {k.rsplit(":", 1)[-1] for k in first} == members
    assert ("refill_mutex", "kswapd_lock") in pairs(result)


def test_a_release_through_a_members_parameter_counts(monkeypatch):
    # scx_task_iter_next_locked(): task_rq_unlock() in the large recursion
    # kept no release_through, so a NULL iter->locked released nothing
    path = FIXTURES / "held" / "release_iterator_slot_recursion.c"
    small = pairs(scan(path))
    large = pairs(scan(path, large=2, monkeypatch=monkeypatch))
    for found in (small, large):
        assert ("&p->pi_lock", "spawn_mutex") in found
        assert ("&p->pi_lock", "fork_mutex") not in found


def test_a_release_deep_in_a_recursion_reaches_its_outermost_caller(monkeypatch):
    """register_xnl_notifier() → xnl_unlock() → xnl_run_todo() →
    __xnl_unlock() releases xnl_mutex, all members of one recursion walked
    callers first: the release reaches register_xnl_notifier() on the
    fourth pass, past RECURSION_PASSES; the passes for what holds on return
    (EFFECT_PASSES) carry it there, so xnl_probe() does not count xnl_mutex
    held after it.  Without them, the stale stand-in shows."""
    path = FIXTURES / "held" / "release_chain_in_large_recursion.c"
    assert not scan(path).findings        # walked to its fixpoint as a small recursion
    assert not scan(path, large=3, monkeypatch=monkeypatch).findings
    monkeypatch.setattr(recursions, "EFFECT_PASSES", 0)
    stale = scan(path, large=3, monkeypatch=monkeypatch)
    assert [(f.kind, f.locks) for f in stale.findings] == [("recursive", ("xnl_mutex",))]


def test_a_members_constant_return_reaches_its_callers(monkeypatch):
    """tegra_csi_enable_stream(): ``ret = start(dev); if (ret < 0) goto
    disable;`` after a start() that returns only 0, holding the lock, in
    the large recursion.  Its kept summary had no ``returns``: the caller
    took the error branch holding the lock (recursive locking)."""
    path = FIXTURES / "flow" / "lock_returned_held_recursion.c"
    want = [("recursive", ("&dsi->lock",))]
    for large in (None, 2, 3):
        found = scan(path, large=large, monkeypatch=monkeypatch if large else None).findings
        assert [(f.kind, f.locks) for f in found] == want, large


def test_a_members_out_parameter_effects_are_kept(monkeypatch):
    """What every return gives and ``*p`` on each kind of return
    (deref_flags) stay in a member's summary."""
    seen = []
    real = recursions.Recursions._keep

    def spy(self, rec, member, full):
        out = real(self, rec, member, full)
        seen.append((full.returns, full.deref_effects, out.returns, out.deref_effects))
        return out
    monkeypatch.setattr(recursions.Recursions, "_keep", spy)
    scan(FIXTURES / "flow" / "lock_returned_held_recursion.c", large=2, monkeypatch=monkeypatch)
    assert seen and all(a == c and b == d for a, b, c, d in seen)
    assert any(r == "zero" for r, *_ in seen)
    # they walk no member again (recursions._rewalk_shape)
    assert recursions._rewalk_shape(Summary(returns="zero")) == recursions._rewalk_shape(Summary())


def test_a_member_that_drops_the_held_lock_before_the_call_orders_nothing_after_it(monkeypatch):
    """jffs2_write_dnode() drops f->sem, then calls jffs2_reserve_space()
    for alloc_sem, both members: an entry holding f->sem makes no edge to
    alloc_sem through the call made after the release, nor through the
    call its ALLOC_GC walk never makes.  The variant that keeps f->sem
    across the call still has its real cycle."""
    dropped = FIXTURES / "flow" / "drop_retake_in_recursion.c"
    kept = FIXTURES / "flow" / "drop_retake_in_recursion_kept.c"
    cycle = ("circular", ("&f->sem", "&c->alloc_sem"))
    assert not scan(dropped).findings
    large = scan(dropped, large=2, monkeypatch=monkeypatch)
    assert not large.findings
    assert ("&f->sem", "&c->alloc_sem") not in pairs(large)
    assert ("&c->alloc_sem", "&f->sem") in pairs(large)
    assert cycle in [(f.kind, f.locks) for f in scan(kept).findings]
    assert [(f.kind, f.locks) for f in scan(kept, large=2, monkeypatch=monkeypatch).findings] == [cycle]


def test_a_release_without_subclass_before_entering_a_recursion_counts(monkeypatch, tmp_path):
    """queue_clean() releases its caller's lock_sock_nested(ssk, 1) by a
    release naming no subclass, then enters a recursion taking work_lock:
    check_listen_stop() enters it without sk_lock/1 held.  Without the
    release the cycle is real."""
    path = FIXTURES / "flow" / "release_nested_subclass_recursion.c"
    assert not scan(path).findings
    assert not scan(path, large=2, monkeypatch=monkeypatch).findings
    kept = tmp_path / "kept.c"
    text = path.read_text()
    assert "\tmutex_unlock(&listener_ssk->sk_lock);\n" in text
    kept.write_text(text.replace("\tmutex_unlock(&listener_ssk->sk_lock);\n", "")
                    .replace("\tmutex_lock_nested(&listener_ssk->sk_lock, 1);\n", ""))
    for large in (None, 2):
        found = scan(kept, large=large, monkeypatch=monkeypatch if large else None).findings
        assert [(f.kind, f.locks) for f in found] == [("circular", ("&s->sk_lock/1", "work_lock"))]


CLIMB = FIXTURES / "calls" / "assert_climb_recursion.c"


def _findings(result) -> list:
    return [repr(f) for f in result.findings]      # witnesses included


def test_assertions_climb_a_recursion_patched_as_walked(monkeypatch):
    """A member whose callees inside gained only assertions is patched
    (analysis.assert_climb), not walked again: the findings, witnesses
    included, are those of walking it again, and fewer members are walked."""
    import lockcheck.analysis.assert_climb as climb
    patched = scan(CLIMB, large=3, monkeypatch=monkeypatch)
    monkeypatch.setattr(climb.AssertClimb, "patched", lambda self, *a: None)
    walked = scan(CLIMB, large=3, monkeypatch=monkeypatch)
    kinds = sorted((f.kind, f.locks) for f in patched.findings)
    assert ("assert-not-held", ("dev_list_mutex",)) in kinds        # three calls down, patched into dev_put()
    assert ("assert-not-held", ("dev_state_lock",)) in kinds        # held at a call inside: walked
    assert _findings(patched) == _findings(walked)
    assert [e for e in patched.edges] == [e for e in walked.edges]
    [p] = patched.run_info["recursion_walks"].values()
    [w] = walked.run_info["recursion_walks"].values()
    assert sum(p) < sum(w)
    assert p[1] == w[1]     # dev_release(), holding the asserted lock at its call: walked

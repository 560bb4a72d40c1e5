"""What each edge rests on and how far a finding is trusted
(lockcheck/analysis/confidence.py, docs/reports.md "Confidence")."""

from __future__ import annotations

import lockcheck.analysis.recursions as recursions
from lockcheck.analysis.confidence import MEDIUM_TARGETS, WIDE_TARGETS, edge_basis
from lockcheck.api import check
from lockcheck.options import Options
from lockcheck.result import WitnessStep
from tests.test_fixtures import FIXTURES


def scan(path):
    return check(Options(paths=(str(path),), cache_dir=None))


def step(what="f", targets=0):
    return WitnessStep("caller", "x.c", 7, what, targets)


def levels(*steps, approximation="", classes=()):
    return [(b.kind, b.level) for b in edge_basis(steps, approximation, classes)]


def test_direct_calls_rest_on_nothing():
    assert levels(step("mutex_lock"), step("helper"), step("mutex_lock")) == []


def test_indirect_call_levels_follow_the_candidate_count():
    assert levels(step("cb", 1)) == [("indirect", "high")]
    assert levels(step("cb", 2)) == [("indirect", "medium")]
    assert levels(step("cb", MEDIUM_TARGETS)) == [("indirect", "medium")]
    assert levels(step("cb", MEDIUM_TARGETS + 1)) == [("indirect", "low")]
    (wide,) = edge_basis((step("cb", WIDE_TARGETS + 1),))
    assert wide.level == "low" and "(wide)" in wide.detail and wide.targets == WIDE_TARGETS + 1


def test_models_are_named_and_a_documented_order_is_medium():
    (b,) = edge_basis((step("vmx_set_msr [model: static_call struct kvm_x86_ops.set_msr]", 2),))
    assert (b.kind, b.level) == ("model", "high") and "static_call struct kvm_x86_ops.set_msr" in b.detail
    assert levels(step("[model: documented order] a before b")) == [("documented", "medium")]
    # a callback runner's hold and its call of the callback are one model
    runner = step("[model] hotplug callbacks hold the lock (registered by foo_init)")
    assert [b.detail for b in edge_basis((runner, step("foo_online [model: cpuhp]")))] == ["model: cpuhp"]


def test_approximations_lower_the_edge():
    assert levels(step("f"), approximation=recursions.APPROXIMATION) == [("recursion", "low")]
    assert levels(classes=(("t:foo()->lk", "foo()->lk"),)) == [("class", "low")]
    assert levels(classes=(("f:struct chan:lock/99", "&chan->lock/?"),)) == [("class", "medium")]
    assert levels(classes=(("f:struct kvm:slots_lock", "&kvm->slots_lock"),)) == []


def test_kvm_seed_cycle_is_high_confidence():
    result = scan(FIXTURES / "minikvm" / "before")
    (f,) = result.findings
    assert f.confidence == "high"
    # it does rest on kernel models, and says so
    assert {b.kind for e in f.edges for b in e.basis} >= {"model"}
    assert "static_call" in f.reason and "cpuhp" in f.reason


def test_wide_ops_cycles_rest_on_the_six_candidate_call():
    result = scan(FIXTURES / "confidence" / "wide_ops.c")
    by_locks = {f.locks: f for f in result.findings}
    assert by_locks[("cfg_lock", "ring_lock")].confidence == "high"
    doubtful = [f for f in result.findings if "bus_lock" in f.locks]
    assert len(doubtful) == 4
    for f in doubtful:
        assert f.confidence == "low"
        e = f.weakest_edge
        assert e.src == "bus_lock"
        (b,) = [b for b in e.basis if b.kind == "indirect"]
        assert b.targets == 6 and "bus_poll()" in b.detail and "dev_a_poll()" in b.detail
    # the step itself carries the count, so every format can show it
    step = next(s for f in doubtful for s in f.weakest_edge.acquire if s.what == "dev_a_poll")
    assert step.targets == 6


def test_a_local_the_function_fills_with_names_is_its_own_choice():
    """A switch assigning function names to a local before one call through
    it: each candidate is a path's callee, as a direct call (high, shown);
    the same six functions through an ops-table field stay low (held back)."""
    result = scan(FIXTURES / "confidence" / "local_choice.c")
    by_locks = {f.locks: f for f in result.findings}
    chosen = by_locks[("igate", "memory_lock")]
    assert chosen.confidence == "high"
    step = next(s for e in chosen.edges for s in e.acquire if s.what == "set_msi_trigger")
    assert step.targets == 6 and step.chosen
    (b,) = [b for e in chosen.edges for b in e.basis if b.kind == "indirect"]
    assert b.level == "high" and "irqs_ioctl()" in b.detail and "local pointer" in b.detail
    field = by_locks[("bus_lock", "memory_lock")]
    assert field.confidence == "low" and "6 candidate targets" in field.reason
    assert not any(s.chosen for e in field.edges for s in e.acquire)


def test_chosen_steps_rest_on_no_indirect_doubt():
    chosen = WitnessStep("caller", "x.c", 7, "cb", MEDIUM_TARGETS + 2, True)
    assert levels(chosen) == [("indirect", "high")]
    assert levels(step("cb", MEDIUM_TARGETS + 2)) == [("indirect", "low")]


def test_two_candidate_ops_table_is_medium():
    result = scan(FIXTURES / "models" / "ops_table")
    (f,) = result.findings
    assert f.confidence == "medium" and "2 candidate targets" in f.reason


def test_edges_made_for_a_large_recursion_are_low(monkeypatch):
    small = scan(FIXTURES / "large_recursion" / "alloc_reclaim.c")
    assert all(e.confidence == "high" for e in small.edges)
    monkeypatch.setattr(recursions, "LARGE_COMPONENT", 3)
    large = scan(FIXTURES / "large_recursion" / "alloc_reclaim.c")
    made = {(e.src, e.dst): e for e in large.edges}
    e = made[("refill_mutex", "zone_lock")]
    assert e.confidence == "low" and [b.kind for b in e.basis] == ["recursion"]
    # edges the members make themselves are walked as usual
    assert made[("shrinker_mutex", "lru_lock")].confidence == "high"


def test_socket_lock_cycle_across_two_files_is_low():
    """The socket lock is one class for lockdep's per-family classes
    (classes.toml per_instance): a cycle meeting it in one file keeps its
    level, one that takes it in two files may join two families' sockets."""
    result = scan(FIXTURES / "classes" / "sock_families")
    by_locks = {frozenset(f.locks): f for f in result.findings}
    same_file = by_locks[frozenset(("&sk->sk_lock", "&hdev->lock"))]
    two_files = by_locks[frozenset(("&sk->sk_lock", "hci_dev_list_lock"))]
    assert same_file.confidence == "high"
    assert two_files.confidence == "low"
    (b,) = [b for e in two_files.edges for b in e.basis]
    assert b.kind == "class" and "iso.c" in b.detail and "hci_sock.c" in b.detail
    assert not any(f.kind == "recursive" for f in result.findings)

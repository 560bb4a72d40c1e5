"""The lockdep-shaped text report: blocks, scenario table, ranking."""

from __future__ import annotations

import dataclasses
import re

import report_cases as cases
from lockcheck.report import scenario as sc
from lockcheck.report.rank import rank, score
from lockcheck.result import Edge, Finding, ScanResult, WitnessStep
from test_json_schema import REC


def test_minikvm_report_reads_like_lockdep():
    text = cases.render(cases.scan("minikvm/before"), "text")
    order = ["WARNING: possible circular locking dependency detected",
             "set_nx_huge_pages() is trying to acquire lock:",
             "but task is already holding lock:",
             "which lock already depends on the new lock.",
             "the existing dependency chain (in reverse order) is:",
             "-> #3 (kvm_lock){mutex}:", "-> #2 (cpu_hotplug_lock){percpu_rwsem}:",
             "-> #1 (&kvm->srcu){srcu}:", "-> #0 (&kvm->slots_lock){mutex}:",
             "other info that might help us debug this:",
             "Chain exists of:",
             "  &kvm->slots_lock --> &kvm->srcu --> cpu_hotplug_lock --> kvm_lock",
             " Possible unsafe locking scenario:",
             " *** DEADLOCK ***", "suggested fix: break #2", "lockcheck summary"]
    pos = [text.index(s) for s in order]
    assert pos == sorted(pos)
    assert "CPU3" in text and "CPU4" not in text
    assert "sync(&kvm->srcu);" in text and "rlock(&kvm->srcu);" in text
    # both lock sites of an edge are quoted from the source
    assert re.search(r"\d+ \| mutex_lock\(&kvm->slots_lock\);", text)


def _blocks(text: str) -> list[tuple[int, str, str, str]]:
    """(number, lock of the block, lock held, lock taken) of every
    ``-> #N`` block of the dependency chain, in printed order."""
    pat = re.compile(r"^-> #(\d+) \((.+?)\)\{[^}]*\}:\n(?:\s+holding (\S+), taken at:\n(?:.*\n)*?)?"
                     r"\s+then, to take (\S+):", re.M)
    return [(int(m[1]), m[2], m[3], m[4]) for m in pat.finditer(text)]


def test_chain_numbered_like_lockdep():
    """lockdep numbers the chain from the lock being acquired (#0) along the
    dependencies to the lock already held (#N-1), printed from #N-1 down;
    block #k names lock k and shows the edge that took it (lock k-1 held),
    block #0 the closing acquisition (the held lock held)."""
    f = _finding(["a", "b", "c", "d"])
    text = cases.render(ScanResult({}, (), f.edges, (f,)), "text")
    assert _blocks(text) == [(3, "d", "c", "d"), (2, "c", "b", "c"), (1, "b", "a", "b"), (0, "a", "d", "a")]
    # lockdep: "is trying to acquire" #0, "already holding" #N-1
    assert text.index("is trying to acquire lock:\n (a)") < text.index("already holding lock:\n (d)")


def test_minikvm_chain_matches_the_upstream_splat():
    """The seed's splat (commit 44d17459): #3 kvm_lock, #2 cpu_hotplug_lock,
    #1 &kvm->srcu, #0 &kvm->slots_lock; the suggested edge keeps its number."""
    text = cases.render(cases.scan("minikvm/before"), "text")
    assert [(n, lock) for n, lock, _, _ in _blocks(text)] == [
        (3, "kvm_lock"), (2, "cpu_hotplug_lock"), (1, "&kvm->srcu"), (0, "&kvm->slots_lock")]
    assert "suggested fix: break #2 (&kvm->srcu --> cpu_hotplug_lock):" in text


def test_suggested_edge_number_is_its_block_number():
    """Whatever edge is suggested, ``break #k`` names the block showing it."""
    for k in range(3):
        f = _finding(["a", "b", "c"])
        deep = dataclasses.replace(f.edges[k], acquire=tuple(_step(f"h{i}") for i in range(5)))
        f = dataclasses.replace(f, edges=f.edges[:k] + (deep,) + f.edges[k + 1:])
        text = cases.render(ScanResult({}, (), f.edges, (f,)), "text")
        m = re.search(r"suggested fix: break #(\d+) \((\S+) --> (\S+)\)", text)
        assert (m[2], m[3]) == (deep.src, deep.dst)
        assert (int(m[1]), deep.dst, deep.src, deep.dst) in _blocks(text)


def test_two_lock_cycle_has_no_chain_line():
    text = cases.render(cases.scan("abba_simple.c"), "text")
    assert "Chain exists of:" not in text and "CPU1" in text and "CPU2" not in text


def test_recursive_report(scan_c):
    import io
    from lockcheck.report.text import render
    buf = io.StringIO()
    render(scan_c({"rec.c": REC}), buf, color=False)
    assert "WARNING: possible recursive locking detected" in buf.getvalue()


def _step(fn, what="mutex_lock", line=1):
    return WitnessStep(fn, "missing/file.c", line, what)


def _finding(locks, depth=1, kind="circular"):
    edges = tuple(Edge(locks[i], locks[(i + 1) % len(locks)], "E", "N", (_step("f"),),
                       tuple(_step(f"g{k}") for k in range(depth))) for i in range(len(locks)))
    return Finding(f"LC101-{''.join(locks)}", kind, tuple(locks), edges)


def test_score_prefers_short_global_direct_cycles():
    short = _finding(["a", "b"])
    longer = _finding(["a", "b", "c"])
    per_object = _finding(["&x->a", "b"])
    deep = _finding(["a", "b"], depth=4)
    assert score(short) > score(longer)
    assert score(short) > score(per_object)
    assert score(short) > score(deep)
    assert rank([deep, longer, short, per_object], 2) == (short, per_object)


def test_unreadable_source_costs_only_the_quote():
    f = _finding(["a", "b"])
    result = ScanResult({"files": 1, "functions": {"total": 1, "parsed": 1}, "classes": 2, "edges": 2,
                         "cycles": 1, "recursive": 0}, (), f.edges, (f,), (), "/nonexistent-root")
    text = cases.render(result, "text")
    assert "*** DEADLOCK ***" in text and " | " not in text.split("lockcheck summary")[0]


def test_sync_and_rlock_verbs():
    e1 = Edge("s", "m", "S", "N", (_step("r", "srcu_read_lock"),), (_step("r"),))
    e2 = Edge("m", "s", "E", "N", (_step("w"),), (_step("w", "synchronize_srcu"),))
    ops = sc.scenario(Finding("LC101-x", "circular", ("s", "m"), (e1, e2)))
    assert [o.text for o in ops] == ["rlock(s);", "lock(m);", "sync(s);", "lock(m);"]
    assert [o.cpu for o in ops] == [0, 1, 1, 0]


def test_score_drops_for_each_edge_resting_on_a_model():
    from lockcheck.report.rank import score
    from lockcheck.result import Edge, Finding, WitnessStep
    seen = (WitnessStep("f", "a.c", 1, "mutex_lock"),)
    modelled = (WitnessStep("g", "a.c", 2, "cb [model: cpuhp]"),)
    code = Finding("LC101-1", "circular", ("a", "b"), (Edge("a", "b", "E", "N", seen, seen),
                                                       Edge("b", "a", "E", "N", seen, seen)))
    model = Finding("LC101-2", "circular", ("a", "b"), (Edge("a", "b", "E", "N", seen, seen),
                                                        Edge("b", "a", "E", "N", seen, modelled)))
    assert score(code) - score(model) == 5


def test_chain_numbers_read_back():
    """A splat's ``#k`` maps back to the edge it shows, for every length."""
    for n in range(1, 8):
        assert sorted(sc.chain_number(i, n) for i in range(n)) == list(range(n))
        assert [sc.chain_edge(sc.chain_number(i, n), n) for i in range(n)] == list(range(n))
    assert sc.chain_edge(0, 4) == 3            # #0: the closing acquisition
    assert sc.chain_edge(3, 4) == 2            # #3: the edge that took the held lock

"""rwlock readers recursive only in interrupt context, and lockdep's
masking of read usages through a dependency (lockcheck/analysis/irq_reads.py).
fixtures/irq/rwlock_read_*.c check the findings end to end."""

from __future__ import annotations

from lockcheck.analysis import irq_reads, irqsafety
from lockcheck.analysis.facts import EdgeWitness, Held, Step
from lockcheck.analysis.ir import LockRef
from lockcheck.analysis.summaries import EdgeRecord
from lockcheck.model.scan_model import ScanModel
from tests.analysis.irq_usage import irq_model as _model, usage as _usage


def _held(key):
    return Held(key, LockRef(key), "exclusive", ())


def test_in_interrupt_is_irq_context_or_bottom_halves_off():
    assert not irq_reads.in_interrupt(())
    assert not irq_reads.in_interrupt((_held("g:x"), _held(irqsafety.HARDIRQS_OFF)))
    for key in (irqsafety.IN_HARDIRQ, irqsafety.IN_SOFTIRQ, irqsafety.SOFTIRQS_OFF):
        assert irq_reads.in_interrupt((_held(key),))
        assert irq_reads.resolve("irq_recursive", (_held(key),)) == "recursive"
    assert irq_reads.resolve("irq_recursive", (_held(irqsafety.HARDIRQS_OFF),)) == "irq_recursive"
    assert irq_reads.resolve("shared", (_held(irqsafety.IN_SOFTIRQ),)) == "shared"


def test_catalogue_gives_rwlock_readers_the_interrupt_mode():
    cat = ScanModel.load().catalogue
    assert {cat.get(n).mode for n in ("read_lock", "read_lock_bh", "read_lock_irqsave", "read_trylock")} \
        == {"irq_recursive"}
    assert cat.get("write_lock").mode == "exclusive" and cat.get("srcu_read_lock").mode == "recursive"


def test_conflicts_follows_check_irq_usage_masks():
    table = {(h, a, u, e): irq_reads.conflicts(h, a, u, e)
             for h in "ES" for a in "NR" for u in "WR" for e in "WR"}
    assert all(table[("E", "N", u, e)] for u in "WR" for e in "WR")      # read-read too
    assert not table[("S", "N", "R", "W")] and table[("S", "N", "W", "R")]
    assert not table[("E", "R", "W", "R")] and table[("E", "R", "R", "W")]
    assert [k for k, v in table.items() if v and k[:2] == ("S", "R")] == [("S", "R", "W", "W")]


def test_process_entered_skips_calls_made_only_in_interrupt_context():
    succ = {"root": ("a", "runner"), "runner": ("h",), "a": ("b",), "h": ("b", "c"), "b": (), "c": (),
            "bh_root": ("d",), "d": ()}
    callers = {"root": 0, "runner": 1, "a": 1, "h": 1, "b": 2, "c": 1, "bh_root": 0, "d": 1}
    got = irq_reads.process_entered(succ, callers, {"runner": frozenset({"h"})}, frozenset({"bh_root"}))
    assert got == {"root", "a", "b", "runner"}


def test_a_recursive_read_masks_read_unsafe_unless_its_function_runs_in_process_context():
    w = EdgeWitness((Step("f.c", 2, "f", "spin_lock_irqsave"),), (Step("f.c", 3, "f", "read_lock"),))
    rec = EdgeRecord("g:a", "g:b")
    rec.kinds[("E", "R")] = w
    rec.pending[("E", "f")] = w
    u = _usage([("g:a", "HARDIRQ", "W")], [("g:b", "HARDIRQ", "R")])
    u.process_entered = frozenset({"g"})          # f runs in interrupt context only
    assert irqsafety.check(u, {("g:a", "g:b"): rec}, _model()) == []
    u.process_entered = frozenset({"f"})          # a process-context entry reaches f
    (f,) = irqsafety.check(u, {("g:a", "g:b"): rec}, _model())
    assert (f.kind, f.keys, f.edge_kind) == ("irq-unsafe-order", ("g:a", "g:b"), ("E", "N"))
    # a write-unsafe B is never masked
    u = _usage([("g:a", "HARDIRQ", "W")], [("g:b", "HARDIRQ", "W")])
    u.process_entered = frozenset()
    (f,) = irqsafety.check(u, {("g:a", "g:b"): rec}, _model())
    assert f.edge_kind == ("E", "R")

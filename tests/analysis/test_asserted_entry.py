"""analysis.asserted_entry: a root asserting interrupts off at its top
level is entered with them off; an assertion under a test says nothing."""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.asserted_entry import asserted_irqs_off

ASSERT = "lockdep_assert_irqs_disabled"


def fn(name, *items):
    return ir.FunctionIR(name, "x.c", 1, False, (), ir.Block(tuple(items), scope=True))


def test_top_level_assertion_enters_with_hardirqs_and_softirqs_off():
    top = fn("starting", ir.Call(2, "per_cpu_ptr"), ir.Call(3, ASSERT))
    nested = fn("dying", ir.If(ir.CondVar("cpu", "nonzero"), ir.Block((ir.Call(2, ASSERT),)), ir.Block()))
    plain = fn("plain", ir.Call(2, "other"))
    off = asserted_irqs_off([top, nested, plain], (ASSERT,))
    assert off == {"starting": frozenset(("HARDIRQ", "SOFTIRQ"))}


def test_no_assertion_names_no_entries():
    assert asserted_irqs_off([fn("starting", ir.Call(2, ASSERT))], ()) == {}

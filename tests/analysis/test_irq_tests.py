"""Tests of the interrupt state decide it on their way
(lockcheck/analysis/irq_tests.py; fixtures/irq/irqs_disabled_branch.c and
irq_state_tests.c check both ways end to end)."""

from __future__ import annotations

import pytest

from lockcheck.analysis import irqsafety
from lockcheck.analysis.facts import Held, State
from lockcheck.analysis.ir import Call, LockRef
from lockcheck.analysis.irq_tests import StateTests
from lockcheck.model.scan_model import ScanModel

HARD, SOFT = irqsafety.HARDIRQS_OFF, irqsafety.SOFTIRQS_OFF
HANDLER = """
static DEFINE_SPINLOCK(a_lock);
static irqreturn_t h(int irq, void *data)
{
	spin_lock(&a_lock);
	spin_unlock(&a_lock);
	return IRQ_HANDLED;
}
int setup(void) { return request_irq(1, h, 0, "x", NULL); }
"""


class _Flow:
    @staticmethod
    def step(line, what):
        return (line, what)


def _held(key):
    return Held(key, LockRef(key, key[2:]), "exclusive", ())


def _model() -> irqsafety.IrqModel:
    model = ScanModel.load()
    return irqsafety.IrqModel(model.contexts["irq"], model.catalogue)


def _keys(states):
    return sorted(tuple(h.key for h in s.held) for s in states)


def test_the_model_names_the_kernel_predicates():
    tests = _model().state_tests
    assert [r.key for r in tests.tests["irqs_disabled"][1]] == [HARD]
    assert tests.tests["irqs_disabled"][0] == "nonzero"
    assert tests.tests["in_softirq"][1][0].key == SOFT
    # in_interrupt() says softirqs off, never hardirqs (bottom halves off alone)
    assert [r.key for r in tests.tests["in_interrupt"][1]] == [SOFT]
    # in_task() decides on its false way
    assert tests.tests["in_task"][0] == "zero"
    assert "preemptible" not in tests and "spin_lock" not in tests


def test_the_decided_way_gets_the_pseudo_lock_the_other_nothing():
    tests = _model().state_tests
    s = State()
    t, f = tests.decided(_Flow(), Call(3, "irqs_disabled"), {s}, {s})
    assert _keys(t) == [(HARD,)] and f == {s}
    (h,) = next(iter(t)).held
    assert h.scope == 0 and "irqs_disabled() true" in h.site[0][1]
    t, f = tests.decided(_Flow(), Call(3, "in_task"), {s}, {s})
    assert t == {s} and _keys(f) == [(SOFT,)]


def test_a_state_with_the_interrupt_off_already_gets_nothing():
    tests = _model().state_tests
    for held in ((_held(HARD),), (_held(irqsafety.IN_HARDIRQ),)):
        s = State(held)
        t, _ = tests.decided(_Flow(), Call(3, "irqs_disabled"), {s}, set())
        assert t == {s}
    # hardirqs off leaves bottom halves to be told apart: in_softirq() adds them
    s = State((_held(HARD),))
    t, _ = tests.decided(_Flow(), Call(3, "in_softirq"), {s}, set())
    assert _keys(t) == [(HARD, SOFT)]
    s = State((_held(irqsafety.IN_SOFTIRQ),))
    assert tests.decided(_Flow(), Call(3, "in_interrupt"), {s}, set())[0] == {s}


def test_a_bad_entry_is_refused():
    with pytest.raises(ValueError):
        StateTests({"f": {"value": "true", "off": ["hardirqs"]}}, {})
    with pytest.raises(ValueError):
        StateTests({"f": {"off": ["nmi"]}}, {})


def test_the_test_holds_past_the_branch_until_interrupts_are_enabled(scan_c):
    body = """
void poke(void)
{
	if (!irqs_disabled())
		return;
	%s
	spin_lock(&a_lock);
	spin_unlock(&a_lock);
}
"""
    assert scan_c({"d.c": HANDLER + body % ""}).findings == ()
    (f,) = scan_c({"d.c": HANDLER + body % "local_irq_enable();"}).findings
    assert f.kind == "irq-inconsistent" and f.locks == ("a_lock",)


def test_a_correlated_second_test_goes_the_same_way(scan_c):
    # the keyed call fact (analysis.branchfacts) and the pseudo-lock agree
    r = scan_c({"d.c": HANDLER + """
void poke(void)
{
	int off = 0;
	if (irqs_disabled())
		off = 1;
	if (irqs_disabled())
		spin_lock(&a_lock);
	else
		spin_lock_irq(&a_lock);
	if (irqs_disabled())
		spin_unlock(&a_lock);
	else
		spin_unlock_irq(&a_lock);
}
"""})
    assert r.findings == ()


def test_a_tested_state_does_not_reach_the_callers(scan_c):
    # busy() returns 1 only where in_interrupt() is true; the caller had
    # disabled bottom halves itself, and enables them again before it
    # takes x_lock: x_lock is taken with softirqs on.  Had busy() handed its
    # tested pseudo-lock up, the caller's local_bh_enable() would pop that
    # one and leave its own standing.
    r = scan_c({"d.c": """
static DEFINE_SPINLOCK(x_lock);
static struct tasklet_struct t;
static int n;
static void t_fn(struct tasklet_struct *u) { spin_lock(&x_lock); n++; spin_unlock(&x_lock); }
void t_init(void) { tasklet_setup(&t, t_fn); }
static DEFINE_SPINLOCK(y_lock);
static int busy(void)
{
	if (in_interrupt())
		return 1;
	spin_lock(&y_lock);
	n++;
	spin_unlock(&y_lock);
	return 0;
}
void poke(void)
{
	int b;
	local_bh_disable();
	b = busy();
	local_bh_enable();
	if (b) {
		spin_lock(&x_lock);
		n = 0;
		spin_unlock(&x_lock);
	}
}
"""})
    assert [(f.kind, f.locks) for f in r.findings] == [("irq-inconsistent", ("x_lock",))]

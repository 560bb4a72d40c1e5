"""lockdep's interrupt-safety rules (lockcheck/analysis/irqsafety.py):
contexts from the model, disabling regions as pseudo-locks, usage states
with witnesses, and the two findings (LC301, LC302) as every report shows
them.  fixtures/irq/ holds one fixture per context source and per
disabling primitive (tests/test_fixtures.py); these tests look inside."""

from __future__ import annotations

import io
import json

from lockcheck.analysis import irqsafety
from lockcheck.analysis.facts import Held
from lockcheck.analysis.ir import LockRef
from lockcheck.model.scan_model import ScanModel
from tests.analysis.irq_usage import irq_model as _model, usage as _usage
from lockcheck.report import json_report, sarif, text
from tests.conftest import cycle_set, edge_set
from tests.test_fixtures import FIXTURES

IRQ = FIXTURES / "irq"

HANDLER = """
static DEFINE_SPINLOCK(a_lock);
static DEFINE_SPINLOCK(b_lock);
static irqreturn_t h(int irq, void *data)
{
	spin_lock(&a_lock);
	spin_unlock(&a_lock);
	return IRQ_HANDLED;
}
int setup(void) { return request_irq(1, h, 0, "x", NULL); }
"""


def _held(key):
    return Held(key, LockRef(key), "exclusive", ())


def test_enabled_follows_the_pseudo_locks():
    assert irqsafety.enabled(()) == (True, True)
    assert irqsafety.enabled((_held("g:x"),)) == (True, True)
    assert irqsafety.enabled((_held(irqsafety.HARDIRQS_OFF),)) == (False, False)
    assert irqsafety.enabled((_held(irqsafety.IN_HARDIRQ),)) == (False, False)
    # bottom halves off (or softirq context) leave hardirqs on
    assert irqsafety.enabled((_held(irqsafety.SOFTIRQS_OFF),)) == (True, False)
    assert irqsafety.enabled((_held(irqsafety.IN_SOFTIRQ),)) == (True, False)


def test_model_resolves_guards_and_checks_real_lock_kinds():
    model = ScanModel.load()
    irq = irqsafety.IrqModel(model.contexts["irq"], model.catalogue)
    assert [r.key for r in irq.disables["guard(spinlock_irqsave)"]] == [irqsafety.HARDIRQS_OFF]
    assert [r.key for r in irq.disables["spin_lock_bh"]] == [irqsafety.SOFTIRQS_OFF]
    assert "spin_lock" not in irq.disables and "spin_unlock_irqrestore" in irq.enables
    assert irq.checked("spin_lock") and irq.checked("guard(spinlock_irq)") and irq.checked("read_lock")
    # srcu/rcu maps are acquired with check=0 in lockdep; pseudo-locks never count
    assert not irq.checked("srcu_read_lock") and not irq.checked("local_irq_save")


def test_reads_never_conflict_with_reads():
    u = _usage(used=[("g:a", "HARDIRQ", "R")], on=[("g:a", "HARDIRQ", "R")])
    assert irqsafety.check(u, {}, _model()) == []
    for used, on in (("W", "W"), ("W", "R"), ("R", "W")):
        u = _usage(used=[("g:a", "HARDIRQ", used)], on=[("g:a", "HARDIRQ", on)])
        (f,) = irqsafety.check(u, {}, _model())
        assert f.kind == "irq-inconsistent"
        assert [label for label, _, _ in f.usages] == [f"IN-HARDIRQ-{used}", f"HARDIRQ-ON-{on}"]


def test_softirq_usage_against_hardirq_enabled_is_no_conflict():
    # used in softirq, taken elsewhere with hardirqs on but bottom halves off
    u = _usage(used=[("g:a", "SOFTIRQ", "W")], on=[("g:a", "HARDIRQ", "W")])
    assert irqsafety.check(u, {}, _model()) == []


def test_inconsistent_witnesses_start_at_the_runner_and_at_the_root(scan_c):
    r = scan_c({"d.c": HANDLER + "void poke(void) { spin_lock(&a_lock); spin_unlock(&a_lock); }\n"})
    (f,) = r.findings
    assert (f.kind, f.locks) == ("irq-inconsistent", ("a_lock",))
    used, on = f.edges
    assert (used.src, on.src) == ("{IN-HARDIRQ-W}", "{HARDIRQ-ON-W}")
    assert used.acquire[0].function == "handle_irq_event<h>" and used.acquire[-1].function == "h"
    assert [s.function for s in on.acquire] == ["poke"]
    assert f.id.startswith("LC301-")
    # the hardirq context rests on a model, and says so
    assert any(b.kind == "model" and "hardirq" in b.detail for e in f.edges for b in e.basis)


def test_pseudo_locks_make_no_class_and_no_edge(scan_c):
    r = scan_c({"d.c": HANDLER + """
void poke(void)
{
	unsigned long flags;
	local_irq_save(flags);
	spin_lock(&b_lock);
	spin_lock(&a_lock);
	spin_unlock(&a_lock);
	spin_unlock(&b_lock);
	local_irq_restore(flags);
}
"""})
    assert r.findings == ()
    assert edge_set(r) == {("b_lock", "a_lock")}
    assert not [lk for lk in r.locks if "irq:" in lk.key]


def test_irqsave_region_disables_for_callees_only_while_held(scan_c):
    body = """
static void take(void) { spin_lock(&a_lock); spin_unlock(&a_lock); }
void poke(void)
{
	unsigned long flags;
	spin_lock_irqsave(&b_lock, flags);
	take();
	spin_unlock_irqrestore(&b_lock, flags);
	%s
}
"""
    assert scan_c({"d.c": HANDLER + body % ""}).findings == ()
    (f,) = scan_c({"d.c": HANDLER + body % "take();"}).findings
    assert f.kind == "irq-inconsistent"
    # the witness goes through the call made after the region ended
    assert [s.function for s in f.edges[1].acquire] == ["poke", "take"]


def test_irq_findings_do_not_change_the_cycles(scan_c):
    r = scan_c({"d.c": HANDLER + """
void one(void) { spin_lock(&a_lock); spin_lock(&b_lock); spin_unlock(&b_lock); spin_unlock(&a_lock); }
void two(void) { spin_lock(&b_lock); spin_lock(&a_lock); spin_unlock(&a_lock); spin_unlock(&b_lock); }
"""})
    assert cycle_set(r) == {("a_lock", "b_lock")} or cycle_set(r) == {("b_lock", "a_lock")}
    kinds = sorted(f.kind for f in r.findings)
    # a_lock: inconsistent (so lockdep never gets to the order check for it)
    assert kinds == ["circular", "irq-inconsistent"]


def _render(mod, result):
    out = io.StringIO()
    mod.render(result, out, width=200) if mod is text else mod.render(result, out)
    return out.getvalue()


def test_reports_show_lockdep_shapes(scan_c):
    from lockcheck.api import check
    from lockcheck.options import Options
    r = check(Options(paths=(str(IRQ / "unsafe_order.c"),), cache_dir=None))
    out = _render(text, r)
    for line in ("WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected",
                 "which would create a new lock dependency:",
                 "... which became HARDIRQ-irq-safe at ({IN-HARDIRQ-W}):",
                 "... which became HARDIRQ-irq-unsafe at ({HARDIRQ-ON-W}):",
                 "  <Interrupt>", "    lock(irq_lock);", "local_irq_disable();"):
        assert line in out, line
    doc = json.loads(_render(json_report, r))
    (c,) = doc["cycles"]
    assert c["kind"] == "irq-unsafe-order" and c["locks"] == ["irq_lock", "cfg_lock"]
    assert [e["from"] for e in c["edges"]][1:] == ["{IN-HARDIRQ-W}", "{HARDIRQ-ON-W}"]
    s = json.loads(_render(sarif, r))
    (res,) = s["runs"][0]["results"]
    assert res["ruleId"] == "LC302" and "HARDIRQ-safe -> HARDIRQ-unsafe" in res["message"]["text"]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 29   # cfg_lock taken under irq_lock
    assert {r["id"] for r in s["runs"][0]["tool"]["driver"]["rules"]} >= {"LC301", "LC302"}
    r = check(Options(paths=(str(IRQ / "timer_bh.c"),), cache_dir=None))
    out = _render(text, r)
    assert "WARNING: inconsistent lock state" in out
    assert "inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage." in out
    assert "poller_count() takes:" in out


def test_an_ops_field_entered_with_bottom_halves_off_vouches_for_its_functions(scan_c):
    src = (IRQ / "ndo_start_xmit.c").read_text()
    assert [f.locks for f in scan_c({"n.c": src}).findings] == [("ring_lock",)]
    # the same transmit function, not stored in .ndo_start_xmit: a plain root
    unvouched = src.replace(".ndo_start_xmit = nic_xmit,", "")
    assert sorted(f.locks for f in scan_c({"n.c": unvouched}).findings) == [("ring_lock",), ("tx_lock",)]
    model = _model()
    model.learn_entries({("struct net_device_ops", "ndo_start_xmit"): ["nic_xmit"],
                         ("struct irq_chip", "irq_mask"): ["chip_mask"]})
    assert model.entered_off == {"nic_xmit": frozenset({"SOFTIRQ"}),
                                 "chip_mask": frozenset({"SOFTIRQ", "HARDIRQ"})}


def test_usage_states_follow_the_lock_classes_as_keyed(scan_c):
    """lockdep_set_class() re-keys a class after the analysis (analysis.classes):
    the usage states follow it (a usage left on the old key crashed the report)."""
    r = scan_c({"d.c": """
struct dev { spinlock_t lock; int n; };
static struct lock_class_key dev_key;
static irqreturn_t h(int irq, void *data)
{
	struct dev *d = data;
	spin_lock(&d->lock);
	d->n++;
	spin_unlock(&d->lock);
	return IRQ_HANDLED;
}
int setup(struct dev *d)
{
	spin_lock_init(&d->lock);
	lockdep_set_class(&d->lock, &dev_key);
	return request_irq(1, h, 0, "x", d);
}
void poke(struct dev *d)
{
	spin_lock(&d->lock);
	d->n = 0;
	spin_unlock(&d->lock);
}
"""})
    (f,) = r.findings
    assert f.kind == "irq-inconsistent"
    assert {lk.name for lk in r.locks} == set(f.locks)

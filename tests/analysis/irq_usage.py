"""Shared by the interrupt-safety tests: usage tables and the shipped irq model."""

from __future__ import annotations

from lockcheck.analysis import irqsafety
from lockcheck.analysis.facts import Step
from lockcheck.analysis.ir import LockRef
from lockcheck.model.scan_model import ScanModel


def usage(used=(), on=()) -> irqsafety.IrqUsage:
    """An IrqUsage with the (class key, irq, "R"/"W") usages ``used`` in an
    interrupt and ``on`` with it enabled, each witnessed by one step."""
    u = irqsafety.IrqUsage()
    step = Step("f.c", 1, "f", "spin_lock")
    for key, irq, r in used:
        u.used[(key, irq, r)] = (LockRef(key, key[2:]), (step,))
    for key, irq, r in on:
        u.enabled[(key, irq, r)] = (LockRef(key, key[2:]), (step,))
    return u


def irq_model() -> irqsafety.IrqModel:
    model = ScanModel.load()
    return irqsafety.IrqModel(model.contexts["irq"], model.catalogue)

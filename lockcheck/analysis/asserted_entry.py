"""Roots that assert interrupts off at their entry.

A function no scanned code calls is entered in process context with
interrupts on (:mod:`lockcheck.analysis.irqsafety`).  One whose body calls
``lockdep_assert_irqs_disabled()`` as a statement of its own top level
(on every path through it, not under a test) runs only with hardirqs
off: lockdep warns at every caller that has them on, and a correct
kernel has none (``rcutree_report_cpu_starting()``, called by each
architecture's CPU bringup with interrupts still off).  So its
acquisitions are no ``ENABLED_*`` usage of the root, as a root stored in
an ``entered_hardirqs_off`` ops field.  The assertion names are model
data (``[irq] asserted_hardirqs_off`` in contexts.toml).  A function some
scanned code calls keeps its callers' state: the assertion is checked,
not believed, there.
"""

from __future__ import annotations

from lockcheck.analysis import ir

__all__ = ["asserted_irqs_off"]

#: hardirqs off implies softirqs off (lockdep: SOFTIRQ-ON only while hardirqs are on)
_OFF = frozenset(("HARDIRQ", "SOFTIRQ"))


def asserted_irqs_off(functions, asserts) -> dict[str, frozenset[str]]:
    """Function name -> the interrupts its entry has off by assertion, for
    each function whose body's top level calls one of ``asserts``."""
    names = frozenset(asserts)
    if not names:
        return {}
    out: dict[str, frozenset[str]] = {}
    for fn in functions:
        if any(type(s) is ir.Call and s.callee in names for s in fn.body.items):
            out[fn.name] = _OFF
    return out

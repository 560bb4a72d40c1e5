"""Which cases of a ``switch`` a state enters when it knows the switched
variable (``flow.Walk.switch``).

A state knows a variable as an enumerator (``id:NAME``, a constant a
caller passed: ``svm_cache_reg(vcpu, VCPU_EXREG_CR4)`` enters only ``case
VCPU_EXREG_CR4:``), or as zero or non-zero (``ipv6_ifa_notify(0, ift)``).
A case label is its name (``id:NAME``) and, where the file or the tree's
headers give it, its integer value (``ir.CaseLabel.number``: ``case
RTM_NEWADDR:`` is 20, ``case 0:`` is 0).  A label matches a known value
certainly, certainly not, or perhaps:

* ``id:NAME`` against a label of the same name matches, against another
  named label does not (a switch's labels are distinct values);
* zero matches a label of value 0 and no label of another known value;
* non-zero never matches a label of value 0;
* anything else perhaps matches.

A state enters every case it perhaps matches, and the ``default`` (or
leaves the switch, without one) unless some case certainly matches.
"""

from __future__ import annotations

from lockcheck.analysis import ir

__all__ = ["matches", "CaseEntry"]


def matches(value: str, label: ir.CaseLabel) -> bool | None:
    """Does a case label match the known value ``value``: True (certainly),
    False (certainly not) or None (perhaps)."""
    if value.startswith("id:"):
        return None if label.value is None else value == label.value
    if label.number is None:
        return None
    if value == "zero":
        return label.number == 0
    if value == "nonzero" and label.number == 0:
        return False
    return None


class CaseEntry:
    """The cases of one switch a known value enters, worked out once per value."""

    __slots__ = ("labels", "seen")

    def __init__(self, labels: list[ir.CaseLabel]) -> None:
        self.labels = [lb for lb in labels if not lb.default]
        self.seen: dict[str, tuple[frozenset[ir.CaseLabel], bool]] = {}

    def entry(self, value: str) -> tuple[frozenset[ir.CaseLabel], bool]:
        """(the labels ``value`` may enter at, whether it may enter the
        default or pass the switch by)."""
        found = self.seen.get(value)
        if found is None:
            outcomes = [(lb, matches(value, lb)) for lb in self.labels]
            found = (frozenset(lb for lb, m in outcomes if m is not False),
                     not any(m is True for _, m in outcomes))
            self.seen[value] = found
        return found

"""What a locking document (or ``.lockcheck.toml``) claims, as data.

A :class:`Rule` names locks as the document spells them
(``kvm->arch.mmu_lock``, ``cpus_read_lock()``); :mod:`lockcheck.docs.names`
maps them to the lock classes a scan reports.  Kinds:

========== ==================================================================
order      ``outer`` is taken before (outside) ``inner``
sync       ``synchronize_srcu(&inner)`` is called holding ``outer``
forbid     ``inner`` must never be taken while ``outer`` is held
           (``outer`` is an SRCU read side: "cannot be taken inside")
nosync     ``outer`` is released before ``synchronize_srcu(&inner)``
permit     ``inner`` may be taken inside ``outer`` (informational)
requires   ``outer`` must be held whenever ``inner`` is taken (not checkable
           from edges alone; reported as such)
leaf       no lock is taken while ``outer`` is held
leaf-rest  "everything else is a leaf": every documented lock that no rule
           names as an outer lock
type       ``outer`` is declared as one of ``types`` (mutex, spinlock, ...)
========== ==================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Rule", "Unparsed", "DocRules", "KINDS"]

KINDS = ("order", "sync", "forbid", "nosync", "permit", "requires", "leaf", "leaf-rest", "type")


@dataclass(frozen=True)
class Rule:
    kind: str
    outer: str = ""
    inner: str = ""
    types: tuple[str, ...] = ()
    file: str = ""
    line: int = 0
    text: str = ""          # the sentence (or config entry) it came from
    context: str = ""       # heading the rule sits under, e.g. "On x86:"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def parsed(self) -> str:
        """The rule in one line, e.g. ``order: kvm->lock -> vcpu->mutex``."""
        a, b = self.outer, self.inner
        form = {
            "order": f"{a} -> {b}",
            "sync": f"{a} -> synchronize_srcu(&{b})",
            "forbid": f"{b} never taken inside {a} read side",
            "nosync": f"{a} released before synchronize_srcu(&{b})",
            "permit": f"{b} may be taken inside {a} read side",
            "requires": f"{b} only taken with {a} held",
            "leaf": f"nothing taken inside {a}",
            "leaf-rest": "every other documented lock is a leaf",
            "type": f"{a} is {' or '.join(self.types)}",
        }[self.kind]
        return f"{self.kind}: {form}"

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.outer, self.inner) if n)


@dataclass(frozen=True)
class Unparsed:
    text: str
    file: str
    line: int
    section: str = ""


@dataclass
class DocRules:
    """Everything read from one document or config file."""

    rules: list[Rule] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)
    # (title, first line, last line, sentences) of sections with no rule shape
    skipped: list[tuple[str, int, int, int]] = field(default_factory=list)
    # locks with a reference entry (``kvm_lock`` + ^^^ + :Type: ...)
    reference: list[str] = field(default_factory=list)
    # field names seen in reference entries but not checked (Arch, Protects)
    unchecked_fields: dict[str, int] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def extend(self, other: "DocRules") -> None:
        self.rules += other.rules
        self.unparsed += other.unparsed
        self.skipped += other.skipped
        self.reference += other.reference
        for k, v in other.unchecked_fields.items():
            self.unchecked_fields[k] = self.unchecked_fields.get(k, 0) + v
        self.aliases.update(other.aliases)

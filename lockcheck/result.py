"""The result of a scan: plain frozen data every report renders from.

Slotted: the whole tree's result holds millions of witness steps."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Lock", "WitnessStep", "Edge", "Finding", "ScanResult"]


@dataclass(frozen=True, slots=True)
class Lock:
    name: str          # as displayed: &kvm->slots_lock
    key: str           # class key: f:struct kvm:slots_lock
    kind: str          # mutex, spinlock, rwsem, srcu, ...


@dataclass(frozen=True, slots=True)
class WitnessStep:
    function: str
    file: str
    line: int
    what: str          # the primitive called, or the callee


@dataclass(frozen=True, slots=True)
class Edge:
    """``src`` is held while ``dst`` is acquired."""

    src: str
    dst: str
    holder: str                          # E or S: how src is held
    acquirer: str                        # N or R: how dst is acquired
    held: tuple[WitnessStep, ...]        # where src was taken
    acquire: tuple[WitnessStep, ...]     # the call chain to where dst is taken
    # other functions creating the same edge: (held, acquire) chains
    others: tuple[tuple[tuple[WitnessStep, ...], tuple[WitnessStep, ...]], ...] = ()

    @property
    def models(self) -> tuple[str, ...]:
        """The modelling assumptions (steps marked ``[model``) this edge rests on."""
        return tuple(sorted({s.what for s in self.held + self.acquire if "[model" in s.what}))

    @property
    def witness(self) -> tuple[WitnessStep, ...]:
        """Where ``src`` was taken, then the chain to where ``dst`` is taken."""
        return self.held + self.acquire


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    kind: str                            # circular | recursive
    locks: tuple[str, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class ScanResult:
    stats: dict
    locks: tuple[Lock, ...]
    edges: tuple[Edge, ...]
    findings: tuple[Finding, ...]
    errors: tuple[str, ...] = field(default=())
    # witness file paths are relative to this directory (the kernel tree
    # root, or the working directory outside a tree); reports read source
    # lines from here
    source_root: str = "."
    # how this run got its result (files parsed vs reused from the cache):
    # differs between a cold and a warm run, so never part of any report
    run_info: dict = field(default_factory=dict, compare=False)

"""The result of a scan: plain frozen data every report renders from.

Slotted: the whole tree's result holds millions of witness steps."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Lock", "WitnessStep", "Basis", "Edge", "Finding", "ScanResult", "LEVELS", "weakest"]

#: Confidence levels, best first (their rules: lockcheck.analysis.confidence).
LEVELS = ("high", "medium", "low")


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
    targets: int = 0   # candidate targets of the call made here (0: direct, or no call)
    chosen: bool = False   # those targets are the function names this function assigns to a local


@dataclass(frozen=True, slots=True)
class Basis:
    """One thing an edge rests on beyond code that takes two locks along
    direct calls: an indirect call, a kernel model, an approximation."""

    kind: str          # indirect | model | recursion | documented | class | build | uninit
    level: str         # one of LEVELS
    detail: str        # for people: "seq_show() through m->op->show: 14 candidate targets"
    targets: int = 0   # indirect: candidate targets of that call
    where: str = ""    # indirect: the call site, "function() at file:line"


def weakest(levels) -> str:
    """The lowest of ``levels`` ("high" when there are none)."""
    return max(levels, key=LEVELS.index, default=LEVELS[0])


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
    # what the witness rests on beyond direct calls (empty: direct calls only)
    basis: tuple[Basis, ...] = ()

    @property
    def confidence(self) -> str:
        """The weakest level of what the edge rests on."""
        return weakest(b.level for b in self.basis)

    @property
    def reason(self) -> str:
        """Why the edge has its confidence: its weakest bases, or "direct calls"."""
        low = [b.detail for b in self.basis if b.level == self.confidence]
        return "; ".join(low) if low else "direct calls"

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

    @property
    def confidence(self) -> str:
        """A finding is as trustworthy as its weakest edge."""
        return weakest(e.confidence for e in self.edges)

    @property
    def weakest_edge(self) -> Edge:
        """The edge that decides the confidence: the lowest level, then the
        most candidate targets, then the longest witness, then the first."""
        return min(self.edges, key=lambda e: (-LEVELS.index(e.confidence),
                                              -max((b.targets for b in e.basis), default=0), -len(e.witness)))

    @property
    def reason(self) -> str:
        """Below high: the weakest edge and what makes it doubtful; at high:
        everything the finding rests on beyond direct calls."""
        if self.confidence == LEVELS[0]:
            rests = dict.fromkeys(b.detail for e in self.edges for b in e.basis)
            return "rests on " + "; ".join(rests) if rests else "direct calls only"
        e = self.weakest_edge
        return f"{e.src} --> {e.dst}: {e.reason}"


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

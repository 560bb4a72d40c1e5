"""Plain data the summary stage produces: witness steps, held locks,
states, per-function summaries, lock-order edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from lockcheck.analysis.ir import LockRef

__all__ = ["Step", "Held", "State", "Acq", "Effect", "Summary", "EdgeWitness", "RawEdge",
           "holder_mode", "acquirer_mode", "RECURSIVE_MODES"]


# The walk puts states in sets and compares witness chains millions of
# times: these are named tuples so that hashing, equality and ordering
# (field by field, as a dataclass with order=True) run in C.

class Step(NamedTuple):
    """One frame of a witness: ``function`` at ``file:line`` does ``what``."""

    file: str
    line: int
    function: str
    what: str = ""
    # candidate targets when this step is an indirect call (an ops-table
    # field, a function pointer; summaries.indirect_width), 0 for a call by
    # name or no call: what a finding's confidence counts (analysis.confidence)
    targets: int = 0
    # that call goes through a local its function fills with function names
    # only: each candidate is chosen on some path (analysis.local_choice)
    chosen: bool = False


Chain = tuple[Step, ...]


class Held(NamedTuple):
    key: str
    ref: LockRef
    mode: str                  # exclusive | shared | recursive
    site: Chain                # how this function came to hold it
    scope: int = 0             # block depth of a guard(); 0 = explicit unlock


class State(NamedTuple):
    held: tuple[Held, ...] = ()
    released: frozenset[str] = frozenset()     # caller's locks released here
    facts: frozenset[tuple[str, str]] = frozenset()

    def sort_key(self):
        """A total order (the held sites decide last): states are capped by
        it, and a partial one would keep whichever states a set happened to
        list first — different in every process (string hashing)."""
        return (len(self.held), tuple(h.key for h in self.held), tuple(sorted(self.released)),
                tuple(sorted(self.facts)), self.held)


class Acq(NamedTuple):
    """An acquisition a caller sees: made while the caller's locks, except
    ``released_before``, are still held."""

    ref: LockRef
    mode: str
    action: str                     # acquire | sync
    released_before: frozenset[str]
    chain: Chain


class Effect(NamedTuple):
    """What holds on return: locks still held, caller's locks released."""

    held: tuple[Held, ...] = ()
    released: frozenset[str] = frozenset()


class EdgeWitness(NamedTuple):
    """``held`` leads to where the first lock was taken, ``acquire`` to
    where the second one is; both start in the same function."""

    held: Chain
    acquire: Chain
    # the approximation the edge rests on beyond its steps ("" for none;
    # "large recursion" for analysis.recursions' edges)
    approximation: str = ""

    def cost(self) -> tuple:
        return (len(self.held) + len(self.acquire), self.held, self.acquire)


class RawEdge(NamedTuple):
    src: LockRef
    dst: LockRef
    holder: str        # E (exclusive hold) or S (shared hold)
    acquirer: str      # N (non-recursive) or R (recursive read)
    witness: EdgeWitness
    # an rwlock read (mode irq_recursive) made with no interrupt context
    # known from the function's entry: recursive (R) only where the function
    # that makes the edge runs in interrupt context, a plain read (N) where
    # it runs in process context (analysis.irq_reads; the circular check
    # keeps R)
    entry_decides: bool = False


@dataclass(slots=True)
class Summary:
    acquires: dict[tuple, Acq] = field(default_factory=dict)
    param_edges: dict[tuple, RawEdge] = field(default_factory=dict)
    effects: dict[str, Effect] = field(default_factory=dict)   # all / zero / nonzero
    # lockdep_assert_not_held(&x) reached from here: class key -> (lock, path to the assert:
    # analysis.assert_paths.AssertPath)
    not_held: dict[str, tuple] = field(default_factory=dict)
    # large recursions entered (analysis.recursions): (id, member entered) ->
    # (chain to the call entering it, the caller's locks released before it)
    recursions: dict[tuple[str, str], tuple] = field(default_factory=dict)
    # taken with interrupts enabled, relative to the entry (analysis.irqsafety):
    # (class key, HARDIRQ | SOFTIRQ, W | R) -> (lock, chain)
    irq_on: dict[tuple, tuple] = field(default_factory=dict)
    # the facts on parameters every state making an irq_on entry knew:
    # key -> frozenset((name, zero | nonzero)) (analysis.irq_guards)
    irq_guards: dict[tuple, frozenset] = field(default_factory=dict)
    # the caller's locks released through a parameter (``put(bid) { if (bid)
    # unlock(&bid->lock); }``): class key -> the parameters' positions
    # (analysis.releases: a caller passing NULL there releases nothing)
    release_through: dict[str, frozenset[int]] = field(default_factory=dict)
    # the effect of every return when the parameter at a position is known
    # zero or non-zero, where it differs from "all" (analysis.param_effects):
    # (position, zero | nonzero) -> Effect
    param_effects: dict[tuple[int, str], Effect] = field(default_factory=dict)
    # locks still held on some return, taken through a parameter
    # (``inode_lock(inode)``): class key -> the parameters' positions
    # (analysis.taken_through: the caller's argument is non-NULL after)
    taken_through: dict[str, frozenset[int]] = field(default_factory=dict)
    # what every return gives, when they agree: zero | nonzero | ""
    # (analysis.deref_flags.constant_return)
    returns: str = ""
    # a parameter's ``*p`` the function writes: (position, value on entry)
    # -> {all | zero | nonzero: (Effect, value of *p on those returns or
    # None)} (analysis.deref_flags)
    deref_effects: dict[tuple[int, str], dict] = field(default_factory=dict)
    # the acquisitions of the walk with ``*p`` of that value on entry, where
    # they are fewer than ``acquires``: (position, zero | nonzero) -> acquires
    # (analysis.deref_flags.entry_acquires)
    deref_acquires: dict[tuple[int, str], dict] = field(default_factory=dict)
    # the facts on parameters every state making an acquisition knew: key
    # of ``acquires`` -> frozenset((name, zero | nonzero)) (analysis.acq_guards)
    acq_guards: dict[tuple, frozenset] = field(default_factory=dict)

    def frozen(self) -> "Summary":
        """This summary as callers keep it, once its walk ends (it never
        changes after): every empty table is one shared read-only mapping,
        and so are the effects of a function that holds and releases
        nothing on return (most).  A whole tree keeps hundreds of thousands
        of summaries alive at once (the large recursion's members, whose
        callers are everywhere), each with seven tables, most of them empty."""
        for name in _TABLES:
            if not getattr(self, name):
                setattr(self, name, _EMPTY)
        if self.effects == _NEUTRAL:
            self.effects = _NEUTRAL
        return self

    def conditional(self) -> bool:
        return self.effects.get("zero") != self.effects.get("nonzero")

    def shape(self) -> tuple:
        """What a caller's walk depends on, without the witnesses: a
        recursion's rounds stop when no member's shape changes."""
        return (frozenset(self.acquires), frozenset(self.param_edges), frozenset(self.not_held),
                frozenset(self.recursions), frozenset(self.irq_on), frozenset(self.irq_guards.items()),
                frozenset(self.release_through.items()), frozenset(self.taken_through.items()),
                tuple((k, tuple(h.key for h in e.held), tuple(sorted(e.released)))
                      for k, e in self.param_effects.items()),
                tuple(sorted((k, tuple(h.key for h in e.held), tuple(sorted(e.released)))
                             for k, e in self.effects.items())),
                self.returns,
                tuple((k, tuple((kind, tuple(h.key for h in e.held), tuple(sorted(e.released)), after)
                                for kind, (e, after) in v.items()))
                      for k, v in sorted(self.deref_effects.items())),
                tuple((k, frozenset(v)) for k, v in sorted(self.deref_acquires.items())),
                frozenset(self.acq_guards.items()))


_TABLES = ("acquires", "param_edges", "effects", "not_held", "recursions", "irq_on", "irq_guards",
           "release_through", "param_effects", "taken_through", "deref_effects", "deref_acquires",
           "acq_guards")
_EMPTY = MappingProxyType({})
#: The effects of a function that holds and releases nothing on any return.
_NEUTRAL = MappingProxyType(dict.fromkeys(("all", "zero", "nonzero"), Effect()))


def holder_mode(mode: str) -> str:
    """E for an exclusive hold (also one under a nest lock: analysis.nest_locks)."""
    return "E" if mode == "exclusive" or mode[:4] == "nest" else "S"


#: modes whose acquisition is a recursive read for the circular check
RECURSIVE_MODES = frozenset(("recursive", "irq_recursive"))


def acquirer_mode(mode: str) -> str:
    return "R" if mode in RECURSIVE_MODES else "N"

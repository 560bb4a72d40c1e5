"""What every report says about one cycle, computed once: which acquisition
closes it, how the CPUs interleave to deadlock, and which edge to break.

Conventions (``Finding.edges[i]`` goes from ``locks[i]`` to ``locks[i+1]``;
the last edge returns to ``locks[0]``):

* the *closing* acquisition is the last edge: its function holds
  ``locks[-1]`` and tries ``locks[0]`` ("is trying to acquire lock");
* CPU *i* holds ``locks[i]`` (edge *i*'s holder) then tries ``locks[i+1]``.
  Like lockdep's two-CPU table, every CPU first takes its hold, in CPU order,
  then the tries follow in reverse CPU order, the last try blocking CPU0.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockcheck.result import Edge, Finding, WitnessStep

__all__ = ["Op", "hold_op", "try_op", "scenario", "edge_to_break", "closing", "chain_number", "chain_edge"]


@dataclass(frozen=True)
class Op:
    cpu: int
    verb: str        # lock | rlock | sync
    lock: str
    step: WitnessStep | None

    @property
    def text(self) -> str:
        return f"{self.verb}({self.lock});"


def closing(f: Finding) -> Edge:
    return f.edges[-1]


def chain_number(i: int, n: int) -> int:
    """lockdep's ``#`` for ``edges[i]`` of a cycle of ``n`` edges.

    lockdep's "existing dependency chain (in reverse order)" starts at the
    lock being acquired (``locks[0]``, #0) and follows the dependencies to
    the lock already held (``locks[n-1]``, #n-1).  Block #k names
    ``locks[k]`` with the stack that took it, which is ``edges[k-1]``; #0's
    is the closing acquisition, ``edges[n-1]``.  Blocks print from #n-1
    down to #0."""
    return (i + 1) % n


def chain_edge(number: int, n: int) -> int:
    """The inverse of :func:`chain_number`: which edge lockdep's block
    ``#number`` shows (for reading a pasted splat's chain)."""
    return (number - 1) % n


def hold_op(cpu: int, e: Edge) -> Op:
    """A shared (S) hold is a read hold: rlock(); an exclusive one lock()."""
    return Op(cpu, "rlock" if e.holder == "S" else "lock", e.src, e.held[-1] if e.held else None)


def try_op(cpu: int, e: Edge) -> Op:
    """synchronize_srcu() waits for readers without holding anything: sync();
    a recursive-read acquirer is rlock(); anything else lock()."""
    last = e.acquire[-1] if e.acquire else None
    if last is not None and last.what.startswith("synchronize_srcu"):
        verb = "sync"
    elif e.acquirer == "R":
        verb = "rlock"
    else:
        verb = "lock"
    return Op(cpu, verb, e.dst, last)


def scenario(f: Finding) -> list[Op]:
    """The rows of "Possible unsafe locking scenario", in time order."""
    if f.kind in ("recursive", "assert-not-held"):
        e = f.edges[0]
        return [hold_op(0, e), try_op(0, e)]
    holds = [hold_op(i, e) for i, e in enumerate(f.edges)]
    tries = [try_op(i, e) for i, e in enumerate(f.edges)]
    return holds + tries[::-1]


def cpus(f: Finding) -> int:
    return 1 if f.kind in ("recursive", "assert-not-held") else len(f.edges)


def edge_to_break(f: Finding) -> int:
    """Index of the edge to suggest breaking.

    The edge with the longest witness chain: it crosses the most function
    boundaries, so it depends most on the model (call resolution, summaries)
    and it is usually the one where a lock is held far from the code that
    needs it, which is where kernel fixes tend to land (move the call out of
    the critical section, or take the lock later).  Ties go to an edge that
    involves a read hold or an SRCU sync (also model-dependent), then to the
    closing edge, then to the earliest.
    """
    def key(i: int):
        e = f.edges[i]
        special = e.holder == "S" or try_op(i, e).verb != "lock"
        return (len(e.witness), special, i == len(f.edges) - 1, -i)
    return max(range(len(f.edges)), key=key)

"""One report per mistake: findings that share what makes them doubtful.

A wrong edge (an indirect call to a target it cannot reach, a lock not
really held) closes a cycle with every path back through the graph, so
one mistake shows as dozens of cycles.  Cycles that share their *weakest
edge* (:attr:`lockcheck.result.Finding.weakest_edge`: the lowest
confidence, then the most candidate targets, then the longest witness)
are one group; its lead is the shortest cycle (then the first in rank
order), and the others are counted under it.  Below high confidence the
weakest edge is identified by its doubt: an indirect call by its call site
(whichever candidate, whatever lock is held around it: one wrong
resolution makes an edge from every held lock to every lock the wrong
target takes), any other doubt by the held lock and the doubt.  Recursive findings through
one lock (whatever its subclass) taken again in one function are one
group too.  Every other finding is a group of its own.

Groups come in the order their first member appears in the (ranked)
input, so the text report and the JSON ``groups`` list agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockcheck.result import LEVELS, Finding

__all__ = ["Group", "group", "group_key"]


@dataclass(frozen=True)
class Group:
    key: tuple
    lead: Finding
    others: tuple[Finding, ...] = ()

    @property
    def members(self) -> tuple[Finding, ...]:
        return (self.lead,) + self.others

    @property
    def confidence(self) -> str:
        return self.lead.confidence


def group_key(f: Finding) -> tuple:
    if f.kind == "circular":
        e = f.weakest_edge
        if e.confidence == LEVELS[0]:
            return ("circular", e.src, e.dst)
        # the doubt, not the locks it joins: one wrong call resolution makes
        # an edge from every lock held around the call to every lock the
        # wrong target takes, and each of them closes cycles of its own
        doubt = max((b for b in e.basis if b.level == e.confidence), key=lambda b: (b.targets, b.detail))
        if doubt.where:
            return ("circular", "call", doubt.where)
        return ("circular", e.src, doubt.detail)
    if f.kind == "recursive":
        e = f.edges[0]
        where = e.acquire[0].function if e.acquire else ""
        return ("recursive", _base_class(f.locks[0]), where)
    return (f.kind, f.id)


def _base_class(name: str) -> str:
    """``&chan->lock/?`` and ``&chan->lock/1`` are one lock taken again."""
    head, sep, tail = name.rpartition("/")
    return head if sep and head and (tail == "?" or tail.isdigit()) else name


def group(findings) -> tuple[Group, ...]:
    """Groups of ``findings`` (ranked), in the order their first member appears."""
    members: dict[tuple, list[Finding]] = {}
    for f in findings:
        members.setdefault(group_key(f), []).append(f)
    out = []
    for key, fs in members.items():
        at = min(range(len(fs)), key=lambda i: (len(fs[i].locks), i))
        out.append(Group(key, fs[at], tuple(fs[:at] + fs[at + 1:])))
    return tuple(out)

"""Large recursions of the call graph, summarised once.

The kernel's call graph has strongly connected components of a thousand
functions and more (allocation → reclaim → allocation, printk → console →
WARN → printk, kfree in debug paths, put → release → put).  Summarising
each member with everything it reaches keeps, per member, a copy of nearly
the whole component's locks, each with its witness chain: on the whole
tree that filled 19 GB before the first pass over the component ended.
And the fixpoint is not worth having: every member reaches every other one
only through paths nobody runs (kfree → kmemleak → … → kfree), so every
lock held around a kfree() would be ordered before every lock of the
component (kernel/ + mm/: 4× the edges, 4× the cycles).

A component of at least ``LARGE_COMPONENT`` members is therefore one
:class:`Recursion` that keeps, per member, only the locks the member takes
itself or through callees outside the recursion.  A member's summary keeps
what depends on its arguments, what holds on return, and a pointer to the
recursion, so callers above it stay small too (a caller keeps up to
``flow.MAX_RECURSION_ENTRIES`` members it enters by, the nearest).  A
function that holds H when it enters the recursion at member m makes H →
every lock taken by the members within ``RECURSION_DEPTH`` direct calls of
m (``FOLLOW_INDIRECT``: also through ops tables and function pointers),
along the shortest calls, which are the witness; and into the recursions
those members enter.  These edges are made at the end, when every member
is known.  On the whole tree the component has 211,378 functions; the
depth bound decides how many edges it makes (benchmarks/BY_HAND.md).

What a member takes keeps which of its callers' locks it released first
(``Acq.released_before``), one acquisition per class, mode and that set:
an entry holding H makes no edge to a lock the member takes only after
releasing H (``jffs2_write_dnode()`` drops ``f->sem`` and the
reservation, calls ``jffs2_reserve_space()`` for ``alloc_sem``, and takes
``f->sem`` again: called holding ``f->sem``, it orders nothing after it),
as a caller of a member outside any recursion sees it
(``callee_inherit``).  The same holds along the calls from the entry to
the members near it (what a member's walk released before its call of
another, ``calls_released``), and of a recursion entered after such a
release.  Those calls are the ones the members' walks made: a call the
call graph has but a member's walk never reaches (a branch its constant
arguments decide against: ``jffs2_write_dnode()`` for ALLOC_GC never calls
``jffs2_reserve_space()``) leads nowhere (``unwalked``).

What this gives up, against walking members one by one to a fixpoint:
locks deeper in the recursion than RECURSION_DEPTH calls from the entry
(the kvmclock edge cpu_hotplug_lock -> kvm_lock runs six calls through
cpufreq and a whole-tree scan misses it), a lock released before a call
to another member that the caller's summary does not keep (past
``flow.MAX_RECURSION_ENTRIES`` members it calls) still counts as held, a
held lock that is a parameter makes no edge into a recursion, and no
recursive-locking finding comes through one.  A member walked while a
callee inside the recursion was not walked yet (its stand-in summary
releases nothing) may make edges its later walks would not; its findings
about one class (recursive locking, assert-not-held) are kept from its
last walk only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from lockcheck.analysis.assert_climb import AssertClimb
from lockcheck.analysis.flow import MAX_RECURSION_ENTRIES
from lockcheck.analysis.lastwalk import LastWalk
from lockcheck.analysis.irq_reads import IRQ_RECURSIVE
from lockcheck.analysis.facts import (Acq, Chain, EdgeWitness, Held, RawEdge, Step, Summary,
                                      acquirer_mode, holder_mode)

__all__ = ["EFFECT_PASSES", "LARGE_COMPONENT", "RECURSION_DEPTH", "Recursion", "Recursions", "effect_shape"]

#: Members from which a strongly connected component is one Recursion.
LARGE_COMPONENT = 1000
#: Calls inside a recursion that its locks are followed from the entry.
RECURSION_DEPTH = 1
#: Whether those calls include calls through ops tables and function
#: pointers (on the whole tree, depth 3 through them: 715,030 edge pairs;
#: depth 1 along direct calls: 95,096).
FOLLOW_INDIRECT = False
#: Further passes, each walking again only the members one of whose callees
#: inside changed what holds on its return (the locks held, the caller's
#: locks released) after their last walk: a release several calls deep
#: (``register_netdevice_notifier()`` → ``rtnl_unlock()`` →
#: ``netdev_run_todo()`` → ``__rtnl_unlock()``, all members, each caller
#: walked before its callee) reaches its outermost caller one pass per
#: call; stopped short, the caller keeps a stand-in that releases nothing
#: and counts the lock held after it returns.
EFFECT_PASSES = 8
#: What an edge made here rests on (EdgeWitness.approximation).
APPROXIMATION = "large recursion"
#: Passes over a recursion's members (a member is walked again only if a
#: callee inside it changed its own summary after the member was walked).
RECURSION_PASSES = 3


@dataclass
class Recursion:
    ident: str                                 # its smallest member
    members: frozenset[str]
    # member -> (class, mode, callers' locks released first) -> the shortest
    # acquisition it makes itself or through callees outside the recursion
    takes: dict[str, dict[tuple, Acq]] = field(default_factory=dict)
    # member -> {(other recursion, member entered there): (chain from the
    # member, its callers' locks released first)}
    enters: dict[str, dict[tuple[str, str], tuple[Chain, frozenset[str]]]] = field(default_factory=dict)
    # member -> {member it calls: its callers' locks it released before
    # every such call} (only the non-empty ones)
    calls_released: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    # member -> the members the call graph has it call that its walk never
    # called (in a branch its facts decide against: ``jffs2_write_dnode()``
    # for ALLOC_GC calls jffs2_reserve_space_gc() only)
    unwalked: dict[str, frozenset[str]] = field(default_factory=dict)


class Recursions:
    """Every large recursion of one analysis, and the locks held entering them."""

    def __init__(self, program, graph, sites) -> None:
        self.program = program
        self.graph = graph
        self.sites = sites          # summaries.CallSites: where a member calls another
        self.by_id: dict[str, Recursion] = {}
        # recursion -> members walked in each pass (the cost of summarise; run statistics only)
        self.walks: dict[str, list[int]] = {}
        # (held class, holder mode, recursion, member entered) -> (held, chain to the entry)
        self.entered_holding: dict[tuple, tuple[Held, Chain]] = {}
        # what an entry reaches, for entries met through another recursion
        self._reach: dict[tuple[str, str], list[tuple[Acq, Chain]]] = {}

    # ------------------------------------------------------------ walking
    def entered(self, held: Held, ident: str, chain: Chain, entry: str) -> None:
        """A function holding ``held`` calls into recursion ``ident`` at ``entry``."""
        if held.ref.is_param:
            return
        k = (held.key, holder_mode(held.mode), ident, entry)
        old = self.entered_holding.get(k)
        if old is None or (len(held.site) + len(chain), held.site, chain) < \
                (len(old[0].site) + len(old[1]), old[0].site, old[1]):
            self.entered_holding[k] = (held, chain)

    def summarise(self, members: list[str], summaries: dict, walk, rebuild) -> None:
        """Walk every member (callees first where the recursion allows),
        keeping what each takes in one :class:`Recursion`: ``walk(member,
        sink)``; ``rebuild(member)``, the callbacks its findings are
        replayed through (:class:`lastwalk.LastWalk`).  A member walked
        again (a callee inside the recursion changed after its walk, maybe
        one that stood for itself, never walked) reports again, and only
        its last walk's findings count.
        One whose callees inside changed only by assertions gained is
        patched instead, where that is all a walk would change
        (analysis.assert_climb); ``walks`` counts the members walked."""
        rec = Recursion(members[0], frozenset(members))
        self.by_id[rec.ident] = rec
        for m in members:
            summaries[m] = _pointer(rec.ident, m)
        order = self._postorder(members, rec.members)
        clock, walked_at, changed_at = 0, {}, {m: 0 for m in members}
        todo = order
        # every walk keeps its findings until the member is walked again,
        # reported when the passes end (analysis.lastwalk): a callee walked
        # before may itself have seen one not walked yet, and be walked again
        last = LastWalk(rebuild)
        effect_at = dict(changed_at)
        passes = self.walks[rec.ident] = []
        # a member whose callees inside gained assertions only is patched, not walked
        climb = AssertClimb(rec.ident, rec.members, self.entered)
        cut = self.program.outside_cut
        by_key = self.program.by_key
        for n in range(RECURSION_PASSES + EFFECT_PASSES):
            passes.append(0)
            for m in todo:
                clock += 1
                own = None
                if n:
                    fn = by_key[m]
                    own = climb.patched(m, summaries, walked_at, bool(cut) and (fn.file, fn.name) in cut)
                walked_at[m] = clock
                if own is None:
                    sink = last.begin(m)
                    full = walk(m, sink)
                    climb.walked(m, full, sink)
                    own = self._keep(rec, m, full)
                    passes[-1] += 1
                climb.note(m, summaries[m], own, clock)
                if _rewalk_shape(own) != _rewalk_shape(summaries[m]):
                    changed_at[m] = clock
                if effect_shape(own) != effect_shape(summaries[m]):
                    effect_at[m] = clock
                summaries[m] = own
            # past RECURSION_PASSES, only for what holds on return
            changed = changed_at if n + 1 < RECURSION_PASSES else effect_at
            todo = [m for m in order if any(t in rec.members and changed[t] > walked_at[m]
                                            for t in self.graph.successors(m))]
            if not todo:
                break
        last.flush(order)

    def _keep(self, rec: Recursion, member: str, full: Summary) -> Summary:
        """Keep a member's concrete acquisitions in the recursion; return
        what its callers must substitute or apply."""
        own: dict = {}
        takes: dict[tuple, Acq] = {}
        for key, acq in full.acquires.items():
            if acq.ref.is_param:
                own[key] = acq
                continue
            k = (acq.ref.class_key, acq.mode, _ordered(acq.released_before))
            old = takes.get(k)
            if old is None or (len(acq.chain), acq.chain) < (len(old.chain), old.chain):
                takes[k] = acq
        _set_or_drop(rec.takes, member, takes)
        _set_or_drop(rec.enters, member, {k: v for k, v in full.recursions.items() if k[0] != rec.ident})
        walked = {k[1]: v[1] for k, v in full.recursions.items() if k[0] == rec.ident}
        _set_or_drop(rec.calls_released, member, {t: before for t, before in walked.items() if before})
        # a walk entering its own recursion by more calls than a summary
        # keeps (flow.MAX_RECURSION_ENTRIES) may have called any of them
        unwalked = () if len(walked) >= MAX_RECURSION_ENTRIES else \
            [t for t in self.graph.succ[member] if t in rec.members and t not in walked]
        if unwalked:
            rec.unwalked[member] = frozenset(unwalked)
        else:
            rec.unwalked.pop(member, None)
        pointer = _pointer(rec.ident, member)
        # what a caller applies keeps how releases go through the parameters
        # (``task_rq_unlock(rq, p, ..)``: a NULL p releases nothing, so a
        # slot helper testing it releases p's lock on every path), what every
        # return gives and what ``*p`` is on each kind of return
        # (analysis.deref_flags): a caller testing either for the lock held
        # on return (``ret = start(dev); if (ret < 0) goto disable;``; they
        # walk no member again: _rewalk_shape)
        return Summary(own, full.param_edges, full.effects, full.not_held, pointer.recursions,
                       release_through=full.release_through, param_effects=full.param_effects,
                       taken_through=full.taken_through, returns=full.returns,
                       deref_effects=full.deref_effects,
                       acq_guards={k: g for k, g in full.acq_guards.items() if k in own}).frozen()

    def _postorder(self, members: list[str], inside: frozenset[str]) -> list[str]:
        """Members in depth-first post-order (callees before callers, but
        for the calls that close the recursion); deterministic."""
        seen: set[str] = set()
        out: list[str] = []
        for root in members:
            if root in seen:
                continue
            seen.add(root)
            stack = [(root, iter(self._inside(root, inside)))]
            while stack:
                node, it = stack[-1]
                nxt = next((t for t in it if t not in seen), None)
                if nxt is None:
                    stack.pop()
                    out.append(node)
                    continue
                seen.add(nxt)
                stack.append((nxt, iter(self._inside(nxt, inside))))
        return out

    def _inside(self, node: str, inside: frozenset[str], direct_only: bool = False) -> list[str]:
        succ = self.graph.succ[node]
        return sorted(t for t in succ if t in inside and (not direct_only or self.sites.first(node, t)[1]))

    # ------------------------------------------------------------ edges
    def emit_edges(self, emit) -> int:
        """H → the locks near where each recursion was entered holding H
        (grouped by entry: what an entry reaches is found once)."""
        count = 0
        groups: dict[tuple[str, str], list] = {}
        for (key, _, ident, entry), (held, chain) in self.entered_holding.items():
            groups.setdefault((ident, entry), []).append((key, held, chain))
        for (ident, entry) in sorted(groups):
            reached = self._reached(ident, entry, keep=False)
            for key, held, chain in sorted(groups[(ident, entry)], key=lambda g: (g[0], g[1].mode)):
                done = None
                for acq, route in reached:
                    if acq.ref.class_key == key:
                        continue
                    before = acq.released_before
                    if before:
                        if key in before or held.ref.key in before:
                            continue        # taken after releasing the held lock (on this path)
                    if done is not None and done == (acq.ref.class_key, acq.mode):
                        continue            # a nearer variant of the same lock made the edge
                    done = (acq.ref.class_key, acq.mode)
                    witness = EdgeWitness(held.site, chain + route + acq.chain, APPROXIMATION)
                    emit(RawEdge(held.ref, acq.ref, holder_mode(held.mode), acquirer_mode(acq.mode), witness,
                                 acq.mode == IRQ_RECURSIVE))   # no one function decides: process context
                    count += 1
        return count

    def _reached(self, ident: str, entry: str, keep: bool = True) -> list[tuple[Acq, Chain]]:
        """(acquisition, calls from ``entry`` to where its chain starts): the
        shortest per lock class and mode taken near ``entry``, also in the
        recursions entered there (the recursions form a DAG).  Kept for
        entries met through another recursion, which many entries share."""
        found = self._reach.get((ident, entry))
        if found is not None:
            return found
        rec = self.by_id[ident]
        best: dict[tuple, tuple[Acq, Chain]] = {}

        def offer(acq: Acq, route: Chain) -> None:
            k = (acq.ref.class_key, acq.mode, _ordered(acq.released_before))
            old = best.get(k)
            if old is None or (len(route) + len(acq.chain), route, acq.chain) < \
                    (len(old[1]) + len(old[0].chain), old[1], old[0].chain):
                best[k] = (acq, route)
        for member, route, released in self._ball(ident, entry):
            for acq in rec.takes.get(member, {}).values():
                if released and not released <= acq.released_before:
                    acq = acq._replace(released_before=acq.released_before | released)
                offer(acq, route)
            for (other, other_entry), (chain, before) in sorted(rec.enters.get(member, {}).items(),
                                                                key=lambda kv: kv[0]):
                before = before | released if released else before
                for acq, deeper in self._reached(other, other_entry):
                    if before and not before <= acq.released_before:
                        acq = acq._replace(released_before=acq.released_before | before)
                    offer(acq, route + chain + deeper)
        # per lock and mode, the nearest first (emit_edges takes, for each
        # held lock, the nearest not released before it)
        found = sorted(best.values(), key=lambda v: (v[0].ref.class_key, v[0].mode, len(v[1]) + len(v[0].chain),
                                                      v[1], v[0].chain, _ordered(v[0].released_before)))
        if keep:
            self._reach[(ident, entry)] = found
        return found

    def _ball(self, ident: str, entry: str) -> list[tuple[str, Chain, frozenset[str]]]:
        """Members within RECURSION_DEPTH calls of ``entry``, each with the
        shortest calls that reach it (breadth-first, callees in name order)
        and the entry's callers' locks released along them; only along
        calls the members' walks made."""
        rec = self.by_id[ident]
        inside = rec.members
        route = {entry: ((), frozenset())}
        queue = deque([entry])
        while queue:
            n = queue.popleft()
            calls, released = route[n]
            if len(calls) >= RECURSION_DEPTH:
                continue
            first = rec.calls_released.get(n, {})
            dead = rec.unwalked.get(n, ())
            for t in self._inside(n, inside, not FOLLOW_INDIRECT):
                if t not in route and t not in dead:
                    more = first.get(t)
                    route[t] = (calls + (self._call_step(n, t),), released | more if more else released)
                    queue.append(t)
        return [(m, calls, released) for m, (calls, released) in route.items()]

    def _call_step(self, caller: str, callee: str) -> Step:
        """The step a walk would write for this call (first call site)."""
        fn, target = self.program.by_key[caller], self.program.by_key[callee]
        line, _, model = self.sites.first(caller, callee)
        return Step(fn.file, line, fn.name,
                    f"{target.name} [model: {model}]" if model else target.name)


def _pointer(ident: str, member: str) -> Summary:
    """A member's stand-in for the recursion: callers enter it there."""
    return Summary(recursions={(ident, member): _ENTERED_HERE}).frozen()


#: A stand-in's entry (no chain, nothing released): one object for the
#: whole tree's half a million members.
_ENTERED_HERE = ((), frozenset())


def effect_shape(summary: Summary) -> tuple:
    """What a caller's held locks depend on after calling: the locks held
    and the caller's locks released on return, also per argument, and the
    releases through parameters (a stand-in's missing effects are the
    neutral ones)."""
    return (frozenset(summary.release_through.items()), frozenset(summary.taken_through.items()),
            tuple((k, tuple(h.key for h in e.held), tuple(sorted(e.released)))
                  for k, e in sorted(summary.param_effects.items())),
            tuple(sorted((k, tuple(h.key for h in e.held), tuple(sorted(e.released)))
                         for k, e in summary.effects.items() if e.held or e.released)))


def _rewalk_shape(summary: Summary) -> tuple:
    """``Summary.shape()`` but for what every return gives and the values
    of ``*p`` on return, which a member's summary keeps for its callers
    (``_keep``) but which walk no member again: many members return a
    constant, and each of them walked after a caller inside would walk
    that caller again (a cost on the whole tree, not measured).  The
    callers outside, walked after the recursion, see them all; a member
    walked before one of its callees sees what the walks before it found."""
    return Summary(summary.acquires, summary.param_edges, summary.effects, summary.not_held,
                   summary.recursions, summary.irq_on, summary.irq_guards, summary.release_through,
                   summary.param_effects, summary.taken_through).shape()


_ORDERED: dict[frozenset, tuple] = {}


def _ordered(keys: frozenset[str]) -> tuple[str, ...]:
    """A released-before set as a sorted tuple (a key that sorts; the same
    few sets recur: memoised)."""
    if not keys:
        return ()
    found = _ORDERED.get(keys)
    if found is None:
        if len(_ORDERED) > 50_000:
            _ORDERED.clear()
        found = _ORDERED[keys] = tuple(sorted(keys))
    return found


def _set_or_drop(table: dict, key: str, value: dict) -> None:
    if value:
        table[key] = value
    else:
        table.pop(key, None)

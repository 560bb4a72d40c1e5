"""What a call inherits from its callee's summary, one call deeper
(``analysis.flow``'s calls): the callee's acquisitions, each a dependency
of the locks held at the call unless the callee released them first; its
``lockdep_assert_not_held`` assertions; the large recursions it enters;
the interrupt states it leaves enabled and the edges between its
parameters' locks.
"""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.assert_paths import AssertPath
from lockcheck.analysis.facts import Acq, EdgeWitness, RawEdge, State, Step, Summary, holder_mode
from lockcheck.analysis.element_index import PARAM_INDEX
from lockcheck.analysis.irq_guards import unguarded, keep_guard
from lockcheck.analysis.acq_guards import dropped, entry_known, inherited
from lockcheck.analysis.irq_reads import IRQ_RECURSIVE, in_interrupt, resolve
from lockcheck.analysis.nest_locks import resolve_nest
from lockcheck.analysis.substitute import PARAM_SUBCLASS, subst, subst_keys

__all__ = ["CalleeInheritance"]

_PARAMETER_KEYS: dict[frozenset, bool] = {}


def _names_parameter(keys: frozenset[str]) -> bool:
    """Does a set of class keys name a parameter (``p:N``, an element at
    a parameter's index: analysis.element_index)?  Memoised: the
    same few released-before sets are inherited millions of times."""
    known = _PARAMETER_KEYS.get(keys)
    if known is None:
        known = _PARAMETER_KEYS[keys] = any(k.startswith("p:") or PARAM_INDEX in k for k in keys)
        if len(_PARAMETER_KEYS) > 100_000:
            _PARAMETER_KEYS.clear()
    return known


class CalleeInheritance:
    """Mixed into ``flow.FunctionFlow``: ``self.summary`` (this function's),
    ``self._depend``, ``self.as_held`` (``releases.Releases``),
    ``self.on_not_held`` and ``self.on_recursion`` come from it."""

    def _inherit_acquires(self, s: State, call: ir.Call, callee, summary: Summary, site: Step,
                          chosen: dict | None = None) -> None:
        """The callee's acquisitions (``chosen``, else all of its summary's)
        become this function's (one call deeper), each a dependency of the
        locks held here.  The hottest loop of a scan (call sites x callee
        summary size): plain locals, and substitution only for what names a
        parameter."""
        held, released_here = s.held, s.released
        held_keys = {h.key for h in held}
        acquires = self.summary.acquires
        args = call.args
        # acquisitions guarded by what the caller passes (analysis.acq_guards)
        theirs = summary.acq_guards
        drop = dropped(theirs, s.facts, call, callee.params) if theirs else ()
        mine = self.summary.acq_guards if not self.effects_only else None
        known = entry_known(self.guards, s.facts) if mine is not None else None
        for k, acq in (summary.acquires if chosen is None else chosen).items():
            if drop and k in drop:
                continue
            ref = acq.ref
            if ref.key[:2] == "p:" or ref.subclass >= PARAM_SUBCLASS or PARAM_INDEX in ref.key:
                ref = subst(ref, args, callee, call)
            before = acq.released_before
            if not before:
                released = released_here
            else:
                if _names_parameter(before):
                    before = subst_keys(before, args, callee, call)
                if held and not before <= held_keys:
                    before = self.as_held(s, before)   # as the release names a lock held here
                released = released_here | (before - held_keys if held_keys else before)
            mode = acq.mode if acq.mode != IRQ_RECURSIVE or self.irq is None else resolve(acq.mode, held)
            if mode[:5] == "nest@":
                mode = resolve_nest(mode, call)
            chain = None    # (site,) + acq.chain, built where it is used
            if held:
                chain = (site,) + acq.chain
                self._depend(s, ref, mode, chain, before)
            key = (ref.class_key, mode, acq.action, released)
            old = acquires.get(key)
            if mine is not None:
                guard = theirs.get(k) if theirs else None
                keep_guard(mine, key, old is None,
                           known | inherited(self.guards, guard, call, callee.params) if guard else known)
            if old is not None:
                length, kept = len(acq.chain) + 1, len(old.chain)
                if length > kept:
                    continue
                if chain is None:
                    chain = (site,) + acq.chain
                if length == kept and not chain < old.chain:
                    continue
            acquires[key] = Acq(ref, mode, acq.action, released, chain or (site,) + acq.chain)

    def _inherit_not_held(self, s: State, call: ir.Call, callee, summary: Summary, site: Step) -> None:
        """:meth:`_assert_not_held` for each assertion the callee reaches,
        one call deeper.  Nearly every summary carries a few (they climb to
        every caller): twenty million on the whole tree, so inlined; the
        path one call longer shares the callee's (analysis.assert_paths)."""
        mine = self.summary.not_held
        for key, (ref, chain) in summary.not_held.items():   # keyed by the lock's class
            if ref.key[:2] == "p:" or ref.subclass >= PARAM_SUBCLASS or PARAM_INDEX in ref.key:
                ref = subst(ref, call.args, callee, call)
                key = ref.class_key
            old = mine.get(key)
            longer = None      # AssertPath(site, chain), made where it is kept or reported
            if old is None:
                longer = AssertPath(site, chain)
                mine[key] = (ref, longer)
            else:
                kept, length = old[1], chain.length + 1
                if length < kept.length or length == kept.length and not (kept.step is site and kept.rest is chain):
                    longer = AssertPath(site, chain)
                    if longer < kept:
                        mine[key] = (ref, longer)
            if self.on_not_held is None:
                continue
            for h in s.held:
                if h.key == key:
                    if longer is None:
                        longer = AssertPath(site, chain)
                    self.on_not_held(RawEdge(h.ref, ref, holder_mode(h.mode), "N",
                                             EdgeWitness(h.site, longer.steps())))

    def _enter_recursions(self, s: State, call: ir.Call, callee, summary: Summary, site: Step) -> None:
        """A large recursion the callee enters is entered from here too; the
        locks held now, unless the callee released them first, are reported
        entering it (analysis.recursions)."""
        mine = self.summary.recursions
        held_keys = {h.key for h in s.held}
        for k, (chain, before) in summary.recursions.items():
            if before and _names_parameter(before):
                before = subst_keys(before, call.args, callee, call)
            if before and held_keys and not before <= held_keys:
                before = self.as_held(s, before)   # as for an acquisition
            released = s.released | (before - held_keys if held_keys else before)
            chain = (site,) + chain
            old = mine.get(k)
            if old is None:
                mine[k] = (chain, released)
            else:
                kept = old[0]   # the shorter chain, then the smaller (``min`` by (len, chain))
                if len(chain) < len(kept) or (len(chain) == len(kept) and chain < kept):
                    kept = chain
                mine[k] = (kept, old[1] & released)
            if self.on_recursion is not None:
                for h in s.held:
                    if h.key not in before:
                        self.on_recursion(h, k[0], chain, k[1])

    def _summary_parts(self, s: State, call: ir.Call, callee, summary: Summary, site: Step) -> None:
        """What a call gives this function's summary and findings beyond
        its acquisitions and effects (a side walk, ``effects_only``, makes
        none of it): the interrupt states the callee leaves enabled, the
        recursions it enters, its assertions, the edges between its
        parameters' locks."""
        if summary.irq_on and self.irq is not None:
            on = unguarded(summary.irq_on, summary.irq_guards, s.facts, call, callee.params)
            self.irq.inherit(self.summary, s.held, on, site, lambda r: subst(r, call.args, callee, index_call=call),
                             summary.irq_guards, lambda g: self.guards.inherited(g, call, callee.params))
        if summary.recursions:
            self._enter_recursions(s, call, callee, summary, site)
        if summary.not_held:
            self._inherit_not_held(s, call, callee, summary, site)
        for edge in summary.param_edges.values():
            src, dst = subst(edge.src, call.args, callee, call), subst(edge.dst, call.args, callee, call)
            if src.class_key == dst.class_key:
                continue
            w = EdgeWitness((site,) + edge.witness.held, (site,) + edge.witness.acquire)
            new = RawEdge(src, dst, edge.holder, edge.acquirer, w,
                          edge.entry_decides and not in_interrupt(s.held))
            if src.is_param or dst.is_param:
                k = (src.class_key, dst.class_key, edge.holder, edge.acquirer, new.entry_decides)
                old = self.summary.param_edges.get(k)
                if old is None or w.cost() < old.witness.cost():
                    self.summary.param_edges[k] = new
            else:
                self.emit(new)

"""Releases are facts: what a function does to the locks its caller holds.

A function's summary (``facts.Effect``, one per kind of return) says which
caller-held locks it releases on every path and which locks it holds on
every path when it returns.  A lock in both is dropped and taken again
(``__wait_on_freeing_inode()``: unlock i_lock … lock it again;
``autoload_device()``: unlock sound_mutex … lock it): to the caller the call
is neutral, so the lock stays held *as the caller took it* (its site, and its
scope when a ``scoped_guard`` holds it), not as a new acquisition that would
outlive the guard.  Locks the callee takes while the caller's lock is
released are recorded with that lock in their ``released_before`` (see
``flow``), so they make no edge from it.  Releases apply however the callee
is reached: several calls deep (``rtnl_unlock()`` → ``netdev_run_todo()`` →
``__rtnl_unlock()``), and through a resolved function pointer
(``free(ns, perm)`` in ``free_ipcs()``), the lock named by the argument.
"""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.facts import Effect, Held, State
from lockcheck.analysis.substitute import ref_from_key, subst, subst_keys

__all__ = ["Releases", "meet_exits"]


class Releases:
    """The release half of ``flow.FunctionFlow``."""

    def release(self, s: State, ref: ir.LockRef) -> State:
        key = ref.class_key
        for k in range(len(s.held) - 1, -1, -1):
            if s.held[k].key == key or s.held[k].ref.key == ref.key:
                return State(s.held[:k] + s.held[k + 1:], s.released, s.facts)
        return State(s.held, s.released | {key}, s.facts)

    def _apply_effect(self, s: State, effect: Effect, call, callee, site) -> State:
        """The state after a call whose callee has ``effect``."""
        if not effect.held and not effect.released:
            return s
        released = subst_keys(effect.released, call.args, callee)
        taken = [(subst(h.ref, call.args, callee), h) for h in effect.held]
        mine = {h.key for h in s.held}
        # dropped and taken again while the caller holds it: neutral
        retaken = {ref.class_key for ref, _ in taken if ref.class_key in released and ref.class_key in mine}
        for key in released:
            if key not in retaken:
                s = self.release(s, ref_from_key(key))
        held = list(s.held)
        for ref, h in taken:
            if ref.class_key not in retaken:
                held.append(Held(ref.class_key, ref, h.mode, (site,) + h.site, 0))
        return State(tuple(held), s.released, s.facts)

    def _effects(self) -> dict[str, Effect]:
        """The summary's effects from the exits: for every return, for
        zero returns and for non-zero ones (a caller testing the result)."""
        everything = meet_exits(self.exits)
        zero = [e for e in self.exits if e[1] in ("zero", "unknown")]
        nonzero = [e for e in self.exits if e[1] in ("nonzero", "unknown")]
        return {"all": everything, "zero": meet_exits(zero) if zero else everything,
                "nonzero": meet_exits(nonzero) if nonzero else everything}


def meet_exits(exits) -> Effect:
    """Held on every exit (a ``guard()`` ends with the function), and the
    caller's locks released on every exit."""
    exits = list(exits)
    if not exits:
        return Effect()
    first = exits[0][0]
    keys = set(h.key for h in first.held if not h.scope)
    released = set(first.released)
    for st, _ in exits[1:]:
        keys &= {h.key for h in st.held if not h.scope}
        released &= st.released
    best: dict[str, Held] = {}
    for st, _ in exits:
        for h in st.held:
            if h.key in keys and (h.key not in best or h.site < best[h.key].site):
                best[h.key] = h
    return Effect(tuple(best[k] for k in sorted(best)), frozenset(released))

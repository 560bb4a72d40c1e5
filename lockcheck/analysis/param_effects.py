"""Effects that depend on a parameter's nullness.

A helper pair that locks one of two locks and unlocks the one a value says
(``ci = lock_cluster_or_swap_info(si, off)`` holds ``si->lock`` when it
returns NULL; ``unlock_cluster_or_swap_info(si, ci)`` unlocks
``si->lock`` when ``ci`` is NULL, the cluster's lock otherwise) releases
nothing on *every* return, so its plain effect releases nothing.  Its
exits know what they learnt of a parameter the function never assigns:
those where it is zero release one lock, those where it is non-zero the
other.  The summary keeps, per parameter and value, the meet of the exits
that agree with that value (an exit knowing nothing of the parameter
agrees with both); a caller whose state knows the argument's value (a
local or parameter, ``Call.arg_vars``) takes that effect instead of the
plain one.  Held locks go the same way: ``lock_if(l, on)`` holds ``l`` for
a caller that knows ``on`` is non-zero.

A tested call of one parameter (``rcu_rdp_is_offloaded(rdp)``, its key
``rcu_segcblist_is_offloaded(&rdp->cblist)``: analysis.pred_keys) splits the
exits the same way: ``rcu_nocb_unlock_irqrestore(rdp, flags)`` releases
``rdp->nocb_lock`` where the test held, and a caller whose state knows the
same test of its argument (it took the lock under it) takes that effect,
kept under ``(position, "nonzero:()f(&$->cblist)")``.
"""

from __future__ import annotations

from lockcheck.analysis.facts import Effect, State
from lockcheck.analysis.pred_keys import instantiate, key_var, param_test, template, test_kind

__all__ = ["param_effects", "chosen_effect"]

_VALUES = ("zero", "nonzero")


def param_effects(exits: list, params: tuple[str, ...], assigned: frozenset[str],
                  everything: Effect, meet) -> dict[tuple[int, str], Effect]:
    """(position, value) -> the effect of the exits agreeing with that value
    of the parameter at that position, where it differs from ``everything``
    (``meet``: releases.meet_exits).  Only parameters never assigned, and
    only when exits know each value (else there is nothing to tell apart)."""
    if len(exits) < 2:
        return {}
    out: dict[tuple[int, str], Effect] = {}
    for pos, name in enumerate(params):
        if not name or name in assigned:
            continue
        known = [next((v for k, v in st.facts if k == name), None) for st, _ in exits]
        if not all(v in known for v in _VALUES):
            continue
        for value in _VALUES:
            agree = [e for e, v in zip(exits, known) if v is None or v == value]
            effect = meet(agree)
            if _shape(effect) != _shape(everything):
                out[(pos, value)] = effect
    for (pos, tmpl), name in sorted(_param_tests(exits, params, assigned).items()):
        known = [next((v for k, v in st.facts if k == name), None) for st, _ in exits]
        if not all(v in known for v in _VALUES):
            continue
        for value in _VALUES:
            effect = meet([e for e, v in zip(exits, known) if v is None or v == value])
            if _shape(effect) != _shape(everything):
                out[(pos, test_kind(value, tmpl))] = effect
    return dict(sorted(out.items()))


def _param_tests(exits, params, assigned) -> dict[tuple[int, str], str]:
    """(position, template) -> fact name of the tested calls the exits know
    whose one variable is a parameter never assigned (analysis.pred_keys:
    ``()rcu_segcblist_is_offloaded(&rdp->cblist)``)."""
    out = {}
    for st, _ in exits:
        for name, _ in st.facts:
            if not param_test(name, params) or name in out.values():
                continue
            var = key_var(name[2:])
            if var not in assigned:
                out[(params.index(var), "()" + template(name[2:], var))] = name
    return out


def _shape(effect: Effect) -> tuple:
    return tuple(h.key for h in effect.held), effect.released


def chosen_effect(s: State, call, effects: dict, default: Effect) -> Effect:
    """The effect of a call whose callee has ``effects`` (param_effects) in
    state ``s``: the first argument (by position) whose value ``s`` knows
    and the callee tells apart, else ``default``."""
    if not effects or not call.arg_vars or not s.facts:
        return default
    for pos, name in call.arg_vars:
        for value in _VALUES:
            if (name, value) in s.facts:
                effect = effects.get((pos, value))
                if effect is not None:
                    return effect
    for (pos, kind), effect in effects.items():    # a test of the argument the caller knows
        if ":" in kind:
            value, _, tmpl = kind.partition(":")
            name = next((n for p, n in call.arg_vars if p == pos), None)
            if name is not None and (instantiate(tmpl, name), value) in s.facts:
                return effect
    return default

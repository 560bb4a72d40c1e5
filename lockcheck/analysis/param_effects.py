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
kept under ``(position, "nonzero:()f(&$->cblist)")``.  A field read through
a parameter the exits know (``substream->pcm->nonatomic``) splits them
alike, kept under ``(position, "nonzero:$->pcm->nonatomic")``.

A caller that knows neither value goes on in one state per value where
the value decides which locks the callee returns holding and the caller
also calls an unlock by the same value (:func:`split_effects`), or where
it decides what the callee releases and is the caller's own parameter:
the PCM stream lock helpers (``_snd_pcm_stream_lock_irqsave()`` holds the
group's mutex or its spinlock by ``substream->pcm->nonatomic``) hold a lock
in their callers, and each state's unlock releases its own.
"""

from __future__ import annotations

from lockcheck.analysis.facts import Effect, State
from lockcheck.analysis.branchfacts import last_field
from lockcheck.analysis.ir import Call, base_variable
from lockcheck.analysis.irwalk import ir_nodes
from lockcheck.analysis.pred_keys import instantiate, key_var, param_test, template, test_kind

__all__ = ["param_effects", "chosen_effect", "split_effects", "released_by_value"]

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
    tested = _param_tests(exits, params, assigned)
    tested.update(_param_reads(exits, params, assigned))
    for (pos, tmpl), name in sorted(tested.items()):
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


def _param_reads(exits, params, assigned) -> dict[tuple[int, str], str]:
    """(position, template) -> fact name of the field reads the exits know
    through a parameter never assigned (``substream->pcm->nonatomic``,
    template ``$->pcm->nonatomic``), but for a field the function writes."""
    written = {last_field(a) for a in assigned} - {None}
    out = {}
    for st, _ in exits:
        for name, _ in st.facts:
            root = base_variable(name)
            if root == name or root not in params or root in assigned or "*" in name \
                    or last_field(name) in written or name in out.values():
                continue
            out[(params.index(root), "$" + name[len(root):])] = name
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


def released_by_value(body, callees) -> frozenset[str]:
    """The facts (as :func:`split_effects` names them) on which some call
    in ``body`` (``callees(call)``: its targets) releases a lock by the
    value of what it is passed: the unlock of a lock/unlock pair
    (``snd_pcm_stream_unlock_irqrestore(substream, flags)``)."""
    out = set()
    for node in ir_nodes(body):
        call = node if type(node) is Call else getattr(node, "call", None)
        if type(call) is not Call or not call.arg_vars:
            continue
        for target in callees(call):
            summary = target[1]
            if summary is None or not summary.param_effects:
                continue
            for (pos, kind), effect in summary.param_effects.items():
                if not effect.released:
                    continue
                tmpl = kind.partition(":")[2]
                for p, name in call.arg_vars:
                    if p == pos:
                        out.add(instantiate(tmpl, name) if tmpl else name)
    return frozenset(out)


def split_effects(call, effects: dict, default: Effect, paired: frozenset[str],
                  entry_name) -> list[tuple[str, str, Effect]]:
    """For a caller that knows neither value of the first argument whose
    value decides which locks the callee returns holding
    (``_snd_pcm_stream_lock_irqsave(substream)`` holds the group's mutex
    where ``substream->pcm->nonatomic``, its spinlock where not): per
    value, (the caller's fact naming it, the value, its effect); empty
    when no argument decides the locks held.  The caller goes on in one
    state per value, each knowing its fact, so the matching unlock
    (``snd_pcm_stream_unlock_irqrestore(substream, ..)``, the same test)
    releases the lock that state holds.  Only where such an unlock of the
    same value is in the function (``paired``: :func:`released_by_value`):
    a lock whose unlock the scan cannot see (a helper defined by a macro,
    one outside the scan) would stay held to the end.  A callee whose
    value decides only what it releases is split on where the value is
    the caller's own parameter (``entry_name``), never assigned: the
    caller's returns then tell the values apart too, for its own callers
    (btrfs's ``release_block_group(bg, ffe_ctl, delalloc)`` hands
    ``delalloc`` to ``btrfs_release_block_group()``, whose ``up_read()``
    it decides)."""
    if not effects or not call.arg_vars:
        return []
    for pos, name in call.arg_vars:
        for kind in sorted({k for p, k in effects if p == pos}):
            value, _, tmpl = kind.partition(":")
            if value != "nonzero":
                continue
            other = "zero" + kind[len(value):]
            on, off = effects.get((pos, kind), default), effects.get((pos, other), default)
            fact = instantiate(tmpl, name) if tmpl else name
            if _held(on) != _held(off) and fact in paired or \
                    on.released != off.released and entry_name(fact):
                return [(fact, "nonzero", on), (fact, "zero", off)]
    return []


def _held(effect: Effect) -> tuple:
    return tuple(h.key for h in effect.held)

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
from lockcheck.analysis.deref_flags import constant_return
from lockcheck.analysis.element_index import same_array
from lockcheck.analysis.facts import Effect, Held, State
from lockcheck.analysis.ir import base_variable
from lockcheck.analysis.irqsafety import PREFIX as IRQ_PREFIX
from lockcheck.analysis.irwalk import ir_nodes
from lockcheck.analysis.param_effects import param_effects
from lockcheck.analysis.substitute import ref_from_key, subst, subst_keys

__all__ = ["Releases", "meet_exits", "assigned_names", "acquired_keys", "apply_declared"]


#: Prefix of the fact "this guard()'s lock was dropped in its scope": the
#: value is the guard's scope (block depth).  The guard's cleanup unlocks
#: the lock at the end of that scope whatever instance is held then, so
#: the lock taken again inside it (``guard(spinlock)(&sb_lock); ..
#: spin_unlock(&sb_lock); f(); spin_lock(&sb_lock);`` in
#: __iterate_supers()) ends with the scope too.
GUARD_FACT = "~guard:"


def rescoped(s: State, key: str) -> tuple[int, State]:
    """The scope a lock taken now ends with (0: an explicit unlock), and the
    state without the dropped guard's fact it consumed."""
    if not s.facts:
        return 0, s
    name = GUARD_FACT + key
    for f in s.facts:
        if f[0] == name:
            return int(f[1]), State(s.held, s.released, s.facts - {f})
    return 0, s


#: Whether a fact set has a guard's fact at all (:func:`end_guards`, at
#: every scope's end for every state: most sets have none).
_HAS_GUARD: dict[frozenset, bool] = {}


def end_guards(facts: frozenset, depth: int) -> frozenset:
    """``facts`` without those of guards whose scope ends at ``depth``."""
    if not facts:
        return facts
    has = _HAS_GUARD.get(facts)
    if has is None:
        if len(_HAS_GUARD) >= 20_000:
            _HAS_GUARD.clear()
        has = _HAS_GUARD[facts] = any(f[0][:7] == GUARD_FACT for f in facts)
    if not has:
        return facts
    drop = [f for f in facts if f[0][:7] == GUARD_FACT and int(f[1]) >= depth]
    return facts.difference(drop) if drop else facts


class Releases:
    """The release half of ``flow.FunctionFlow``."""

    def release(self, s: State, ref: ir.LockRef) -> State:
        key = ref.class_key
        for k in range(len(s.held) - 1, -1, -1):
            if s.held[k].key == key or s.held[k].ref.key == ref.key:
                h = s.held[k]
                facts = s.facts | {(GUARD_FACT + h.key, str(h.scope))} if h.scope else s.facts
                return State(s.held[:k] + s.held[k + 1:], s.released, facts)
        if "[]" in ref.key:
            # an element of an index not known as a constant on one side
            # (`unlock(&locks[i])` of `lock(&locks[0])`): the latest held
            # element of that array (analysis.element_index)
            for k in range(len(s.held) - 1, -1, -1):
                if same_array(s.held[k].ref.key, ref.key):
                    h = s.held[k]
                    facts = s.facts | {(GUARD_FACT + h.key, str(h.scope))} if h.scope else s.facts
                    return State(s.held[:k] + s.held[k + 1:], s.released, facts)
        if "#" in ref.key or any("#" in h.ref.key for h in s.held):
            # one field written through its outer struct or not
            # (`&sma->sem_perm.lock` / `&perm->lock`, analysis.typing);
            # through two different outer fields, two locks
            # (`&line6pcm->in.lock` is not `&line6pcm->out.lock`)
            inner, _, outer = ref.key.partition("#")
            for k in range(len(s.held) - 1, -1, -1):
                held_inner, _, held_outer = s.held[k].ref.key.partition("#")
                if held_inner == inner and not (outer and held_outer and outer != held_outer):
                    return State(s.held[:k] + s.held[k + 1:], s.released, s.facts)
        if ref.key[:2] == "u:":
            # an unresolved lock is released through another unresolved
            # expression (`ptl = pmd_lock(..)` took it inside the helper):
            # the latest one written alike, else the latest unresolved one
            held = [k for k in range(len(s.held)) if s.held[k].ref.key[:2] == "u:"]
            alike = [k for k in held if s.held[k].ref.path == ref.path]
            if alike or held:
                k = (alike or held)[-1]
                return State(s.held[:k] + s.held[k + 1:], s.released, s.facts)
        return State(s.held, s.released | {key}, s.facts)

    @staticmethod
    def absent(s: State, ref: ir.LockRef) -> State:
        """The branch where a release's own index is out of range
        (analysis.bounded_release) or a test of the lock's state is false
        (analysis.held_tests): no lock of its class is the caller's there;
        one this function holds stays held."""
        key = ref.class_key
        if key in s.released or any(h.key == key for h in s.held):
            return s
        return State(s.held, s.released | {key}, s.facts)

    def as_held(self, s: State, keys: frozenset[str]) -> frozenset[str]:
        """``keys`` a callee released before taking a lock, with the held
        lock each one not held under its own key is released as
        (:meth:`release`): the callee's ``spin_unlock(src_ptl)``, ``src_ptl
        = pmd_lockptr(..)``, releases the lock the caller got from
        ``pmd_trans_huge_lock()``; its ``release_sock(ssk)`` releases the
        ``lock_sock_nested(ssk, 1)`` the caller took (a release names no
        subclass: ``mptcp_subflow_queue_clean()``), so what the callee
        takes next is not ordered after it.  The key stays too: the same
        class may also have been released for one of the caller's callers
        (mptcp_subflow_queue_clean() also releases the listener msk's
        sk_lock, held by mptcp_close(), before mptcp_cancel_work())."""
        memo = self.__dict__.setdefault("_as_held", {})
        k = (s.held, keys)
        found = memo.get(k)
        if found is None:
            found = set(keys)
            mine = {h.key for h in s.held}
            for key in keys:
                if key not in mine:
                    after = self.release(s, ref_from_key(key))
                    if len(after.held) < len(s.held):
                        found |= {h.key for h in s.held} - {h.key for h in after.held}
            found = memo[k] = frozenset(found)
        return found

    def runs_once(self, loop: ir.Loop, entered: set[State], left: set[State]) -> set[State]:
        """The entry states that leave ``loop`` without running it, less those
        holding a lock the loop releases (in its body or step clause, itself
        or through a callee): "for (sub = 0; sub < n; sub++)
        unlock(&vc[sub]->lock)" after "lock(&vc->lock)", or an iterator
        macro whose step clause ends what its init began, is written to run
        at least once, or the code after it could never take that lock."""
        if not entered or not left:
            return left
        released = self._released_in(loop)[0]
        if not released:
            return left
        # held here, or the caller's (not released yet): what the loop unlocks
        return {s for s in left if not any(h.key in released for h in s.held)
                and released <= s.released}

    def step_ends(self, loop: ir.Loop, left: set[State]) -> set[State]:
        """States leaving ``loop`` by its test, less those still holding a
        lock its step clause releases: "for (begin(ctx, &ret); retry(&ret);
        end(ctx, &ret))" leaves only once end() has ended what begin()
        began (a retry keeps it and runs the body again)."""
        ends = self._released_in(loop)[1] if loop.post.items else frozenset()
        if not ends or not left:
            return left
        return {s for s in left if not any(h.key in ends for h in s.held)}

    def _released_in(self, loop: ir.Loop) -> tuple[frozenset[str], frozenset[str]]:
        """Locks the loop releases and does not take itself: in its body or
        step clause, and in its step clause alone."""
        cache = self.__dict__.setdefault("_loop_releases", {})
        found = cache.get(id(loop))
        if found is None:
            found = cache[id(loop)] = (loop, self._releases(loop.body, loop.post), self._releases(loop.post))
        return found[1], found[2]

    def _releases(self, *blocks) -> frozenset[str]:
        """The locks released in ``blocks`` and not taken there: taken by
        a lock primitive or a callee, also in a condition and also on one
        kind of return only ("if (super_lock(sb, excl)) { ..
        super_unlock(sb, excl); }" takes what it releases)."""
        keys, taken = set(), set()
        for n in ir_nodes(blocks):
            t = type(n)
            if t is ir.CondCall:
                if n.effect is not None:
                    taken.add(n.effect.acquire.lock.class_key)
            elif t is ir.Release:
                keys.add(n.lock.class_key)
            elif t is ir.Acquire:
                taken.add(n.lock.class_key)
            elif t is ir.EffectAssign:
                taken.add(n.effect.acquire.lock.class_key)
            elif t is ir.Call:
                for target in self.callees(n):
                    if target[1] is None:   # a table this call reaches nothing in
                        continue
                    effects = target[1].effects
                    for kind in ("all", "some"):
                        if kind in effects and effects[kind].released:
                            keys |= subst_keys(effects[kind].released, n.args, target[0], n)
                    for kind in ("all", "zero", "nonzero"):
                        effect = effects.get(kind)
                        if effect is not None and effect.held:
                            taken |= {subst(h.ref, n.args, target[0], index_call=n).class_key for h in effect.held}
        # a lock the loop takes and releases is its own, not one it ends
        return frozenset(keys - taken)

    def _apply_effect(self, s: State, effect: Effect, call, callee, site) -> State:
        """The state after a call whose callee has ``effect``."""
        if not effect.held and not effect.released:
            return s
        released = subst_keys(effect.released, call.args, callee, call)
        taken = [(subst(h.ref, call.args, callee, call), h) for h in effect.held]
        mine = {h.key for h in s.held}
        # dropped and taken again while the caller holds it: neutral
        retaken = {ref.class_key for ref, _ in taken if ref.class_key in released and ref.class_key in mine}
        for key in released:
            if key not in retaken:
                s = self.release(s, ref_from_key(key))
        held = list(s.held)
        guard = getattr(call, "scoped", False)   # a guard class's lock function (frontend.guard_classes)
        for ref, h in taken:
            if ref.class_key not in retaken:
                scope, s = (self.depth, s) if guard else rescoped(s, ref.class_key)
                held.append(Held(ref.class_key, ref, h.mode, (site,) + h.site, scope))
        return State(tuple(held), s.released, s.facts)

    def note_release_base(self, node: ir.Release, states) -> None:
        """A caller's lock released through a parameter (``&bid->lock``):
        see :meth:`_null_released`."""
        if node.base in self.fn.params and any(not any(h.key == node.lock.class_key for h in s.held)
                                               for s in states):
            self.__dict__.setdefault("_bases", {}).setdefault(node.lock.class_key, set()).add(node.base)

    def note_call_release_base(self, s: State, call: ir.Call, callee, summary) -> None:
        """A callee releasing the caller's locks through its parameters
        (``task_unlock(iter->locked, ..)``, ``task_unlock(p)`` releasing
        ``&p->pi_lock``): the arguments given there are what the locks of
        that call are released through, for :meth:`_null_released`.  One
        call releasing a pair (the task's lock and its runqueue's) is
        skipped for both when one of its objects is NULL."""
        through = summary.release_through
        if not through or not call.arg_vars:
            return
        # the caller's parameters (analysis.field_copies adds locals)
        texts = {p: t for p, t in call.arg_vars if base_variable(t) in self.fn.params}
        names = {texts[p] for positions in through.values() for p in positions if p in texts}
        if not names:
            return
        bases = self.__dict__.setdefault("_bases", {})
        held = {h.key for h in s.held}
        for key in subst_keys(frozenset(through), call.args, callee, call):
            if key not in held:
                bases.setdefault(key, set()).update(names)

    def _release_through(self) -> dict[str, frozenset[int]]:
        """The summary's ``release_through``: the bases that are parameters."""
        bases = self.__dict__.get("_bases")
        if not bases:
            return {}
        params = {name: k for k, name in enumerate(self.fn.params)}
        out = {key: frozenset(params[n] for n in names if n in params) for key, names in bases.items()}
        return {key: positions for key, positions in sorted(out.items()) if positions}

    def _null_released(self, exits: list) -> list:
        """An exit where a parameter (or a field read through one, the
        slot an iterator keeps its locked object in: ``iter->locked``) is
        known NULL releases the caller's locks that other exits release
        through it: a NULL object holds no lock.  ``put(bid) { if (bid)
        spin_unlock(&bid->lock); }`` releases ``lock`` on every return
        (when the parameter is never assigned but NULL: ``if
        (iter->locked) { task_unlock(iter->locked); iter->locked = NULL;
        }`` releases what the previous step of the iterator locked)."""
        bases = self.__dict__.get("_bases")
        if not bases:
            return exits
        assigned = assigned_names(self.fn.body, but_null=True)
        out = []
        for st, kind in exits:
            extra = {key for key, names in bases.items()
                     if any((n, "zero") in st.facts and n not in assigned for n in names)
                     and not any(h.key == key for h in st.held)}
            out.append((State(st.held, st.released | extra, st.facts) if extra - st.released else st, kind))
        return out

    def _effects(self) -> dict[str, Effect]:
        """The summary's effects from the exits: for every return, for
        zero returns and for non-zero ones (a caller testing the result)."""
        self.exits = apply_declared(self._null_released(self.exits), self.fn.declared_releases)
        everything = meet_exits(self.exits)
        if not self.effects_only:    # a side walk's summary is read for its effects (flow.FunctionFlow)
            self.summary.release_through = self._release_through()
            self.summary.taken_through = self.taken_through_summary(self.exits, assigned_names(self.fn.body))
            self.summary.returns = constant_return(self.exits)
            self.summary.param_effects = param_effects(self.exits, self.fn.params, assigned_names(self.fn.body),
                                                       everything, meet_exits)
        zero = [e for e in self.exits if e[1] in ("zero", "unknown")]
        nonzero = [e for e in self.exits if e[1] in ("nonzero", "unknown")]
        out = {"all": everything, "zero": meet_exits(zero) if zero else everything,
               "nonzero": meet_exits(nonzero) if nonzero else everything}
        for kind in ("zero", "nonzero"):
            out[kind] = _irq_state_of_known_exits(out[kind], [e for e in self.exits if e[1] == kind])
        # the caller's locks released on some exit only (not applied to the
        # caller's state: what a loop's step clause may end, see runs_once)
        some = frozenset().union(*(st.released for st, _ in self.exits)) - everything.released
        if some:
            out["some"] = Effect((), some)
        return out


def _irq_state_of_known_exits(effect: Effect, known: list) -> Effect:
    """``effect`` with the interrupt state (``g:irq:`` pseudo-locks) that
    every exit of a known value leaves: ``ret = prep(); if (ret) goto out;``
    after a ``prep()`` that returns 0 holding ``spin_lock_irq`` runs with
    interrupts off, even when some error path returns a value the walk
    cannot tell (``return ret;`` after ``ret = PTR_ERR(p)``) without it.
    Only the interrupt state: the lock itself stays unknown there, so no
    edge rests on this guess; it can only take an irqs-on usage away."""
    if not known:
        return effect
    have = {h.key for h in effect.held}
    extra = tuple(h for h in meet_exits(known).held if h.key.startswith(IRQ_PREFIX) and h.key not in have)
    if not extra:
        return effect
    return Effect(tuple(sorted(effect.held + extra, key=lambda h: h.key)), effect.released)


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


#: assigned_names of the bodies walked last: (id, but_null) -> (body, names).
#: A function is walked once per round of its recursion and per specialised
#: copy, and each walk's summary asked for them twice; the body is kept
#: with its entry (an id alone could name a freed body's successor), so
#: the memo is small and emptied when full.
_ASSIGNED: dict[tuple[int, bool], tuple] = {}
ASSIGNED_BOUND = 256


def assigned_names(body: ir.Block, but_null: bool = False) -> frozenset[str]:
    """The variables a function's IR assigns (constants, results, anything;
    ``but_null``: other than NULL)."""
    k = (id(body), but_null)
    found = _ASSIGNED.get(k)
    if found is not None and found[0] is body:
        return found[1]
    every, but_nulls = _assigned_names(body)     # both: a walk asks for both
    if len(_ASSIGNED) >= ASSIGNED_BOUND:
        _ASSIGNED.clear()
    _ASSIGNED[(id(body), False)] = (body, every)
    _ASSIGNED[(id(body), True)] = (body, but_nulls)
    return but_nulls if but_null else every


def forget_assigned(body: ir.Block | None = None) -> None:
    """The walk is over: the bodies the memo keeps go (summaries.analyse);
    with ``body``, only that freed body's entries (walked_bodies)."""
    if body is None:
        _ASSIGNED.clear()
        return
    for k in ((id(body), False), (id(body), True)):
        found = _ASSIGNED.get(k)
        if found is not None and found[0] is body:
            del _ASSIGNED[k]


def _assigned_names(body: ir.Block) -> tuple[frozenset[str], frozenset[str]]:
    """Every variable the body assigns; those it assigns other than NULL."""
    out, nulls = set(), set()
    for n in ir_nodes(body):
        t = type(n)
        if t is ir.Assign and n.value == "zero":
            nulls.add(n.var)
        elif t in (ir.Assign, ir.EffectAssign, ir.Call):
            out.add(n.var)
        elif t is ir.CondCall and n.call is not None:
            out.add(n.call.var)
    out.discard(None)
    nulls.discard(None)
    return frozenset(out | nulls), frozenset(out)


def acquired_keys(node) -> set[str]:
    """The classes an IR subtree takes itself (lock primitives, guards,
    trylocks, the acquisitions of conditions)."""
    out = set()
    for n in ir_nodes(node):
        t = type(n)
        if t is ir.Acquire and n.action != "sync":
            out.add(n.lock.class_key)
        elif t is ir.EffectAssign or (t is ir.CondCall and n.effect is not None):
            out.add(n.effect.acquire.lock.class_key)
    return out


def apply_declared(exits: list, declared: tuple[ir.LockRef, ...]) -> list:
    """``exits`` (state, kind) with the locks the function declares it
    releases (``__releases(x)``, analysis.declared) released where the
    state does not hold them."""
    if not declared:
        return exits
    keys = frozenset(ref.class_key for ref in declared)
    out = []
    for st, kind in exits:
        extra = {k for k in keys if not any(h.key == k for h in st.held)} - st.released
        out.append((State(st.held, st.released | extra, st.facts) if extra else st, kind))
    return out

"""The intraprocedural walk: held-lock states through one function's IR.

Rules it enforces (each removed false cycles on real KVM code, see the
engine spike notes):

* a *set* of states flows through the function, each with its held locks
  and simple flag facts (``locked = true``, ``r = mutex_lock_killable()``),
  so ``if (!locked) { locked = true; lock(); } … if (locked) unlock();``
  stays exact;
* what a function returns holding must hold on **every** return path of
  that kind (zero / non-zero return), never "on some path";
* a callee's acquisitions count against the caller's held locks only if
  the callee did not release those locks first (``released_before``);
* trylock adds no dependency for itself; ``guard()`` locks end with their
  block; the state set is capped (deterministically) to stay linear,
  merged states keeping the facts they all share;
* conditions are decided and correlated by ``analysis.branchfacts``
  (constants, learnt tests of unchanged locals, keyed calls); releases,
  drop-and-retake and loops that release are ``analysis.releases``.
"""

from __future__ import annotations

import heapq

from lockcheck.analysis import ir
from lockcheck.analysis.substitute import DYNAMIC_SUBCLASS, PARAM_SUBCLASS
from lockcheck.analysis.branchfacts import BranchFacts, learn as _learn, opposite as _opposite, set_fact as _set_fact
from lockcheck.analysis.callee_inherit import CalleeInheritance
from lockcheck.analysis.case_match import CaseEntry
from lockcheck.analysis.compare_locals import case_entered
from lockcheck.analysis.asserted_irq import ASSERTED
from lockcheck.analysis.assert_paths import AssertPath
from lockcheck.analysis.held_through import held_through
from lockcheck.analysis.taken_through import TakenThrough
from lockcheck.analysis.irq_guards import EntryGuards
from lockcheck.analysis.acq_guards import entry_known, keep_guard
from lockcheck.analysis.irqsafety import CONTEXT_OF, rw as irq_rw
from lockcheck.analysis.nest_locks import is_nest
from lockcheck.analysis.releases import Releases, acquired_keys, end_guards, rescoped
from lockcheck.analysis.param_effects import chosen_effect, released_by_value, split_effects
from lockcheck.analysis.deref_flags import entry_acquires, flag_outcomes, forwarded_writes, unknown_writes
from lockcheck.analysis.substitute import subst
from lockcheck.analysis.facts import (Acq, Effect, EdgeWitness, Held, RawEdge, State, Step,
                                      Summary, RECURSIVE_MODES, acquirer_mode, holder_mode)
from lockcheck.analysis.irq_reads import IRQ_RECURSIVE, CallContexts, resolve

__all__ = ["FunctionFlow", "MAX_STATES"]

MAX_STATES = 24
LOOP_ROUNDS = 3
#: Members by which a summary enters one large recursion, kept (the nearest).
MAX_RECURSION_ENTRIES = 8


def _few_entries(recursions: dict) -> dict:
    """The MAX_RECURSION_ENTRIES nearest entries into each recursion: a
    function above a large recursion would otherwise carry every member
    some path of its reaches.  Kept in the order of the nearest first
    (shorter chain, then chain, then key), as a sort of them all would:
    only the few kept per recursion are sorted."""
    if len(recursions) <= MAX_RECURSION_ENTRIES:
        return recursions
    groups: dict[str, list] = {}
    for item in recursions.items():
        groups.setdefault(item[0][0], []).append(item)
    kept = [item for group in groups.values()
            for item in heapq.nsmallest(MAX_RECURSION_ENTRIES, group, key=_nearest)]
    return dict(sorted(kept, key=_nearest))


def _nearest(item) -> tuple:
    (ident, member), (chain, _) = item
    return (len(chain), chain, (ident, member))


def _call_what(name: str, model: str) -> str:
    return f"{name} [model: {model}]" if model else name


def _cap(states: set[State]) -> set[State]:
    if len(states) <= MAX_STATES:
        return states
    merged: dict[tuple, State] = {}
    for s in states:   # in any order: a merged state's facts are all of theirs met
        old = merged.get((s.held, s.released))
        # one state per held set, knowing the facts all of them know
        merged[(s.held, s.released)] = s if old is None else State(s.held, s.released, old.facts & s.facts)
    kept = sorted(merged.values(), key=State.sort_key)[:MAX_STATES]
    return set(kept)


class FunctionFlow(BranchFacts, Releases, CalleeInheritance, TakenThrough):
    """Walk one function; fill its :class:`Summary` and report edges.

    ``callees(call)`` returns ``[(callee FunctionIR, Summary), ...]`` for a
    call; ``emit(edge)`` receives every edge between two concrete classes.
    """

    cap = staticmethod(_cap)
    #: a side walk (analysis.deref_flags): only its effects, exits and
    #: acquisitions are read, so what goes to the summary alone is not made
    effects_only = False

    def __init__(self, fn: ir.FunctionIR, callees, emit, on_recursive=None, on_not_held=None,
                 on_recursion=None, irq=None) -> None:
        self.irq = irq      # analysis.irqsafety.IrqModel: interrupt state as pseudo-locks
        # the callees called only in interrupt context (analysis.irq_reads)
        self.call_contexts = CallContexts()
        self.on_not_held = on_not_held
        self.on_recursion = on_recursion
        self.fn = fn
        self.callees = callees
        self.emit = emit
        self.on_recursive = on_recursive
        self.summary = Summary()
        self._steps: dict[tuple, Step] = {}    # see step()
        self.depth = 0
        self.breaks: list[tuple[set, int]] = []
        self.continues: list[tuple[set, int]] = []
        self.pending: dict[str, set] = {}
        self.exits: list[tuple[State, str]] = []

    @property
    def guards(self) -> EntryGuards:
        """Which of this function's pointers hold what its caller gave
        (analysis.irq_guards); built at the first interrupt-enabled lock."""
        found = self.__dict__.get("_guards")
        if found is None:
            found = self.__dict__["_guards"] = EntryGuards(self.fn)
        return found

    def paired_releases(self) -> frozenset[str]:
        """What some call of this function releases a lock by the value of
        (param_effects.released_by_value), found at the first split."""
        found = self.__dict__.get("_paired")
        if found is None:
            found = self.__dict__["_paired"] = released_by_value(self.fn.body, self.callees)
        return found

    # ------------------------------------------------------------ driver
    def run(self, entry_held: tuple[Held, ...] = (), entry_facts: dict[str, str] | None = None) -> Summary:
        facts = frozenset((entry_facts or {}).items())
        end = self.block(self.fn.body, {State(entry_held, frozenset(), facts)})
        for s in end:
            self.exits.append((s, "unknown"))
        if self.irq is not None:    # what tests of the interrupt state pushed ends here (analysis.irq_tests)
            self.exits = self.irq.state_tests.untested(self.exits)
        self.summary.effects = self._effects()
        self.summary.recursions = _few_entries(self.summary.recursions)
        return self.summary.frozen()

    def asserted_entry(self) -> tuple[Held, ...]:
        """``lockdep_assert_held(&x)`` at the top of a function nobody in the
        scan calls: its real callers hold x, so start with x held."""
        held = []
        taken: set[str] = set()
        for item in self.fn.body.items:
            # not after the function takes it itself (`mutex_lock(&wg->lock); … lockdep_assert_held(&wg->lock)`)
            taken |= acquired_keys(item) if not isinstance(item, ir.Assert) else set()
            if isinstance(item, ir.Assert) and item.held and not item.lock.is_param \
                    and item.lock.class_key not in taken:
                site = (self.step(item.line, ASSERTED),)
                held.append(Held(item.lock.class_key, item.lock, item.mode, site, 0))
        return tuple(held)

    def step(self, line: int, what: str, targets: int = 0, chosen: bool = False) -> Step:
        """One step object per site and walk: every state, loop round and
        branch meeting the site shares it, and so do the chains (summaries,
        witnesses, edges) kept from them."""
        k = (line, what, targets, chosen)
        found = self._steps.get(k)
        if found is None:
            found = self._steps[k] = Step(self.fn.file, line, self.fn.name, what, targets, chosen)
        return found

    # ------------------------------------------------------------ statements
    def block(self, block: ir.Block, states: set[State]) -> set[State]:
        if block.scope:
            self.depth += 1
        for item in block.items:
            if not states and not isinstance(item, (ir.Label, ir.CaseLabel)):
                continue
            states = _cap(self.item(item, states))
        if block.scope:
            states = {self._end_scope(s, self.depth) for s in states}
            self.depth -= 1
        return states

    def _end_scope(self, s: State, depth: int) -> State:
        facts = end_guards(s.facts, depth)
        if not any(h.scope >= depth for h in s.held):
            return s if facts is s.facts else State(s.held, s.released, facts)
        return State(tuple(h for h in s.held if not h.scope or h.scope < depth), s.released, facts)

    def item(self, node, states: set[State]) -> set[State]:
        kind = type(node)
        if kind is ir.Block:
            return self.block(node, states)
        if kind is ir.Acquire:
            chain = (self.step(node.line, node.primitive),)
            return {self.acquire(s, node, chain) for s in states}
        if kind is ir.Release:
            if node.base:
                self.note_release_base(node, states)
            if self.irq is not None:
                return {self.irq.after_release(self, self.release(s, node.lock), node.primitive) for s in states}
            return {self.release(s, node.lock) for s in states}
        if kind is ir.Absent:
            return {self.absent(s, node.lock) for s in states}
        if kind is ir.Call:
            out: set[State] = set()
            for s in states:
                out |= self.call(s, node)
            return out
        if kind is ir.Assign:
            return {_set_fact(s, node.var, node.value) for s in states}
        if kind is ir.EffectAssign:
            out = set()
            for s in states:
                held, free = self.fork_effect(s, node.effect)
                out.add(_set_fact(held, node.var, node.effect.on))
                out.add(_set_fact(free, node.var, _opposite(node.effect.on)))
            return out
        if kind is ir.If:
            return self.branch(node, states)
        if kind is ir.Loop:
            return self.loop(node, states)
        if kind is ir.Switch:
            return self.switch(node, states)
        if kind is ir.Jump:
            return self.jump(node, states)
        if kind is ir.Label:
            return states | self._arrive(self.pending.pop(node.name, set()))
        if kind is ir.Return:
            self.ret(node, states)
            return set()
        if kind is ir.Assert and not node.held and not self.effects_only:
            self._assert_not_held(states, node.lock, AssertPath(self.step(node.line, "lockdep_assert_not_held")))
        return states  # Assert, CaseLabel outside a switch

    def _assert_not_held(self, states, ref: ir.LockRef, path: AssertPath) -> None:
        """Record the assertion for callers; report paths that hold the lock."""
        old = self.summary.not_held.get(ref.class_key)
        if old is None or path < old[1]:
            self.summary.not_held[ref.class_key] = (ref, path)
        for s in states:
            for h in s.held:
                if h.key == ref.class_key and self.on_not_held is not None:
                    self.on_not_held(RawEdge(h.ref, ref, holder_mode(h.mode), "N", EdgeWitness(h.site, path.steps())))

    def loop(self, node: ir.Loop, states: set[State]) -> set[State]:
        exits: set[State] = set()
        self.breaks.append((set(), self.depth))
        entry = frozenset(states)
        # the states back at the head after a round, kept apart from the
        # entry's: capped together, entry states merged by ``_cap`` (one
        # state, the facts they share) read as having run the body, and the
        # path that skips a releasing loop came back (runs_once)
        after: set[State] = set()
        first: tuple = ()
        for _ in range(LOOP_ROUNDS):
            self.continues.append((set(), self.depth))
            if node.test_first and node.cond is not None:
                if not first:   # the entry's test, once: a loop releasing a held lock runs
                    t0, f0 = self.cond(node.cond, entry)
                    first = (t0, self.runs_once(node, t0, f0))
                    exits |= first[1]
                t, f = self.cond(node.cond, after - entry) if after - entry else (set(), set())
                t = t | first[0]
                exits |= self.step_ends(node, f)
            else:
                t = _cap(entry | after)
            body_out = self.block(node.body, t)
            body_out |= self.continues.pop()[0]
            body_out = self.block(node.post, body_out)
            if not node.test_first and node.cond is not None:
                body_out, f = self.cond(node.cond, body_out)
                exits |= f
            new_after = _cap(after | self.next_round(node, entry, body_out))
            if new_after == after:
                break
            after = new_after
        if node.cond is None and not node.test_first:
            exits |= _cap(entry | after)
        return exits | self.breaks.pop()[0]

    def switch(self, node: ir.Switch, states: set[State]) -> set[State]:
        """A state whose switched variable is known enters only the cases it
        may match (``analysis.case_match``): ``svm_cache_reg(vcpu,
        VCPU_EXREG_CR4)`` never runs the PDPTR case, ``ipv6_ifa_notify(0,
        ifp)`` no case of RTM_NEWADDR or RTM_DELADDR."""
        entry = self.block(node.pre, states)
        cases = CaseEntry([i for i in node.body.items if isinstance(i, ir.CaseLabel)])
        self.breaks.append((set(), self.depth))
        self.depth += 1
        cur: set[State] = set()
        has_default = False
        for item in node.body.items:
            if isinstance(item, ir.CaseLabel):
                cur |= {e for e in (case_entered(s, node.var, item, cases.labels, _learn)
                                    for s in entry if _enters(s, node.var, item, cases)) if e is not None}
                has_default = has_default or item.default
                continue
            if cur or isinstance(item, ir.Label):
                cur = _cap(self.item(item, cur))
        cur = {self._end_scope(s, self.depth) for s in cur}
        self.depth -= 1
        out = cur | self.breaks.pop()[0]
        return out if has_default else out | {s for s in entry if _passes(s, node.var, cases)}

    def jump(self, node: ir.Jump, states: set[State]) -> set[State]:
        if node.kind == "noreturn":
            return set()
        if node.kind == "goto":
            self.pending.setdefault(node.label, set()).update(states)
        else:
            stack = self.breaks if node.kind == "break" else self.continues
            if stack:
                target, depth = stack[-1]
                target.update(self._end_scope(s, depth + 1) for s in states)
        return set()

    def _arrive(self, jumped: set[State]) -> set[State]:
        """States a ``goto`` brings to a label at the current depth: the
        jump left every scope deeper than the label's, so the ``guard()``
        locks of those scopes were released by their cleanups on the way."""
        return {self._end_scope(s, self.depth + 1) for s in jumped} if jumped else jumped

    def ret(self, node: ir.Return, states: set[State]) -> None:
        for s in states:
            s = self._end_scope(s, 1)
            if node.value == "cond" and node.effect is not None:
                held, free = self.fork_effect(s, node.effect)
                self.exits.append((held, node.effect.on))
                self.exits.append((free, _opposite(node.effect.on)))
            elif node.value == "call" and node.call is not None:
                for kind in ("zero", "nonzero"):
                    for r in self.call(s, node.call, kind):
                        self.exits.append((r, kind))
            elif node.value.startswith("var:"):
                var = node.value[4:]
                value = next((v for k, v in s.facts if k == var), "unknown")
                self.exits.append((s, value))
            else:
                self.exits.append((s, node.value))

    # ------------------------------------------------------------ lock events
    def fork_effect(self, s: State, effect: ir.CondEffect) -> tuple[State, State]:
        a = effect.acquire
        chain = (self.step(a.line, a.primitive),)
        if effect.blocking:
            return self.acquire(s, a, chain), s
        return self.acquire(s, ir.Acquire(a.line, a.lock, a.primitive, a.mode, a.kind, "trylock",
                                          a.scoped, a.through, a.base), chain), s

    def acquire(self, s: State, a: ir.Acquire, chain) -> State:
        ref = a.lock
        mode = a.mode
        if self.irq is not None:
            s = self.irq.before_acquire(s, a, chain, self.depth)
            mode = resolve(mode, s.held)   # an rwlock read in interrupt context is recursive
            if a.action != "sync" and not self.effects_only:
                self.irq.note(self.summary, s.held, ref, mode, chain, self.guards.through(a.through))
        if a.action != "trylock":
            self._depend(s, ref, mode, chain, frozenset())
            key = (ref.class_key, mode, a.action, s.released)
            if not self.effects_only:
                keep_guard(self.summary.acq_guards, key, key not in self.summary.acquires,
                           entry_known(self.guards, s.facts))
            self._record_acq(key, Acq(ref, mode, a.action if a.action == "sync" else "acquire",
                                      s.released, chain))
        if a.action == "sync":
            return s
        scope, s = (self.depth, s) if a.scoped else rescoped(s, ref.class_key)
        self.note_acquire_base(a)
        held = Held(ref.class_key, ref, mode, chain, scope)
        s = State(s.held + (held,), s.released, s.facts)
        return held_through(s, a.through, ref.class_key) if a.through else s

    def _record_acq(self, key, acq: Acq) -> None:
        old = self.summary.acquires.get(key)
        if old is None or (len(acq.chain), acq.chain) < (len(old.chain), old.chain):
            self.summary.acquires[key] = acq

    def _depend(self, s: State, ref: ir.LockRef, mode: str, chain, released_before) -> None:
        """Edges held → ref for every held lock not released first.  The
        interrupt pseudo-locks (analysis.irqsafety) make no edge; an
        interrupt context "held" makes a usage edge (acquirer W or R)."""
        if ref.key[:6] == "g:irq:" or self.effects_only:
            return
        for h in s.held:
            if h.key in released_before:
                continue
            if h.key[:6] == "g:irq:":
                if h.key not in CONTEXT_OF:
                    continue
                edge = RawEdge(h.ref, ref, "E", irq_rw(mode), EdgeWitness(h.site, chain))
            else:
                edge = RawEdge(h.ref, ref, holder_mode(h.mode), acquirer_mode(mode),
                               EdgeWitness(h.site, chain), mode == IRQ_RECURSIVE)
            if h.key == ref.class_key:
                if self.on_recursive is not None and ref.subclass != DYNAMIC_SUBCLASS \
                        and ref.subclass < PARAM_SUBCLASS \
                        and not (h.mode in RECURSIVE_MODES and mode in RECURSIVE_MODES) \
                        and not is_nest(mode):
                    self.on_recursive(edge)
                continue
            if h.ref.is_param or ref.is_param:
                k = (h.key, ref.class_key, edge.holder, edge.acquirer, edge.entry_decides)
                old = self.summary.param_edges.get(k)
                if old is None or edge.witness.cost() < old.witness.cost():
                    self.summary.param_edges[k] = edge
            else:
                self.emit(edge)

    # ------------------------------------------------------------ calls
    def call(self, s: State, call: ir.Call, which: str | None = None) -> set[State]:
        targets = self.callees(call)
        if not targets:
            s = forwarded_writes(self, s, call)
            return {_set_fact(unknown_writes(s, call) if call.addr_args else s, call.var, None)}
        out: set[State] = set()
        # one object, one table: calls through the same object (call.origin)
        # after the first go to the table that first call chose
        obj = "@" + "|".join(call.origin) if call.origin else None
        pinned = next((v for k, v in s.facts if k == obj), None) if obj else None
        for target in targets:
            callee, summary = target[0], target[1]
            label = target[2] if len(target) > 2 else ""
            # candidate targets of an indirect call, kept on its witness steps (confidence)
            width = target[3] if len(target) > 3 else (len(targets) if call.callee is None else 0)
            table = target[4] if len(target) > 4 else None
            if table is not None and pinned is not None and table != pinned:
                continue
            if callee is None:     # a table this call reaches nothing in
                x = _set_fact(forwarded_writes(self, s, call), call.var, None)
                out.add(_set_fact(x, obj, table) if pinned is None else x)
                continue
            entered = s if self.irq is None else self.irq.enter_call(s, call, self, callee)
            if self.irq is not None and len(target) > 6 and not self.effects_only:
                self.call_contexts.note(target[6], entered.held)
            states = self._apply_callee(entered, call, callee, summary, which, label or call.model, width,
                                        len(target) > 5 and target[5])
            states = states if entered is s else {self.irq.leave_call(x, call, callee) for x in states}
            if table is not None and pinned is None:
                states = {_set_fact(x, obj, table) for x in states}
            out |= states
        return out or {_set_fact(forwarded_writes(self, s, call), call.var, None)}

    def _apply_callee(self, s: State, call: ir.Call, callee, summary: Summary, which,
                      model: str = "", width: int = 0, chosen: bool = False) -> set[State]:
        site = self.step(call.line, _call_what(callee.name, model), width, chosen)
        if summary.release_through:
            self.note_call_release_base(s, call, callee, summary)
        self._inherit_acquires(s, call, callee, summary, site,
                               entry_acquires(self, s, call, summary) if summary.deref_acquires else None)
        if not self.effects_only:
            self._summary_parts(s, call, callee, summary, site)
        if which is None and call.var and summary.conditional():
            return self.taken_through_call(
                {_set_fact(x, call.var, v) for v in ("zero", "nonzero")
                 for x in flag_outcomes(self, s, call, callee, summary, site, v, summary.effects[v])},
                call, callee, summary)
        effect = summary.effects.get(which or "all", Effect())
        if which is None and summary.param_effects:
            chosen = chosen_effect(s, call, summary.param_effects, None)
            if chosen is not None:
                effect = chosen
            else:       # the argument decides what it holds or releases: one state per value
                split = split_effects(call, summary.param_effects, effect, self.paired_releases(),
                                      self.guards.entry_name)
                if split:
                    return self.taken_through_call(
                        {_set_fact(_learn(x, fact, value), call.var, summary.returns or None)
                         for fact, value, e in split
                         for x in flag_outcomes(self, s, call, callee, summary, site, "all", e)},
                        call, callee, summary)
        return self.taken_through_call(
            {_set_fact(x, call.var, summary.returns or None)
             for x in flag_outcomes(self, s, call, callee, summary, site, which or "all", effect)},
            call, callee, summary)


def _known(s: State, var) -> str | None:
    """The value a state knows the switched variable ``var`` has."""
    return next((v for k, v in s.facts if k == var), None) if var and s.facts else None


def _enters(s: State, var, label: ir.CaseLabel, cases: CaseEntry) -> bool:
    """May a state enter the switch at ``label``?"""
    v = _known(s, var)
    if v is None:
        return True
    labels, other = cases.entry(v)
    return other if label.default else label in labels


def _passes(s: State, var, cases: CaseEntry) -> bool:
    """May a state match no case (a switch without ``default``)?"""
    v = _known(s, var)
    return v is None or cases.entry(v)[1]

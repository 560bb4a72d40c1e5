"""Branches on the interrupt state: a test of it decides it on its way.

``if (irqs_disabled()) { spin_lock(&l->lock); .. } else { spin_lock_bh(&l->lock); .. }``
(sound/pci/asihpi's ``cond_lock()``) takes the lock plainly only where
hardirqs — so softirqs — are off, and disables bottom halves on the other
way: no ``ENABLED_*`` usage of the lock.  The walk, which knows interrupt
state only from the primitives that change it (analysis.irqsafety's
pseudo-locks), learns it here from the test.

``[irq.state_tests]`` of model/data/contexts.toml names the kernel's
predicates: ``name = { value = "nonzero" | "zero", off = ["hardirqs" |
"softirqs"] }`` — where the call ``name(..)`` tested has ``value`` (nonzero:
the test is true), those interrupts are disabled.  On that way of a
keyed call test (analysis.branchfacts), each state where the walk still
has them enabled (relative to the function's entry) gets their pseudo-lock
(``irq:hardirqs_off`` / ``irq:softirqs_off``), unscoped: it stands as the
interrupt state does, until a primitive enabling it pops it
(``local_irq_enable()``, an ``*_unlock_irqrestore()``) or the function
returns: a caller learns nothing of it (:meth:`StateTests.untested`; the
test told what the state was, which the caller knows better).  A state that
already holds that pseudo-lock (or an interrupt context implying it) gets
nothing: a test inside ``spin_lock_irqsave()`` must not outlive the
matching restore.  Softirqs are told apart from hardirqs: ``in_softirq()``
true with hardirqs off still leaves bottom halves off once they are on.

The other way learns nothing: ``irqs_disabled()`` false says hardirqs are
on, which is what the walk assumes unless it knows better, and where it
knows better (inside its own ``spin_lock_irqsave()``) that way is
infeasible; it is walked anyway (never pruned: a wrong pseudo-lock would
then hide the rest of the function).  A predicate true in a context that
need not disable anything (``!preemptible()``: preemption off alone) is
not a state test.
"""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.facts import Held, State

__all__ = ["StateTests"]

#: the TOML's interrupt names -> the pseudo-lock keys (analysis.irqsafety)
_OFF_KEYS = {"hardirqs": "g:irq:hardirqs_off", "softirqs": "g:irq:softirqs_off"}
#: the path of a pseudo-lock a test pushed (its key is the primitives' one,
#: so an enabling primitive pops it; the path tells it apart at the exits)
_TESTED = " (tested)"


class StateTests:
    """The predicates of ``[irq.state_tests]``; ``already``: pseudo-lock key
    -> the keys whose hold already has that interrupt off
    (analysis.irqsafety: hardirqs_off by itself or in_hardirq;
    softirqs_off by itself, in_softirq or in_hardirq)."""

    def __init__(self, table: dict, already: dict[str, frozenset[str]]) -> None:
        self._already = already
        self.tests: dict[str, tuple[str, tuple[ir.LockRef, ...]]] = {}
        for name, spec in sorted(table.items()):
            value = spec.get("value", "nonzero")
            if value not in ("zero", "nonzero"):
                raise ValueError(f"[irq.state_tests] {name}: value must be zero or nonzero, not {value!r}")
            refs = []
            for irq in spec.get("off", ()):
                key = _OFF_KEYS.get(irq)
                if key is None:
                    raise ValueError(f"[irq.state_tests] {name}: unknown interrupt {irq!r}")
                refs.append(ir.LockRef(key, key[2:] + _TESTED))
            self.tests[name] = (value, tuple(refs))
        self._refs = frozenset(r for _, refs in self.tests.values() for r in refs)

    def __contains__(self, name) -> bool:
        return name in self.tests

    def decided(self, flow, call: ir.Call, t: set[State], f: set[State]) -> tuple[set[State], set[State]]:
        """The ways (true, false) of a test of ``call``, the one its
        predicate decides with the interrupts it names off."""
        value, refs = self.tests[call.callee]
        what = f"[model] {call.callee}() {'true' if value == 'nonzero' else 'false'}: " \
               + ", ".join(r.path.partition(":")[2] for r in refs)
        chain = (flow.step(call.line, what),)
        if value == "nonzero":
            return {self._off(s, refs, chain) for s in t}, f
        return t, {self._off(s, refs, chain) for s in f}

    def _off(self, s: State, refs, chain) -> State:
        keys = {h.key for h in s.held if h.key[:6] == "g:irq:"}
        new = tuple(Held(r.key, r, "exclusive", chain, 0) for r in refs if not keys & self._already[r.key])
        return State(s.held + new, s.released, s.facts) if new else s

    def untested(self, exits: list) -> list:
        """The function's exits (state, return kind) without the
        pseudo-locks its tests pushed: they say what the interrupt state
        already was, not what the function changed, and a caller applying
        them on top of its own disabling would pop the wrong one at its
        enable and keep the interrupt off past it."""
        refs = self._refs
        if not any(h.ref in refs for s, _ in exits for h in s.held):
            return exits
        return [(State(tuple(h for h in s.held if h.ref not in refs), s.released, s.facts), kind)
                if any(h.ref in refs for h in s.held) else (s, kind) for s, kind in exits]

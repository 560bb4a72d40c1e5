"""lockdep's interrupt-safety rules, statically.

Interrupt state rides on the held-lock set as pseudo-locks (keys
``g:irq:...``), so the ordinary walk carries it through calls, wrappers
and scopes exactly as it carries locks:

* ``irq:in_hardirq`` / ``irq:in_softirq`` — held by the synthetic runner of
  an interrupt handler, timer, tasklet, RCU callback or NAPI poll
  (``model/data/contexts.toml``, :mod:`lockcheck.analysis.contexts`);
* ``irq:hardirqs_off`` / ``irq:softirqs_off`` — held while interrupts or
  bottom halves are disabled: ``local_irq_save()`` and friends are
  primitives of their own; ``spin_lock_irqsave()``/``_irq``/``_bh`` (and their
  ``guard()``) push the pseudo-lock before their lock, and the matching
  unlock pops it (``[irq]`` in contexts.toml).

They make no lock-order edge.  What the walk records instead, per lock
class, is lockdep's usage states, each with one witness chain, the most trustworthy
of those seen (:mod:`lockcheck.analysis.witness_rank`: fewest doubtful
indirect hops, then model steps, then the shortest):

* ``USED_IN_HARDIRQ`` / ``USED_IN_SOFTIRQ`` (``-W``/``-R``): taken while an
  ``in_*`` pseudo-lock is held — the runner's "edge" to the class, routed
  here by ``summaries._emit``;
* ``ENABLED_HARDIRQ`` / ``ENABLED_SOFTIRQ``: taken with that interrupt
  enabled, relative to the function's entry (``Summary.irq_on``), climbing
  to callers only through call sites where it is still enabled; at a
  function no scanned code calls (a root: syscall, ioctl, work item, any
  callback not modelled) the entry is assumed process context with both
  enabled.  As lockdep, a trylock counts for ENABLED but not for USED_IN,
  and softirqs count as enabled only while hardirqs are too.

The rules (lockdep.c ``mark_lock_irq``/``check_irq_usage``):

1. *inconsistent lock state*: USED_IN_x and ENABLED_x on one class, unless
   both are reads;
2. *irq-safe -> irq-unsafe*: an edge A --> B where A is USED_IN_x and B is
   ENABLED_x, through a dependency kind that lets the two usages' read bits
   conflict (analysis.irq_reads.conflicts: lockdep's masking of read
   usages behind a shared hold or a recursive read; an rwlock read is
   recursive only in interrupt context, irq_reads.irq_kinds).  Only direct
   edges (a held lock and the lock taken under it) are checked; lockdep
   also follows paths of several edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lockcheck.analysis import ir
from lockcheck.analysis.nest_locks import is_nest
from lockcheck.analysis.arch_feasible import chain_arches, join
from lockcheck.analysis.asserted_irq import effective, rekey_under, under_asserted
from lockcheck.analysis.facts import Held, State
from lockcheck.analysis.irq_guards import keep_guard
from lockcheck.analysis.irq_tests import StateTests
from lockcheck.analysis.irq_reads import conflicts, irq_kinds
from lockcheck.analysis.witness_rank import better, better_after, chain_rank

__all__ = ["IrqModel", "IrqUsage", "RawIrqFinding", "PREFIX", "IN_HARDIRQ", "IN_SOFTIRQ",
           "HARDIRQS_OFF", "SOFTIRQS_OFF", "check"]

PREFIX = "g:irq:"
IN_HARDIRQ = "g:irq:in_hardirq"
IN_SOFTIRQ = "g:irq:in_softirq"
HARDIRQS_OFF = "g:irq:hardirqs_off"
SOFTIRQS_OFF = "g:irq:softirqs_off"
#: pseudo-lock key -> the interrupt it says the code runs in
CONTEXT_OF = {IN_HARDIRQ: "HARDIRQ", IN_SOFTIRQ: "SOFTIRQ"}
_HARD_OFF = frozenset((IN_HARDIRQ, HARDIRQS_OFF))
_SOFT_OFF = frozenset((IN_HARDIRQ, HARDIRQS_OFF, IN_SOFTIRQ, SOFTIRQS_OFF))
_REFS = {k: ir.LockRef(k, k[2:]) for k in (HARDIRQS_OFF, SOFTIRQS_OFF)}
IRQS = ("HARDIRQ", "SOFTIRQ")


def rw(mode: str) -> str:
    """lockdep's read bit: any shared acquisition is a read."""
    return "W" if mode == "exclusive" or is_nest(mode) else "R"


def enabled(held) -> tuple[bool, bool]:
    """(hardirqs on, softirqs on) for a held-lock set."""
    keys = {h.key for h in held if h.key[:6] == PREFIX}
    if not keys:
        return True, True
    return not (keys & _HARD_OFF), not (keys & _SOFT_OFF)


class IrqModel:
    """Which primitives disable / restore which interrupt, and which lock
    kinds lockdep checks (``[irq]`` of contexts.toml, guards resolved
    through the primitive catalogue)."""

    def __init__(self, irq: dict, catalogue) -> None:
        self.disables: dict[str, tuple[ir.LockRef, ...]] = {}
        self.enables: dict[str, tuple[ir.LockRef, ...]] = {}
        for names, key, table in (("disables_hardirqs", HARDIRQS_OFF, self.disables),
                                  ("disables_softirqs", SOFTIRQS_OFF, self.disables),
                                  ("enables_hardirqs", HARDIRQS_OFF, self.enables),
                                  ("enables_softirqs", SOFTIRQS_OFF, self.enables)):
            for name in irq.get(names, ()):
                table[name] = table.get(name, ()) + (_REFS[key],)
        for family, target in sorted(catalogue.guards.items()):
            if target in self.disables:
                self.disables[f"guard({family})"] = self.disables[target]
        self.checked_kinds = frozenset(irq.get("checked_kinds", ()))
        self.catalogue = catalogue
        self.entered_bh_off: frozenset[str] = frozenset()
        self._entered = {"SOFTIRQ": [tuple(f) for f in irq.get("entered_softirqs_off", ())],
                         "HARDIRQ": [tuple(f) for f in irq.get("entered_hardirqs_off", ())]}
        #: function name -> the interrupts off when the core calls it (learn_entries)
        self.entered_off: dict[str, frozenset[str]] = {}
        #: ops fields a call through runs its target in hardirq (the core's
        #: call of a primary handler, ``action->handler()``)
        self.hardirq_calls = frozenset(tuple(f) for f in irq.get("called_in_hardirq", ()))
        self._in_hardirq = ir.LockRef(IN_HARDIRQ, IN_HARDIRQ[2:])
        #: ops fields a call through runs its target with hardirqs off
        #: (``i2c_algorithm.xfer_atomic``, ``__cpu_disable()``'s ``.cpu_disable``)
        self.irqs_off_calls = frozenset(tuple(f) for f in irq.get("called_hardirqs_off", ()))
        self._hardirqs_off = ir.LockRef(HARDIRQS_OFF, HARDIRQS_OFF[2:])
        #: field -> (pseudo-lock pushed around the call, its witness text)
        self._around: dict[tuple[str, str], tuple[ir.LockRef, str]] = {
            **{f: (self._hardirqs_off, "runs with hardirqs off") for f in self.irqs_off_calls},
            **{f: (self._in_hardirq, "runs in hardirq") for f in self.hardirq_calls}}
        #: field -> the targets a call through it runs with hardirqs off
        #: (``[[irq.atomic_ops]]``: learn_atomic)
        self.atomic_calls: dict[tuple[str, str], frozenset[str]] = {}
        self.atomic_specs = list(irq.get("atomic_ops", ()))
        #: predicates whose test decides the interrupt state on one way
        #: (``[irq.state_tests]``, analysis.irq_tests)
        self.state_tests = StateTests(irq.get("state_tests", {}),
                                      {HARDIRQS_OFF: _HARD_OFF, SOFTIRQS_OFF: _SOFT_OFF - {HARDIRQS_OFF}})

    def learn_entries(self, ops: dict) -> None:
        """Functions stored in an ops field the core calls with interrupts
        (or bottom halves) off: at a root they are entered so (hardirqs off
        implies softirqs off)."""
        off: dict[str, set[str]] = {}
        for irq, fields in self._entered.items():
            for f in fields:
                for name in ops.get(f, ()):
                    off.setdefault(name, set()).update(("SOFTIRQ", "HARDIRQ") if irq == "HARDIRQ" else ("SOFTIRQ",))
        for names in self.atomic_calls.values():
            for name in names:
                off.setdefault(name, set()).update(("SOFTIRQ", "HARDIRQ"))
        self.entered_off = {k: frozenset(v) for k, v in off.items()}
        #: the functions entered with bottom halves off: in_interrupt() (analysis.irq_reads)
        self.entered_bh_off = frozenset(name for f in self._entered["SOFTIRQ"] for name in ops.get(f, ()))

    def learn_atomic(self, targets: dict[tuple[str, str], frozenset[str]]) -> None:
        """Per ops field of ``[[irq.atomic_ops]]``, the functions stored
        there the core always calls with interrupts off (lockcheck.atomic_ops:
        no opting-out flag near their table): a call through the field runs
        such a target with hardirqs off, and such a root is entered so
        (:meth:`learn_entries`, which must follow)."""
        self.atomic_calls = {f: names for f, names in targets.items() if names}

    def checked(self, primitive: str) -> bool:
        """Does lockdep track interrupt usage of what ``primitive`` takes?"""
        if primitive.startswith("guard(") and primitive.endswith(")"):
            prim = self.catalogue.guard(primitive[6:-1])
        else:
            prim = self.catalogue.get(primitive)
        return prim is not None and prim.kind in self.checked_kinds

    # -- hooks of flow.FunctionFlow ------------------------------------
    def before_acquire(self, s: State, a: ir.Acquire, chain, depth: int) -> State:
        refs = self.disables.get(a.primitive)
        if not refs:
            return s
        scope = depth if a.scoped else 0
        return State(s.held + tuple(Held(r.key, r, "exclusive", chain, scope) for r in refs),
                     s.released, s.facts)

    def after_release(self, flow, s: State, primitive: str) -> State:
        for r in self.enables.get(primitive, ()):
            s = flow.release(s, r)
        return s

    def enter_call(self, s: State, call: ir.Call, flow, callee=None) -> State:
        """A call through a ``called_in_hardirq`` field runs its target in
        hardirq whatever the caller's state (``irq:in_hardirq`` held around
        it, :meth:`leave_call` drops it): what it takes is used in hardirq,
        never enabled.  One through a ``called_hardirqs_off`` field runs it
        with hardirqs off (``irq:hardirqs_off``): never enabled, not used in
        an interrupt either; so does one through an ``atomic_ops`` field to
        a ``callee`` its table did not opt out of (:meth:`learn_atomic`)."""
        around = self._around_call(call, callee)
        if around is None:
            return s
        ref, what = around
        step = flow.step(call.line, f"[model] a call through {call.field[0]}.{call.field[1]} {what}")
        return State(s.held + (Held(ref.key, ref, "exclusive", (step,), 0),), s.released, s.facts)

    def _around_call(self, call: ir.Call, callee):
        if call.field is None:
            return None
        around = self._around.get(call.field)
        if around is None and callee is not None and callee.name in self.atomic_calls.get(call.field, ()):
            return self._hardirqs_off, "runs with hardirqs off (atomic ops)"
        return around

    def leave_call(self, s: State, call: ir.Call, callee=None) -> State:
        around = self._around_call(call, callee)
        if around is None:
            return s
        held = list(s.held)
        for i in range(len(held) - 1, -1, -1):
            if held[i].key == around[0].key and held[i].ref is around[0]:
                del held[i]
                break
        return State(tuple(held), s.released, s.facts)

    @staticmethod
    def note(summary, held, ref: ir.LockRef, mode: str, chain, guard: frozenset = frozenset()) -> None:
        """An acquisition at ``chain``: ENABLED_* relative to the entry, made
        where the facts ``guard`` hold (analysis.irq_guards)."""
        if ref.key[:6] == PREFIX:
            return
        hard, soft = enabled(held)
        if not hard:
            return
        r = rw(mode)
        under = under_asserted(held, rw)   # analysis.asserted_irq
        tail = (under,) if under else ()
        _keep_guarded(summary, (ref.class_key, "HARDIRQ", r) + tail, ref, chain, guard)
        if soft:
            _keep_guarded(summary, (ref.class_key, "SOFTIRQ", r) + tail, ref, chain, guard)

    @staticmethod
    def inherit(summary, held, callee_on: dict, site, subst_ref, callee_guards=None, said_here=None) -> None:
        """A callee's ENABLED_* acquisitions, where the call leaves them
        enabled; ``said_here`` gives a callee's guard (``callee_guards``)
        as this function's (analysis.irq_guards)."""
        hard, soft = enabled(held)
        if not hard:
            return
        mine = under_asserted(held, rw)
        for key, (ref, chain) in callee_on.items():
            irq, r = key[1], key[2]
            if irq == "SOFTIRQ" and not soft:
                continue
            if ref.key[:2] == "p:":
                ref = subst_ref(ref)
            under = tuple(sorted(set(mine) | set(key[3]))) if len(key) > 3 else mine
            guard = callee_guards.get(key) if callee_guards else None
            _keep_guarded(summary, (ref.class_key, irq, r) + ((under,) if under else ()), ref, chain,
                          said_here(guard) if guard else frozenset(), site)


def _keep_guarded(summary, key, ref, chain, guard: frozenset, site=None) -> None:
    """Keep ``chain`` (with ``site``: ``(site,) + chain``, built only when
    kept) for ``key`` where it ranks better than the kept one."""
    old = summary.irq_on.get(key)
    if old is None or (better(chain, old[1]) if site is None else better_after(site, chain, old[1])):
        summary.irq_on[key] = (ref, chain if site is None else (site,) + chain)
    keep_guard(summary.irq_guards, key, old is None, guard)


def _keep(table: dict, key, ref, chain) -> None:
    old = table.get(key)
    if old is None or better(chain, old[1]):   # analysis.witness_rank
        table[key] = (ref, chain)


@dataclass
class IrqUsage:
    """Usage states of the scan's classes: (class key, irq, W|R) -> (ref, chain);
    per state too, the architectures some chain making it builds on, over
    every chain seen, not only the one kept (analysis.arch_feasible;
    ``arch_of``: display path -> its architectures, None without a tree)."""

    used: dict[tuple[str, str, str], tuple] = field(default_factory=dict)
    enabled: dict[tuple[str, str, str], tuple] = field(default_factory=dict)
    used_archs: dict[tuple, frozenset | None] = field(default_factory=dict)
    enabled_archs: dict[tuple, frozenset | None] = field(default_factory=dict)
    # per state, the best chain per set of architectures building it:
    # a finding built on one architecture is shown by that one's chain
    used_by_arch: dict[tuple, dict] = field(default_factory=dict)
    enabled_by_arch: dict[tuple, dict] = field(default_factory=dict)
    arch_of: object = None
    # analysis.irq_reads: caller -> the callees it calls only in interrupt
    # context; then the functions a process-context entry reaches (None:
    # not computed, every function counts as reached)
    irq_only_calls: dict[str, frozenset[str]] = field(default_factory=dict)
    process_entered: frozenset[str] | None = None

    def used_in(self, edge) -> None:
        """An "edge" from an ``in_*`` pseudo-lock: the class is used in that
        interrupt; the witness runs from the runner to the acquisition."""
        if edge.dst.is_param:
            return
        key = (edge.dst.class_key, CONTEXT_OF[edge.src.key], edge.acquirer)
        chain = edge.witness.held + edge.witness.acquire
        _keep(self.used, key, edge.dst, chain)
        _join_archs(self.used_archs, self.used_by_arch, key, edge.dst, chain, self.arch_of)

    def entered(self, summary, off: frozenset[str] = frozenset()) -> None:
        """A root's ENABLED_* acquisitions: process context, irqs on at entry
        (but for ``off``: IrqModel.entered_off)."""
        for k, (ref, chain) in summary.irq_on.items():
            key, irq = k[0], k[1]
            if not ref.is_param and key[:6] != PREFIX and irq not in off:
                _keep(self.enabled, k, ref, chain)
                _join_archs(self.enabled_archs, self.enabled_by_arch, k, ref, chain, self.arch_of)


def _join_archs(table: dict, by_arch: dict, key, ref, chain, arch_of) -> None:
    if arch_of is None:
        table[key] = None
        return
    a = chain_arches(chain, arch_of)
    table[key] = join(table.get(key, frozenset()), a)
    _keep(by_arch.setdefault(key, {}), a, ref, chain)


def arch_chains(by_arch: dict, keys) -> tuple:
    """The chains kept per set of architectures for the states ``keys``
    (one state, re-keyed ones merged), most trustworthy first
    (analysis.witness_rank)."""
    found = {c for k in keys for _, c in by_arch.get(k, {}).values()}
    return tuple(sorted(found, key=chain_rank))


def finish(analysis, model: IrqModel, canonical) -> None:
    """The usage states re-keyed as the lock classes were (``canonical``:
    class key -> the class after analysis.classes, or None for a class left
    out), both rules checked on them and the graph's edges, and the classes
    of the findings given display votes."""
    usage = analysis.irq
    for table, archs, by_arch in ((usage.used, usage.used_archs, usage.used_by_arch),
                                  (usage.enabled, usage.enabled_archs, usage.enabled_by_arch)):
        rekeyed: dict = {}
        rearched: dict = {}
        rechained: dict = {}
        for (key, irq, r, *under), (ref, chain) in sorted(table.items(), key=lambda kv: kv[0]):
            k = canonical(key)
            if k is not None:
                tail = rekey_under(under[0], canonical) if under else ()
                new = (k, irq, r) + ((tail,) if tail else ())
                old = (key, irq, r, *under)
                _keep(rekeyed, new, ref, chain)
                rearched[new] = join(rearched.get(new, frozenset()), archs.get(old))
                kept = rechained.setdefault(new, {})
                for a, (aref, achain) in sorted(by_arch.get(old, {}).items(), key=lambda kv: kv[1][1]):
                    _keep(kept, a, aref, achain)
        for table_, new_ in ((table, rekeyed), (archs, rearched), (by_arch, rechained)):
            table_.clear()
            table_.update(new_)
    analysis.irq_findings = check(analysis.irq, analysis.edges, model)
    for f in analysis.irq_findings:
        for key, (_, ref, _) in zip(f.keys * (2 // len(f.keys)), f.usages):
            votes = analysis.refs.setdefault(key, {})
            if not votes:    # a class in no edge: named by how its usage writes it
                votes[(ref.key, ref.owner, ref.path, ref.subclass)] = 1


@dataclass(frozen=True)
class RawIrqFinding:
    """``kind`` irq-inconsistent (keys: the class) or irq-unsafe-order
    (keys: safe, unsafe); ``usages``: (state label, lock ref as written,
    chain), in ``keys`` order — for irq-unsafe-order the edge is ``edge``
    (an EdgeWitness)."""

    kind: str
    irq: str
    keys: tuple[str, ...]
    usages: tuple[tuple[str, ir.LockRef, tuple], ...]
    edge: object = None
    edge_kind: tuple[str, str] = ("E", "N")
    # per usage, the architectures some chain making that state builds on,
    # and the best chain per set of them (IrqUsage.used_by_arch)
    archs: tuple = (None, None)
    arch_chains: tuple = ((), ())


def _label(irq: str, r: str, used: bool) -> str:
    """lockdep's state names: IN-HARDIRQ-W, HARDIRQ-ON-R, ..."""
    return f"IN-{irq}-{r}" if used else f"{irq}-ON-{r}"


#: (used, enabled) read bits, most telling first: on one class read-read
#: never conflicts; through a dependency it does unless a read is masked
#: (irq_reads.conflicts)
_PAIRS = (("W", "W"), ("W", "R"), ("R", "W"), ("R", "R"))


def _first_conflict(pairs, kinds: dict):
    """The first (used, enabled) pair some dependency kind lets conflict
    (irq_reads.conflicts), with that kind and its cheapest witness."""
    for pair in pairs:
        allowed = sorted(((w.cost(), k, w) for k, w in kinds.items() if conflicts(*k, *pair)),
                         key=lambda t: (t[0], t[1]))
        if allowed:
            return pair, allowed[0][1], allowed[0][2]
    return None


def check(usage: IrqUsage, edges: dict, model: IrqModel) -> list[RawIrqFinding]:
    """Both rules over the usage states and the lock graph's edges."""
    used = {k: v for k, v in usage.used.items() if model.checked(v[1][-1].what)}
    on = {k: v for k, v in effective(usage.enabled, used).items() if model.checked(v[1][-1].what)}
    on_archs: dict = {}
    on_keys: dict = {}
    for k, a in sorted(usage.enabled_archs.items(), key=lambda kv: kv[0]):
        if k[:3] in on and (len(k) == 3 or effective({k: usage.enabled[k]}, used)):
            on_archs[k[:3]] = join(on_archs.get(k[:3], frozenset()), a)
            on_keys.setdefault(k[:3], []).append(k)

    def arch_facts(u_key, e_key) -> dict:
        return {"archs": (usage.used_archs.get(u_key), on_archs.get(e_key)),
                "arch_chains": (arch_chains(usage.used_by_arch, (u_key,)),
                                arch_chains(usage.enabled_by_arch, on_keys.get(e_key, ())))}
    out: list[RawIrqFinding] = []
    inconsistent: set[str] = set()
    for key in sorted({k[0] for k in used}):
        for irq in IRQS:
            pair = next(((u, e) for u, e in _PAIRS[:3] if (key, irq, u) in used and (key, irq, e) in on), None)
            if pair is None:
                continue
            u, e = used[(key, irq, pair[0])], on[(key, irq, pair[1])]
            out.append(RawIrqFinding("irq-inconsistent", irq, (key,),
                                     ((_label(irq, pair[0], True), u[0], u[1]),
                                      (_label(irq, pair[1], False), e[0], e[1])),
                                     **arch_facts((key, irq, pair[0]), (key, irq, pair[1]))))
            inconsistent.add(key)
            break   # lockdep stops at the first inconsistency of a class
    for (src, dst), rec in sorted(edges.items()):
        if src == dst or src in inconsistent or dst in inconsistent:
            continue
        kinds = None
        for irq in IRQS:
            pairs = [(u, e) for u, e in _PAIRS if (src, irq, u) in used and (dst, irq, e) in on]
            if not pairs:
                continue
            kinds = kinds if kinds is not None else irq_kinds(rec, usage.process_entered)
            found = _first_conflict(pairs, kinds)
            if found is None:
                continue
            pair, kind, w = found
            u, e = used[(src, irq, pair[0])], on[(dst, irq, pair[1])]
            out.append(RawIrqFinding("irq-unsafe-order", irq, (src, dst),
                                     ((_label(irq, pair[0], True), u[0], u[1]),
                                      (_label(irq, pair[1], False), e[0], e[1])), w, kind,
                                     **arch_facts((src, irq, pair[0]), (dst, irq, pair[1]))))
            break
    return out

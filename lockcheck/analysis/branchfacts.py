"""Branch facts: what the walk knows of a function's variables, and how a
condition splits the states by it.

A state carries facts ``(name, value)`` (value ``zero``, ``nonzero`` or an
enumerator ``id:NAME``).  They come from assignments (``adv = NULL``,
``locked = true``, ``p = &tmp``) and, for a *learnable* variable (a local or
parameter whose address the function never takes, see
``analysis.conditions``), from the tests themselves: after
``if (should_lock) lock(…)`` the states that locked know ``should_lock`` is
non-zero, so ``if (should_lock) unlock(…)`` further down unlocks on exactly
those.  A tested call with a key (``f2fs_sb_has_quota_ino(sbi)``) is a fact
the same way until one of its arguments is assigned.  Any assignment of a
name drops its fact and the call facts that read it; an assignment of a
pointer drops the facts of the fields read through it, and one of a field
those of every field of that name (it may be the same object).

A comparison false whenever its variable is zero (``error == -ENOENT``,
``ret == 1``) is decided where that variable is known zero: ``error =
xfs_qm_dqget(..)`` returning 0 with the dquot locked does not take the
``continue`` of ``if (error == -ENOENT)``.

A local copied from a learnable variable or a read (``function =
hdr->Function``) is one operand with it: the copy is the fact
``()=(function,hdr->Function)``, dropped as a pair fact is when either is
written, and while it stands what a test learns of one (``hdr->Function ==
MPI_FUNCTION_SCSI_TASK_MGMT``) it learns of the other
(``function == MPI_FUNCTION_SCSI_TASK_MGMT``), as the copy itself takes
over what is known of its source (:func:`copy_fact`).

Facts of *reads* (globals, fields, keyed calls: ``ir.CondVar.read``,
``ir.CondCall.key``) may change behind the function's back: a loop that
tests one tests it again each round (its facts learnt in the loop are
forgotten on the way back to the loop's head), and after a branch on one,
two states that differ only by its fact are one state again (the next
test splits them the same way; keeping both would double the states at
every such branch).
"""

from __future__ import annotations

from lockcheck.analysis.irwalk import ir_nodes
from lockcheck.analysis import ir
from lockcheck.analysis.facts import State
from lockcheck.analysis.compare_locals import RELATION, relate, related
from lockcheck.analysis.held_through import THROUGH, known_through

__all__ = ["BranchFacts", "set_fact", "copy_fact", "or_bits", "learn", "opposite", "read_facts", "forget_memos",
           "CALL_FACT", "last_field"]

#: Prefix of a call fact's name: ``()f(a,b)``.
CALL_FACT = "()"


def opposite(value: str) -> str:
    return "nonzero" if value == "zero" else "zero"


_READS: dict[str, tuple[str, ...]] = {}


def _args(fact_name: str) -> tuple[str, ...]:
    """The operands of the call or pair fact ``()f(a,b)``."""
    args = _READS.get(fact_name)
    if args is None:
        if len(_READS) > 100_000:
            _READS.clear()
        args = _READS[fact_name] = tuple(fact_name[fact_name.index("(", 2) + 1:-1].split(","))
    return args


def last_field(name: str) -> str | None:
    """The last field of a flag name (``lock`` of ``apbc->lock``), None for
    a plain variable."""
    k = max(name.rfind("->") + 1, name.rfind("."))
    return name[k + 1:] if k > 0 else None


def _written(fact: str, var: str, field: str | None) -> bool:
    """Does assigning ``var`` (whose last field is ``field``) change what
    the fact named ``fact`` says?"""
    if fact[:1] == "&":         # a field's address, an operand of a call fact (analysis.pred_keys)
        fact = fact[1:]
    if fact == var:
        return True
    if fact[:1] == THROUGH:     # a lock held through the variable (analysis.held_through)
        fact = fact[1:]
        if fact == var:
            return True
    if fact[:1] in "~@":    # a guard's or a table's fact, never a variable's
        return False
    if fact[:2] == CALL_FACT:
        args = _args(fact)
        if var in args:
            return True
        # a pair fact of a field read (``()==(phba->sli_rev,id:REV4)``): any
        # write that changes that field, or the pointer it is read through
        return ("->" in fact or "." in fact) and any(
            ("->" in a or "." in a) and _written(a, var, field) for a in args)
    if field is not None:
        return last_field(fact) == field    # the same field, through any pointer
    # a field read through the variable assigned
    return fact.startswith(var) and (fact.startswith("->", len(var)) or fact.startswith(".", len(var)))


def set_fact(state: State, var: str | None, value: str | None) -> State:
    """``var`` now has ``value`` (None: unknown; ``=NAME``: a copy of NAME,
    :func:`copy_fact`)."""
    if var is None:
        return state
    if value is not None and value[0] == "=":
        return copy_fact(state, var, value[1:])
    if value is not None and value[0] == "?":   # var = (a != b) (analysis.compare_locals)
        return relate(set_fact(state, var, None), var, value)
    if value is not None and value[0] == "|":   # var |= K
        return or_bits(state, var, int(value[1:]))
    facts = state.facts
    if facts:
        facts = _after_write(facts, var)
    if value is not None:
        facts = facts | {(var, value)}
    if facts is state.facts:
        return state
    return State(state.held, state.released, facts)


def _bit_test(fact: str, var: str) -> int | None:
    """M of the pair fact ``()&(var,#M)`` (either order), else None."""
    if fact[:4] != "()&(":
        return None
    args = _args(fact)
    if len(args) != 2 or var not in args:
        return None
    other = args[1] if args[0] == var else args[0]
    if other[:1] != "#":
        return None
    try:
        return int(other[1:])
    except ValueError:
        return None


def or_bits(state: State, var: str, bits: int) -> State:
    """``var |= bits`` (an integer constant): ``var`` is non-zero, its
    tests ``var & M`` of no bit of ``bits`` keep what they were, those of
    some bit of it are non-zero; every other fact of it is dropped."""
    if not state.facts:
        return set_fact(state, var, "nonzero")
    kept = set()
    for fact, value in state.facts:
        m = _bit_test(fact, var)
        if m is not None:
            kept.add((fact, value if not m & bits else "nonzero"))
    state = set_fact(state, var, "nonzero")
    return State(state.held, state.released, state.facts | kept) if kept else state


#: Fact sets after a write, memoised (:func:`_after_write`): the same few
#: sets meet the same assignments in every state, loop round and walk.
_AFTER_WRITE: dict[tuple[frozenset, str], frozenset | None] = {}
#: Entries kept at most before the memos are emptied.
MEMO_BOUND = 20_000


#: var -> {fact name: does assigning var change it (:func:`_written`)}: a
#: miss of :data:`_AFTER_WRITE` asks it of every fact of the set, and the
#: names recur from state to state and walk to walk.
_WRITES: dict[str, dict[str, bool]] = {}
_WRITES_SIZE = [0]      # answers kept, all variables together
WRITES_BOUND = 200_000


def _after_write(facts: frozenset, var: str) -> frozenset:
    """``facts`` less what assigning ``var`` changes (the very set when
    nothing is dropped).  A pure function of its arguments, memoised."""
    k = (facts, var)
    found = _AFTER_WRITE.get(k, facts)
    if found is facts:   # not known yet (a hit with nothing dropped is None)
        told = _WRITES.get(var)
        if told is None:
            told = _WRITES[var] = {}
        drop = []
        for f in facts:
            written = told.get(f[0])
            if written is None:
                written = told[f[0]] = _written(f[0], var, last_field(var))
                _WRITES_SIZE[0] += 1
            if written:
                drop.append(f)
        if _WRITES_SIZE[0] >= WRITES_BOUND:
            _WRITES.clear()
            _WRITES_SIZE[0] = 0
        found = facts.difference(drop) if drop else None
        if len(_AFTER_WRITE) >= MEMO_BOUND:
            _AFTER_WRITE.clear()
        _AFTER_WRITE[k] = found
    return facts if found is None else found


#: Prefix of a copy's fact: ``()=(function,hdr->Function)``.
COPY_FACT = CALL_FACT + "=("
#: The prefixes of the facts through which learning one name teaches
#: another: a copy's, a relation's (analysis.compare_locals).
_PAIRING = frozenset((COPY_FACT, RELATION))


def _renamed(fact: str, old: str, new: str) -> str | None:
    """The fact ``fact`` says of ``old``, said of ``new`` (None: it does not
    name ``old``)."""
    if fact == old:
        return new
    if fact[:2] != CALL_FACT or fact[:4] == COPY_FACT:
        return None
    args = _args(fact)
    if old not in args:
        return None
    return fact[:fact.index("(", 2) + 1] + ",".join(new if a == old else a for a in args) + ")"


def copy_fact(state: State, var: str, src: str) -> State:
    """``var = src``: ``var`` loses its facts, is known equal to ``src``
    and takes over what is known of it."""
    state = set_fact(state, var, None)
    if len(state.facts) >= MAX_FACTS:
        return state
    taken = {(name, v) for name, v in ((_renamed(f, src, var), v) for f, v in state.facts) if name}
    return State(state.held, state.released, state.facts | taken | {(f"{COPY_FACT}{var},{src})", "nonzero")})


def _copies(state: State, name: str) -> list[str]:
    """The names ``name`` has through the copies ``state`` knows."""
    out = []
    for f, _ in state.facts:
        if f[:4] == COPY_FACT:
            a, b = _args(f)
            for old, new in ((a, b), (b, a)):
                renamed = _renamed(name, old, new)
                if renamed is not None:
                    out.append(renamed)
    return out


_ZERO_TESTS: dict[str, str | None] = {}


def _zero_test(fact: str) -> str | None:
    """For a comparison that is false when its variable is zero (``()==(error,
    id:-ENOENT)``, ``()==(ret,#1)``, ``()&(flags,#4)``: against a non-zero
    constant, an error code or an integer), that variable."""
    found = _ZERO_TESTS.get(fact, "")
    if found != "":
        return found
    if len(_ZERO_TESTS) > 100_000:
        _ZERO_TESTS.clear()
    found = None
    k = fact.find("(", 2)
    if fact[2:k] in ("==", "&"):
        args = _args(fact)
        if len(args) == 2:
            for var, const in (args, args[::-1]):
                if not var.startswith(("#", "id:")) and _nonzero_constant(const):
                    found = var
                    break
    _ZERO_TESTS[fact] = found
    return found


def _nonzero_constant(operand: str) -> bool:
    if operand.startswith("id:-"):
        return True
    if operand[:1] == "#":
        try:
            return int(operand[1:]) != 0
        except ValueError:
            return False
    return False


#: Facts a state learns from tests at most: past it, a test's outcome is
#: not learnt (both ways stay possible, as for a variable the walk cannot
#: read).  A long chain of distinct tests (a generated ``x == A || x == B
#: || …``, a function of thousands of comparisons) would otherwise give
#: every state a fact set as long as the chain, copied at every test: the
#: whole tree's analysis grew past 13 GB in one such function.
MAX_FACTS = 64


_LEARNT: dict[tuple[frozenset, str, str], frozenset | None] = {}


def _learn(state: State, var: str, value: str) -> State:
    k = (state.facts, var, value)
    facts = _LEARNT.get(k, k)
    if facts is k:   # not known yet (None: nothing learnt, past MAX_FACTS)
        facts = _learnt(state, var, value)
        if len(_LEARNT) >= MEMO_BOUND:
            _LEARNT.clear()
        _LEARNT[k] = facts
    return state if facts is None else State(state.held, state.released, facts)


def learn(state: State, var: str, value: str) -> State:
    """``state`` knowing ``var`` is ``value`` (and what follows of it
    through copies and relations), as a test learns it."""
    return _learn(state, var, value)


def _learnt(state: State, var: str, value: str) -> frozenset | None:
    """The facts ``state`` has once it learns ``var`` is ``value`` (and so
    are its copies); None when it learns nothing (past MAX_FACTS).  Depends
    on the facts alone (memoised by :func:`_learn`)."""
    facts = state.facts
    if not facts:
        return frozenset(((var, value),))
    if len(facts) >= MAX_FACTS and _known(state, var) is None:
        return None
    if not any(f[0][:4] in _PAIRING for f in facts):    # no copy, no relation: var alone
        return frozenset([f for f in facts if f[0] != var]) | {(var, value)}
    names = {var}
    if state.facts:
        names.update(_copies(state, var))
    learnt = {(n, value) for n in names}
    if state.facts:     # through a local holding a comparison (analysis.compare_locals)
        learnt.update(r for n in names for r in related(state.facts, n, value))
    names = {n for n, _ in learnt}
    return frozenset(f for f in state.facts if f[0] not in names) | learnt


def _known(state: State, name: str) -> str | None:
    for k, v in state.facts:
        if k == name:
            return v
    return None


def read_facts(node) -> frozenset[str]:
    """The names of the facts of reads that conditions in ``node`` (a
    condition, or a loop's test, body and step clause) learn."""
    out = set()
    for n in ir_nodes(node):
        t = type(n)
        if t is ir.CondVar:
            if n.read:
                out.add(n.var)
        elif t is ir.CondCall and n.key:
            out.add(CALL_FACT + n.key)
    return frozenset(out)


def forget_memos() -> None:
    """The walk is over (summaries.analyse): what the memos hold (fact sets
    by the thousand) would stay for the report."""
    for memo in (_READS, _AFTER_WRITE, _WRITES, _ZERO_TESTS, _LEARNT):
        memo.clear()
    _WRITES_SIZE[0] = 0


def _without(state: State, names) -> State:
    facts = frozenset(f for f in state.facts if f[0] not in names)
    return state if len(facts) == len(state.facts) else State(state.held, state.released, facts)


def _forget_equal(states: set[State], names: frozenset[str]) -> set[State]:
    """States that differ only by the fact of one of ``names`` become one
    state without that fact."""
    for name in sorted(names):
        groups: dict[State, list[State]] = {}
        for s in states:
            groups.setdefault(_without(s, (name,)), []).append(s)
        if len(groups) < len(states):
            states = {k if len(v) > 1 else v[0] for k, v in groups.items()}
    return states


class BranchFacts:
    """The condition half of ``flow.FunctionFlow``: ``cond(c, states)``
    returns the states for which ``c`` may be true and those for which it
    may be false."""

    #: the walk's interrupt model (analysis.irqsafety.IrqModel), None without
    irq = None

    @staticmethod
    def cap(states: set[State]) -> set[State]:
        """The walk's bound on states (``flow.FunctionFlow`` sets it): each
        ``&&`` / ``||`` of a condition may double them."""
        return states

    def branch(self, node: ir.If, states: set[State]) -> set[State]:
        """Both ways of an ``if``; the facts of reads it learnt are kept
        only where they tell states apart."""
        t, f = self.cond(node.cond, states)
        out = self.block(node.then, t) | self.block(node.orelse, f)
        names = self._reads_of(node.cond)
        return _forget_equal(out, names) if names and len(out) > 1 else out

    def next_round(self, loop: ir.Loop, entry: frozenset, states: set[State]) -> set[State]:
        """States going back to the head of ``loop``, less the facts of the
        reads the loop tests that were not known on entry (in every entry
        state): the next round tests them again."""
        names = self._reads_of(loop)
        if not names or not states:
            return states
        known = self.__dict__.setdefault("_known_on_entry", {})
        key = (id(loop), entry)
        kept = known.get(key)
        if kept is None:
            kept = known[key] = frozenset(n for n in names if all(any(f[0] == n for f in s.facts) for s in entry))
        names = names - kept
        return {_without(s, names) for s in states} if names else states

    def _reads_of(self, node) -> frozenset[str]:
        cache = self.__dict__.setdefault("_read_facts", {})
        found = cache.get(id(node))
        if found is None:
            found = cache[id(node)] = (node, read_facts(node))
        return found[1]

    def cond(self, c, states: set[State]) -> tuple[set[State], set[State]]:
        kind = type(c)
        if kind is ir.CondNot:
            t, f = self.cond(c.cond, states)
            return f, t
        if kind is ir.CondAnd:
            t1, f1 = self.cond(c.left, states)
            t2, f2 = self.cond(c.right, t1)
            return t2, self.cap(f1 | f2)
        if kind is ir.CondOr:
            t1, f1 = self.cond(c.left, states)
            t2, f2 = self.cond(c.right, f1)
            return self.cap(t1 | t2), f2
        if kind is ir.CondVar:
            return self._cond_var(c, states)
        if kind is ir.CondCall:
            states = self.block(c.pre, states)
            if c.effect is not None:
                t, f = set(), set()
                for s in states:
                    held, free = self.fork_effect(s, c.effect)
                    (t if c.effect.on == "nonzero" else f).add(held)
                    (f if c.effect.on == "nonzero" else t).add(free)
                return t, f
            if c.call is not None:
                return self._cond_call(c, states)
            return states, states
        if kind is ir.CondOpaque:
            states = self.block(c.pre, states)
            return states, states
        if kind is ir.CondRunning:
            return states, {self.not_running(s, c.work.class_key) for s in states}
        if kind is ir.CondConst:
            return (states, set()) if c.value == "nonzero" else (set(), states)
        return states, states

    @staticmethod
    def not_running(s: State, work: str) -> State:
        """The task is not running work ``work``: not inside its
        (work_completion) map.  Told as the caller's hold of it being
        released before what follows (``Acq.released_before``): a path
        does not change the work its task runs, so it holds for the rest
        of the walk, and a runner holding the map makes no edge from it
        to anything taken on the path."""
        if work in s.released:
            return s
        return State(s.held, s.released | {work}, s.facts)

    def _cond_var(self, c: ir.CondVar, states: set[State]) -> tuple[set[State], set[State]]:
        t, f = set(), set()
        other = opposite(c.test)
        zero_test = _zero_test(c.var) if c.var[:2] == CALL_FACT else None
        for s in states:
            value = _known(s, c.var)
            if value is None and zero_test is not None and s.facts and _known(s, zero_test) == "zero":
                value = "zero"
            if value is None and s.held and s.facts:
                value = known_through(s, c.var)
            if value is not None and value.startswith("id:"):
                value = None  # an enumerator: its zero-ness is unknown
            if value is None or value == c.test:
                t.add(_learn(s, c.var, c.test) if value is None and c.learn else s)
            if value is None or value != c.test:
                f.add(_learn(s, c.var, other) if value is None and c.learn else s)
        return t, f

    def _cond_call(self, c: ir.CondCall, states: set[State]) -> tuple[set[State], set[State]]:
        t, f = set(), set()
        name = CALL_FACT + c.key if c.key else None
        for s in states:
            value = _known(s, name) if name else None
            if value != "nonzero":
                out = self.call(s, c.call, "zero")
                f |= {_learn(r, name, "zero") for r in out} if name else out
            if value != "zero":
                out = self.call(s, c.call, "nonzero")
                t |= {_learn(r, name, "nonzero") for r in out} if name else out
        irq = self.irq
        if irq is not None and c.call.callee in irq.state_tests:
            # a test of the interrupt state decides it (analysis.irq_tests)
            return irq.state_tests.decided(self, c.call, t, f)
        return t, f

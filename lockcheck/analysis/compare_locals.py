"""Locals that hold a comparison's result: ``const bool need_lock =
(cmd->cmd != KVM_PV_ASYNC_CLEANUP_PERFORM); if (need_lock)
mutex_lock(&kvm->lock); switch (cmd->cmd) { case
KVM_PV_ASYNC_CLEANUP_PERFORM: ... }`` never holds the lock in that case.

The assignment ``v = (a == b)`` (or ``!=``) of a learnable local, the
comparison one of learnt operands (``analysis.conditions``), is the
relation fact ``()?(v,a,b)``: value ``nonzero`` when ``v`` is the
comparison ``a == b``, ``zero`` when it is its negation ``a != b``.  It is
dropped, as a pair fact is, when ``v``, ``a`` or ``b`` is written
(``branchfacts._written``).  While it stands, what a test learns of ``v``
it learns of the pair fact ``()==(a,b)`` and the other way round
(:func:`related`), and ``switch (a)`` knows from that pair fact which
cases a state may enter (``flow.Walk.switch``): ``a == C`` known enters
only ``case C:``, ``a != C`` known never enters it; a state entering
``case C:`` learns ``a == C`` when it has a relation naming that pair.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.compare_facts import pair_name
from lockcheck.analysis.facts import State

__all__ = ["RELATION", "relation_value", "relate", "related", "switch_pair", "case_pair", "case_names", "case_entered", "compare_held"]

#: Prefix of a relation fact: ``()?(need_lock,cmd->cmd,id:C)``.
RELATION = "()?("
#: Prefix of the pair fact of an equality.
_EQ = "()==("


def relation_value(name: str, negated: bool) -> str:
    """The ``ir.Assign`` value for ``var = <the pair fact name>`` (negated
    for ``!=``): ``?=()==(a,b)`` or ``?!()==(a,b)``."""
    return ("?!" if negated else "?=") + name


def _flip(value: str) -> str:
    return "nonzero" if value == "zero" else "zero"


def _parts(fact: str) -> tuple[str, str, str] | None:
    args = fact[len(RELATION):-1].split(",")
    return (args[0], args[1], args[2]) if len(args) == 3 else None


def relate(state, var: str, value: str):
    """``var = (a == b)`` / ``var = (a != b)`` (``value`` from
    :func:`relation_value`), ``var`` already written: the relation fact,
    and ``var`` known where the pair fact is."""
    negated = value[1] == "!"
    pair = value[2:]
    args = pair[len(_EQ):-1].split(",")
    if not pair.startswith(_EQ) or len(args) != 2:
        return state
    facts = set(state.facts)
    facts.add((f"{RELATION}{var},{args[0]},{args[1]})", "zero" if negated else "nonzero"))
    known = next((v for k, v in state.facts if k == pair), None)
    if known is not None:
        facts.add((var, _flip(known) if negated else known))
    return State(state.held, state.released, frozenset(facts))


def related(facts, name: str, value: str) -> list[tuple[str, str]]:
    """What learning ``name`` is ``value`` teaches through the relation
    facts of ``facts``."""
    out = []
    for f, pol in facts:
        if not f.startswith(RELATION):
            continue
        parts = _parts(f)
        if parts is None:
            continue
        v, a, b = parts
        pair = f"{_EQ}{a},{b})"
        learnt = value if pol == "nonzero" else _flip(value)
        if name == v:
            out.append((pair, learnt))
        elif name == pair:
            out.append((v, learnt))
    return out


def case_names(label) -> tuple[str, ...]:
    """The operand forms a case label's constant takes in a pair fact."""
    names = []
    if label.value is not None:
        names.append(label.value)
    if label.number is not None:
        names.append(f"#{label.number}")
    return tuple(names)


def switch_pair(facts, var: str, label) -> str | None:
    """What the state of ``facts`` knows of ``var == label``: ``nonzero``,
    ``zero`` or None."""
    for const in case_names(label):
        for pair in (f"{_EQ}{var},{const})", f"{_EQ}{const},{var})"):
            for k, v in facts:
                if k == pair:
                    return v
    return None


def case_pair(facts, var: str, label) -> str | None:
    """The pair fact of ``var == label`` some relation of ``facts`` names
    (learnt by a state entering the case), None without one."""
    for const in case_names(label):
        for f, _ in facts:
            if f.startswith(RELATION):
                parts = _parts(f)
                if parts is not None and parts[1:] in ((var, const), (const, var)):
                    return f"{_EQ}{parts[1]},{parts[2]})"
    return None


def case_entered(state, var: str | None, label, labels, learn):
    """``state`` entering the switch on ``var`` at ``label`` (one of
    ``labels``, the switch's non-default labels): None where the pair facts
    it knows say it cannot (``var != C`` known at ``case C:``, ``var == D``
    known at another label), else the state, knowing ``var == C`` where a
    relation names that pair (``learn``: ``branchfacts.learn``)."""
    if var is None or label.default or not state.facts:
        return state
    if switch_pair(state.facts, var, label) == "zero":
        return None
    if any(other is not label and
           switch_pair(state.facts, var, other) == "nonzero" for other in labels):
        return None
    pair = case_pair(state.facts, var, label)
    if pair is None:
        return state
    return learn(state, pair, "nonzero")


def compare_held(ex, var: str, value) -> str | None:
    """For a learnable local given an equality of learnt operands
    (``need_lock = (cmd->cmd != KVM_PV_ASYNC_CLEANUP_PERFORM)``), the
    ``ir.Assign`` value relating it to that pair fact; None otherwise.
    ``ex`` is the extractor (``conditions.ConditionExtraction``)."""
    if value.__class__ is not c_ast.BinaryOp or value.op not in ("==", "!=") or not ex.learnable(var):
        return None
    (left, _), (right, _) = ex._compared(value.left), ex._compared(value.right)
    if left is None or right is None or all(k.startswith(("#", "id:")) for k in (left, right)):
        return None
    if any(k.startswith("id:-") or k in ex.addressed for k in (left, right)):
        return None
    name, negated = pair_name(value.op, left, right)
    return relation_value(name, negated)

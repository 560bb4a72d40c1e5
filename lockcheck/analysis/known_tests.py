"""Tested calls of one variable known on every path to a call, for
``analysis.known_args``: after ``if (!rcu_rdp_is_offloaded(rdp) && ..)``
the branch knows ``rcu_segcblist_is_offloaded(&rdp->cblist)`` (the
predicate unfolded, analysis.pred_keys) is false, and a call given ``rdp``
there passes that on: ``(0, "zero:()rcu_segcblist_is_offloaded(&$->cblist)")``
in ``Call.known_args``, an entry fact of the callee that tests it
(``pred_keys.entry_tests``).

A fact is ``("t" + kind, variable)`` in the walker's state: a write of the
variable drops it as it drops the variable's other facts.  What the call
returns may change behind the function's back (it reads memory): a loop
that calls the predicate again (a polling loop) knows nothing of it at its
head, as ``analysis.branchfacts`` forgets such facts each round.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.ast_walk import walk_nodes
from lockcheck.analysis.known_exprs import int_constant
from lockcheck.analysis.pred_keys import MAX_UNFOLD, key_var, template, test_kind, unfold, var_operand

__all__ = ["tested_call", "known_tests", "polled"]


def _key(node: c_ast.FuncCall, learnable, predicates, constant=None, integers=None) -> str | None:
    """The call's key as ``conditions.call_key`` makes it, for operands
    that are learnable variables, fields through one and constants
    (``constant``: a constant's operand form, ``#N`` or ``id:NAME``; without
    it integer literals only)."""
    if node.name.__class__ is not c_ast.ID:
        return None
    parts = []
    for a in node.args.exprs if node.args is not None else ():
        if a.__class__ is c_ast.ID and learnable(a.name):
            parts.append(a.name)
            continue
        if constant is not None:
            op = constant(a)
        else:
            value = int_constant(a) if a.__class__ is c_ast.Constant else None
            op = f"#{value}" if value is not None else None
        op = op if op is not None else var_operand(a, learnable)
        if op is None:
            return None
        parts.append(op)
    return unfold(node.name.name, parts, predicates, integers)


def tested_call(node: c_ast.FuncCall, state, learnable, predicates, constant=None, integers=None):
    """The states where the tested call ``node`` is true and false (a
    stored test of the same call, ``analysis.store_tests``, replaced)."""
    key = _key(node, learnable, predicates, constant, integers)
    var = key_var(key) if key is not None else None
    if var is None or not learnable(var):
        return state, state
    tmpl = "()" + template(key, var)
    stale = [f for f in state if f[1] == var and f[0][:1] == "s" and f[0].partition(":")[2] == tmpl]
    if stale:
        state = state.difference(stale)
    return (state | {("t" + test_kind("nonzero", tmpl), var)},
            state | {("t" + test_kind("zero", tmpl), var)})


def known_tests(pos: int, arg, state) -> list[tuple[int, str]]:
    """What ``state`` knows of tests of ``arg`` (a plain variable)."""
    while arg.__class__ is c_ast.Cast:
        arg = arg.expr
    if arg.__class__ is not c_ast.ID:
        return []
    return sorted({(pos, f[0][1:]) for f in state if f[0][:1] in "ts" and f[1] == arg.name})


def _name(name: str, predicates) -> str:
    for _ in range(MAX_UNFOLD):
        alias = predicates.get(name) if predicates else None
        if alias is None:
            break
        name = alias[0]
    return name


def polled(head, parts, predicates):
    """The loop's head state less the tests of calls the loop makes again."""
    if not any(f[0][:1] in "ts" for f in head):
        return head
    called = {_name(n.name.name, predicates) for part in parts if part is not None
              for n in walk_nodes(part) if n.__class__ is c_ast.FuncCall and n.name.__class__ is c_ast.ID}
    return frozenset(f for f in head if f[0][:1] not in "ts" or _callee(f[0]) not in called)


def _callee(kind: str) -> str:
    """``f`` of ``tnonzero:()f(&$->x)``."""
    k = kind.index(":()") + 3
    return kind[k:kind.index("(", k)]

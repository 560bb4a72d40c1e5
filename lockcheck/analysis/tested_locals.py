"""Locals that hold a tested call's result: ``bool need_watch =
!rbd_is_ro(rbd_dev); ... if (need_watch) rbd_unregister_watch(rbd_dev);``
tests the call ``rbd_is_ro(rbd_dev)`` (its key, ``analysis.conditions``),
not an unknown value.

The initialiser ``T v = f(..)`` or ``T v = !f(..)`` of a learnable local
the function tests (``ConditionExtraction.tested``) and never assigns
again, ``f(..)`` a call with a key (its operands learnable variables,
fields through one or constants) of a *test*: a predicate
(``frontend.predicates``: it reaches no lock, what it returns is all it
does) or a test the model's stores decide (``[[store_tests]]``:
``test_bit``, ``list_empty``), is extracted as ``if (f(..)) v = 1; else v
= 0;`` (negated: the other way round).  The walk then knows ``v`` where
it knows the call's fact: an entry fact a caller gave
(``analysis.known_args``, ``analysis.store_tests``) decides it at once,
and the states split at the declaration instead of at ``v``'s first test
(the same states, earlier).  A call of any other function keeps its
value (``ret = f(..)``: the callee's returns may differ in what they
hold), and a local assigned again holds no one test's result.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.ast_walk import walk_nodes, written_names

__all__ = ["tested_inits", "tested_local"]


def tested_inits(body, tested: frozenset[str]) -> frozenset[int]:
    """``id`` of the initialisers of the locals ``tested`` that no
    assignment, step or ``&`` of ``body`` writes again (declared once)."""
    if not tested:
        return frozenset()
    decls = [n for n in walk_nodes(body) if n.__class__ is c_ast.Decl and n.name in tested]
    if not decls:
        return frozenset()
    written = written_names(body)
    count: dict[str, int] = {}
    for d in decls:
        count[d.name] = count.get(d.name, 0) + 1
    return frozenset(id(d.init) for d in decls if d.init is not None and count[d.name] == 1 and d.name not in written)


def _call(value):
    """The call of ``value`` (``f(..)``, ``!f(..)``, casts) and whether it is negated."""
    negated = False
    while True:
        if value.__class__ is c_ast.Cast:
            value = value.expr
        elif value.__class__ is c_ast.UnaryOp and value.op == "!":
            negated, value = not negated, value.expr
        else:
            break
    return (value, negated) if value.__class__ is c_ast.FuncCall else (None, negated)


def tested_local(ex, var: str, value) -> ir.If | None:
    """For ``var = [!]f(..)`` (``ex``: the extractor), the IR branch that
    sets ``var`` by the call's test; None where it is no such assignment."""
    if id(value) not in ex.tested_inits or not ex.learnable(var):
        return None
    call, negated = _call(value)
    if call is None or call.name.__class__ is not c_ast.ID:
        return None
    name = call.name.name
    if name not in (getattr(ex.env.index, "predicates", None) or ()) and name not in ex.store_tested \
            or ex.catalogue.get(name) is not None or name in ex.env.params or ex.call_key(call) is None:
        return None
    cond = ex.cond(call)    # a tested call (or what conditions make of it: a constant, a static key)
    yes, no = ir.Block((ir.Assign(var, "nonzero"),)), ir.Block((ir.Assign(var, "zero"),))
    return ir.If(cond, no, yes) if negated else ir.If(cond, yes, no)

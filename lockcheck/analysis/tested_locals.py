"""Locals that hold a tested call's result: ``bool need_watch =
!rbd_is_ro(rbd_dev); ... if (need_watch) rbd_unregister_watch(rbd_dev);``
tests the call ``rbd_is_ro(rbd_dev)`` (its key, ``analysis.conditions``),
not an unknown value.

The assignment ``v = f(..)`` or ``v = !f(..)`` of a learnable local the
function tests (``ConditionExtraction.tested``), ``f(..)`` a call with a
key (its operands learnable variables, fields through one or constants;
no lock primitive, no call through a pointer), is extracted as ``if
(f(..)) v = 1; else v = 0;`` (negated: the other way round).  The walk
then knows ``v`` where it knows the call's fact: an entry fact a caller
gave (``analysis.known_args``, ``analysis.store_tests``) decides it at
once, and the states split at the assignment instead of at ``v``'s first
test (the same states, earlier).
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir

__all__ = ["tested_local"]


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
    if var not in ex.tested or not ex.learnable(var):
        return None
    call, negated = _call(value)
    if call is None or call.name.__class__ is not c_ast.ID:
        return None
    name = call.name.name
    if ex.catalogue.get(name) is not None or name in ex.transparent or name in ex.env.params \
            or ex.flows.is_pointer_variable(name) or ex.call_key(call) is None:
        return None
    cond = ex.cond(call)    # a tested call (or what conditions make of it: a constant, a static key)
    yes, no = ir.Block((ir.Assign(var, "nonzero"),)), ir.Block((ir.Assign(var, "zero"),))
    return ir.If(cond, no, yes) if negated else ir.If(cond, yes, no)

"""Which calls of a function body may run before a given one.

A fact a caller carries into a callee through an object it hands on
(``analysis.held_facts``) is lost when another call handed the same object
may write the field first.  ``check(b)`` does ``if (!wait(..)) {
timeout(b); return -ETIMEDOUT; } process(b);``: ``timeout()`` writes
``b->cmd``, but on no path before ``process(b)`` runs, so what the caller
knows of ``b->cmd`` still holds when ``process()`` tests it.

A call may run before another when it comes first in the body's order
(statements, then the branches of an ``if`` in their written order: a
superset of the paths) and is not in a block that ends in a ``return``
the other is not in (that path never reaches it; a block that a
``break``, ``continue`` or a ``case`` label may leave or enter otherwise
does not count), or when both are in one
loop (the next round runs it first).  A body with a label may jump back
anywhere: there every other call may run first.
"""

from __future__ import annotations

from lockcheck.analysis.ir import Block, CaseLabel, Call, Jump, Label, Loop, Return
from lockcheck.analysis.irwalk import _child_fields, ir_nodes

__all__ = ["calls_before", "forget_orders"]

_ORDERS: dict[int, tuple] = {}


def calls_before(body, call: Call) -> frozenset[int] | None:
    """The ``id``s of the calls of ``body`` that may run before ``call``
    (itself excluded); None when any call may (a label in the body, or
    ``call`` not found in it)."""
    order = _order(body)
    if order is None:
        return None
    calls, where = order
    found = where.get(id(call))
    if found is None:
        return None
    index, loops, ends = found
    out = set()
    for k, (other, other_loops, other_ends) in enumerate(calls):
        if other is call:
            continue
        if k < index and other_ends <= ends or loops & other_loops:
            out.add(id(other))
    return frozenset(out)


def forget_orders() -> None:
    """Calls are resolved (``Program.resolved``): the body kept last goes
    (the walk never asks; it stayed alive to the end of the scan)."""
    _ORDERS.clear()


def _returns(item) -> bool:
    """Does the statement leave the function (a ``return``, a call that
    does not return)?"""
    return type(item) is Return or type(item) is Jump and item.kind == "noreturn"


def _escapes(block: Block) -> bool:
    """May a path leave ``block`` other than by its end's return: a
    ``break``, ``continue`` or ``goto`` in it, or a ``case`` label (a
    switch body whose earlier cases break out)?"""
    return any(type(n) is CaseLabel or type(n) is Jump and n.kind != "noreturn" for n in ir_nodes(block))


def _order(body):
    """(calls in the body's order with the loops and the returning blocks
    around each, id(call) -> (its index, its loops, its returning blocks)),
    or None for a body with a label; kept per body (the last one asked: a
    caller's calls are asked about in turn)."""
    cached = _ORDERS.get(0)
    if cached is not None and cached[0] is body:
        return cached[1]
    calls: list[tuple[Call, frozenset[int], frozenset[int]]] = []
    where: dict[int, tuple[int, frozenset[int], frozenset[int]]] = {}
    result = (calls, where)
    stack = [(body, frozenset(), frozenset())]
    while stack:
        node, loops, ends = stack.pop()
        t = type(node)
        if t is tuple:
            stack.extend((n, loops, ends) for n in reversed(node))
            continue
        if t is Label:
            result = None
            break
        if t is Call:
            where[id(node)] = (len(calls), loops, ends)
            calls.append((node, loops, ends))
            continue
        if t is Loop:
            loops = loops | {id(node)}
        elif t is Block and node.items and _returns(node.items[-1]) and not _escapes(node):
            ends = ends | {id(node)}
        children = [getattr(node, name) for name in _child_fields(t)]
        stack.extend((c, loops, ends) for c in reversed(children) if c is not None)
    _ORDERS.clear()
    _ORDERS[0] = (body, result)
    return result

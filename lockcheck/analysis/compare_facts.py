"""Comparisons as facts of their operands (``analysis.conditions``).

One name for an order comparison and its negation.  ``a >= b`` is ``!(a
< b)``, ``a > b`` is ``b < a`` and ``a <= b`` is ``!(b < a)``: the pair
fact ``()<(a,b)`` (``analysis.branchfacts``) that a loop's exit learns of
``while (++cnt < max_retries)`` then decides ``if (cnt >= max_retries)``
after it.  Kernel integers and pointers are totally ordered; the same two
operands have the same types (and conversions) in both tests.

A comparison of a variable that a prefix ``++``/``--`` changes first
(``++cnt < max_retries``, ``!--refs``) tests the variable's new value: the
change is evaluated (the variable's facts and the pair facts naming it are
dropped, as by any write of it) and then the comparison of the variable
itself is learnt, the way ``(p = f())`` is evaluated, then tested.  A
postfix ``cnt++ < max`` compares the old value, which no name holds
afterwards: it stays opaque.

Together, a loop ``do { lock(); if (done) break; unlock(); } while
(++cnt < max_retries);`` leaves by its end knowing ``cnt >= max_retries``
and by a ``break`` knowing only what held at the top of that round: on a
later round the test that brought it there (``cnt < max_retries``, cnt
not written since), on the first round of a ``do``/``while`` what held
before the loop.  A ``break`` on the first round with ``max_retries``
unknown may still leave with ``cnt >= max_retries`` (``max_retries`` may
be 0), so that path is kept.
"""

from __future__ import annotations

from pycparser import c_ast

__all__ = ["pair_name", "prefix_stepped"]

#: operator -> (operands swapped, negated) to say it with ``<``
_ORDER = {"<": (False, False), ">": (True, False), ">=": (False, True), "<=": (True, True)}

_STEPS = ("++", "--")


def pair_name(op: str, left: str, right: str) -> tuple[str, bool]:
    """The pair fact's name for ``left op right`` and whether the
    comparison is that fact's negation (``!=`` of ``==``, ``>=`` of
    ``<``)."""
    if op == "!=":
        return f"()==({left},{right})", True
    order = _ORDER.get(op)
    if order is None:
        return f"(){op}({left},{right})", False
    swapped, negated = order
    if swapped:
        left, right = right, left
    return f"()<({left},{right})", negated


def _stepped(node) -> bool:
    return node.__class__ is c_ast.UnaryOp and node.op in _STEPS and \
        node.expr.__class__ in (c_ast.ID, c_ast.StructRef)


def prefix_stepped(node) -> tuple[object, object] | None:
    """For a test of a variable or field that a prefix ``++``/``--``
    changes first (alone, or an operand of the comparison ``node``): the
    change, and the test of the variable itself; None otherwise."""
    if _stepped(node):
        return node, node.expr
    if node.__class__ is not c_ast.BinaryOp:
        return None
    if _stepped(node.left):
        return node.left, c_ast.BinaryOp(node.op, node.left.expr, node.right, node.coord)
    if _stepped(node.right):
        return node.right, c_ast.BinaryOp(node.op, node.left, node.right.expr, node.coord)
    return None

"""Lower bounds of integer arguments, for the callee's order tests.

``dib9000_mbx_read()`` reads its mailbox register with
``dib9000_read16_attr(state, 1029 + mc_base, ..)``, ``mc_base`` a ``u8``;
the callee goes to the firmware path (which takes the mailbox lock again)
only ``if (fw_is_running && reg < 1024)``.  The argument is no constant,
but it is at least 1029, which decides that test.

An argument that is a sum (``+``) of integer constants and of terms of an
unsigned integer type (``C + u``, ``u + C``, ``C + u + D``; a term cast to
an unsigned type counts as one) is at least the sum of its constants: the
call's known argument ``(position, ">=N")`` (``Call.known_args``, where N,
that sum, is positive and at least one term is not constant).

Assumption: the sum does not wrap, neither in its own type nor in the
parameter's.  An unsigned ``int`` term near ``UINT_MAX``, or a bound past
the parameter type's range (``70000 + u`` into a ``u16``), would break it;
register numbers, offsets and counts stay far from those ends, as for the
``x + 1`` of ``analysis.known_args`` (at least 1).

The bound decides the callee's pair tests of the parameter
(``entry_facts.test_outcome``, ``const_params.entry_outcomes`` down the
calls handing it on) where every value from N up gives the same outcome:
``p < K`` false and ``p >= K`` true for ``K <= N``; ``p > K`` true for
``K < N``; ``p == K`` false for ``K < N``; a test against a symbol whose
value is not known, and ``&``, stay undecided.
"""

from __future__ import annotations

import operator

from pycparser import c_ast

__all__ = ["BOUND", "bound_args", "bound_of", "bounded_outcome", "lower_bound"]

#: Prefix of a bound in ``Call.known_args`` and among the constants a call passes.
BOUND = ">="

_ORDER = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


def _terms(node, out: list) -> None:
    if node.__class__ is c_ast.BinaryOp and node.op == "+":
        _terms(node.left, out)
        _terms(node.right, out)
    else:
        out.append(node)


def lower_bound(node, constant, unsigned) -> int | None:
    """The least value of ``node``, a sum of constants (``constant(term)``:
    its integer value or None) and unsigned terms (``unsigned(term)``),
    where that is positive and the sum is not all constants; else None."""
    if node.__class__ is not c_ast.BinaryOp or node.op != "+":
        return None
    terms: list = []
    _terms(node, terms)
    total, variable = 0, False
    for term in terms:
        value = constant(term)
        if value is not None:
            if value < 0:
                return None
            total += value
        elif unsigned(term):
            variable = True
        else:
            return None
    return total if variable and total > 0 else None


def bound_args(args, constant, unsigned) -> tuple[tuple[int, str], ...]:
    """``(position, ">=N")`` of the arguments with a lower bound."""
    out = []
    for pos, a in enumerate(args):
        if a.__class__ is c_ast.BinaryOp and a.op == "+":
            low = lower_bound(a, constant, unsigned)
            if low is not None:
                out.append((pos, f"{BOUND}{low}"))
    return tuple(out)


def bound_of(kind: str) -> int | None:
    """N of a known argument ``>=N``; None for another kind."""
    if kind[:2] != BOUND:
        return None
    try:
        return int(kind[2:])
    except ValueError:
        return None


def bounded_outcome(low: int, tested: str, op: str, flipped: bool) -> str | None:
    """The outcome (``nonzero``/``zero``) of the pair test ``p op K`` (``K
    op p`` when ``flipped``) for every ``p >= low``, or None when values
    from ``low`` up do not all give the same one."""
    if tested[:1] != "#":
        return None
    try:
        k = int(tested[1:])
    except ValueError:
        return None
    if op == "==":
        return "zero" if k < low else None
    test = _ORDER.get(op)
    if test is None:
        return None
    # an order test of p against K changes its outcome at most once as p
    # grows: the same outcome at low and past both ends is the outcome throughout
    outcomes = {test(k, p) if flipped else test(p, k) for p in (low, max(low, k) + 1)}
    return ("nonzero" if outcomes.pop() else "zero") if len(outcomes) == 1 else None

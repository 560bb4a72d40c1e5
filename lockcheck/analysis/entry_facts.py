"""Entry facts of a specialised callee: which constants a call passes into
the parameters the callee tests (``analysis.summaries`` clones a callee per
distinct set, ``Program._specialise``).

A parameter tested for zero-ness (``if (locked)``) learns ``zero`` or
``nonzero``; a parameter compared with a constant (``locknum == -1``,
``state != FBINFO_STATE_RUNNING``, a *pair* fact ``()==(p,C)`` of
``analysis.conditions``) learns whether the constant passed is that one.
Integers (``#N``) decide both ways; a symbol (``id:NAME``: an enumerator or
a macro whose value the file does not give) decides only when it is the
same symbol — two names may stand for one value.
"""

from __future__ import annotations

__all__ = ["entry_facts", "pair_param"]


def pair_param(name: str, params) -> tuple[str, str] | None:
    """``()==(p,#N)`` or ``()==(p,id:NAME)`` (a test of parameter p against
    a constant, see analysis.conditions; also ``()&(flags,#4)``,
    ``()<(n,#8)``): (p, the constant)."""
    test = _pair_test(name, params)
    return None if test is None else test[:2]


def _pair_test(name: str, params) -> tuple[str, str, str, bool] | None:
    """(p, the constant, the operator, whether p is its right operand)."""
    if not name.startswith("()"):
        return None
    k = name.find("(", 2)
    op = name[2:k]
    if k < 0 or op not in _TESTS or not name.endswith(")"):
        return None
    a, _, b = name[k + 1:-1].partition(",")
    if a in params and _constant(b):
        return a, b, op, False
    if b in params and _constant(a):
        return b, a, op, True
    return None


_TESTS = {"==": int.__eq__, "&": lambda x, y: x & y != 0, "<": int.__lt__, ">": int.__gt__,
          "<=": int.__le__, ">=": int.__ge__}


def _constant(operand: str) -> bool:
    return operand.startswith(("#", "id:"))


def _same(passed: str, tested: str, op: str = "==", flipped: bool = False) -> str | None:
    """Does the test hold of the constant passed: ``nonzero`` (yes), ``zero``
    (no) or None (cannot tell).  Two integers decide any test; a symbol
    only ``==`` of the same symbol."""
    if passed.startswith("#") and tested.startswith("#"):
        try:
            x, y = int(passed[1:]), int(tested[1:])
        except ValueError:
            return None
        if flipped:
            x, y = y, x
        return "nonzero" if _TESTS[op](x, y) else "zero"
    if passed == tested and op == "==":
        return "nonzero"
    return None


def entry_facts(params: tuple[str, ...], tested: tuple[str, ...], const_args, forwarded_params,
                caller_params: tuple[str, ...], caller_facts: dict[str, str]) -> dict[str, str]:
    """Constants a call passes into parameters the callee tests: its own
    constant arguments, and its caller's entry facts for the parameters it
    forwards."""
    facts = {}
    exact = {}
    for pos, value in const_args:
        if pos < len(params):
            exact[params[pos]] = "#0" if value == "zero" else value
            if value.startswith("#"):
                value = "nonzero"
            if params[pos] in tested:
                facts[params[pos]] = value
    for name in tested:
        pair = _pair_test(name, params)
        if pair is not None and pair[0] in exact and _constant(exact[pair[0]]):
            same = _same(exact[pair[0]], pair[1], pair[2], pair[3])
            if same is not None:
                facts[name] = same
    for pos, param in forwarded_params:
        if pos < len(params) and params[pos] in tested and param < len(caller_params):
            value = caller_facts.get(caller_params[param])
            if value is not None:
                facts[params[pos]] = value
    return facts

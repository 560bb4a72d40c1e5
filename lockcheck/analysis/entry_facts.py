"""Entry facts of a specialised callee: which constants a call passes into
the parameters the callee tests (``analysis.summaries`` clones a callee per
distinct set, ``Program._specialise``).

A parameter tested for zero-ness (``if (locked)``) learns ``zero`` or
``nonzero``; a parameter compared with a constant (``locknum == -1``,
``state != FBINFO_STATE_RUNNING``, a *pair* fact ``()==(p,C)`` of
``analysis.conditions``) learns whether the constant passed is that one.
Integers (``#N``) decide both ways; a symbol (``id:NAME``: an enumerator or
a macro whose value the file does not give) decides only when it is the
same symbol — two names may stand for one value.  A lower bound a call
knows of an argument (``>=N``, ``analysis.arg_bounds``) decides the order
tests every value from N up decides alike.
"""

from __future__ import annotations

from lockcheck.analysis.arg_bounds import bound_of, bounded_outcome

__all__ = ["entry_facts", "pair_param", "pair_test", "passed_constants", "test_outcome"]


def pair_param(name: str, params) -> tuple[str, str] | None:
    """``()==(p,#N)`` or ``()==(p,id:NAME)`` (a test of parameter p against
    a constant, see analysis.conditions; also ``()&(flags,#4)``,
    ``()<(n,#8)``): (p, the constant)."""
    test = pair_test(name, params)
    return None if test is None else test[:2]


def pair_test(name: str, params) -> tuple[str, str, str, bool] | None:
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
    only ``==`` of the same symbol, and ``&`` of zero with anything; a
    lower bound (``>=N``) the order tests all its values decide alike."""
    low = bound_of(passed)
    if low is not None:
        return bounded_outcome(low, tested, op, flipped)
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
    if op == "&" and "#0" in (passed, tested):
        return "zero"
    return None


def test_outcome(passed: list[str], tested: str, op: str, flipped: bool) -> str | None:
    """The test's outcome when every constant that may be passed gives the
    same one; a symbol passed (first, with its value after it) decides
    alone when it can (``==`` of itself), else its value does."""
    if passed[0].startswith("id:"):
        same = _same(passed[0], tested, op, flipped)
        if same is not None or len(passed) == 1:
            return same
        passed = passed[1:]
    outcomes = {_same(p, tested, op, flipped) for p in passed}
    return outcomes.pop() if len(outcomes) == 1 else None


def passed_constants(const_args, const_values, known_args=()) -> dict[int, list[str]]:
    """Position -> the constants a call passes there (``#N``, ``id:NAME``
    followed by its value, or for a local holding only constants each of
    its values), as :func:`test_outcome` reads them; where none, the
    lower bound ``>=N`` of ``known_args`` (``analysis.arg_bounds``)."""
    passed: dict[int, list[str]] = {}
    for pos, value in const_args:
        passed[pos] = ["#0" if value == "zero" else value]
    for pos, number in const_values:
        passed.setdefault(pos, []).append(f"#{number}")
    for pos, kind in known_args:
        if pos not in passed and bound_of(kind) is not None:
            passed[pos] = [kind]
    return passed


def entry_facts(params: tuple[str, ...], tested: tuple[str, ...], const_args, forwarded_params,
                caller_params: tuple[str, ...], caller_facts: dict[str, str], const_values=(),
                held=(), known_args=()) -> dict[str, str]:
    """Constants a call passes into parameters the callee tests: its own
    constant arguments, with ``const_values`` the integers a symbol passed
    stands for (``ICE_VF_RESET_NOTIFY`` against ``flags & ICE_VF_RESET_LOCK``)
    or those a local holding only constants may pass (a position repeated:
    a test is decided when all of them decide it alike), and its caller's
    entry facts for the parameters it forwards (zero decides ``&``);
    ``held``: (``io->in_bh``, value) for the fields of the objects passed
    the call gives known (``analysis.held_facts``), kept where the callee
    tests the field or hands its parameter on; ``known_args``: the call's
    (``Call.known_args``), of which the lower bounds (``>=N``) decide
    order tests of a parameter given no constant."""
    facts = {}
    passed: dict[str, list[str]] = {}
    for name, value in held:
        passed[name] = ["#0" if value == "zero" else value]
        root = name[:min(k for k in (name.find("->"), name.find("."), len(name)) if k > 0)]
        if name in tested or root in tested:
            facts[name] = "nonzero" if value.startswith("#") else value
    operands = tuple(params) + tuple(name for name, _ in held) if held else params
    for pos, value in const_args:
        if pos < len(params):
            passed[params[pos]] = ["#0" if value == "zero" else value]
            if value.startswith("#"):
                value = "nonzero"
            if params[pos] in tested:
                facts[params[pos]] = value
    numbers: dict[str, list[str]] = {}
    for pos, number in const_values:
        if pos < len(params):
            numbers.setdefault(params[pos], []).append(f"#{number}")
    for param, values in numbers.items():
        passed[param] = passed.get(param, []) + values   # the symbol first: == of itself
        zero = {v == "#0" for v in values}
        if param in tested and len(zero) == 1 and not facts.get(param, "").startswith("id:"):
            facts[param] = "zero" if zero.pop() else "nonzero"
    for pos, param in forwarded_params:
        if pos < len(params) and param < len(caller_params):
            value = caller_facts.get(caller_params[param])
            if value is not None and params[pos] in tested:
                facts[params[pos]] = value
            if value == "zero":
                passed.setdefault(params[pos], ["#0"])
    for pos, kind in known_args:
        if pos < len(params) and params[pos] not in passed and bound_of(kind) is not None:
            passed[params[pos]] = [kind]
    for name in tested:
        pair = pair_test(name, operands)
        if pair is not None and pair[0] in passed:
            same = test_outcome(passed[pair[0]], pair[1], pair[2], pair[3])
            if same is not None:
                facts[name] = same
    return facts

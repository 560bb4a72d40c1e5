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
    a constant, see analysis.conditions): (p, the constant)."""
    if not name.startswith("()==("):
        return None
    a, _, b = name[5:-1].partition(",")
    if a in params and _constant(b):
        return a, b
    if b in params and _constant(a):
        return b, a
    return None


def _constant(operand: str) -> bool:
    return operand.startswith(("#", "id:"))


def _same(passed: str, tested: str) -> str | None:
    """Is the constant passed the one tested: ``nonzero`` (yes), ``zero``
    (no) or None (cannot tell)."""
    if passed == tested:
        return "nonzero"
    if passed.startswith("#") and tested.startswith("#"):
        return "zero"
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
        pair = pair_param(name, params)
        if pair is not None and pair[0] in exact and _constant(exact[pair[0]]):
            same = _same(exact[pair[0]], pair[1])
            if same is not None:
                facts[name] = same
    for pos, param in forwarded_params:
        if pos < len(params) and params[pos] in tested and param < len(caller_params):
            value = caller_facts.get(caller_params[param])
            if value is not None:
                facts[params[pos]] = value
    return facts

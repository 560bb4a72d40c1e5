"""lockcheck.frontend.macro_types: a function-like macro whose body is a
cast types its calls (the tree index's return types)."""

from __future__ import annotations

from lockcheck.frontend.conditionals import MacroDef
from lockcheck.frontend.macro_types import cast_macro_types
from lockcheck.frontend.typefacts import TypeRef


def _types(body: str, typedefs=frozenset(), known=frozenset()):
    return cast_macro_types([MacroDef("m", ("s",), body, 1)], typedefs, known).get("m")


def test_dereferenced_cast_is_one_pointer_less():
    assert _types("(*(const struct tmr_ops **)(s)->private_data)") == TypeRef("struct tmr_ops", 1)


def test_plain_cast_and_typedef_name():
    assert _types("((struct foo *)(s)->priv)") == TypeRef("struct foo", 1)
    assert _types("((foo_t *)s)", typedefs={"foo_t"}) == TypeRef("foo_t", 1)


def test_not_a_cast_of_an_expression():
    assert _types("(s)") is None
    assert _types("foo(s)") is None
    assert _types("((struct foo *) )") is None
    assert _types("(*(int *)s)") is None             # no struct to call through
    assert _types("((unknown_t *)s)") is None        # not a type name


def test_a_function_of_that_name_wins_and_first_definition_wins():
    assert _types("((struct foo *)s)", known={"m"}) is None
    defs = [MacroDef("m", ("s",), "((struct a *)s)", 1), MacroDef("m", ("s",), "((struct b *)s)", 2)]
    assert cast_macro_types(defs, frozenset(), frozenset())["m"] == TypeRef("struct a", 1)
    assert cast_macro_types([MacroDef("m", None, "((struct a *)x)", 1)], frozenset(), frozenset()) == {}

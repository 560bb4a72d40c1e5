"""analysis.param_effects: effects told apart by a parameter's field, and
the split of a caller that knows neither value."""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.facts import Effect, Held, State
from lockcheck.analysis.param_effects import param_effects, split_effects
from lockcheck.analysis.releases import meet_exits


def _held(key: str) -> Held:
    return Held(key, ir.LockRef(key), "exclusive", (), 0)


MUTEX, SPIN = "f:struct grp:mutex", "f:struct grp:lock"


def _exits(field: str = "s->pcm->nonatomic") -> list:
    return [(State((_held(MUTEX),), frozenset(), frozenset({(field, "nonzero")})), "all"),
            (State((_held(SPIN),), frozenset(), frozenset({(field, "zero")})), "all")]


def test_a_field_read_through_a_parameter_tells_the_returns_apart():
    exits = _exits()
    found = param_effects(exits, ("s",), frozenset(), meet_exits(exits), meet_exits)
    assert [h.key for h in found[(0, "nonzero:$->pcm->nonatomic")].held] == [MUTEX]
    assert [h.key for h in found[(0, "zero:$->pcm->nonatomic")].held] == [SPIN]


def test_a_field_the_function_writes_tells_nothing_apart():
    # ``x->nonatomic = ..`` anywhere in the function: the returns' value is its own
    exits = _exits()
    assert param_effects(exits, ("s",), frozenset({"x->nonatomic"}), meet_exits(exits), meet_exits) == {}
    # a plain local named like the field with a letter in front is no write of it
    assert param_effects(exits, ("s",), frozenset({"knonatomic"}), meet_exits(exits), meet_exits)


def _call(*arg_vars) -> ir.Call:
    return ir.Call(1, "lock_helper", arg_vars=tuple(arg_vars))


def test_a_caller_splits_only_where_it_also_unlocks_by_that_value():
    exits = _exits()
    effects = param_effects(exits, ("s",), frozenset(), meet_exits(exits), meet_exits)
    call = _call((0, "sub"))
    never = lambda name: False       # noqa: E731
    split = split_effects(call, effects, Effect(), frozenset({"sub->pcm->nonatomic"}), never)
    assert [(f, v, [h.key for h in e.held]) for f, v, e in split] == \
        [("sub->pcm->nonatomic", "nonzero", [MUTEX]), ("sub->pcm->nonatomic", "zero", [SPIN])]
    assert split_effects(call, effects, Effect(), frozenset(), never) == []


def test_a_release_decided_by_the_callers_own_parameter_splits():
    released = {(1, "nonzero"): Effect((), frozenset({MUTEX}))}
    call = _call((1, "delalloc"))
    assert [v for _, v, _ in split_effects(call, released, Effect(), frozenset(), lambda n: n == "delalloc")] == \
        ["nonzero", "zero"]
    assert split_effects(call, released, Effect(), frozenset(), lambda n: False) == []

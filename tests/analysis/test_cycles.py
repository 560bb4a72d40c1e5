"""lockdep's strong-path rule and deterministic cycle enumeration."""

from types import SimpleNamespace

from lockcheck.analysis.cycles import find_cycles, is_strong


def rec(*kinds):
    return SimpleNamespace(kinds={k: None for k in kinds})


def test_recursive_read_entered_then_held_shared_is_not_a_deadlock():
    # X -(ER)-> R -(SN)-> X : R is entered by a recursive read and left held shared
    assert is_strong([[("E", "R")], [("S", "N")]]) is None


def test_rwsem_reader_cycle_is_a_deadlock():
    # readers of an rwsem are not recursive: -(EN)-> then -(SN)->
    assert is_strong([[("E", "N")], [("S", "N")]]) == (("E", "N"), ("S", "N"))


def test_a_strong_choice_is_found_among_several_kinds():
    assert is_strong([[("E", "R"), ("E", "N")], [("S", "N")]]) == (("E", "N"), ("S", "N"))


def test_cycles_rotated_deduplicated_sorted():
    edges = {("b", "a"): rec(("E", "N")), ("a", "b"): rec(("E", "N")),
             ("b", "c"): rec(("E", "N")), ("c", "a"): rec(("E", "N"))}
    cycles = find_cycles(edges, 6)
    assert [c.locks for c in cycles] == [("a", "b"), ("a", "b", "c")]


def test_length_bound_is_respected():
    edges = {("a", "b"): rec(("E", "N")), ("b", "c"): rec(("E", "N")), ("c", "a"): rec(("E", "N"))}
    assert find_cycles(edges, 2) == []

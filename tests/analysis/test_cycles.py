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


def test_one_shortest_cycle_per_edge_even_where_enumeration_explodes():
    # a complete graph on 30 classes has billions of elementary cycles of
    # length <= 6; lockdep (and this search) reports the shortest through
    # each edge: here every pair's 2-cycle
    n = 30
    edges = {(f"l{i:02}", f"l{j:02}"): rec(("E", "N")) for i in range(n) for j in range(n) if i != j}
    cycles = find_cycles(edges, 6)
    assert len(cycles) == n * (n - 1) // 2
    assert all(len(c.locks) == 2 for c in cycles)


def test_the_shortest_strong_path_is_found_behind_a_weak_one():
    # a -(ER)-> b -(SN)-> a is not a deadlock; a -> b -> c -> a is
    edges = {("a", "b"): rec(("E", "R")), ("b", "a"): rec(("S", "N")),
             ("b", "c"): rec(("E", "N")), ("c", "a"): rec(("E", "N"))}
    assert [(c.locks, c.kinds) for c in find_cycles(edges, 6)] == \
        [(("a", "b", "c"), (("E", "R"), ("E", "N"), ("E", "N")))]


def test_one_search_per_start_state_answers_like_one_search_per_edge():
    """find_cycles shares a breadth-first search among the edges into one
    lock; on random graphs with mixed kinds every edge must get exactly the
    path its own search finds."""
    import random
    from lockcheck.analysis import cycles
    kinds_pool = [("E", "N"), ("S", "N"), ("E", "R"), ("S", "R")]
    for seed in range(40):
        rnd = random.Random(seed)
        n = rnd.randint(3, 12)
        locks = [f"l{i}" for i in range(n)]
        edges = {}
        for a in locks:
            for b in locks:
                if a != b and rnd.random() < 0.35:
                    edges[(a, b)] = SimpleNamespace(kinds=dict.fromkeys(rnd.sample(kinds_pool, rnd.randint(1, 3))))
        succ = {a: tuple((b, tuple(sorted(edges[(a, b)].kinds))) for b in sorted(b for (x, b) in edges if x == a))
                for a in locks}
        pred = {b: frozenset(a for (a, x) in edges if x == b) for b in locks}
        steps = cycles._state_steps(succ)
        for max_edges in (2, 5):
            searches: dict = {"pred": pred}
            for (u, v), rec in sorted(edges.items()):
                for first in sorted(rec.kinds):
                    alone = cycles._path_back(v, u, first, steps, max_edges)
                    shared = cycles._path_back_shared(v, u, first, steps, max_edges, searches)
                    assert shared == alone, (seed, u, v, first)


def test_state_steps_are_every_edge_kind_but_the_forbidden_turn():
    """The precomputed steps of a search state: from a lock entered by a
    recursive read, no edge whose holder is shared (``*R`` then ``S*``);
    otherwise every edge kind, in successor then kind order."""
    from lockcheck.analysis import cycles
    succ = {"a": (("b", (("E", "N"), ("S", "R"))), ("c", (("S", "N"),))), "b": (), "c": ()}
    steps = cycles._state_steps(succ)
    assert steps[("a", False)] == ((("b", False), ("E", "N")), (("b", True), ("S", "R")),
                                   (("c", False), ("S", "N")))
    assert steps[("a", True)] == ((("b", False), ("E", "N")),)
    assert steps[("b", False)] == steps[("b", True)] == ()

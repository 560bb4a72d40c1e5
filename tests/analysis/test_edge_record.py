"""EdgeRecord keeps a bounded number of per-function witnesses without
changing which ones a report shows."""

import random

from lockcheck.analysis.facts import EdgeWitness, RawEdge, Step
from lockcheck.analysis.ir import LockRef
from lockcheck.analysis.summaries import OTHER_WITNESSES, EdgeRecord

A, B = LockRef("g:a"), LockRef("g:b")


def _edge(function: str, depth: int, kind=("E", "N")) -> RawEdge:
    held = (Step("f.c", 1, function, "mutex_lock"),)
    acquire = tuple(Step("f.c", 2 + k, f"{function}_{k}", "call") for k in range(depth)) + \
        (Step("g.c", 9, "g", "mutex_lock"),)
    return RawEdge(A, B, kind[0], kind[1], EdgeWitness(held, acquire))


def _alternatives_without_pruning(edges):
    """What the record would show had it kept every function's best."""
    best_per_function = {}
    for e in edges:
        fk = ("f.c", e.witness.held[0].function)
        old = best_per_function.get(fk)
        if old is None or e.witness.cost() < old.cost():
            best_per_function[fk] = e.witness
    ranked = sorted(best_per_function.values(), key=EdgeWitness.cost)
    return ranked[0], ranked[1:OTHER_WITNESSES + 1]


def test_pruned_record_shows_the_same_witnesses_as_keeping_all():
    rng = random.Random(7)
    edges = [_edge(f"fn{n:03d}", rng.randrange(1, 9)) for n in range(300)]
    edges += [_edge(f"fn{n:03d}", rng.randrange(0, 4)) for n in rng.sample(range(300), 120)]
    rng.shuffle(edges)
    rec = EdgeRecord("g:a", "g:b")
    for e in edges:
        rec.add(e)
    best, others = _alternatives_without_pruning(edges)
    assert rec.best() == best
    assert rec.alternatives() == others
    assert len(others) == OTHER_WITNESSES
    assert len(rec.by_function) <= 2 * (OTHER_WITNESSES + 1)


def test_a_dropped_function_can_come_back_cheaper():
    rec = EdgeRecord("g:a", "g:b")
    for n in range(40):
        rec.add(_edge(f"fn{n:03d}", 5))
    assert ("f.c", "late") not in rec.by_function
    rec.add(_edge("late", 9))           # dearer than every kept one
    rec.add(_edge("late", 0))           # now the cheapest of all
    assert rec.best().held[0].function == "late"
    assert all(w.held[0].function != "late" for w in rec.alternatives())

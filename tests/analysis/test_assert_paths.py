"""AssertPath: a not-held assertion's path orders, compares and pickles as
the flat chain it stands for, and a caller's path shares its callee's."""

import itertools
import pickle
import random

from lockcheck.analysis.assert_paths import AssertPath
from lockcheck.analysis.facts import Step


def _step(i: int) -> Step:
    return Step(f"f{i % 3}.c", i % 5, f"fn{i % 4}", "call")


def _chains():
    rng = random.Random(7)
    return [tuple(_step(rng.randrange(40)) for _ in range(rng.randrange(1, 5))) for _ in range(60)]


def test_paths_order_as_their_flat_chains():
    chains = _chains()
    paths = [AssertPath.of(c) for c in chains]
    for (a, pa), (b, pb) in itertools.product(zip(chains, paths), repeat=2):
        assert (pa < pb) == ((len(a), a) < (len(b), b))
        assert (pa == pb) == (a == b)
        assert pa.steps() == a and len(pa) == len(a)


def test_a_callers_path_shares_its_callees():
    callee = AssertPath.of((_step(1), _step(2)))
    caller = AssertPath(_step(3), callee)
    assert caller.rest is callee
    assert caller.steps() == (_step(3), _step(1), _step(2))


def test_a_path_deeper_than_the_recursion_limit_compares_and_pickles():
    deep = None
    for i in range(5000):
        deep = AssertPath(_step(i), deep)
    other = AssertPath.of(deep.steps())
    assert deep == other and not deep < other
    back = pickle.loads(pickle.dumps(deep))
    assert back == deep and back.steps() == deep.steps()

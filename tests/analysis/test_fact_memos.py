"""The memoised fact updates (analysis.branchfacts ``_after_write``,
``_learn``) give what the plain computation gives, on a hit as on a miss,
and a hit with nothing dropped keeps the very state."""

from lockcheck.analysis import branchfacts as bf
from lockcheck.analysis.facts import State


def _plain_write(facts, var):
    field = bf.last_field(var)
    return facts.difference([f for f in facts if bf._written(f[0], var, field)])


FACTS = frozenset({("ret", "zero"), ("p->lock", "nonzero"), ("()f(p)", "nonzero"), ("q", "zero"),
                   ("()=(x,hdr->fn)", "nonzero"), ("hdr->fn", "id:A")})


def test_write_memo_matches_the_plain_drop():
    bf._AFTER_WRITE.clear()
    for var in ("ret", "p", "q", "x", "hdr", "other", "s->lock", "fn"):
        for _ in range(2):   # a miss, then a hit
            assert bf._after_write(FACTS, var) == _plain_write(FACTS, var)
            assert bf.set_fact(State((), frozenset(), FACTS), var, "zero").facts == \
                _plain_write(FACTS, var) | {(var, "zero")}


def test_write_dropping_nothing_keeps_the_state():
    s = State((), frozenset(), FACTS)
    bf._AFTER_WRITE.clear()
    for _ in range(2):
        assert bf.set_fact(s, "unrelated", None) is s


def test_learn_memo_matches_and_copies_learn_too():
    s = State((), frozenset(), FACTS)
    bf._LEARNT.clear()
    first = bf._learn(s, "x", "nonzero")
    again = bf._learn(State((), frozenset({"k"}), frozenset(FACTS)), "x", "nonzero")
    assert first.facts == again.facts == bf._learnt(s, "x", "nonzero")
    assert ("hdr->fn", "nonzero") in first.facts and ("x", "nonzero") in first.facts
    assert again.released == frozenset({"k"})


def test_memos_stay_bounded(monkeypatch):
    monkeypatch.setattr(bf, "MEMO_BOUND", 3)
    bf._AFTER_WRITE.clear()
    for k in range(10):
        bf._after_write(FACTS, f"v{k}")
    assert len(bf._AFTER_WRITE) <= 3


def test_the_per_variable_answers_survive_the_set_memo():
    """What a write drops is also remembered per (variable, fact name)
    (``_WRITES``): with the set memo emptied, those answers still give
    the plain drop, for fact sets never seen together."""
    bf._AFTER_WRITE.clear()
    bf._WRITES.clear()
    for var in ("ret", "p", "hdr", "x"):
        bf._after_write(FACTS, var)
    bf._AFTER_WRITE.clear()
    for var in ("ret", "p", "hdr", "x"):
        for facts in (FACTS, frozenset(list(FACTS)[:3]) | {("p->next", "zero"), ("x", "id:B")}):
            assert bf._after_write(facts, var) == _plain_write(facts, var)


def test_the_per_variable_answers_stay_bounded(monkeypatch):
    monkeypatch.setattr(bf, "WRITES_BOUND", 5)
    bf._AFTER_WRITE.clear()
    bf._WRITES.clear()
    bf._WRITES_SIZE[0] = 0
    for k in range(10):
        assert bf._after_write(FACTS, f"v{k}") is FACTS
    assert sum(len(told) for told in bf._WRITES.values()) < 5 + len(FACTS)


def test_learning_without_copies_or_relations_is_learning_one_name():
    """A state with no copy or relation fact learns of ``var`` alone (the
    short way); a copy fact of other names changes nothing about ``var``."""
    plain = frozenset({("ret", "zero"), ("p->lock", "nonzero"), ("()f(p)", "nonzero")})
    with_copy = plain | {("()=(y,z)", "nonzero")}
    bf._LEARNT.clear()
    for var, value in (("ret", "nonzero"), ("q", "zero"), ("()f(p)", "zero")):
        short = bf._learnt(State((), frozenset(), plain), var, value)
        long = bf._learnt(State((), frozenset(), with_copy), var, value)
        assert short == long - {("()=(y,z)", "nonzero")}
        assert (var, value) in short and not any(n == var and v != value for n, v in short)
    assert bf._learnt(State((), frozenset(), frozenset()), "x", "zero") == frozenset({("x", "zero")})

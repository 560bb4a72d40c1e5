"""The two walks per ``*p`` flag value (analysis.deref_flags) are made only
for the positions some call gives ``&local`` or a forwarded parameter at
(``flag_positions``): elsewhere no caller reads what they find."""

from __future__ import annotations

import lockcheck.analysis.summaries as summaries
from lockcheck.api import check
from lockcheck.options import Options

SOURCE = r"""
struct dev { spinlock_t lock; int state; };

static void drop_if_locked(struct dev *d, int *locked)
{
	if (*locked) {
		spin_unlock(&d->lock);
		*locked = 0;
	}
}

static void drop_unused(struct dev *d, int *locked)
{
	if (*locked) {
		spin_unlock(&d->lock);
		*locked = 0;
	}
}

static void pass_on(struct dev *d, int *locked)
{
	drop_if_locked(d, locked);
}

void user(struct dev *d)
{
	int locked = 1;

	spin_lock(&d->lock);
	pass_on(d, &locked);
	if (!locked)
		spin_lock(&d->lock);
	spin_unlock(&d->lock);
}

void other(struct dev *d)
{
	spin_lock(&d->lock);
	drop_unused(d, &d->state);
}
"""


def test_only_positions_given_a_flag_are_walked_per_value(monkeypatch, tmp_path):
    walked: dict[str, list] = {}
    real = summaries.deref_summary

    def spy(fn, walk, *rest):
        def counted(facts):
            walked.setdefault(fn.name, []).append(tuple(facts.items()))
            return walk(facts)
        return real(fn, counted, *rest)
    monkeypatch.setattr(summaries, "deref_summary", spy)
    path = tmp_path / "flags.c"
    path.write_text(SOURCE)
    result = check(Options(paths=(str(path),), cache_dir=None))
    # &locked reaches pass_on() and, forwarded, drop_if_locked(): both walked
    # once per value of *locked; drop_unused() is only given a field's address
    assert walked.get("drop_if_locked") == [(("locked->*", "zero"),), (("locked->*", "nonzero"),)]
    assert walked.get("pass_on") == [(("locked->*", "zero"),), (("locked->*", "nonzero"),)]
    assert "drop_unused" not in walked
    # the caller still follows the flag: the lock retaken only when dropped
    assert not [f for f in result.findings if f.kind == "recursive"]


def test_flag_positions_of_the_calls():
    from lockcheck.analysis.deref_flags import flag_positions
    from lockcheck.analysis.ir import Call

    by_addr = Call(callee="f", line=1, addr_args=((1, "locked"),))
    forwarded = Call(callee="g", line=2, forwarded_params=((2, 0),))
    plain = Call(callee="h", line=3)
    calls = {"a": ((by_addr, forwarded, plain), (("f",), ("g", "f"), ("h",)))}
    assert flag_positions(calls) == {"f": frozenset({1, 2}), "g": frozenset({2})}


def test_equal_position_sets_are_one_object():
    """The whole tree has half a million functions with flag positions and
    a few hundred distinct sets: equal ones are shared."""
    from types import SimpleNamespace

    from lockcheck.analysis.deref_flags import flag_positions

    def call(addr=(), forwarded=()):
        return SimpleNamespace(addr_args=addr, forwarded_params=forwarded)
    calls = {"a": ((call(addr=((1, "x"),)), call(forwarded=((0, 0),))), (("f", "g"), ("h",))),
             "b": ((call(addr=((1, "y"),)),), (("h", "k"),))}
    given = flag_positions(calls)
    assert given == {"f": {1}, "g": {1}, "h": {0, 1}, "k": {1}}
    assert given["f"] is given["g"] is given["k"]


def test_side_walks_make_only_what_is_read_and_change_no_finding(monkeypatch):
    """A side walk is ``effects_only``: it makes none of what only its
    summary would keep (interrupt states, assertions, parameter edges,
    returned values).  Every finding and witness of the fixtures that flag
    a lock through ``*p`` is the same as with full side walks."""
    import io

    from lockcheck.analysis.flow import FunctionFlow
    from lockcheck.report import json_report
    from tests.test_fixtures import FIXTURES

    paths = tuple(str(FIXTURES / d) for d in ("flow", "held"))

    def document():
        out = io.StringIO()
        json_report.render(check(Options(paths=paths, cache_dir=None)), out)
        return out.getvalue()

    fast = document()
    asked = []
    monkeypatch.setattr(FunctionFlow, "effects_only", property(lambda self: False,
                                                               lambda self, value: asked.append(value)))
    full = document()
    assert asked and all(asked)    # side walks were made, every one asked for effects only
    assert fast == full

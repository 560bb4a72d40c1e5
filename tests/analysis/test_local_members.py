"""analysis.local_members: which flag names are members of the function's
own struct variables (learnt as locals, not re-tested each loop round)."""

from __future__ import annotations

from lockcheck.analysis.local_members import local_member

LOCALS = {"r", "res", "locked"}


def _learnable(name: str) -> bool:
    return name in LOCALS


def test_member_of_a_local_struct():
    assert local_member("r.found_memslot", _learnable, frozenset())
    assert local_member("res.sub.found", _learnable, frozenset())


def test_not_a_member():
    assert not local_member("locked", _learnable, frozenset())      # a plain local: learnable already


def test_through_a_pointer_or_of_a_non_local():
    assert not local_member("r.p->found", _learnable, frozenset())
    assert not local_member("r->found", _learnable, frozenset())
    assert not local_member("g.found", _learnable, frozenset())     # a global struct


def test_address_taken_on_the_way():
    assert not local_member("res.sub.found", _learnable, frozenset({"res.sub"}))
    assert not local_member("res.sub.found", _learnable, frozenset({"res.sub.found"}))
    assert local_member("res.other", _learnable, frozenset({"res.sub"}))

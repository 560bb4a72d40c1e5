"""The IR crosses process boundaries and the cache as pickles
(lockcheck/analysis/ir.py, ``_Compact``): it must come back equal, and
files unpickled one by one must share their repeated names and value
nodes instead of each holding copies (the whole tree's IR did not fit)."""

from __future__ import annotations

import pickle
import sys

from lockcheck.analysis.ir import Block, Call, FunctionIR, LockRef, forget_loaded_tuples, forget_shared
from lockcheck.analysis.irwalk import ir_nodes
from lockcheck.driver import run_frontend
from lockcheck.options import Options
from tests.test_fixtures import FIXTURES


def fixture_irs(path) -> list[FunctionIR]:
    run = run_frontend(Options(paths=(str(path),), cache_dir=None), extract=True)
    return [fn for f in run.files for fn in f.irs]


def test_round_trip_is_equal_for_every_fixture_function():
    irs = fixture_irs(FIXTURES / "minikvm")
    assert len(irs) > 20
    back = pickle.loads(pickle.dumps(irs, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == irs
    assert [hash(fn.body) for fn in back] == [hash(fn.body) for fn in irs]


def test_separately_unpickled_copies_share_names_and_lock_refs():
    forget_shared()
    ref = LockRef("f:struct kvm:slots_lock", "slots_lock", "struct kvm")
    call = Call(12, "".join(["mutex_", "lock"]), (ref,))
    a = pickle.loads(pickle.dumps(call))
    b = pickle.loads(pickle.dumps(call))
    assert a == b == call and a is not b          # calls carry lines: never shared
    assert a.args[0] is b.args[0]                 # the lock reference is one object
    assert a.callee is b.callee                   # one string for the name


def test_separately_unpickled_equal_tuple_fields_are_one_tuple_of_interned_strings():
    forget_shared()
    call = Call(7, "f", (None, None), forwarded_params=((0, 1), (1, 0)),
                const_args=((2, "".join(["id:", "FLAG"])),), field=("struct ops", "".join(["op", "en"])))
    fn = FunctionIR("g", "a.c", 1, False, ("dev", "".join(["fl", "ags"])), Block((call,)))
    a, b = (pickle.loads(pickle.dumps(fn)) for _ in range(2))
    assert a == b == fn
    ca, cb = a.body.items[0], b.body.items[0]
    assert ca is not cb                                     # calls are keyed by identity: never shared
    for name in ("args", "forwarded_params", "const_args", "field"):
        assert getattr(ca, name) is getattr(cb, name), name
    assert a.params is b.params and a.params[1] is "flags"  # noqa: F632 (identity is the point)
    assert ca.const_args[0][1] is sys.intern("id:FLAG") and ca.field[1] is sys.intern("open")
    forget_loaded_tuples()                                  # after loading: equal, no longer shared
    c = pickle.loads(pickle.dumps(fn))
    assert c == fn and c.params is not a.params


def test_empty_blocks_are_shared_and_full_ones_are_not():
    forget_shared()
    empty = [pickle.loads(pickle.dumps(Block())) for _ in range(2)]
    assert empty[0] is empty[1]
    full = Block((Call(3, "f"),))
    copies = [pickle.loads(pickle.dumps(full)) for _ in range(2)]
    assert copies[0] == copies[1] and copies[0] is not copies[1]


def test_ir_nodes_hold_no_instance_dict():
    irs = fixture_irs(FIXTURES / "abba_helper.c")
    checked = 0
    for fn in irs:
        for n in ir_nodes(fn):
            extra = [a for a in n.args if a is not None] if isinstance(n, Call) else []
            for node in [n, *extra]:
                assert not hasattr(node, "__dict__"), type(node).__name__
                checked += 1
    assert checked > 20


def test_every_ir_class_unpickles_through_its_own_restorer():
    """Each IR class pickles as (its generated restorer, its fields): a class
    added without one would fail to pickle, and a restorer must rebuild
    every field (defaults included) as the constructor would."""
    from lockcheck.analysis import ir
    slotted = {c for c in ir._Compact.__subclasses__() if "__slots__" in c.__dict__ and c.__slots__}
    assert slotted == set(ir._RESTORERS)
    for cls in slotted:
        restore = ir._RESTORERS[cls]
        assert restore.__qualname__ == f"_restore_{cls.__name__}"
        assert getattr(ir, restore.__qualname__) is restore          # pickle finds it by name
    for node in (Call(7, "f", (None, LockRef("p:0")), ("struct a", "op"), "r", ((1, "g"),), 2, ((0, 1),),
                      ((1, "zero"),), "static_call"),
                 Block((Call(1, "g"),), True), Block(), LockRef("g:x", "x", "", 2)):
        back = pickle.loads(pickle.dumps(node, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == node and type(back) is type(node)

"""analysis.copy_keys: the symbols and function-pointer bindings a copy's walk can read."""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.copy_keys import (called_positions, only_called, pointer_hops, reads_symbols, reads_values,
                                          symbol_positions, value_positions, without_unread_symbols,
                                          without_unread_values)


def _fn(params, *items, name="f"):
    return ir.FunctionIR(name, "a.c", 1, False, tuple(params), ir.Block(tuple(items)))


def _switch(var):
    return ir.Switch(ir.Block(()), ir.Block((ir.CaseLabel(value="id:REG_A"), ir.CaseLabel(default=True))), var)


def test_a_switch_on_a_parameter_or_its_copy_reads_it():
    assert reads_symbols(_fn(("map", "reg"), _switch("reg")))
    assert reads_symbols(_fn(("map", "reg"), ir.Assign("r", "=reg"), ir.Assign("s", "=r"), _switch("s")))
    assert not reads_symbols(_fn(("map", "reg"), ir.Assign("r", None), _switch("r")))
    assert not reads_symbols(_fn(("map", "reg"), _switch(None)))


def test_a_return_reads_only_a_parameter_or_its_copy():
    assert reads_symbols(_fn(("reg",), ir.Return(3, "var:reg")))
    assert reads_symbols(_fn(("reg",), ir.Assign("v", "=reg"), ir.Return(3, "var:v")))
    assert not reads_symbols(_fn(("reg",), ir.Assign("ret", None), ir.Return(3, "var:ret")))


def test_comparisons_and_relations_naming_a_parameter_read_it():
    assert reads_symbols(_fn(("map", "reg"), ir.If(ir.CondVar("()==(reg,id:REG_A)", "nonzero"),
                                                   ir.Block(()), ir.Block(()))))
    assert reads_symbols(_fn(("a", "b"), ir.Assign("same", "()==(a,b)")))
    assert not reads_symbols(_fn(("map", "reg"), ir.If(ir.CondVar("()==(val,id:REG_A)", "nonzero"),
                                                       ir.Block(()), ir.Block(()))))
    # a zero test cannot tell one enumerator from another
    assert not reads_symbols(_fn(("map", "reg"), ir.If(ir.CondVar("reg", "nonzero"), ir.Block(()), ir.Block(()))))


def test_positions_reach_the_callers_handing_the_parameter_on():
    reader = _fn(("dev", "ctl"), _switch("ctl"), name="ctl_apply")
    wrapper = _fn(("dev", "ctl"), name="ctl_write")
    other = _fn(("map", "reg"), name="reg_update")
    hops = [(("ctl_write", 1), ("ctl_apply", 1)), (("reg_update", 1), ("reg_raw", 1))]
    got = symbol_positions([("ctl_apply", reader), ("ctl_write", wrapper), ("reg_update", other)], hops)
    assert got == {"ctl_apply": (0, 1), "ctl_write": (1,)}


def test_unread_symbols_go_and_the_rest_stay():
    facts = {"reg": "id:REG_A", "err": "id:-EIO", "locked": "nonzero", "mode": "id:MODE_X", "p->f": "id:F"}
    params = ("reg", "err", "locked", "mode")
    assert without_unread_symbols(facts, params, (3,)) == {
        "err": "id:-EIO", "locked": "nonzero", "mode": "id:MODE_X", "p->f": "id:F"}
    assert without_unread_symbols(facts, params, (0, 3)) is facts


def test_called_positions_follow_the_parameter_handed_on():
    caller = _fn(("vcpu", "do_msr"), ir.Call(5, "__msr_io", forwarded_params=((1, 1),)), name="msr_io")
    inner = _fn(("vcpu", "do_msr"), ir.Call(9, None, via_param=1), name="__msr_io")
    store = _fn(("dev", "fn"), ir.Assign("dev->handler", None), name="set_handler")
    hops = [(("msr_io", 1), ("__msr_io", 1))]
    got = called_positions([("msr_io", caller), ("__msr_io", inner), ("set_handler", store)], hops)
    assert got == {"__msr_io": (1,), "msr_io": (1,)}


def test_only_called_keeps_the_called_positions():
    binding = {1: ["do_set_msr"], 3: []}
    assert only_called(binding, (1,)) == {1: ["do_set_msr"]}
    assert only_called(binding, (1, 3)) is binding
    assert only_called(binding, ()) == {}


def _copy_keys(monkeypatch, fixture: str, base: str) -> set[str]:
    """The keys the scan of ``fixture`` resolves calls of ``base`` to."""
    from lockcheck.analysis.program import Program
    from lockcheck.api import check
    from lockcheck.options import Options
    from tests.test_fixtures import FIXTURES

    keys: set[str] = set()
    specialise = Program._specialise

    def spy(self, target, call, caller, caller_key):
        out = specialise(self, target, call, caller, caller_key)
        if out.partition("<")[0].rpartition(":")[2] == base:
            keys.add(out.partition(":")[2] if ":" in out.partition("<")[0] else out)
        return out

    monkeypatch.setattr(Program, "_specialise", spy)
    check(Options(paths=(str(FIXTURES / "calls" / fixture),), cache_dir=None))
    return keys


def test_register_names_make_no_copies(monkeypatch):
    """calls/symbol_copies.c: twenty registers and two values of `locked`
    make two copies of reg_update(); the symbol ctl_apply() switches on
    keeps its copy down the chain."""
    assert _copy_keys(monkeypatch, "symbol_copies.c", "reg_update") == {
        "reg_update<;locked=zero>", "reg_update<;locked=nonzero>"}
    assert _copy_keys(monkeypatch, "symbol_copies.c", "ctl_apply") == {"ctl_apply", "ctl_apply<;ctl=id:CTL_RESET>"}


def test_stored_handlers_make_no_copies(monkeypatch):
    """calls/binding_copies.c: eighteen handlers handler_setup() only stores
    make no copy each; the callback run_with() calls is still bound."""
    assert _copy_keys(monkeypatch, "binding_copies.c", "handler_setup") == {
        "handler_setup<;locked=zero>", "handler_setup<;locked=nonzero>"}
    assert _copy_keys(monkeypatch, "binding_copies.c", "run_with") == {
        "run_with<1=>", "run_with<1=fixtures/calls/binding_copies.c:flush_cb>"}


def test_a_parameter_handed_through_a_pointer_reaches_its_targets():
    """``dev->ops->run(dev, ctl)``: the field's functions are the targets
    (the points-to solution, when it has one, narrows them)."""
    from types import SimpleNamespace

    call = ir.Call(4, None, field=("struct dev_ops", "run"), forwarded_params=((1, 1),))
    caller = _fn(("dev", "ctl"), call, name="dev_run")
    reader = _fn(("dev", "ctl"), _switch("ctl"), name="run_a")
    program = SimpleNamespace(by_key={"dev_run": caller, "a.c:run_a": reader}, bindings={}, units={},
                              fn_arrays={}, pointsto=None, globals={"run_a": "a.c:run_a"}, by_name={},
                              ops={("struct dev_ops", "run"): ["run_a"]})
    hops = pointer_hops(program)
    assert hops == [(("dev_run", 1), ("a.c:run_a", 1))]
    assert symbol_positions(program.by_key.items(), hops) == {"a.c:run_a": (0, 1), "dev_run": (1,)}
    program.ops = {}
    assert pointer_hops(program) == []


def test_values_read_by_tests_comparisons_returns_and_copies():
    test = ir.If(ir.CondVar("locked", "zero"), ir.Block(()), ir.Block(()))
    pair = ir.If(ir.CondVar("()==(ret,#1)", "nonzero"), ir.Block(()), ir.Block(()))
    fn = _fn(("map", "locked", "ret", "val", "out", "flags"), test, pair, ir.Assign("v", "=val"), _switch("v"),
             ir.Return(9, "var:out"))
    assert reads_values(fn) == {"locked", "ret", "val", "out"}


def test_value_positions_reach_callers_and_keep_counted_ones():
    reader = _fn(("dev", "locked"), ir.If(ir.CondVar("locked", "zero"), ir.Block(()), ir.Block(())), name="g")
    wrapper = _fn(("dev", "locked", "n"), name="f")
    hops = [(("f", 1), ("g", 1)), (("f", 0), ("g", 0))]
    assert value_positions([("g", reader), ("f", wrapper)], hops, {"f": (2,)}) == {"f": (1, 2), "g": (1,)}


def test_unread_values_go_and_fields_stay():
    facts = {"dev": "nonzero", "locked": "zero", "dev->flags": "nonzero", "()==(locked,#1)": "zero"}
    assert without_unread_values(facts, ("dev", "locked"), (1,)) == {
        "locked": "zero", "dev->flags": "nonzero", "()==(locked,#1)": "zero"}


def test_read_positions_are_the_three_positions_in_one_pass():
    """Program.copy_positions' one pass: symbols, values and calls through
    parameters, in the functions and handed on to them."""
    from lockcheck.analysis.copy_keys import read_positions
    reader = _fn(("dev", "locked", "reg"), ir.If(ir.CondVar("locked", "zero"), ir.Block(()), ir.Block(())),
                 _switch("reg"), name="g")
    caller = _fn(("dev", "cb", "locked", "reg"), ir.Call(5, None, via_param=1), name="f")
    plain = _fn((), name="h")
    blank = _fn(("",), name="k")
    functions = [("g", reader), ("f", caller), ("h", plain), ("k", blank)]
    hops = [(("f", 2), ("g", 1)), (("f", 3), ("g", 2)), (("f", 0), ("g", 0))]
    counted = {"k": (0,)}
    got = read_positions(functions, hops, counted)
    assert got == ({"f": (0, 2, 3), "g": (0, 1, 2)}, {"f": (2, 3), "g": (1, 2), "k": (0,)}, {"f": (1,)})

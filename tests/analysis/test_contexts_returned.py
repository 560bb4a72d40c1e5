"""contexts: a callback registered through what a function returns."""

from lockcheck.analysis import ir
from lockcheck.analysis.contexts import _Returned, _binding, _passed_through_locals


def fn(name, file, flows, static=True):
    return ir.FunctionIR(name, file, 1, static, (), ir.Block(()), flows=flows)


def test_registration_follows_what_a_call_returns():
    functions = [
        fn("pick", "a.c", (("RET", "G:h_new"), ("L:h", "G:h_old"), ("RET", "L:h"))),
        fn("install", "a.c", (("L:x", "R:pick"), ("A:request_irq:1", "L:x"))),
    ]
    returned = _Returned(_binding(functions, {}))
    got = _passed_through_locals(functions[1].flows, lambda name: returned("a.c", name))
    assert got == {"A:request_irq:1": ["h_new", "h_old"]}
    # without the returns followed, nothing is registered
    assert _passed_through_locals(functions[1].flows) == {"A:request_irq:1": []}


def test_returns_through_a_recursion_and_namesakes():
    functions = [
        # returns its own call's value or a handler: the recursion adds nothing more
        fn("pick", "a.c", (("RET", "R:pick"), ("RET", "R:inner"), ("RET", "G:h_a"))),
        fn("inner", "a.c", (("RET", "G:h_inner"),)),
        # a static namesake in another file is another function
        fn("pick", "b.c", (("RET", "G:h_b"),)),
    ]
    returned = _Returned(_binding(functions, {}))
    assert sorted(returned("a.c", "pick")) == ["h_a", "h_inner"]
    assert returned("b.c", "pick") == ("h_b",)
    assert returned("a.c", "unknown") == ()

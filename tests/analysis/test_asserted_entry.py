"""analysis.asserted_entry: a function whose main line requires hardirqs
off (an assertion, a call through a field called only in hardirq, a call
of such a function) before it could disable them itself is entered with
them off; a requirement under a test, or after a disable, says nothing."""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.asserted_entry import asserted_irqs_off

ASSERT = "lockdep_assert_irqs_disabled"
HANDLER = ("struct irqaction", "handler")
OFF = frozenset(("HARDIRQ", "SOFTIRQ"))
IRQ_OFF = ir.LockRef("g:irq:hardirqs_off", "irq:hardirqs_off")
SAVE = ir.Acquire(2, IRQ_OFF, "local_irq_save", "exclusive", "irq")
LOCK = ir.LockRef("g:l", "l")
DISABLES = {"spin_lock_irqsave": (IRQ_OFF,)}


def fn(name, *items, file="x.c"):
    return ir.FunctionIR(name, file, 1, False, (), ir.Block(tuple(items), scope=True))


def required(*functions):
    return asserted_irqs_off(list(functions), (ASSERT,), (HANDLER,), DISABLES)


def test_top_level_assertion_enters_with_hardirqs_and_softirqs_off():
    top = fn("starting", ir.Call(2, "per_cpu_ptr"), ir.Call(3, ASSERT))
    nested = fn("dying", ir.If(ir.CondVar("cpu", "nonzero"), ir.Block((ir.Call(2, ASSERT),)), ir.Block()))
    plain = fn("plain", ir.Call(2, "other"))
    assert required(top, nested, plain) == {"starting": OFF}


def test_no_assertion_names_no_entries():
    assert asserted_irqs_off([fn("starting", ir.Call(2, ASSERT))], ()) == {}


def test_a_main_line_call_of_a_requiring_function_requires_too():
    report = fn("report_cpu_starting", ir.Call(2, ASSERT))
    notify = fn("notify_cpu_starting", ir.Call(2, "per_cpu_ptr"), ir.Call(3, "report_cpu_starting"))
    boot = fn("start_secondary", ir.Call(2, "cpu_init"), ir.Call(3, "notify_cpu_starting"))
    tested = fn("maybe", ir.If(ir.CondVar("x", "nonzero"), ir.Block((ir.Call(2, "report_cpu_starting"),)),
                               ir.Block()))
    assert required(report, notify, boot, tested) == {
        "notify_cpu_starting": OFF, "report_cpu_starting": OFF, "start_secondary": OFF}


def test_after_disabling_hardirqs_itself_a_requirement_says_nothing_of_the_entry():
    report = fn("report", ir.Call(2, ASSERT))
    saved = fn("saved", SAVE, ir.Call(3, "report"))
    irqsave = fn("irqsave", ir.Acquire(2, LOCK, "spin_lock_irqsave", "exclusive", "spinlock"), ir.Call(3, ASSERT))
    plain_lock = fn("plain_lock", ir.Acquire(2, LOCK, "spin_lock", "exclusive", "spinlock"), ir.Call(3, ASSERT))
    nested_save = fn("nested_save", ir.If(ir.CondVar("x", "nonzero"), ir.Block((SAVE,)), ir.Block()),
                     ir.Call(3, ASSERT))
    assert required(report, saved, irqsave, plain_lock, nested_save) == {"plain_lock": OFF, "report": OFF}


def test_a_hardirq_field_call_in_a_main_line_loop_or_first_operand_requires():
    call = ir.Call(3, None, field=HANDLER)
    in_loop = fn("percpu", ir.Loop(ir.CondVar("action", "nonzero"), ir.Block((call,))))
    in_cond = fn("first_operand", ir.If(ir.CondOpaque(ir.Block((call,))), ir.Block(), ir.Block()))
    after_and = fn("second_operand", ir.If(ir.CondAnd(ir.CondVar("x", "nonzero"), ir.CondOpaque(ir.Block((call,)))),
                                            ir.Block(), ir.Block()))
    in_switch = fn("switched", ir.Switch(ir.Block(), ir.Block((call,))))
    other_field = fn("other", ir.Call(3, None, field=("struct irqaction", "thread_fn")))
    flow = fn("handle_untracked_irq", ir.Acquire(2, LOCK, "raw_spin_lock", "exclusive", "spinlock"),
              ir.If(ir.CondVar("x", "nonzero"), ir.Block((ir.Jump("goto", "out"),)), ir.Block()),
              ir.Call(4, "percpu"), ir.Label("out"))
    assert required(in_loop, in_cond, after_and, in_switch, other_field, flow) == {
        "first_operand": OFF, "handle_untracked_irq": OFF, "percpu": OFF}


def test_a_name_counts_only_when_every_definition_requires():
    a = fn("helper", ir.Call(2, ASSERT), file="a.c")
    b = fn("helper", ir.Call(2, "other"), file="b.c")
    caller = fn("caller", ir.Call(2, "helper"))
    assert required(a, b, caller) == {}
    b2 = fn("helper", ir.Call(2, ASSERT), file="b.c")
    twice = fn("twice", ir.Call(2, "helper"), ir.Call(3, "helper"))
    assert required(a, b2, caller, twice) == {"caller": OFF, "helper": OFF, "twice": OFF}


def test_a_callee_that_may_return_with_hardirqs_off_ends_the_main_line():
    restore = ir.Release(4, IRQ_OFF, "local_irq_restore")
    disable_exit = fn("local_irq_disable_exit_to_user", SAVE)
    unbalanced = fn("exit_work", ir.Call(2, "local_irq_disable_exit_to_user"))
    balanced = fn("balanced", SAVE, ir.Call(3, "other"), restore)
    prepare = fn("exit_to_user_mode_prepare", ir.Call(2, ASSERT))
    syscall_exit = fn("syscall_exit", ir.Call(2, "exit_work"), ir.Call(3, "exit_to_user_mode_prepare"))
    after_balanced = fn("after_balanced", ir.Call(2, "balanced"), ir.Call(3, "exit_to_user_mode_prepare"))
    # a requiring callee that also leaves them off is still a requirement
    both = fn("report_starting", ir.Call(2, ASSERT), SAVE)
    notify = fn("notify", ir.Call(2, "report_starting"), ir.Call(3, "exit_to_user_mode_prepare"))
    assert required(disable_exit, unbalanced, balanced, prepare, syscall_exit, after_balanced, both, notify) == {
        "after_balanced": OFF, "exit_to_user_mode_prepare": OFF, "notify": OFF, "report_starting": OFF}

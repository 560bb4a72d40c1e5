"""Guard classes a file defines itself become lock functions (frontend.guard_classes)."""

from __future__ import annotations

from lockcheck.frontend.guard_classes import lock_function
from lockcheck.frontend.pipeline import lex_file


def _functions(text: str, model) -> dict[str, str]:
    items = lex_file("t.h", text, guard_classes=model.guard_classes).items
    out = {}
    for item in items:
        if item.kind == "function":
            texts = [t.text for t in item.tokens]
            out[texts[texts.index("(") - 1]] = " ".join(texts)
    return out


def test_lock_guard_1_binds_object_and_members(model):
    src = ("DEFINE_LOCK_GUARD_1(rq_lock_irq, struct rq,\n"
           "\t\t    rq_lock_irq(_T->lock, &_T->rf),\n"
           "\t\t    rq_unlock_irq(_T->lock, &_T->rf),\n"
           "\t\t    struct rq_flags rf)\n"
           "static inline int after(void)\n{\n\treturn 0;\n}\n")
    fns = _functions(src, model)
    assert fns[lock_function("rq_lock_irq")] == (
        "static inline void __lc_guard_lock_rq_lock_irq ( struct rq * _T ) "
        "{ struct rq_flags rf ; rq_lock_irq ( _T , & rf ) ; }")
    assert "after" in fns       # the definition swallows nothing after it


def test_lock_guard_1_member_path_of_object(model):
    fns = _functions("DEFINE_LOCK_GUARD_1(my_irq, struct x, spin_lock_irq(&_T->lock->l),"
                     " spin_unlock_irq(&_T->lock->l))\n", model)
    assert fns[lock_function("my_irq")].endswith("( struct x * _T ) { spin_lock_irq ( & _T -> l ) ; }")


def test_guard_and_lock_guard_0(model):
    fns = _functions("DEFINE_GUARD(dev, struct device *, device_lock(_T), device_unlock(_T))\n"
                     "DEFINE_LOCK_GUARD_0(irq, local_irq_disable(), local_irq_enable())\n", model)
    assert fns[lock_function("dev")].endswith("( struct device * _T ) { device_lock ( _T ) ; }")
    assert fns[lock_function("irq")].endswith("( void ) { local_irq_disable ( ) ; }")


def test_without_shapes_nothing_is_added():
    items = lex_file("t.h", "DEFINE_GUARD(dev, struct device *, device_lock(_T), device_unlock(_T))\n").items
    assert [i.kind for i in items] == ["declaration"]


def test_lock_statement_assigning_a_member(model):
    # kernel/sched/sched.h's task_rq_lock: `_T->rq = ..` stores into a
    # member, the class's extra members are one argument with a `;`
    fns = _functions("DEFINE_LOCK_GUARD_1(task_rq_lock, struct task_struct,\n"
                     "\t_T->rq = task_rq_lock(_T->lock, &_T->rf),\n"
                     "\ttask_rq_unlock(_T->rq, _T->lock, &_T->rf),\n"
                     "\tstruct rq *rq; struct rq_flags rf)\n", model)
    assert fns[lock_function("task_rq_lock")] == (
        "static inline void __lc_guard_lock_task_rq_lock ( struct task_struct * _T ) "
        "{ struct rq * rq ; struct rq_flags rf ; rq = task_rq_lock ( _T , & rf ) ; }")

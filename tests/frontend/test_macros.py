"""Macros that hide locks or forward calls are expanded; others are not."""

from __future__ import annotations

from lockcheck.frontend.conditionals import MacroDef
from lockcheck.frontend.macros import MacroIndex, expand_macros

PRIMS = frozenset({"write_lock", "mutex_lock", "spin_lock"})


def _index(*defines: str) -> MacroIndex:
    defs = []
    for k, d in enumerate(defines):
        head, body = d.split(")", 1)
        name, _, params = head.partition("(")
        defs.append(MacroDef(name, tuple(p.strip() for p in params.split(",")), body.strip(), k))
    return MacroIndex(defs, PRIMS)


def _expand(fe, idx, src):
    return fe.text(expand_macros(fe.tokens(src), idx))


def test_forwarding_macro_is_expanded(fe):
    idx = _index("static_branch_inc(x) static_key_slow_inc(&(x)->key)")
    assert _expand(fe, idx, "static_branch_inc(&apic_hw_disabled);") == \
        "static_key_slow_inc ( & ( & apic_hw_disabled ) -> key ) ;"


def test_macro_naming_a_lock_primitive_is_expanded(fe):
    idx = _index("KVM_MMU_LOCK(kvm) write_lock(&(kvm)->mmu_lock)")
    assert _expand(fe, idx, "KVM_MMU_LOCK(kvm);") == "write_lock ( & ( kvm ) -> mmu_lock ) ;"


def test_transitive_lock_macro(fe):
    idx = _index("LOCK_A(x) LOCK_B(x, 1)", "LOCK_B(x, n) do { mutex_lock(&(x)->m); } while (0)")
    assert _expand(fe, idx, "LOCK_A(d);") == "do { mutex_lock ( & ( d ) -> m ) ; } while ( 0 ) ;"


def test_complex_macros_are_not_expanded(fe):
    idx = _index("min(a, b) __careful_cmp(min, a, b)",
                 "max(x, y) ({ typeof(x) _x = (x); typeof(y) _y = (y); _x > _y ? _x : _y; })",
                 "WARN_ONCE(c, fmt) ({ static bool w; if (c && !w) { w = true; pr_warn(fmt); } c; })")
    assert idx.expandable == frozenset()
    assert _expand(fe, idx, "x = min(a, b) + max(c, d);") == "x = min ( a , b ) + max ( c , d ) ;"


def test_forwarding_call_stored_in_a_parameter_is_expanded(fe):
    # sched's raw_spin_rq_lock_irqsave(rq, flags): the helper's effects
    # (interrupts off, the lock held at its return) reach the caller
    idx = _index("rq_lock_irqsave(rq, flags) do { flags = _rq_lock_irqsave(rq); } while (0)",
                 "rq_peek(rq, flags) ((flags) = rq_peek_flags(rq))",
                 "rq_stash(rq, flags) do { saved = _rq_lock_irqsave(rq); } while (0)",
                 "rq_field(rq, f) do { f->flags = _rq_lock_irqsave(rq); } while (0)",
                 "rq_twice(rq, f) do { f = _rq_lock_irqsave(rq); g(f); } while (0)")
    assert idx.expandable == frozenset({"rq_lock_irqsave", "rq_peek"})
    assert _expand(fe, idx, "rq_lock_irqsave(rq, rf->flags);") == \
        "do { rf -> flags = _rq_lock_irqsave ( rq ) ; } while ( 0 ) ;"
    assert _expand(fe, idx, "rq_peek(rq, f);") == "( ( f ) = rq_peek_flags ( rq ) ) ;"


def test_forwarding_call_after_a_compile_time_check_is_expanded(fe):
    # ALSA's snd_pcm_stream_lock_irqsave(s, flags): typecheck() first, then
    # the helper; the check goes, the forwarding stays.  A statement that
    # calls a function is no check.
    idx = _index("typecheck(type,x) ({ type __dummy; typeof(x) __dummy2; (void)(&__dummy == &__dummy2); 1; })",
                 "s_lock(s, flags) do { typecheck(unsigned long, flags); flags = _s_lock(s); } while (0)",
                 "s_logged(s, flags) do { log_it(s); flags = _s_lock(s); } while (0)",
                 "s_checked_call(s, flags) do { typecheck(unsigned long, f(flags)); flags = _s_lock(s); } while (0)")
    assert idx.expandable == frozenset({"s_lock"})
    assert _expand(fe, idx, "s_lock(ss, fl);") == "do { fl = _s_lock ( ss ) ; } while ( 0 ) ;"


def test_forwarding_to_an_unexpandable_macro_is_not_expanded(fe):
    idx = _index('drm_WARN_ON(d, x) drm_WARN(d, x, "%s", __stringify(x))',
                 'drm_WARN(d, c, f...) WARN(c, "%s " f, #d)')
    assert "drm_WARN_ON" not in idx.expandable


def test_lock_primitives_themselves_are_never_expanded(fe):
    idx = _index("mutex_lock(l) mutex_lock_nested(l, 0)")
    assert _expand(fe, idx, "mutex_lock(&m);") == "mutex_lock ( & m ) ;"


def test_member_calls_are_not_expanded(fe):
    idx = _index("KVM_MMU_LOCK(kvm) write_lock(&(kvm)->mmu_lock)")
    assert _expand(fe, idx, "ops->KVM_MMU_LOCK(k);") == "ops -> KVM_MMU_LOCK ( k ) ;"


def test_expansion_through_the_pipeline(fe, calls):
    src = ("#define static_branch_inc(x) static_key_slow_inc(&(x)->key)\n"
           "#define KVM_MMU_LOCK(kvm) write_lock(&(kvm)->mmu_lock)\n"
           "void f(struct kvm *kvm)\n{\n\tstatic_branch_inc(&apic_hw_disabled);\n"
           "\tKVM_MMU_LOCK(kvm);\n\tx = min(a, b);\n}\n")
    (fn,) = fe.parse(src)
    assert calls(fn.ast) == [("static_key_slow_inc", ["&(&apic_hw_disabled)->key"]),
                             ("write_lock", ["&kvm->mmu_lock"]),
                             ("min", ["a", "b"])]
    assert fn.ast.body.block_items[0].coord.line == 5


SLEEP = ("SLEEP_COND(wq, cond, lock_cmd, unlock_cmd) do { add_waiter(&wq); for (;;) { "
         "if (cond) break; unlock_cmd; io_sleep(); lock_cmd; } } while (0)")


def test_macro_running_a_lock_command_is_expanded(fe):
    idx = _index(SLEEP, "LOCK_IT(f) spin_lock(&l)")
    assert idx.commands == {"SLEEP_COND": frozenset({2, 3})}
    assert _expand(fe, idx, "SLEEP_COND(q, done, LOCK_IT(f), spin_unlock(&l));") == \
        ("do { add_waiter ( & q ) ; for ( ; ; ) { if ( done ) break ; spin_unlock ( & l ) ; io_sleep ( ) ; "
         "spin_lock ( & l ) ; } } while ( 0 ) ;")


def test_macro_running_other_commands_is_not_expanded(fe):
    idx = _index(SLEEP, "RUN(cmd, n) do { if (n) return; cmd; } while (0)")
    assert "RUN" not in idx.commands      # a return would leave the caller
    assert _expand(fe, idx, "SLEEP_COND(q, done, k(), m());") == \
        "SLEEP_COND ( q , done , k ( ) , m ( ) ) ;"


def test_a_parameter_used_as_a_value_is_no_command(fe):
    idx = _index("SET(x, v) do { (x) = v; } while (0)", "CALL(f) do { f(1); } while (0)")
    assert idx.commands == {}


def test_a_macro_that_is_several_arguments_keeps_the_positions_after_it(fe):
    idx = _index("NS(T, S) ({ int m = T##_MASK; m; }), ({ int v = (S); v; })",
                 "PAIR(a) (a, 1)", "STMT(a) f(a); g(a)")
    assert _expand(fe, idx, "conn_request_state(c, NS(conn, 3), CS_HARD);") == \
        "conn_request_state ( c , NS ( conn , 3 ) , __lc_spread_arg , CS_HARD ) ;"
    # not an argument, one expression in parentheses, a statement: as written
    assert _expand(fe, idx, "x = NS(conn, 3); f(PAIR(b), 2); h(STMT(a));") == \
        "x = NS ( conn , 3 ) ; f ( PAIR ( b ) , 2 ) ; h ( STMT ( a ) ) ;"

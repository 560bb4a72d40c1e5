"""One test (or a few) per normalisation pass: tokens in, tokens out."""

from __future__ import annotations

from lockcheck.frontend import normalize as norm


def test_pass_order_is_the_documented_one():
    assert norm.PASSES[0] is norm.drop_annotations
    assert norm.PASSES[-1] is norm.macro_arguments
    # iterators must be rewritten before arguments are, so their bodies are seen
    assert norm.PASSES.index(norm.statement_macros) < norm.PASSES.index(norm.macro_arguments)


def test_drop_annotations(fe):
    src = ("static __always_inline int __must_check f(void __user *p) "
           "__acquires(x) __attribute__((noinline)) { __label__ out; return __inline__ 0; }")
    assert fe.run(norm.drop_annotations, src) == \
        "static int f ( void * p ) { return inline 0 ; }"


def test_asm_statements(fe):
    assert fe.run(norm.asm_statements, 'asm volatile goto("jmp %l0" :::: l); x = 1;') == \
        "__lc_asm ( ) ; x = 1 ;"


def test_asm_label_after_declarator_is_dropped(fe):
    assert fe.run(norm.asm_statements, 'register void *r asm("r0") = p;') == \
        "register void * r = p ;"


def test_gnu_expressions(fe):
    assert fe.run(norm.gnu_expressions, "x = a ?: b;") == "x = a ? __lc_elvis : b ;"
    assert fe.run(norm.gnu_expressions, "case 1 ... 5: break;") == "case 1 : break ;"
    assert fe.run(norm.gnu_expressions, "typeof(*p) v = *p;") == "__lc_typeof_t v = * p ;"


def test_gnu_label_addresses(fe):
    assert fe.run(norm.gnu_expressions, "f(a, &&l); x = (unsigned long) &&here; y = a && b;") == \
        "f ( a , __lc_label_addr ) ; x = ( unsigned long ) __lc_label_addr ; y = a && b ;"
    assert fe.run(norm.gnu_expressions, "y = (a) && b;") == "y = ( a ) && b ;"


def test_pp_numbers(fe):
    assert fe.run(norm.pp_numbers, "F(1_1, 3DNOW, 0x1fULL, 1.5e3f, 077)") == \
        "F ( 0 , 0 , 0x1fULL , 1.5e3f , 077 )"


def test_string_glue(fe):
    assert fe.run(norm.string_glue, 'printk(KERN_INFO DRV_NAME ": x %" PRIx64 "\\n", v);') == \
        'printk ( ": x %" "\\n" , v ) ;'


def test_function_header_macros(fe):
    assert fe.run(norm.function_header_macros,
                  "SYSCALL_DEFINE2(kill, pid_t, pid, int, sig) { return 0; }") == \
        "long sys_kill ( pid_t pid , int sig ) { return 0 ; }"


def test_case_label_runs(fe):
    assert fe.run(norm.case_label_runs,
                  "switch (r) { case A: case B ? 1 : 2: case C: return true; default: break; }") == \
        "switch ( r ) { case C : return true ; default : break ; }"


def test_static_macro_declarations(fe):
    assert fe.run(norm.static_macro_declarations, "{ static DEFINE_MUTEX(m); x(); }") == \
        "{ DEFINE_MUTEX ( m ) ; x ( ) ; }"


def test_statement_macros_iterator_becomes_loop(fe):
    assert fe.run(norm.statement_macros,
                  "void f(void) { list_for_each_entry(p, h, n) { g(p); } }") == \
        "void f ( void ) { while ( list_for_each_entry ( p , h , n ) ) { g ( p ) ; } }"


def test_statement_macros_iterator_with_single_statement(fe):
    assert fe.run(norm.statement_macros,
                  "void f(void) { for_each_cpu(c, m) g(c); h(); }") == \
        "void f ( void ) { while ( for_each_cpu ( c , m ) ) g ( c ) ; h ( ) ; }"


def test_statement_macros_scoped_guard_is_a_scope(fe):
    assert fe.run(norm.statement_macros,
                  "void f(void) { scoped_guard(mutex, &m) g(); h(); }") == \
        "void f ( void ) { { __lc_scoped_guard ( mutex , & m ) ; g ( ) ; } h ( ) ; }"


def test_statement_macros_scoped_cond_guard(fe):
    assert fe.run(norm.statement_macros,
                  "int f(void) { scoped_cond_guard(mutex_intr, return -EINTR, &m) { g(); } }") == \
        ("int f ( void ) { { if ( ! __lc_scoped_cond_guard ( mutex_intr , & m ) ) "
         "{ return - EINTR ; } { g ( ) ; } } }")


def test_statement_macros_while_each_thread(fe):
    assert fe.run(norm.statement_macros,
                  "void f(void) { do { g(t); } while_each_thread(p, t); }") == \
        "void f ( void ) { do { g ( t ) ; } while ( while_each_thread ( p , t ) ) ; }"


def test_macro_arguments_type_names(fe):
    assert fe.run(norm.macro_arguments,
                  "void f(void) { p = container_of(x, struct kvm, m); y = min_t(u64, a, b); }",
                  {"u64"}) == \
        ("void f ( void ) { p = container_of ( x , sizeof ( struct kvm ) , m ) ; "
         "y = min_t ( sizeof ( u64 ) , a , b ) ; }")


def test_macro_arguments_statements_empty_and_asm_operands(fe):
    assert fe.run(norm.macro_arguments,
                  'void f(void) { WAIT(c, return -EINTR); rc = asm_safe("fx", , [fx] "+m" (s)); g(); }') == \
        'void f ( void ) { WAIT ( c , 0 ) ; rc = asm_safe ( "fx" , 0 , 0 ) ; g ( ) ; }'


def test_macro_arguments_leave_local_prototypes_alone(fe):
    assert fe.run(norm.macro_arguments, "void f(void) { extern void g(void); g(); }") == \
        "void f ( void ) { extern void g ( void ) ; g ( ) ; }"


def test_normalize_function_runs_every_pass(fe, model):
    toks = fe.tokens("static __init int f(void) { x = a ?: b; list_for_each(p, h) g(p); }")
    assert fe.text(norm.normalize_function(toks, model, frozenset())) == \
        "static int f ( void ) { x = a ? __lc_elvis : b ; while ( list_for_each ( p , h ) ) g ( p ) ; }"

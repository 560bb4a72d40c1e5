"""Top-level split: one item per function or declaration."""

from __future__ import annotations

from lockcheck.frontend.items import split_items
from lockcheck.frontend.lexer import tokenize


def _items(src):
    return [(i.kind, i.tokens[0].text, i.line) for i in split_items(tokenize(src))]


def test_functions_and_declarations():
    src = "static int x;\nstruct s { int a; };\nint f(void)\n{\n\treturn 0;\n}\nint g(int a) { return a; }\n"
    assert _items(src) == [("declaration", "static", 1), ("declaration", "struct", 2),
                           ("function", "int", 3), ("function", "int", 7)]


def test_file_scope_macro_call_without_semicolon_ends_an_item():
    src = ("DEFINE_LOCK_GUARD_1(foo, struct foo, foo_lock(_T->lock), foo_unlock(_T->lock))\n"
           "static void f(void)\n{\n}\n")
    assert _items(src) == [("declaration", "DEFINE_LOCK_GUARD_1", 1), ("function", "static", 2)]


def test_static_macro_call_defining_a_function_ends_an_item():
    # 3w-xxxx.c: `static DEF_SCSI_QCMD(tw_scsi_queue)` before the irq handler;
    # read as one item, the handler's header became K&R parameter declarations
    src = ("static DEF_SCSI_QCMD(tw_scsi_queue)\n\n"
           "static irqreturn_t tw_interrupt(int irq, void *dev_instance)\n{\n}\n")
    assert _items(src) == [("declaration", "static", 1), ("function", "static", 3)]
    src = "static DEFINE_SPINLOCK(l);\nstatic int f(void)\n{\n}\n"
    assert _items(src) == [("declaration", "static", 1), ("function", "static", 2)]


def test_function_header_macro_is_not_cut_off():
    src = "SYSCALL_DEFINE1(x, int, a)\n{\n\treturn a;\n}\n"
    assert _items(src) == [("function", "SYSCALL_DEFINE1", 1)]


def test_initialiser_of_macro_declared_variable_is_not_a_function():
    src = 'define_machine(ps3) {\n\t.name = "PS3",\n};\nvoid f(void) { }\n'
    assert [k for k, _, _ in _items(src)] == ["declaration", "function"]


def test_drop_undefined_removes_the_dead_lines_and_empty_items():
    from lockcheck.frontend.pipeline import drop_undefined, lex_file
    src = "#ifdef OLD_API\nint f(void) { return 0; }\n#endif\nint g(void)\n{\n#ifdef COMP_IN_WQ\n\ta();\n#else\n\tb();\n#endif\n}\n"
    lexed = lex_file("t.c", src)
    texts = lambda items: [" ".join(t.text for t in i.tokens) for i in items]
    assert len(lexed.items) == 2
    assert texts(drop_undefined(lexed.items, lexed.guarded, frozenset({"COMP_IN_WQ", "OLD_API"}))) == \
        ["int g ( void ) { b ( ) ; }"]
    assert texts(drop_undefined(lexed.items, lexed.guarded, frozenset())) == texts(lexed.items)


def test_file_enumerators_give_integer_values():
    from lockcheck.frontend.enumerators import file_enumerators
    from lockcheck.frontend.pipeline import lex_file
    src = ("enum flags {\n a_none = 0,\n a_noctx = 1 << 0,\n a_next,\n a_size = sizeof(int),\n a_after,\n"
           " a_mask = (a_next | 4) };\ntypedef enum { X = 010, Y = 0x10 } t;\n")
    got = file_enumerators(lex_file("e.c", src).items)
    assert got == {"a_none": 0, "a_noctx": 1, "a_next": 2, "a_mask": 6, "X": 8, "Y": 16}

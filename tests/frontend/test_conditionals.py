"""The ``#if`` policy of conditionals.py, and the directive harvest."""

from __future__ import annotations

from lockcheck.frontend.conditionals import preprocess


def _code(text: str, **kw) -> list[str]:
    return [ln.strip() for ln in preprocess(text, **kw).text.split("\n") if ln.strip()]


def test_if_0_is_dropped_and_its_else_kept():
    assert _code("#if 0\na();\n#else\nb();\n#endif\nc();\n") == ["b();", "c();"]


def test_if_1_keeps_only_its_branch():
    assert _code("#if 1\na();\n#else\nb();\n#endif\n") == ["a();"]


def test_unknown_conditions_keep_every_branch():
    src = "#ifdef CONFIG_A\na();\n#elif defined(CONFIG_B)\nb();\n#else\nc();\n#endif\n"
    assert _code(src) == ["a();", "b();", "c();"]


def test_unbalanced_branches_keep_only_the_first():
    src = "#ifdef CONFIG_A\nif (x) {\n#else\nif (y) {\n#endif\nz();\n}\n"
    assert _code(src) == ["if (x) {", "z();", "}"]


def test_define_and_undef_are_honoured():
    src = "#ifdef CONFIG_A\na();\n#else\nb();\n#endif\n#if IS_ENABLED(CONFIG_C)\nc();\n#endif\n"
    assert _code(src, defined=frozenset({"CONFIG_A"})) == ["a();", "c();"]
    assert _code(src, undefined=frozenset({"CONFIG_A", "CONFIG_C"})) == ["b();"]
    assert _code("#ifndef CONFIG_A\nn();\n#endif\n", defined=frozenset({"CONFIG_A"})) == []


def test_nested_if_0_inside_kept_branch():
    assert _code("#ifdef X\na();\n#if 0\nb();\n#endif\n#endif\n") == ["a();"]


def test_lines_are_preserved():
    out = preprocess("#if 0\nx\n#endif\ny\n").text.split("\n")
    assert out[3] == "y"


def test_defines_and_includes_are_harvested():
    pre = preprocess('#include <linux/kvm_host.h>\n#include "x86.h"\n'
                     "#define KVM_MMU_LOCK(kvm) \\\n\twrite_lock(&(kvm)->mmu_lock)\n#define N 4\n")
    assert pre.includes == (("<", "linux/kvm_host.h"), ('"', "x86.h"))
    lock, n = pre.macros
    assert (lock.name, lock.params, lock.body) == ("KVM_MMU_LOCK", ("kvm",), "write_lock(&(kvm)->mmu_lock)")
    assert (n.name, n.params, n.body) == ("N", None, "4")


def test_plain_symbol_tests_record_the_lines_dead_when_undefined():
    src = "#ifdef COMP_IN_WQ\na();\nb();\n#else\nc();\n#endif\n#ifndef REQ_TRACE\nd();\n#else\ne();\n#endif\n"
    pre = preprocess(src)
    assert [ln for ln in pre.text.split("\n") if ln] == ["a();", "b();", "c();", "d();", "e();"]   # all kept here
    assert dict(pre.guarded) == {"COMP_IN_WQ": ((2, 3),), "REQ_TRACE": ((10, 10),)}


def test_config_reserved_and_given_symbols_record_nothing():
    src = "#ifdef CONFIG_A\na();\n#else\nb();\n#endif\n#ifdef __KERNEL__\nc();\n#endif\n#ifdef X\nd();\n#endif\n"
    assert preprocess(src, undefined=frozenset({"X"})).guarded == ()


def test_unbalanced_chain_records_nothing_it_could_not_restore():
    # only the first branch is kept (unbalanced): dropping it would need the other
    src = "#ifdef COMP_IN_WQ\nif (x) {\n#else\nif (y) {\n#endif\nz();\n}\n"
    assert preprocess(src).guarded == ()

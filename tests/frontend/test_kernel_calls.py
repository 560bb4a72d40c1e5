"""On the real tree: lock calls come out of parsed bodies as ``FuncCall``
nodes with their argument expressions (skipped without ``make kernel``)."""

from __future__ import annotations

from pathlib import Path

import pytest

KERNEL = Path(__file__).resolve().parents[2] / "kernel" / "linux-source-6.12"
NO_KERNEL = "needs make kernel (linux-source-6.12 unpacked under kernel/)"
pytestmark = [pytest.mark.kernel, pytest.mark.skipif(not (KERNEL / "Makefile").exists(), reason=NO_KERNEL)]

FILES = ("virt/kvm/kvm_main.c", "arch/x86/kvm/mmu/mmu.c", "arch/x86/kvm/lapic.c", "kernel/jump_label.c")


@pytest.fixture(scope="module")
def kernel_fn(model):
    """``kernel_fn(path, name)`` → the parsed function, with the tree index
    (headers the files include) built once as the driver builds it."""
    from lockcheck.cache import Cache
    from lockcheck.driver import FrontendRun, _build_tree_index
    from lockcheck.frontend.pipeline import lex_file, parse_items
    from lockcheck.frontend.source import read_source
    from lockcheck.model.loader import load_model
    from lockcheck.model.primitives import load_catalogue
    from lockcheck.options import Options
    from lockcheck.parse_task import item_function_name

    files = [KERNEL / f for f in FILES]
    opts = Options(paths=tuple(map(str, files)), cache_dir=None)
    index, _ = _build_tree_index(files, KERNEL, opts, model, load_model("frontend")["definitions"],
                                 load_catalogue(), Cache(None), opts.config_digest(), FrontendRun(KERNEL))

    def get(path: str, name: str):
        lexed = lex_file(path, read_source(KERNEL / path, path).text)
        items = [i for i in lexed.items if i.kind == "function" and item_function_name(i) == name]
        parsed = parse_items(path, items, index, model)
        assert parsed, f"{name} not found in {path}"
        return parsed[0]
    return get


def _find(calls, fn, name):
    found = [args for callee, args in calls(fn.ast) if callee == name]
    assert found, f"no call to {name} in {fn.name} ({fn.outcome.value}: {fn.reason})"
    return found


def test_guard_in_kvm_enable_virtualization(kernel_fn, calls):
    fn = kernel_fn("virt/kvm/kvm_main.c", "kvm_enable_virtualization")
    # guard(mutex)(&l) is a call whose callee is the call guard(mutex)
    assert _find(calls, fn, "guard(mutex)") == [["&kvm_usage_lock"]]


def test_mutex_lock_inside_list_for_each_entry_in_set_nx_huge_pages(kernel_fn, calls):
    from pycparser import c_ast
    fn = kernel_fn("arch/x86/kvm/mmu/mmu.c", "set_nx_huge_pages")
    loops = [n for n in _walk(fn.ast) if isinstance(n, c_ast.While)
             and isinstance(n.cond, c_ast.FuncCall) and n.cond.name.name == "list_for_each_entry"]
    assert loops, "list_for_each_entry did not become a loop"
    inner = [n for n in _walk(loops[0].stmt) if isinstance(n, c_ast.FuncCall) and n.name.name == "mutex_lock"]
    assert [_gen(n.args.exprs[0]) for n in inner] == ["&kvm->slots_lock"]


def test_synchronize_srcu_expedited_in_kvm_swap_active_memslots(kernel_fn, calls):
    fn = kernel_fn("virt/kvm/kvm_main.c", "kvm_swap_active_memslots")
    assert ["&kvm->srcu"] in _find(calls, fn, "synchronize_srcu_expedited")


def test_static_branch_inc_seen_as_static_key_slow_inc(kernel_fn, calls):
    fn = kernel_fn("arch/x86/kvm/lapic.c", "__kvm_apic_set_base")
    args = _find(calls, fn, "static_key_slow_inc")
    assert any("apic_hw_disabled" in a[0] and a[0].endswith("key") for a in args), args
    assert "static_branch_inc" not in {c for c, _ in calls(fn.ast)}


def test_cpus_read_lock_in_static_key_slow_inc(kernel_fn, calls):
    fn = kernel_fn("kernel/jump_label.c", "static_key_slow_inc")
    assert _find(calls, fn, "cpus_read_lock") == [[]]


def _walk(node):
    yield node
    for _, child in node.children():
        yield from _walk(child)


def _gen(node) -> str:
    from pycparser import c_generator
    return c_generator.CGenerator().visit(node)

"""Acceptance on Debian's linux-source-6.12 (skipped without `make kernel`).

Scans virt/kvm, arch/x86/kvm, kernel/cpu.c and kernel/jump_label.c (with
the headers they include) and checks the lock-order edges of the KVM
deadlock fixed by commit 44d17459626052a2390457e550a12cb973506b2f, each
with a witness through the functions that create it.
"""

from __future__ import annotations

import pytest

from conftest import KERNEL

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not (KERNEL / "Makefile").exists(),
                       reason="needs make kernel (linux-source-6.12 unpacked under kernel/)"),
]

KVM_SET = ("virt/kvm", "arch/x86/kvm", "kernel/cpu.c", "kernel/jump_label.c")


@pytest.fixture(scope="module")
def kvm_scan(tmp_path_factory):
    from lockcheck.api import check
    from lockcheck.options import Options
    cache = tmp_path_factory.mktemp("cache")
    paths = tuple(str(KERNEL / p) for p in KVM_SET)
    return check(Options(paths=paths, jobs=2, cache_dir=cache))


def _edge(result, src, dst):
    found = [e for e in result.edges if e.src == src and e.dst == dst]
    assert found, f"missing edge {src} -> {dst}"
    return found[0]


def test_scan_completes_and_parses_nearly_everything(kvm_scan):
    fn = kvm_scan.stats["functions"]
    assert fn["total"] > 3000
    assert fn["parsed"] / fn["total"] >= 0.995


def test_kvm_lock_then_slots_lock_in_set_nx_huge_pages(kvm_scan):
    e = _edge(kvm_scan, "kvm_lock", "&kvm->slots_lock")
    assert {s.function for s in e.witness} == {"set_nx_huge_pages"} or \
        any(s.function.startswith("set_nx_huge_pages") for s in e.witness)


def test_slots_lock_then_srcu_sync(kvm_scan):
    e = _edge(kvm_scan, "&kvm->slots_lock", "&kvm->srcu")
    assert e.witness[-1].what.startswith("synchronize_srcu")
    chains = [e.witness] + [held + acquire for held, acquire in e.others]
    assert any("kvm_swap_active_memslots" in [s.function for s in c] for c in chains)


def test_kvm_usage_lock_then_cpu_hotplug_lock_through_cpuhp_setup_state(kvm_scan):
    e = _edge(kvm_scan, "kvm_usage_lock", "cpu_hotplug_lock")
    chain = [s.function for s in e.witness]
    assert chain[0] == "kvm_enable_virtualization"
    assert "cpuhp_setup_state" in chain
    assert e.witness[-1].what == "cpus_read_lock"

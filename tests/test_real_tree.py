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


@pytest.fixture(scope="module")
def kvm_dirs_scan(tmp_path_factory):
    from lockcheck.api import check
    from lockcheck.options import Options
    paths = tuple(str(KERNEL / p) for p in ("virt/kvm", "arch/x86/kvm"))
    return check(Options(paths=paths, jobs=2, cache_dir=tmp_path_factory.mktemp("cache_dirs")))


def test_kvm_directories_have_no_circular_or_recursive_finding(kvm_dirs_scan):
    """The KVM directories alone (benchmarks/RESULTS.md's KVM set) hold no
    lock-order problem lockdep would report: every finding there is false.
    The memslot walk's lock taken on the first round only
    (``if (!r.found_memslot) { r.found_memslot = true; KVM_MMU_LOCK(kvm); }``
    in a loop, fixtures/flow/loop_once_flag.c) was a false recursive
    &kvm->mmu_lock."""
    found = [(f.kind, f.locks) for f in kvm_dirs_scan.findings if f.kind in ("circular", "recursive")]
    assert found == []


def _edge(result, src, dst):
    found = [e for e in result.edges if e.src == src and e.dst == dst]
    assert found, f"missing edge {src} -> {dst}"
    return found[0]


def test_scan_completes_and_parses_nearly_everything(kvm_scan):
    fn = kvm_scan.stats["functions"]
    assert fn["total"] > 3000
    # a scan parses only the functions a lock is reachable from (frontend.relevance)
    assert fn["skipped"] > 0
    assert (fn["parsed"] + fn["skipped"]) / fn["total"] >= 0.995


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


def test_srcu_to_cpu_hotplug_lock_through_the_vcpu_msr_ioctl(kvm_scan):
    """The seed's third edge: KVM_SET_MSRS under srcu_read_lock reaches
    cpus_read_lock through msr_io(do_set_msr), the set_msr static call and
    the APIC base static key."""
    from lockcheck.report.why import find_path, through
    path = find_path(kvm_scan, "&kvm->srcu", "cpu_hotplug_lock")
    (edge,) = through(path, "kvm_arch_vcpu_ioctl")
    chain = [s.function for s in edge.witness]
    assert chain[0] == "kvm_arch_vcpu_ioctl"
    for fn in ("msr_io", "do_set_msr", "__kvm_set_msr", "kvm_set_msr_common", "kvm_apic_set_base",
               "__kvm_apic_set_base", "static_key_slow_inc"):
        assert fn in chain, fn
    assert chain.index("__kvm_set_msr") + 1 == chain.index(next(f for f in chain if f in ("vmx_set_msr", "svm_set_msr")))
    assert edge.witness[-1].what == "cpus_read_lock"
    assert any("static_call" in m for m in edge.models)


@pytest.fixture(scope="module")
def cpufreq_scan(tmp_path_factory):
    from lockcheck.api import check
    from lockcheck.options import Options
    paths = tuple(str(KERNEL / p) for p in KVM_SET + ("kernel/notifier.c", "drivers/cpufreq/cpufreq.c"))
    return check(Options(paths=paths, jobs=2, cache_dir=tmp_path_factory.mktemp("cache2")))


def test_cpufreq_transition_notifier_closes_the_seed_cycle(cpufreq_scan):
    """The hazard the seed commit names: kvm_lock taken by the cpufreq
    transition notifier under cpu_hotplug_lock closes the 4-lock cycle."""
    cycles = {f.locks for f in cpufreq_scan.findings if f.kind == "circular"}
    assert ("&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock", "kvm_lock") in cycles
    e = _edge(cpufreq_scan, "cpu_hotplug_lock", "kvm_lock")
    whats = [s.what for s in e.witness]
    assert any("notifier chain cpufreq_transition_notifier_list" in w for w in whats)
    assert "__kvmclock_cpufreq_notifier" in [s.function for s in e.witness]


def test_the_seed_cycle_is_at_the_highest_confidence(cpufreq_scan):
    """On the real KVM + cpufreq scope the seed cycle is a high-confidence
    finding (docs/reports.md, Confidence), and is shown by default."""
    from lockcheck.report.rank import rank
    from lockcheck.report.screen import screenful
    seed = ("&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock", "kvm_lock")
    (f,) = [f for f in cpufreq_scan.findings if f.locks == seed]
    assert f.confidence == "high", f.reason
    shown = screenful(rank(cpufreq_scan.findings))
    assert any(f in g.members for g in shown.shown)

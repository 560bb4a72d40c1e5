"""``lockcheck splat`` on Debian's linux-source-6.12 (skipped without
``make kernel``): a report written for the cpufreq/kvmclock cycle the seed
commit's message warns about (&kvm->slots_lock -> &kvm->srcu ->
cpu_hotplug_lock -> kvm_lock, with the cpufreq notifier's stack for
cpu_hotplug_lock -> kvm_lock) maps every dependency onto the KVM + cpufreq
scope, each through the functions of its stack."""

from __future__ import annotations

import os

import jsonschema
import pytest

from conftest import KERNEL
from lockcheck.splat.report import schema
from tests.splat.conftest import CYCLE, REPORTS

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not (KERNEL / "Makefile").exists(),
                       reason="needs make kernel (linux-source-6.12 unpacked under kernel/)"),
]

SCOPE = ("virt/kvm", "arch/x86/kvm", "kernel/cpu.c", "kernel/jump_label.c", "kernel/notifier.c", "drivers/cpufreq")


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    import contextlib
    import io
    import json
    from lockcheck.cli.main import main
    cache = tmp_path_factory.mktemp("cache")
    out = io.StringIO()
    old = os.getcwd()
    os.chdir(KERNEL)
    try:
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exc:
            main(["splat", str(REPORTS / "kvmclock-cpufreq-6.12.txt"), *SCOPE, "--format", "json", "-q",
                  "-j", "2", "--cache-dir", str(cache)])
    finally:
        os.chdir(old)
    assert exc.value.code == 1
    return json.loads(out.getvalue())


def _deps(doc):
    return {(d["from"], d["to"]): d for d in doc["reports"][0]["dependencies"]}


def test_every_class_and_dependency_is_mapped(doc):
    jsonschema.Draft202012Validator(schema()).validate(doc)
    (r,) = doc["reports"]
    assert [c["lockcheck"] for c in r["classes"]] == list(CYCLE)
    assert all(d["found"] for d in r["dependencies"]), [d["why_not"] for d in r["dependencies"]]
    assert any(c["same_as_report"] and c["locks"] == list(CYCLE) for c in r["cycles"])


def test_the_notifier_edge_follows_the_cpufreq_stack(doc):
    d = _deps(doc)[("cpu_hotplug_lock", "kvm_lock")]
    fns = [s["function"] for s in d["edge"]["witness"]]
    assert "__kvmclock_cpufreq_notifier" in fns and "cpufreq_notify_transition" in fns
    assert "cpuhp_cpufreq_online" in d["paths"][0]["shared"]      # the stack's path, not another caller
    assert len(d["paths"]) > 1                                      # and the other paths making it


def test_the_msr_edge_follows_the_vcpu_ioctl_stack(doc):
    d = _deps(doc)[("&kvm->srcu", "cpu_hotplug_lock")]
    shared = set(d["paths"][0]["shared"])
    assert {"kvm_arch_vcpu_ioctl", "msr_io", "__kvm_set_msr", "kvm_set_msr_common", "static_key_slow_inc"} <= shared


def test_memslot_and_closing_edges(doc):
    deps = _deps(doc)
    assert "kvm_swap_active_memslots" in deps[("&kvm->slots_lock", "&kvm->srcu")]["paths"][0]["shared"]
    closing = deps[("kvm_lock", "&kvm->slots_lock")]
    assert closing["closing"] and closing["paths"][0]["shared"] == ["set_nx_huge_pages"]

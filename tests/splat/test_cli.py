"""``lockcheck splat`` on the fixtures: every dependency mapped, the fix
checked per dependency and per path, the layouts, and bad input."""

from __future__ import annotations

import jsonschema
import pytest

from lockcheck.splat.report import schema

from tests.splat.conftest import AFTER, BEFORE, CYCLE, PATCH, REPORTS, SPLAT

LAYOUTS = ["minikvm-dmesg.txt", "minikvm-syslog.txt", "minikvm-commit.txt", "minikvm-email.txt"]


def _deps(doc):
    (r,) = doc["reports"]
    return {(d["from"], d["to"]): d for d in r["dependencies"]}


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_dependency_of_the_minikvm_report_is_found(lc, name):
    code, doc, _ = lc("splat", REPORTS / name, BEFORE, "--format", "json")
    assert code == 1                       # the report's cycle is there statically
    jsonschema.Draft202012Validator(schema()).validate(doc)
    (r,) = doc["reports"]
    assert [c["lockcheck"] for c in r["classes"]] == list(CYCLE)
    deps = _deps(doc)
    assert [d["number"] for d in r["dependencies"]] == [3, 2, 1, 0]
    assert all(d["found"] for d in deps.values()), [d["why_not"] for d in deps.values()]
    assert deps[("kvm_lock", "&kvm->slots_lock")]["closing"]
    assert [c["locks"] for c in r["cycles"] if c["same_as_report"]] == [list(CYCLE)]


def test_the_witness_sharing_the_stack_comes_first(lc):
    code, doc, _ = lc("splat", REPORTS / "minikvm-dmesg.txt", BEFORE, "--format", "json")
    deps = _deps(doc)
    msr = deps[("&kvm->srcu", "cpu_hotplug_lock")]
    fns = [s["function"] for s in msr["edge"]["witness"]]
    assert fns[0] == "kvm_arch_vcpu_ioctl" and "vmx_set_msr" in fns
    assert {"msr_io", "do_set_msr", "__kvm_set_msr", "kvm_set_msr_common"} <= set(msr["paths"][0]["shared"])
    # cpu_hotplug_lock -> kvm_lock: the report's stack runs through hardware_enable_all();
    # the hotplug callbacks and the cpufreq notifier are the other paths
    hot = deps[("cpu_hotplug_lock", "kvm_lock")]
    assert hot["paths"][0]["shared"] == ["hardware_enable_all"]
    others = [[s["function"] for s in p["witness"]] for p in hot["paths"][1:]]
    assert any("__kvmclock_cpufreq_notifier" in p for p in others)
    assert any("kvm_online_cpu" in p for p in others)


def test_text_is_lockdeps_chain(lc):
    code, out, _ = lc("splat", REPORTS / "minikvm-dmesg.txt", BEFORE)
    assert code == 1
    assert "the existing dependency chain (in reverse order) is:" in out
    blocks = [line for line in out.splitlines() if line.startswith("-> #")]
    assert blocks[0].startswith("-> #3 (kvm_lock): cpu_hotplug_lock --> kvm_lock")
    assert blocks[-1].startswith("-> #0 (&kvm->slots_lock): kvm_lock --> &kvm->slots_lock")
    assert "4 of 4 dependencies have a static witness" in out
    assert "<- the report's cycle" in out


def test_the_patch_removes_one_path_and_leaves_the_cpufreq_one(lc):
    code, doc, _ = lc("splat", REPORTS / "minikvm-dmesg.txt", BEFORE, "--patch", PATCH, "--format", "json")
    assert code == 1
    jsonschema.Draft202012Validator(schema()).validate(doc)
    after = doc["reports"][0]["after"]
    assert not after["closed"]
    deps = {(d["from"], d["to"]): d for d in after["dependencies"]}
    hot = deps[("cpu_hotplug_lock", "kvm_lock")]
    assert hot["still"]
    paths = {tuple(s["function"] for s in p["witness"]): p["still"] for p in hot["paths"]}
    gone = [p for p, still in paths.items() if not still]
    kept = [p for p, still in paths.items() if still]
    assert any("hardware_enable_all" in p for p in gone)
    assert any("kvm_online_cpu" in p for p in gone)
    assert len(kept) == 1 and "__kvmclock_cpufreq_notifier" in kept[0]
    assert all(d["still"] for d in after["dependencies"])
    assert [c["locks"] for c in after["cycles"]] == [list(CYCLE)]


def test_after_dir_says_the_same(lc):
    code, out, _ = lc("splat", REPORTS / "minikvm-email.txt", BEFORE, "--after", AFTER)
    assert code == 1
    assert "verdict: not closed" in out
    assert "gone:        hardware_enable_all() holds it (kvm_main.c:93) takes it at kvm_main.c:94" in out
    assert "still there: cpuhp_invoke_callback<cpuhp_cpufreq_online>() holds it" in out


def test_the_fix_closes_the_report_when_the_cpufreq_path_is_gone(lc, tmp_path):
    """Drop the notifier registration from the after-tree: the cycle is
    gone, the verdict is closed and the exit code 0."""
    import shutil
    tree = tmp_path / "after"
    shutil.copytree(AFTER, tree)
    x86 = tree / "x86.c"
    x86.write_text(x86.read_text().replace(
        "return cpufreq_register_notifier(&kvmclock_cpufreq_notifier_block, CPUFREQ_TRANSITION_NOTIFIER);",
        "return 0;"))
    code, doc, _ = lc("splat", REPORTS / "minikvm-dmesg.txt", BEFORE, "--after", tree, "--format", "json")
    after = doc["reports"][0]["after"]
    assert code == 0 and after["closed"] and after["cycles"] == []
    deps = {(d["from"], d["to"]): d["still"] for d in after["dependencies"]}
    assert deps[("cpu_hotplug_lock", "kvm_lock")] is False


def test_recursive_syzbot_report(lc):
    code, doc, _ = lc("splat", REPORTS / "port-syzbot.txt", SPLAT / "recursive", "--format", "json")
    assert code == 1
    jsonschema.Draft202012Validator(schema()).validate(doc)
    (r,) = doc["reports"]
    assert r["kind"] == "recursive"
    (d,) = r["dependencies"]
    assert d["found"] and set(d["paths"][0]["shared"]) == {"port_transfer", "port_take_credit"}
    assert [c["locks"] for c in r["cycles"]] == [["&port->lock"]]


def test_not_found_says_why(lc):
    """Without x86.c the vCPU MSR path leaves the scan."""
    files = [BEFORE / n for n in ("kvm_main.c", "mmu.c", "cpu.c")]
    code, doc, _ = lc("splat", REPORTS / "minikvm-commit.txt", *files, "--format", "json")
    deps = _deps(doc)
    msr = deps[("&kvm->srcu", "cpu_hotplug_lock")]
    assert not msr["found"] and msr["edge"] is None
    assert msr["why_not"].startswith("a function outside the scan: kvm_arch_vcpu_ioctl()")
    assert code == 0                        # no static cycle through the classes


def test_unmapped_classes_are_named(lc, tmp_path):
    text = (REPORTS / "minikvm-dmesg.txt").read_text().replace("cpu_hotplug_lock", "fs_reclaim")
    rep = tmp_path / "r.txt"
    rep.write_text(text)
    code, out, _ = lc("splat", rep, BEFORE)
    assert "(fs_reclaim) --> not mapped: a pseudo-lock" in out
    assert "not found: a lock the scan never sees: fs_reclaim is not mapped" in out


def test_stdin_and_several_reports(lc, monkeypatch):
    import io
    text = (REPORTS / "minikvm-syslog.txt").read_text() + (REPORTS / "port-syzbot.txt").read_text()
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, doc, _ = lc("splat", "-", BEFORE, SPLAT / "recursive", "--format", "json")
    assert [r["kind"] for r in doc["reports"]] == ["circular", "recursive"]
    assert code == 1


@pytest.mark.parametrize("content", ["", "just some text\n", "WARNING: possible circular locking dependency "
                                                             "detected\nnothing else\n"])
def test_unreadable_report_is_one_line_exit_2(lc, tmp_path, content):
    rep = tmp_path / "bad.txt"
    rep.write_text(content)
    code, out, err = lc("splat", rep, BEFORE)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("lockcheck: error: ")


def test_missing_report_file_is_exit_2(lc, tmp_path):
    code, _, err = lc("splat", tmp_path / "nope.txt", BEFORE)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_patch_that_does_not_apply_is_exit_2(lc, tmp_path):
    bad = tmp_path / "bad.patch"
    bad.write_text("--- a/nothing.c\n+++ b/nothing.c\n@@ -1,1 +1,1 @@\n-x\n+y\n")
    code, _, err = lc("splat", REPORTS / "minikvm-dmesg.txt", BEFORE, "--patch", bad)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_schema_is_valid_and_shipped():
    jsonschema.Draft202012Validator.check_schema(schema())


def test_the_worked_example_in_the_docs_is_current(lc, monkeypatch):
    """docs/splat.md shows this command's output; it must not rot."""
    import re
    monkeypatch.chdir(SPLAT.parent.parent)
    doc = (SPLAT.parent.parent / "docs" / "splat.md").read_text()
    shown = re.search(r"```text\n(.*?)\n```", doc, re.S).group(1)
    code, out, _ = lc("splat", "fixtures/splat/reports/minikvm-dmesg.txt", "fixtures/splat/before",
                      "--patch", "fixtures/splat/kvm_usage_lock.patch")
    assert code == 1
    assert out.rstrip("\n") == shown


INCONSISTENT = """\
================================
WARNING: inconsistent lock state
6.12.0 #1 Not tainted
--------------------------------
inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.
kworker/0:1/12 [HC0[0]:SC0[0]:HE1:SE1] takes:
ffff888012345678 (&port->lock){?.+.}-{3:3}, at: port_transfer+0x3a/0x120
{IN-HARDIRQ-W} state was registered at:
  lock_acquire+0x1ed/0x550
  port_irq+0x20/0x40
"""


def test_interrupt_state_report_is_read_and_its_classes_mapped(lc, tmp_path):
    rep = tmp_path / "irq.txt"
    rep.write_text(INCONSISTENT)
    code, doc, _ = lc("splat", rep, SPLAT / "recursive", "--format", "json")
    jsonschema.Draft202012Validator(schema()).validate(doc)
    (r,) = doc["reports"]
    assert r["kind"] == "inconsistent" and r["dependencies"] == [] and r["cycles"] == []
    assert [c["lockcheck"] for c in r["classes"]] == ["&port->lock"]
    assert code == 0

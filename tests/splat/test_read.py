"""Reading lockdep reports in the layouts people paste them in."""

from __future__ import annotations

import pytest

from lockcheck.errors import InputError
from lockcheck.splat.read import clean_line, frame_function, read_reports

from tests.splat.conftest import REPORTS

LAYOUTS = ["minikvm-dmesg.txt", "minikvm-syslog.txt", "minikvm-commit.txt", "minikvm-email.txt"]


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_layout_reads_the_same_report(name):
    (r,) = read_reports((REPORTS / name).read_text())
    assert r.kind == "circular"
    assert r.task == "tee/35048"
    assert (r.acquiring.name, r.acquiring.at) == ("&kvm->slots_lock", "set_nx_huge_pages")
    assert (r.holding.name, r.holding.at) == ("kvm_lock", "set_nx_huge_pages")
    assert [(b.number, b.name) for b in r.blocks] == [
        (3, "kvm_lock"), (2, "cpu_hotplug_lock"), (1, "&kvm->srcu"), (0, "&kvm->slots_lock")]
    assert r.chain_exists == ("&kvm->slots_lock", "cpu_hotplug_lock", "kvm_lock")
    two = r.blocks[1].frames
    assert two[:3] == ("cpus_read_lock", "static_key_slow_inc", "kvm_lapic_set_base")
    assert "vmx_set_msr" in two and "kvm_arch_vcpu_ioctl" in two


def test_full_dmesg_keeps_whole_stacks_and_the_backtrace():
    (r,) = read_reports((REPORTS / "minikvm-dmesg.txt").read_text())
    assert r.blocks[0].frames[-1] == "entry_SYSCALL_64_after_hwframe"
    assert r.held and r.held[0].name == "kvm_lock"
    # "? __pfx_param_attr_store" is unreliable: dropped
    assert "set_nx_huge_pages" in r.backtrace and "__pfx_param_attr_store" not in r.backtrace


def test_commit_message_stacks_are_cut():
    (r,) = read_reports((REPORTS / "minikvm-commit.txt").read_text())
    assert "do_syscall_64" not in r.blocks[1].frames
    assert r.backtrace == ()


def test_syzbot_recursive_report():
    (r,) = read_reports((REPORTS / "port-syzbot.txt").read_text())
    assert r.kind == "recursive" and r.blocks == ()
    assert r.acquiring.name == r.holding.name == "&port->lock"
    # the first "at:" line names the inlined function
    assert r.acquiring.at == "port_take_credit" and r.holding.at == "port_transfer"
    assert r.backtrace[r.backtrace.index("port_take_credit"):][:3] == ("port_take_credit", "port_transfer",
                                                                         "port_ioctl")
    assert "__pfx_port_ioctl" not in r.backtrace


def test_several_reports_in_one_input():
    text = (REPORTS / "minikvm-dmesg.txt").read_text() + "\n" + (REPORTS / "port-syzbot.txt").read_text()
    reports = read_reports(text)
    assert [r.kind for r in reports] == ["circular", "recursive"]
    assert reports[1].line > reports[0].line


@pytest.mark.parametrize("raw, text", [
    ("[   12.345678] -> #1 (&kvm->srcu){.+.+}-{0:0}:", "-> #1 (&kvm->srcu){.+.+}-{0:0}:"),
    ("[   12.345678] [  T123] WARNING: x", "WARNING: x"),
    ("<4>[ 1.000000] lock(kvm_lock);", "lock(kvm_lock);"),
    ("Dec  3 17:43:20 host kernel: [ 5.5] foo", "foo"),
    ("2026-12-03T17:43:20.123456+00:00 host kernel: foo", "foo"),
    ("> >       __mutex_lock+0x6a/0xb40", "__mutex_lock+0x6a/0xb40"),
    ("\t\tkvm_lock", "kvm_lock"),
])
def test_prefixes_are_removed(raw, text):
    assert clean_line(raw) == text


@pytest.mark.parametrize("frame, fn", [
    ("__mutex_lock+0x6a/0xb40", "__mutex_lock"),
    ("vmx_set_msr+0xa54/0xbe0 [kvm_intel]", "vmx_set_msr"),
    ("kvm_set_memslot.constprop.0+0x360/0x620 [kvm]", "kvm_set_memslot"),
    ("port_take_credit drivers/misc/port.c:19 [inline]", "port_take_credit"),
    ("dump_stack_lvl+0x241/0x360 lib/dump_stack.c:120", "dump_stack_lvl"),
    ("[<ffffffff81234567>] old_style+0x10/0x20", "old_style"),
    ("? __pfx_x+0x10/0x10", None),
    ("CPU0                    CPU1", None),
    ("...", None),
])
def test_frames(frame, fn):
    assert frame_function(frame) == fn


def test_work_completion_names_keep_their_parentheses():
    text = ("WARNING: possible recursive locking detected\n"
            "kworker/0:1/12 is trying to acquire lock:\n"
            "ffff888012345678 ((work_completion)(&(&ent->dwork)->work)){+.+.}-{0:0}, at: __flush_work+0x5/0x9\n"
            "but task is already holding lock:\n"
            "ffff888012345678 ((work_completion)(&(&ent->dwork)->work)){+.+.}-{0:0}, at: process_one_work+0x1/0x2\n")
    (r,) = read_reports(text)
    assert r.acquiring.name == "(work_completion)(&(&ent->dwork)->work)"


def test_no_report_is_one_line_error():
    with pytest.raises(InputError) as exc:
        read_reports("hello\nworld\n", "x.txt")
    assert "\n" not in str(exc.value) and str(exc.value).startswith("x.txt: no lockdep report found")


def test_a_circular_report_without_its_chain_is_an_error():
    text = "\n".join((REPORTS / "minikvm-dmesg.txt").read_text().splitlines()[:12])
    with pytest.raises(InputError) as exc:
        read_reports(text, "cut.txt")
    assert "cut.txt:" in str(exc.value) and "dependency chain" in str(exc.value)

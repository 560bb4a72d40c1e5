"""``lockcheck docs``: exit codes, one-line errors, config discovery, JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lockcheck.cli.main import main

DOCS = Path(__file__).resolve().parents[2] / "fixtures" / "docs"


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(["docs", "-q", "--no-cache", "-j", "1", *map(str, args)])
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_violation_exits_1_with_witness(capsys):
    code, out, _ = run(capsys, DOCS / "outside.rst", DOCS / "outside_bad.c")
    assert code == 1
    assert "documented: kvm->lock outside vcpu->mutex; code takes &kvm->lock while holding &vcpu->mutex " \
           "at vcpu_ioctl() " in out
    assert "order: kvm->lock -> vcpu->mutex" in out


def test_clean_exits_0(capsys):
    code, out, _ = run(capsys, DOCS / "outside.rst", DOCS / "outside_good.c")
    assert code == 0 and "0 violations" in out


def test_json(capsys):
    code, out, _ = run(capsys, DOCS / "srcu.rst", DOCS / "srcu_bad.c", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert {(v["edge"]["from"], v["edge"]["to"]) for v in data["violations"]} == {
        ("&kvm->srcu", "&kvm->slots_lock"), ("&kvm->slots_arch_lock", "&kvm->srcu")}
    assert any(u["text"].startswith("that is, the following is broken") for u in data["unparsed"])


@pytest.mark.parametrize("setup, needle", [
    (lambda d: None, "missing.rst"),
    (lambda d: (d / "missing.rst").write_bytes(b"\xff\xfe\x00bad"), "not a text file"),
    (lambda d: (d / "missing.rst").write_bytes(b"caf\xe9 is taken outside tea"), "not UTF-8"),
])
def test_bad_rst_is_one_line_exit_2(capsys, tmp_path, setup, needle):
    setup(tmp_path)
    code, _, err = run(capsys, tmp_path / "missing.rst", DOCS / "outside_good.c")
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("text", ["[[order]\nouter=1", "[[order]]\nouter = 'a'\n", "leaf = 3\n",
                                  "[[order]]\nouter = 'a'\ninner = [1]\n", "alias = 'x'\n"])
def test_bad_config_is_one_line_exit_2(capsys, tmp_path, text):
    cfg = tmp_path / "c.toml"
    cfg.write_text(text)
    code, _, err = run(capsys, DOCS / "config.rst", DOCS / "config_good.c", "--config", cfg)
    assert code == 2 and "bad config" in err and len(err.strip().splitlines()) == 1


def test_missing_config_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, DOCS / "config.rst", DOCS / "config_good.c", "--config", tmp_path / "no.toml")
    assert code == 2 and "no.toml" in err


def test_lockcheck_toml_found_next_to_the_code(capsys, tmp_path):
    shutil.copy(DOCS / "config_bad.c", tmp_path / "x.c")
    (tmp_path / ".lockcheck.toml").write_text((DOCS / "config.toml").read_text())
    code, out, _ = run(capsys, DOCS / "config.rst", tmp_path)
    assert code == 1
    assert "documented: cpu_hotplug_lock outside kvm_lock; code takes cpu_hotplug_lock while holding kvm_lock" in out
    assert "documented leaf kvm_usage_lock; code takes kvm_lock" in out


def test_unmapped_names_are_listed(capsys):
    code, out, _ = run(capsys, DOCS / "outside.rst", DOCS / "type_good.c")
    assert code == 0
    assert "LC491 vcpu->mutex: no lock class in the scanned code" in out

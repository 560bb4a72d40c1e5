"""Suppressions from .lockcheck.toml: by cycle (any rotation) or by edge."""

from __future__ import annotations

import shutil

import pytest

from lockcheck.api import check
from lockcheck.errors import InputError
from lockcheck.gate.suppress import apply_suppressions, load_config
from lockcheck.options import Options
from tests.gate.conftest import AFTER, BEFORE

ROTATED = '["cpu_hotplug_lock", "kvm_lock", "&kvm->slots_lock", "&kvm->srcu"]'
REVERSED = '["kvm_lock", "cpu_hotplug_lock", "&kvm->srcu", "&kvm->slots_lock"]'


def _config(tmp_path, text):
    p = tmp_path / "lockcheck.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize("entry, hit", [
    (f"locks = {ROTATED}", True),
    (f"locks = {REVERSED}", False),                  # direction matters
    ('edge = ["cpu_hotplug_lock", "kvm_lock"]', True),
    ('edge = ["kvm_lock", "cpu_hotplug_lock"]', False),
])
def test_apply_suppressions(tmp_path, entry, hit):
    config = load_config(_config(tmp_path, f'[[suppress]]\n{entry}\nreason = "reviewed"\n'))
    result = check(Options(paths=(str(BEFORE),), cache_dir=None))
    kept, suppressed = apply_suppressions(result, config)
    assert len(suppressed) == hit and len(kept.findings) == (not hit)
    assert [r for _, r in suppressed] == (["reviewed"] if hit else [])
    assert len(result.findings) == 1                 # the input is left alone


def test_tree_config_is_used_by_diff(lc, tmp_path):
    head = tmp_path / "head"
    shutil.copytree(BEFORE, head)
    (head / ".lockcheck.toml").write_text(
        f'[[suppress]]\nlocks = {ROTATED}\nreason = "cpu_up never runs with VMs (test)"\n')
    code, out, _ = lc("diff", AFTER, head)
    assert code == 0
    assert "suppressed (1)" in out and "reason: cpu_up never runs with VMs (test)" in out
    assert "0 introduced, 0 resolved, 0 unchanged at confidence >= high (1 suppressed not counted)" in out


def test_explicit_config(lc, tmp_path):
    p = _config(tmp_path, '[[suppress]]\nedge = ["cpu_hotplug_lock", "kvm_lock"]\nreason = "r"\n')
    code, doc, _ = lc("diff", AFTER, BEFORE, "--config", p, "--format", "json")
    assert code == 0 and doc["suppressed"][0]["reason"] == "r"


@pytest.mark.parametrize("text, why", [
    ('[[suppress]]\nlocks = ["a", "b"]\n', "a non-empty 'reason' is required"),
    ('[[suppress]]\nlocks = ["a", "b"]\nreason = "  "\n', "a non-empty 'reason' is required"),
    ('[[suppress]]\nreason = "x"\n', "exactly one of 'locks' or 'edge'"),
    ('[[suppress]]\nedge = ["a"]\nreason = "x"\n', "'edge' is two lock names"),
    ('[[suppress]]\nlocks = "a"\nreason = "x"\n', "non-empty list of strings"),
    ('[[suppress]]\nlock = ["a"]\nreason = "x"\n', "unknown key 'lock'"),
    ('[[supress]]\nlocks = ["a"]\nreason = "x"\n', "unknown key 'supress'"),
    ('[[suppress]\n', "invalid TOML"),
])
def test_malformed_config(lc, tmp_path, text, why):
    p = _config(tmp_path, text)
    with pytest.raises(InputError, match=why):
        load_config(p)
    code, out, err = lc("diff", AFTER, BEFORE, "--config", p)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and why in err and "Traceback" not in err

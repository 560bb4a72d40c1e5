"""The stored patches still match fixtures/minikvm (else: data/regen.sh)."""

from __future__ import annotations

import filecmp
import shutil
import subprocess

from tests.gate.conftest import AFTER, BEFORE, DATA

STALE = "fixtures/minikvm changed: run tests/gate/data/regen.sh"


def _same(a, b) -> bool:
    cmp = filecmp.dircmp(a, b)
    return not (cmp.left_only or cmp.right_only or filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)[1])


def test_patch_turns_before_into_after(tmp_path):
    shutil.copytree(BEFORE, tmp_path / "t")
    subprocess.run(["git", "apply", "-p1", str(DATA / "kvm-usage-lock.patch")], cwd=tmp_path / "t",
                   check=True)
    assert _same(tmp_path / "t", AFTER), STALE


def test_series_goes_through_before_and_back(tmp_path):
    subprocess.run(["git", "mailsplit", f"-o{tmp_path}", str(DATA / "series.mbox")], check=True,
                   capture_output=True)
    shutil.copytree(AFTER, tmp_path / "t")
    for mail, expect in (("0002", BEFORE), ("0003", AFTER)):
        subprocess.run(["git", "apply", str(tmp_path / mail)], cwd=tmp_path / "t", check=True)
        assert _same(tmp_path / "t", expect), STALE

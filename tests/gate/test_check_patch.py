"""``lockcheck check-patch``: a diff, an mbox series, and broken inputs."""

from __future__ import annotations

import shutil

import pytest

from tests.gate.conftest import AFTER, BEFORE, DATA

PATCH = DATA / "kvm-usage-lock.patch"     # diff -ruN before after
SERIES = DATA / "series.mbox"             # format-patch: cover, 1/2 reverts the fix, 2/2 refixes


def _tree_digest(root):
    return {p.name: (p.read_bytes(), p.stat().st_nlink) for p in sorted(root.iterdir())}


def test_patch_resolves_the_cycle(lc):
    before = _tree_digest(BEFORE)
    code, out, _ = lc("check-patch", PATCH, "--tree", BEFORE)
    assert code == 0
    assert "removed the edge cpu_hotplug_lock -> kvm_lock" in out
    assert out.rstrip().endswith("0 introduced, 1 resolved, 0 unchanged at confidence >= high")
    assert _tree_digest(BEFORE) == before          # contents and link counts


def test_patch_with_paths(lc):
    files = sorted(p.name for p in BEFORE.glob("*.c"))
    code, out, _ = lc("check-patch", PATCH, "--tree", BEFORE, *[f"--path={n}" for n in files])
    assert code == 0 and "0 introduced, 1 resolved" in out


def test_reverse_patch_introduces(lc, tmp_path):
    import subprocess
    rev = tmp_path / "revert.patch"
    with rev.open("w") as f:
        subprocess.run(["diff", "-ruN", "after", "before"], cwd=AFTER.parent, stdout=f)
    code, out, _ = lc("check-patch", rev, "--tree", AFTER)
    assert code == 1 and "1 introduced, 0 resolved" in out
    assert "WARNING: possible circular locking dependency detected" in out


def test_series_net_effect(lc):
    code, out, _ = lc("check-patch", SERIES, "--tree", AFTER)
    assert code == 0
    assert out.strip() == "0 introduced, 0 resolved, 0 unchanged at confidence >= high"


def test_series_each(lc):
    code, out, _ = lc("check-patch", SERIES, "--tree", AFTER, "--each")
    assert code == 0
    blocks = out.split("=== ")[1:]
    assert [b.splitlines()[0] for b in blocks] == [
        "patch series.mbox: [PATCH 1/2] KVM: protect kvm_usage_count with kvm_lock again",
        "patch series.mbox: [PATCH 2/2] KVM: use a dedicated kvm_usage_lock",
        "net effect of the series"]
    assert "1 introduced, 0 resolved, 0 unchanged at confidence >= high" in blocks[0]
    assert "0 introduced, 1 resolved, 0 unchanged at confidence >= high" in blocks[1]
    assert "0 introduced, 0 resolved, 0 unchanged at confidence >= high" in blocks[2]


def test_series_each_json(lc):
    code, doc, _ = lc("check-patch", SERIES, "--tree", AFTER, "--each", "--format", "json")
    assert code == 0
    assert [s["summary"]["introduced"] for s in doc["steps"]] == [1, 0]
    assert [s["summary"]["resolved"] for s in doc["steps"]] == [0, 1]
    assert doc["summary"]["introduced"] == 0


def test_two_patch_files_in_order(lc, tmp_path):
    import subprocess
    subprocess.run(["git", "mailsplit", f"-o{tmp_path}", str(SERIES)], check=True, capture_output=True)
    first, second = tmp_path / "0002", tmp_path / "0003"
    code, out, _ = lc("check-patch", first, second, "--tree", AFTER)
    assert code == 0 and "0 introduced" in out
    code, out, _ = lc("check-patch", first, "--tree", AFTER)
    assert code == 1 and "1 introduced" in out


def _one_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("lockcheck: error: ")
    return lines[0]


def test_patch_does_not_apply(lc):
    code, out, err = lc("check-patch", PATCH, "--tree", AFTER)
    assert code == 2 and out == ""
    assert _one_error(err) == "lockcheck: error: kvm-usage-lock.patch: does not apply: " \
                              "hunk at kvm_main.c:1 failed"


def test_second_patch_of_series_does_not_apply(lc):
    code, _, err = lc("check-patch", SERIES, "--tree", BEFORE)
    assert code == 2
    assert "series.mbox: [PATCH 1/2]" in _one_error(err)


def test_binary_patch(lc, tmp_path):
    p = tmp_path / "bin.patch"
    p.write_text("diff --git a/kvm_main.c b/kvm_main.c\nindex 1234567..89abcde 100644\n"
                 "Binary files a/kvm_main.c and b/kvm_main.c differ\n")
    code, _, err = lc("check-patch", p, "--tree", BEFORE)
    assert code == 2
    assert _one_error(err) == "lockcheck: error: bin.patch: does not apply: cannot apply binary " \
                              "patch to 'kvm_main.c' without full index line"


@pytest.mark.parametrize("text", ["", "just words, no diff\n"])
def test_empty_patch(lc, tmp_path, text):
    p = tmp_path / "empty.patch"
    p.write_text(text)
    code, _, err = lc("check-patch", p, "--tree", BEFORE)
    assert code == 2
    assert "empty.patch" in _one_error(err)


def test_mbox_without_patches(lc, tmp_path):
    p = tmp_path / "cover.mbox"
    p.write_text(SERIES.read_text().split("\nFrom ")[0] + "\n")
    code, _, err = lc("check-patch", p, "--tree", BEFORE)
    assert code == 2 and _one_error(err) == f"lockcheck: error: {p}: no patch in this mailbox"


def test_missing_patch_and_tree(lc, tmp_path):
    code, _, err = lc("check-patch", tmp_path / "nope.patch", "--tree", BEFORE)
    assert code == 2 and "nope.patch: no such patch file" in _one_error(err)
    code, _, err = lc("check-patch", PATCH, "--tree", tmp_path / "nope")
    assert code == 2 and _one_error(err).endswith("nope: no such directory")

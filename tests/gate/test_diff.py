"""``lockcheck diff`` on the minikvm fixtures: directories and git revisions."""

from __future__ import annotations

from tests.gate.conftest import AFTER, BEFORE, CYCLE


def test_fix_resolves_the_cycle(lc):
    code, out, _ = lc("diff", BEFORE, AFTER)
    assert code == 0
    assert "cycles resolved (1)" in out
    assert "removed the edge cpu_hotplug_lock -> kvm_lock" in out
    assert out.rstrip().endswith("0 introduced, 1 resolved, 0 unchanged at confidence >= high")


def test_reverting_the_fix_introduces_it(lc):
    code, out, _ = lc("diff", AFTER, BEFORE)
    assert code == 1
    assert "cycles introduced (1)" in out
    assert "WARNING: possible circular locking dependency detected" in out
    assert "set_nx_huge_pages() at mmu.c:27" in out        # paths relative to the tree
    assert out.rstrip().endswith("1 introduced, 0 resolved, 0 unchanged at confidence >= high")


def test_json(lc):
    code, doc, _ = lc("diff", BEFORE, AFTER, "--format", "json")
    assert code == 0
    assert doc["summary"]["resolved"] == 1 and doc["introduced"] == []
    (r,) = doc["resolved"]
    assert set(r["locks"]) == CYCLE
    assert r["removed_edges"] == [{"from": "cpu_hotplug_lock", "to": "kvm_lock"}]
    code, doc, _ = lc("diff", AFTER, BEFORE, "--format", "json")
    assert code == 1 and set(doc["introduced"][0]["locks"]) == CYCLE


def test_same_tree_is_unchanged(lc):
    code, out, _ = lc("diff", BEFORE, BEFORE)
    assert code == 0 and "0 introduced, 0 resolved, 1 unchanged at confidence >= high" in out


def test_paths_restrict_both_scans(lc):
    # without mmu.c there is no kvm_lock -> slots_lock edge: no cycle on either side
    code, out, _ = lc("diff", BEFORE, AFTER, "kvm_main.c", "cpu.c", "x86.c")
    assert code == 0 and "0 introduced, 0 resolved, 0 unchanged at confidence >= high" in out


def test_git_revisions(lc, kvm_repo):
    code, out, _ = lc("diff", "--repo", kvm_repo, "before", "after")
    assert code == 0 and "0 introduced, 1 resolved" in out
    code, out, _ = lc("diff", "--repo", kvm_repo, "after", "before")
    assert code == 1 and "1 introduced" in out
    files = sorted(p.name for p in BEFORE.glob("*.c"))      # PATHs: files, headers come along
    code, out, _ = lc("diff", "--repo", kvm_repo, "HEAD~1", "HEAD", *files)
    assert code == 0 and "1 resolved" in out


def test_git_work_tree_untouched(lc, kvm_repo):
    (kvm_repo / "kvm_main.c").write_text("/* local edit */\n")
    code, _, _ = lc("diff", "--repo", kvm_repo, "before", "after")
    assert code == 0
    assert (kvm_repo / "kvm_main.c").read_text() == "/* local edit */\n"


def test_missing_revision(lc, kvm_repo):
    code, out, err = lc("diff", "--repo", kvm_repo, "before", "no-such-rev")
    assert code == 2 and out == ""
    assert err.strip() == f"lockcheck: error: no-such-rev: unknown revision in {kvm_repo}"


def test_not_a_repository(lc, tmp_path):
    code, _, err = lc("diff", "--repo", tmp_path, "a", "b")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_directory(lc, tmp_path):
    code, out, err = lc("diff", BEFORE, tmp_path / "nope")
    assert code == 2 and out == ""
    assert err.strip() == f"lockcheck: error: {tmp_path / 'nope'}: no such directory"


def test_missing_path(lc):
    code, _, err = lc("diff", BEFORE, AFTER, "no/such/dir")
    assert code == 2 and err.strip() == "lockcheck: error: no/such/dir: no such file or directory in either tree"


def test_index_against_head(lc, kvm_repo):
    """What the pre-commit hook runs: HEAD against ``git write-tree`` (the index)."""
    from tests.gate.conftest import BEFORE, git
    (kvm_repo / "kvm_main.c").write_bytes((BEFORE / "kvm_main.c").read_bytes())
    git(kvm_repo, "add", "kvm_main.c")
    code, out, _ = lc("diff", "--repo", kvm_repo, "HEAD", git(kvm_repo, "write-tree"))
    assert code == 1 and "1 introduced" in out

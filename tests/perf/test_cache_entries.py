"""The cache when its entries or its directory are not what they should be,
and what an edited header costs a warm scan.  In process (``api.check``):
``run_info`` says how each result was obtained."""

from __future__ import annotations

import errno
import shutil

import pytest

from lockcheck import cache as cache_mod
from lockcheck.api import check
from lockcheck.cache import Cache
from lockcheck.cli.main import main
from lockcheck.options import Options

from .clirun import FIXTURES
from .test_cache_cli import WITH_HEADER_C, WITH_HEADER_H


def _check(path, cache_dir):
    return check(Options(paths=(str(path),), cache_dir=cache_dir, jobs=1))


def test_unreadable_entry_is_a_miss_and_removed(tmp_path):
    c = Cache(tmp_path)
    c.put("file", "ab" * 20, {"x": 1})
    (entry,) = (tmp_path / "file").rglob("*.pickle")
    assert c.get("file", "ab" * 20) == {"x": 1} and c.hits == 1
    for damaged in (b"not a pickle", entry.read_bytes()[:5], b""):
        entry.write_bytes(damaged)
        misses = c.misses
        assert c.get("file", "ab" * 20) is None
        assert c.misses == misses + 1 and not entry.exists()
        c.put("file", "ab" * 20, {"x": 1})
    assert c.get("missing", "cd" * 20) is None


def test_truncated_whole_scan_entry_means_a_scan_from_the_file_entries(tmp_path):
    """Cut short (a full disk, a killed writer): the run entry is not
    trusted; the scan is made again from the per-file entries, gives the
    cold result, and stores a good run entry again."""
    src = FIXTURES / "minikvm" / "before"
    cold = _check(src, tmp_path)
    (entry,) = (tmp_path / "run").rglob("*.pickle")
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    again = _check(src, tmp_path)
    assert not again.run_info.get("whole_scan_cached")
    assert again.run_info["files_parsed"] == 0 and again.run_info["files_cached"] == 7
    assert (again.findings, again.edges, again.locks) == (cold.findings, cold.edges, cold.locks)
    assert _check(src, tmp_path).run_info.get("whole_scan_cached")


@pytest.fixture
def read_only_cache(monkeypatch):
    """Every write into a cache fails as on a read-only file system (the
    tests run as root, for whom permission bits do not)."""
    def refuse(path):
        raise OSError(errno.EROFS, "Read-only file system", path)
    monkeypatch.setattr(cache_mod, "_open_aside", refuse)


def test_read_only_cache_scans_and_says_so_once(tmp_path, capsys, read_only_cache):
    def scan(*args):
        with pytest.raises(SystemExit) as exc:
            main(["scan", "-q", "-j", "1", "--format", "json", *args, str(FIXTURES / "minikvm" / "before")])
        return exc.value.code, *capsys.readouterr()
    code, out, err = scan("--cache-dir", str(tmp_path))
    assert code == 1
    assert err.splitlines() == [f"lockcheck: warning: cannot write to the cache {tmp_path} "
                                "(Read-only file system): this run's results are not kept"]
    assert (code, out) == scan("--no-cache")[:2]
    assert not list(tmp_path.rglob("*.pickle"))


def test_read_only_cache_still_serves_what_it_holds(tmp_path, monkeypatch):
    src = FIXTURES / "abba_simple.c"
    cold = _check(src, tmp_path)
    assert "cache_not_written" not in cold.run_info
    monkeypatch.setattr(cache_mod, "_open_aside", lambda path: (_ for _ in ()).throw(PermissionError(path)))
    warm = _check(src, tmp_path)
    assert warm.run_info.get("whole_scan_cached") and warm.findings == cold.findings
    assert "cache_not_written" not in warm.run_info        # nothing needed writing


def _header_tree(tmp_path):
    tree = tmp_path / "src"
    tree.mkdir()
    (tree / "a.c").write_text(WITH_HEADER_C)
    (tree / "h.h").write_text(WITH_HEADER_H)
    shutil.copy(FIXTURES / "abba_simple.c", tree / "b.c")      # includes no header
    return tree


def test_edited_header(tmp_path):
    """A header's lines are read by the files that reach its functions
    (header entries, keyed by its content) and its declarations by every
    file (the tree index is one, by name): an edit that moves lines re-reads
    the header alone and shows its new lines; an edit to a declaration fact
    re-parses the scanned files.  Both give a cold scan's result."""
    tree, cache = _header_tree(tmp_path), tmp_path / "cache"
    first = _check(tree, cache)
    header = tree / "h.h"

    header.write_text("/* moved down one line */\n" + header.read_text())
    moved = _check(tree, cache)
    assert (moved.run_info["files_parsed"], moved.run_info["files_cached"]) == (0, 2)
    assert moved.findings == _check(tree, None).findings != first.findings
    lines = {s.line for f in moved.findings for e in f.edges for s in e.witness if s.file.endswith("h.h")}
    old = {s.line for f in first.findings for e in f.edges for s in e.witness if s.file.endswith("h.h")}
    assert lines == {n + 1 for n in old} and lines

    header.write_text(header.read_text().replace("extern struct mutex b_lock;",
                                                 "extern struct mutex b_lock;\nstruct extra { int x; };"))
    declared = _check(tree, cache)
    assert declared.run_info["files_parsed"] == 2
    assert declared.findings == _check(tree, None).findings

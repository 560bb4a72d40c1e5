"""``lockcheck cache info|clear``."""

from __future__ import annotations

import json

import pytest

from .clirun import FIXTURES, lockcheck


def info(cache) -> dict:
    proc = lockcheck("cache", "info", "--format", "json", "--cache-dir", cache)
    assert proc.returncode == 0
    return json.loads(proc.stdout)


def test_info_counts_each_kind_then_clear_empties(tmp_path):
    cache = tmp_path / "cache"
    assert info(cache)["entries"] == 0 and not info(cache)["exists"]
    lockcheck("scan", "-q", "--cache-dir", cache, FIXTURES / "minikvm" / "before")
    got = info(cache)
    assert got["location"] == str(cache) and got["exists"]
    assert set(got["kinds"]) == {"lex", "file", "header", "run"}
    assert got["kinds"]["run"]["entries"] == 1  # the whole scan, reused while inputs are unchanged
    # one lex summary per file reached (7 .c, 2 .h) and one parse per scanned .c
    assert got["kinds"]["lex"]["entries"] == 9
    assert got["kinds"]["file"]["entries"] == 7
    assert all(k["bytes"] > 0 for k in (got["kinds"]["lex"], got["kinds"]["file"]))
    assert got["entries"] == sum(k["entries"] for k in got["kinds"].values())
    assert got["bytes"] == sum(k["bytes"] for k in got["kinds"].values())

    text = lockcheck("cache", "info", "--cache-dir", cache).stdout.decode()
    assert str(cache) in text and "lex" in text and "header" in text

    cleared = lockcheck("cache", "clear", "--format", "json", "--cache-dir", cache)
    assert cleared.returncode == 0
    assert json.loads(cleared.stdout)["removed"]["entries"] == got["entries"]
    assert info(cache)["entries"] == 0
    assert list(cache.iterdir()) == []


def test_clear_leaves_other_files_alone(tmp_path):
    """A mistyped --cache-dir must not cost the user their files."""
    (tmp_path / "notes.txt").write_text("keep")
    (tmp_path / "file").mkdir()
    (tmp_path / "file" / "README").write_text("keep")
    (tmp_path / "file" / "ab").mkdir()
    (tmp_path / "file" / "ab" / "abcdef.pickle").write_bytes(b"x")
    out = lockcheck("cache", "clear", "--cache-dir", tmp_path).stdout.decode()
    assert "removed 1 entries" in out
    assert (tmp_path / "notes.txt").read_text() == "keep"
    assert (tmp_path / "file" / "README").read_text() == "keep"
    assert not (tmp_path / "file" / "ab").exists()


def test_clear_on_missing_directory(tmp_path):
    proc = lockcheck("cache", "clear", "--cache-dir", tmp_path / "nope")
    assert proc.returncode == 0 and b"removed 0 entries" in proc.stdout


def test_run_cache_is_invalidated_by_any_input_change(tmp_path):
    """The whole-scan entry is reused only while every file read is
    byte-identical: editing a scanned file gives the new result."""
    import shutil
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "minikvm" / "before", src)
    cache = tmp_path / "cache"
    first = lockcheck("scan", "-q", "--format", "json", "--cache-dir", cache, src)
    assert first.returncode == 1
    shutil.copy(FIXTURES / "minikvm" / "after" / "kvm_main.c", src / "kvm_main.c")   # the upstream fix
    second = lockcheck("scan", "-q", "--format", "json", "--cache-dir", cache, src)
    # before: the seed's four-lock cycle; after the edit (the upstream fix's
    # kvm_main.c): none, as a scan without the cache finds
    assert [set(c["locks"]) for c in json.loads(first.stdout)["cycles"]] == [
        {"kvm_lock", "&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock"}]
    assert second.returncode == 0 and json.loads(second.stdout)["cycles"] == []
    assert second.stdout == lockcheck("scan", "-q", "--format", "json", "--no-cache", src).stdout


def test_per_file_entries_depend_on_front_end_code_only():
    """A change to the analysis or the reports keeps a tree's parse cache
    (lex/file/header entries); one to the front end or extraction does not."""
    from lockcheck.cache import code_digest, in_scope
    for rel in ("frontend/parse.py", "analysis/extract.py", "analysis/ir.py", "driver.py", "parse_task.py",
                "executors.py", "model/data/primitives.toml"):
        assert in_scope(rel, "frontend"), rel
    for rel in ("analysis/flow.py", "analysis/summaries.py", "analysis/cycles.py", "report/text.py", "api.py"):
        assert not in_scope(rel, "frontend"), rel
    assert code_digest("frontend") != code_digest("all")


def test_check_leaves_the_cycle_collector_as_it_found_it(tmp_path):
    import gc

    from lockcheck.api import check
    from lockcheck.options import Options
    from .clirun import FIXTURES
    assert gc.isenabled()
    result = check(Options(paths=(str(FIXTURES / "abba_simple.c"),), cache_dir=None))
    assert result.findings and gc.isenabled()


def test_clear_removes_lexed_files_a_killed_scan_left(tmp_path):
    """A scan keeps its lexed files in ``lexed-*`` under the cache directory
    until parsing ends (frontend.lexed_store); a killed scan leaves them."""
    left = tmp_path / "lexed-abc12345"
    left.mkdir()
    (left / ("0123456789abcdef" * 2 + ".lexed")).write_bytes(b"x")
    (left / "tmpk2j4h8.tmp").write_bytes(b"x")
    other = tmp_path / "lexed-mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    (other / "draft.lexed").write_text("keep")
    (tmp_path / "lexed-file").write_text("keep")
    proc = lockcheck("cache", "clear", "--cache-dir", tmp_path)
    assert proc.returncode == 0
    assert not left.exists()
    assert (other / "notes.txt").read_text() == (other / "draft.lexed").read_text() == "keep"
    assert (tmp_path / "lexed-file").read_text() == "keep"


@pytest.fixture
def scan_in(capsys, monkeypatch):
    """``scan_in(cwd, *args)`` → (exit code, stdout bytes, stderr bytes) of
    ``lockcheck scan -q -j 1 ARGS`` run in process from ``cwd``."""
    from lockcheck.cli.main import main

    def run(cwd, *args):
        monkeypatch.chdir(cwd)
        with pytest.raises(SystemExit) as exc:
            main(["scan", "-q", "-j", "1", *map(str, args)])
        out, err = capsys.readouterr()
        return exc.value.code, out.encode(), err.encode()
    return run


WITH_HEADER_H = """extern struct mutex a_lock;
extern struct mutex b_lock;
static inline void take_b(void)
{
\tmutex_lock(&b_lock);
\tmutex_unlock(&b_lock);
}
"""

WITH_HEADER_C = """#include "h.h"
DEFINE_MUTEX(a_lock);
DEFINE_MUTEX(b_lock);
void one(void)
{
\tmutex_lock(&a_lock);
\ttake_b();
\tmutex_unlock(&a_lock);
}
void two(void)
{
\tmutex_lock(&b_lock);
\tmutex_lock(&a_lock);
\tmutex_unlock(&a_lock);
\tmutex_unlock(&b_lock);
}
"""


def test_run_cache_keeps_paths_relative_to_where_the_scan_runs(tmp_path, scan_in):
    """Outside a kernel tree witnesses are shown relative to the working
    directory: the same files scanned from another directory are another
    report, not the cached one (SARIF URIs would point at the wrong files)."""
    proj, cache = tmp_path / "proj", tmp_path / "cache"
    (proj / "sub").mkdir(parents=True)
    (proj / "sub" / "a.c").write_text(WITH_HEADER_C)
    (proj / "sub" / "h.h").write_text(WITH_HEADER_H)      # its inline function is a witness: header entries too
    for fmt in ("json", "sarif"):
        code, outer, _ = scan_in(proj, "--format", fmt, "--cache-dir", cache, "sub")
        code_in, inner, _ = scan_in(proj / "sub", "--format", fmt, "--cache-dir", cache, ".")
        assert code == code_in == 1
        assert b"sub/a.c" in outer and b"sub/h.h" in outer
        assert inner == scan_in(proj / "sub", "--format", fmt, "--no-cache", ".")[1]
        assert b"sub/" not in inner and b"h.h" in inner
        # and back: the first directory's entry still serves it
        assert scan_in(proj, "--format", fmt, "--cache-dir", cache, "sub")[1] == outer


def test_run_cache_reused_from_anywhere_for_a_kernel_tree(tmp_path, scan_in):
    """Inside a kernel tree paths are shown relative to its root, so the
    working directory is not part of the whole-scan key there."""
    import shutil
    tree, cache = tmp_path / "linux", tmp_path / "cache"
    (tree / "include" / "linux").mkdir(parents=True)
    (tree / "Kconfig").write_text("\n")
    shutil.copytree(FIXTURES / "abba_two_files", tree / "drivers" / "abba")
    code, first, _ = scan_in(tree, "-v", "--format", "json", "--cache-dir", cache, "drivers/abba")
    code_again, again, err = scan_in(tree / "drivers", "-v", "--format", "json", "--cache-dir", cache, "abba")
    assert code == code_again == 1
    assert b"whole scan reused from the cache" in err
    assert again == first and b'"drivers/abba/' in first


def _lockcheck_imports(path):
    """The ``lockcheck.*`` modules a source file imports (at any depth of
    the file: function-level imports count)."""
    import ast
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lockcheck"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("lockcheck"))
    return out


def test_every_module_a_worker_runs_is_in_the_per_file_digest():
    """Per-file cache entries are keyed by the front end's code digest: every
    module the parse worker imports, transitively, must count for it, or an
    edit to that module would reuse entries it produced differently."""
    from pathlib import Path

    import lockcheck
    from lockcheck.cache import in_scope
    pkg = Path(lockcheck.__file__).parent
    todo, seen = ["lockcheck.parse_task"], set()
    while todo:
        name = todo.pop()
        rel = name.removeprefix("lockcheck").lstrip(".").replace(".", "/")
        for candidate in (pkg / f"{rel}.py", pkg / rel / "__init__.py"):
            if candidate.is_file() and candidate not in seen:
                seen.add(candidate)
                todo.extend(_lockcheck_imports(candidate))
    assert len(seen) > 10
    outside = sorted(p.relative_to(pkg).as_posix() for p in seen
                     if not in_scope(p.relative_to(pkg).as_posix(), "frontend"))
    assert outside == []

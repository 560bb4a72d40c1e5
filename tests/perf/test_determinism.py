"""The same bytes however a scan runs: one process or two, cold or warm
cache; and a warm re-scan after editing one function re-parses one file."""

from __future__ import annotations

import json
import shutil

import pytest

from .clirun import FIXTURES, lockcheck, scan_json, stats_json

CASES = ["minikvm/before", "cycle4_four_files"]


@pytest.mark.parametrize("case", CASES)
def test_jobs_1_and_2_identical(case):
    one = scan_json(FIXTURES / case, "--no-cache", "-j", "1")
    two = scan_json(FIXTURES / case, "--no-cache", "-j", "2")
    assert one and b'"edges"' in one
    assert one == two


def test_default_jobs_and_1_identical():
    """What a user runs (no -j: one worker per core) against one process."""
    default = scan_json(FIXTURES / "minikvm" / "before", "--no-cache")
    assert default and b'"edges"' in default
    assert default == scan_json(FIXTURES / "minikvm" / "before", "--no-cache", "-j", "1")


def test_parallel_header_functions_same_as_serial(monkeypatch):
    """fixtures/header_inlines has five headers whose inline functions the
    code calls: with -j 2 they are parsed in worker processes
    (driver._header_jobs), with -j 1 in this one; the results are equal."""
    import concurrent.futures

    from lockcheck.api import check
    from lockcheck.options import Options
    from lockcheck.report import renderer
    pools = []
    real = concurrent.futures.ProcessPoolExecutor

    class Counting(real):
        def __init__(self, *a, **kw):
            pools.append(kw.get("max_workers"))
            super().__init__(*a, **kw)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counting)

    def run(jobs):
        import io
        result = check(Options(paths=(str(FIXTURES / "header_inlines"),), cache_dir=None, jobs=jobs,
                               executor="local"))
        out = io.StringIO()
        renderer("json")(result, out)
        return result, out.getvalue()
    serial, serial_json = run(1)
    assert pools == []
    parallel, parallel_json = run(2)
    assert pools and all(n == 2 for n in pools)
    assert parallel.stats["header_functions"] == serial.stats["header_functions"] >= 5
    assert len(parallel.findings) == 2 and parallel_json == serial_json


@pytest.mark.parametrize("case", CASES)
def test_cold_and_warm_identical(case, tmp_path):
    cache = tmp_path / "cache"
    cold = scan_json(FIXTURES / case, "--cache-dir", cache, "-j", "2")
    after_cold = cache_info(cache)
    warm = scan_json(FIXTURES / case, "--cache-dir", cache, "-j", "2")
    assert cold == warm
    assert cold == scan_json(FIXTURES / case, "--no-cache", "-j", "1")
    # the warm run computed nothing new: every entry it needed was there
    assert after_cold["kinds"]["file"]["entries"] > 0
    assert cache_info(cache)["kinds"] == after_cold["kinds"]


def cache_info(cache) -> dict:
    return json.loads(lockcheck("cache", "info", "--format", "json", "--cache-dir", cache).stdout)


BODY_BEFORE = "\tint ret = 0;\n"    # first in kvm_online_cpu()


def test_editing_one_body_reparses_one_file(tmp_path):
    """A function body is not a declaration fact: the tree index keeps its
    digest, so only the edited file misses, once for its lex summary and
    once for its parse (``stats`` caches lex and file entries alike)."""
    tree = tmp_path / "minikvm"
    shutil.copytree(FIXTURES / "minikvm" / "before", tree)
    cache = tmp_path / "cache"
    cold = stats_json(tree, "--cache-dir", cache, "-j", "1")
    assert cold["cache"]["hits"] == 0
    entries = cold["cache"]["misses"]           # one lex + one file entry per file reached
    warm = stats_json(tree, "--cache-dir", cache, "-j", "1")
    assert warm["cache"] == {"hits": entries, "misses": 0, "rejected": 0}

    target = tree / "kvm_main.c"
    text = target.read_text()
    assert text.count(BODY_BEFORE) >= 1
    target.write_text(text.replace(BODY_BEFORE, BODY_BEFORE + "\tret = ret * 1;\n", 1))
    edited = stats_json(tree, "--cache-dir", cache, "-j", "1")
    assert edited["cache"] == {"hits": entries - 2, "misses": 2, "rejected": 0}
    assert edited["functions"] == cold["functions"]


def test_scan_after_editing_one_body_parses_one_file(tmp_path):
    """The scan says (``-v``, on stderr) how many files it parsed: after an
    edit inside one function, one; the JSON equals a cold scan's."""
    tree = tmp_path / "minikvm"
    shutil.copytree(FIXTURES / "minikvm" / "before", tree)
    cache = tmp_path / "cache"
    first = lockcheck("scan", "-q", "-v", "--format", "json", "--cache-dir", cache, "-j", "1", tree)
    assert b"(7 parsed, 0 from the cache)" in first.stderr
    again = lockcheck("scan", "-q", "-v", "--format", "json", "--cache-dir", cache, "-j", "1", tree)
    assert b"whole scan reused from the cache" in again.stderr
    assert again.stdout == first.stdout
    target = tree / "kvm_main.c"
    target.write_text(target.read_text().replace(BODY_BEFORE, BODY_BEFORE + "\tret = ret * 1;\n", 1))
    edited = lockcheck("scan", "-q", "-v", "--format", "json", "--cache-dir", cache, "-j", "1", tree)
    assert b"(1 parsed, 6 from the cache)" in edited.stderr
    assert edited.stdout == scan_json(tree, "--no-cache", "-j", "1")

"""``--executor``: the local process pool and a Dask cluster give the same bytes."""

from __future__ import annotations

import json

import pytest

from lockcheck.errors import InputError
from lockcheck.executors import DaskExecutor, Job, LocalExecutor, make_executor, parse_executor

from .clirun import FIXTURES, lockcheck, scan_json


@pytest.mark.parametrize("spec", ["local", "dask://127.0.0.1:8786", "dask://scheduler.example:1"])
def test_valid_specs(spec):
    assert parse_executor(spec) == spec


@pytest.mark.parametrize("spec", ["", "ray://x:1", "dask://", "dask://host", "dask://host:port",
                                  "dask://:8786", "tcp://host:1"])
def test_invalid_specs(spec):
    with pytest.raises(ValueError):
        parse_executor(spec)


def test_make_executor():
    assert isinstance(make_executor("local", 3), LocalExecutor)
    ex = make_executor("dask://127.0.0.1:8786", 3)
    assert isinstance(ex, DaskExecutor) and ex.address == "tcp://127.0.0.1:8786"


def test_bad_executor_is_a_usage_error():
    proc = lockcheck("scan", "--executor", "ray://x:1", FIXTURES / "minikvm" / "before", check=False)
    assert proc.returncode == 2
    assert b"--executor" in proc.stderr and b"Traceback" not in proc.stderr


def test_unreachable_scheduler_is_an_input_error():
    pytest.importorskip("distributed", reason="Dask is not installed (pip install 'lockcheck[dask]')")
    ex = DaskExecutor("tcp://127.0.0.1:9", timeout=1)   # the discard port: nothing listens
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        list(ex.map(None, [Job("/nonexistent/x.c", "x.c", "0")]))


@pytest.fixture(scope="module")
def dask_cluster():
    pytest.importorskip("distributed", reason="Dask is not installed (pip install 'lockcheck[dask]')")
    from distributed import LocalCluster
    try:
        cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                               dashboard_address=None, host="127.0.0.1")
    except Exception as exc:   # no sockets, no process spawning, ...
        pytest.skip(f"a Dask LocalCluster cannot start here: {type(exc).__name__}: {exc}")
    with cluster:
        yield cluster.scheduler_address.replace("tcp://", "dask://")


@pytest.mark.parametrize("case", ["minikvm/before", "cycle4_four_files"])
def test_dask_scan_identical_to_local(dask_cluster, case, tmp_path):
    local = scan_json(FIXTURES / case, "--no-cache", "-j", "1")
    remote = scan_json(FIXTURES / case, "--no-cache", "--executor", dask_cluster)
    assert b'"edges"' in local
    assert remote == local
    # what Dask computed is cached like a local run's, and reads back the same
    cache = tmp_path / "cache"
    assert scan_json(FIXTURES / case, "--cache-dir", cache, "--executor", dask_cluster) == local
    assert scan_json(FIXTURES / case, "--cache-dir", cache, "-j", "2") == local


class _Recorder:
    """An executor that keeps what the driver hands it, then parses here."""

    name = "recorder"

    def __init__(self) -> None:
        self.ctx, self.jobs, self.lexed_dir = None, [], None

    def map(self, ctx, jobs):
        self.ctx, self.jobs, self.lexed_dir = ctx, list(jobs), ctx.lexed_dir
        yield from LocalExecutor(1).map(ctx, jobs)


def context_and_jobs(path, cache_dir, **options):
    """The context and jobs a scan of ``path`` sends to its executor, and
    the run (the context's lexed-files directory is gone when it returns)."""
    from lockcheck import driver
    from lockcheck.options import Options
    recorder = _Recorder()
    real = driver.make_executor
    driver.make_executor = lambda spec, jobs: recorder
    try:
        run = driver.run_frontend(Options(paths=(str(path),), cache_dir=cache_dir, jobs=1, **options), extract=True)
    finally:
        driver.make_executor = real
    recorder.ctx.lexed_dir = recorder.lexed_dir
    return recorder.ctx, recorder.jobs, run


def test_everything_sent_to_an_executor_names_absolute_paths(monkeypatch, tmp_path):
    """Scanned from inside a directory with relative paths, -I, --model and
    --cache-dir: the jobs and the context hold absolute paths only (a Dask
    worker opens them against its own working directory), the reports
    still name files as the user's paths do."""
    import os
    import shutil
    from pathlib import Path
    shutil.copytree(FIXTURES / "minikvm" / "before", tmp_path / "src")
    (tmp_path / "inc").mkdir()
    (tmp_path / "extra.toml").write_text("# no additions\n")
    monkeypatch.chdir(tmp_path)
    ctx, jobs, run = context_and_jobs("src", Path("cache"), include_dirs=("inc",), model_files=("extra.toml",))
    assert len(jobs) == 7 and not run.errors
    assert all(os.path.isabs(j.path) and Path(j.path).is_file() for j in jobs)
    assert sorted(j.display for j in jobs) == sorted(f"src/{p.name}" for p in (tmp_path / "src").glob("*.c"))
    assert sorted(f.path for f in run.files) == sorted(j.display for j in jobs)
    assert os.path.isabs(ctx.lexed_dir) and Path(ctx.lexed_dir).parent == tmp_path / "cache"
    o = ctx.options
    assert o.paths == (str(tmp_path / "src"),) and o.include_dirs == (str(tmp_path / "inc"),)
    assert o.model_files == (str(tmp_path / "extra.toml"),) and o.cache_dir == tmp_path / "cache"
    assert all(os.path.isabs(h) for h in ctx.index.header_files)


def test_a_relative_path_is_never_sent_to_dask():
    with pytest.raises(ValueError, match="relative path"):
        list(DaskExecutor("tcp://127.0.0.1:9", timeout=1).map(None, [Job("x.c", "x.c", "0")]))


def test_a_dask_task_parses_with_the_cycle_collector_paused(monkeypatch, tmp_path):
    """As in the client and the workers it forks (lockcheck.cyclic_gc): in a
    Dask worker the collector made each parse half as slow again."""
    import gc

    from lockcheck import executors
    from lockcheck.frontend.source import read_source
    src = tmp_path / "a.c"
    src.write_text("int f(void) { return 0; }\n")
    seen = []
    monkeypatch.setattr(executors, "process_pickled", lambda args: seen.append(gc.isenabled()) or b"")
    assert gc.isenabled()
    executors._dask_process(Job(str(src), "a.c", read_source(src, "a.c").digest), None)
    assert seen == [False] and gc.isenabled()


def test_chunk_size_groups_files_only_when_every_worker_has_many_tasks():
    from lockcheck.executors import MAX_CHUNK, MIN_TASKS_PER_WORKER, chunk_size
    assert chunk_size(0, 2) == chunk_size(1, 2) == chunk_size(2 * MIN_TASKS_PER_WORKER * 2 - 1, 2) == 1
    assert chunk_size(2 * MIN_TASKS_PER_WORKER * 2, 2) == 2
    assert chunk_size(31_325, 2) == MAX_CHUNK       # the whole 6.12 tree
    assert chunk_size(31_325, 0) == MAX_CHUNK
    for files in (1, 10, 300, 5_000, 40_000):
        for workers in (1, 2, 8):
            size = chunk_size(files, workers)
            assert 1 <= size <= MAX_CHUNK
            assert size == 1 or files // size >= workers * MIN_TASKS_PER_WORKER


def test_files_handed_out_in_chunks_come_back_in_input_order(tmp_path):
    """Enough files that the local pool groups them (chunk_size > 1): each
    answer is the file's own, in the report and under its cache key (a
    later scan reads the others from the cache)."""
    from lockcheck.executors import chunk_size
    n = 300
    assert chunk_size(n, 2) > 1
    src = tmp_path / "src"
    src.mkdir()
    for k in range(n):
        (src / f"f{k:03}.c").write_text(
            f"struct mutex a{k}, b{k};\n"
            f"void one{k}(void) {{ mutex_lock(&a{k}); mutex_lock(&b{k}); mutex_unlock(&b{k}); mutex_unlock(&a{k}); }}\n"
            f"void two{k}(void) {{ mutex_lock(&b{k}); mutex_lock(&a{k}); mutex_unlock(&a{k}); mutex_unlock(&b{k}); }}\n")
    cache = tmp_path / "cache"
    two = scan_json(src, "--cache-dir", cache, "-j", "2")
    assert two == scan_json(src, "--no-cache", "-j", "1")
    assert json.loads(two)["stats"]["cycles"] == n
    with open(src / "f000.c", "a") as f:     # a new scan: the other files from the cache
        f.write("/* edited */\n")
    assert scan_json(src, "--cache-dir", cache, "-j", "1") == scan_json(src, "--no-cache", "-j", "1")

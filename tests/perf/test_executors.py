"""``--executor``: the local process pool and a Dask cluster give the same bytes."""

from __future__ import annotations

import pytest

from lockcheck.errors import InputError
from lockcheck.executors import DaskExecutor, LocalExecutor, make_executor, parse_executor

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
    from lockcheck.executors import Job
    ex = DaskExecutor("tcp://127.0.0.1:9", timeout=1)   # the discard port: nothing listens
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        list(ex.map(None, [Job("x.c", "x.c", "0")]))


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

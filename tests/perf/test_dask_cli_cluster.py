"""A distributed scan as a user runs it (docs/distributed.md): the real
``dask scheduler`` and ``dask worker`` programs, started as separate
processes in a working directory of their own, and ``lockcheck scan`` run
from inside a tree with relative paths.  A ``LocalCluster``'s workers share
the test's working directory, so they would open relative paths as the
client does and hide the difference.

Everything listens on 127.0.0.1 only (no dashboards), every wait is
bounded, and the processes are ended by the test (the scheduler also
stops by itself when idle, the workers when it is gone).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lockcheck.errors import InputError

from .clirun import FIXTURES

START_TIMEOUT = 120     # seconds for the scheduler and both workers (the machine may be loaded)
SCAN_TIMEOUT = 300


def _dask_command() -> list[str]:
    """The ``dask`` program of this Python (its console script, else
    ``python -m dask``, which is the same command-line entry point)."""
    script = Path(sys.executable).with_name("dask")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "dask"]


def _start(args: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(_dask_command() + args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    """End the process and what it started (its own process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass


def _logs(*paths: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in paths if p.exists())


@pytest.fixture(scope="module")
def cli_cluster(tmp_path_factory):
    """``dask://127.0.0.1:PORT`` of a scheduler with two worker processes
    (``dask worker --nworkers 2 --nthreads 1``), all started from a
    directory that holds nothing of the scanned tree."""
    pytest.importorskip("distributed", reason="Dask is not installed (pip install 'lockcheck[dask]')")
    from distributed import Client
    elsewhere = tmp_path_factory.mktemp("dask-cwd")
    sched_file = elsewhere / "scheduler.json"
    sched_log, work_log = elsewhere / "scheduler.log", elsewhere / "workers.log"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(sched_file), "--idle-timeout", "600"], elsewhere, sched_log)]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not sched_file.exists() or not sched_file.read_text().strip():
            if procs[0].poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`dask scheduler` did not start:\n{_logs(sched_log)}")
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:"), address
        procs.append(_start(["worker", address, "--host", "127.0.0.1", "--nworkers", "2", "--nthreads", "1",
                             "--no-dashboard", "--local-directory", str(elsewhere / "workers"),
                             "--death-timeout", "60"], elsewhere, work_log))
        with Client(address, timeout=START_TIMEOUT, set_as_default=False) as client:
            try:
                client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
            except TimeoutError:
                pytest.fail(f"two `dask worker` processes did not join:\n{_logs(sched_log, work_log)}")
            workers = sorted(client.scheduler_info()["workers"])
        yield address.replace("tcp://", "dask://"), workers
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _minitree(top: Path) -> Path:
    """A small kernel-like tree (``Kconfig`` and ``include/linux`` mark its
    root) from the minikvm fixture: sources in the directories they come
    from, ``kvm_host.h`` under ``include/``, ``jump_label.h`` in a
    directory reached only through ``-I``."""
    src = FIXTURES / "minikvm" / "before"
    tree = top / "tree"
    layout = {"kvm_main.c": "virt/kvm", "x86.c": "arch/x86/kvm", "mmu.c": "arch/x86/kvm",
              "lapic.c": "arch/x86/kvm", "vmx.c": "arch/x86/kvm/vmx", "cpu.c": "kernel",
              "jump_label.c": "kernel", "kvm_host.h": "include", "jump_label.h": "extra"}
    assert sorted(layout) == sorted(p.name for p in src.iterdir())
    for name, where in layout.items():
        (tree / where).mkdir(parents=True, exist_ok=True)
        shutil.copy(src / name, tree / where / name)
    (tree / "include" / "linux").mkdir()
    (tree / "Kconfig").write_text("# the root of a kernel tree\n")
    return tree


def _scan(tree: Path, *args) -> subprocess.CompletedProcess:
    """``lockcheck scan`` from inside ``tree`` with relative paths only."""
    return subprocess.run([sys.executable, "-c", "from lockcheck.cli.main import main; main()",
                           "scan", "-q", "--format", "json", "-I", "extra", *args,
                           "virt/kvm", "arch/x86/kvm", "kernel"],
                          cwd=tree, capture_output=True, timeout=SCAN_TIMEOUT)


def test_relative_scan_on_cli_workers_elsewhere_matches_local(cli_cluster, tmp_path):
    executor, _ = cli_cluster
    tree = _minitree(tmp_path)
    local = _scan(tree, "--cache-dir", "../cache-local", "-j", "2")
    remote = _scan(tree, "--cache-dir", "../cache-dask", "--executor", executor)
    assert local.returncode == 1, local.stderr.decode()          # findings, no errors
    report = json.loads(local.stdout)
    assert report["errors"] == [] and report["stats"]["files"] == 7
    assert [sorted(c["locks"]) for c in report["cycles"]] == \
        [sorted(["kvm_lock", "&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock"])]
    # files are named relative to the tree's root, as in any local run
    named = {step["file"] for e in report["edges"] for step in e["witness"]}
    assert "virt/kvm/kvm_main.c" in named and "arch/x86/kvm/x86.c" in named
    assert named <= {str(p.relative_to(tree)) for p in tree.rglob("*.[ch]")}, named
    assert remote.returncode == 1, remote.stderr.decode()
    assert remote.stdout == local.stdout


def test_a_file_no_worker_can_read_is_one_error_naming_worker_and_path(cli_cluster, tmp_path):
    """The client read every file; the workers find the first missing: one
    error for the run, before any task, naming both workers and the path."""
    from lockcheck.executors import DaskExecutor, Job
    executor, workers = cli_cluster
    gone = tmp_path / "gone.c"
    jobs = [Job(str(gone), "gone.c", "0" * 32), Job(str(tmp_path / "also_gone.c"), "also_gone.c", "0" * 32)]
    with pytest.raises(InputError) as err:
        list(DaskExecutor(executor.replace("dask://", "tcp://")).map(None, jobs))
    message = str(err.value)
    assert str(gone) in message and "also_gone" not in message
    assert all(w in message for w in workers)
    assert "same absolute path" in message and "\n" not in message


def test_a_file_missing_later_stops_the_run_once(cli_cluster, tmp_path):
    """The first file reads fine everywhere; later ones the workers cannot
    open: the run ends with one error naming the worker and the first such
    path, not one error per file."""
    from lockcheck.executors import DaskExecutor, Job
    from lockcheck.frontend.source import read_source

    from .test_executors import context_and_jobs
    executor, workers = cli_cluster
    ctx, jobs, _ = context_and_jobs(FIXTURES / "minikvm" / "before", None)
    first = read_source(Path(jobs[0].path), jobs[0].display)
    assert first.digest == jobs[0].digest
    missing = [Job(str(tmp_path / f"gone{k}.c"), f"gone{k}.c", "0" * 32) for k in range(3)]
    with pytest.raises(InputError) as err:
        list(DaskExecutor(executor.replace("dask://", "tcp://")).map(ctx, [jobs[0], *missing]))
    message = str(err.value)
    assert message.startswith("Dask worker tcp://127.0.0.1:")
    assert message.split()[2] in workers
    assert str(tmp_path / "gone0.c") in message and "gone1" not in message and "gone2" not in message

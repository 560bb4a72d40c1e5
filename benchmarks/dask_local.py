#!/usr/bin/env python3
"""What the Dask path costs on one machine: a scan on a two-worker local
cluster against the same scan with ``-j 2``.

    python benchmarks/dask_local.py --tree kernel/linux-source-6.12 [--runs 3]

For each run, alternately: a fresh cluster (``dask scheduler`` and ``dask
worker --nworkers 2 --nthreads 1``, started from a directory of their own,
127.0.0.1 only, no dashboards; its start-up is not timed, as a user's
cluster is already running), ``lockcheck scan --no-cache --executor
dask://...`` from inside the tree twice (a fresh cluster's workers import
lockcheck on the first), then ``lockcheck scan --no-cache -j 2``.
Recorded per run: wall time; the client's peak RSS (GNU time, largest
process of its tree; the client keeps its own lex processes and forked
index child) and its whole tree's summed RSS (/proc every 0.2 s); each
Dask worker process's peak RSS (``VmHWM``, read before the cluster stops:
fresh workers: after the first scan its peak, after the second
the peak of both) and the workers' summed RSS
(sampled); whether the JSON equals ``-j 2``'s byte for byte.  Medians of
the runs are printed as Markdown and the raw numbers as JSON
(benchmarks/out/dask-local.json).  The KVM set by default; ``--paths .
--single`` is the whole-tree form (one Dask scan per fresh cluster, no
second scan on the same cluster):

    python benchmarks/dask_local.py --tree kernel/linux-source-6.12 --runs 1 --single --paths .
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import BIN, LOCKCHECK, OUT, _family_of, _tree_rss_kib, measure

DASK = str(BIN / "dask")
PATHS = ("virt/kvm", "arch/x86/kvm")


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(l.split()[1]) for l in f if l.startswith(field + ":")), 0)
    except OSError:
        return 0


class Cluster:
    """A scheduler and ``dask worker --nworkers 2 --nthreads 1``, started in
    a temporary directory, ended (by process group) on exit."""

    def __init__(self, workers: int = 2) -> None:
        self.n = workers
        self.dir = Path(tempfile.mkdtemp(prefix="lockcheck-dask-bench-"))
        self.procs: list[subprocess.Popen] = []

    def _start(self, args, log):
        out = open(self.dir / log, "wb")
        self.procs.append(subprocess.Popen([DASK, *args], cwd=self.dir, stdout=out, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, start_new_session=True))

    def __enter__(self):
        sched = self.dir / "scheduler.json"
        self._start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(sched), "--idle-timeout", "900"], "scheduler.log")
        deadline = time.monotonic() + 180
        while not (sched.exists() and sched.read_text().strip()):
            if time.monotonic() > deadline:
                raise SystemExit("dask scheduler did not start")
            time.sleep(0.2)
        self.address = json.loads(sched.read_text())["address"]
        self._start(["worker", self.address, "--host", "127.0.0.1", "--nworkers", str(self.n), "--nthreads", "1",
                     "--no-dashboard", "--local-directory", str(self.dir / "w"), "--death-timeout", "60"],
                    "workers.log")
        from distributed import Client
        with Client(self.address, timeout=180, set_as_default=False) as c:
            c.wait_for_workers(self.n, timeout=180)
            self.worker_pids = sorted(c.run(os.getpid).values())
        return self

    def workers_rss_kib(self) -> int:
        return sum(_status_kib(p, "VmRSS") for p in self.worker_pids)

    def cluster_rss_kib(self) -> int:
        """Scheduler, the worker command (its nannies) and the workers."""
        return sum(_tree_rss_kib(p.pid) for p in self.procs)

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def _sampled(fn, box: dict, stop: threading.Event) -> threading.Thread:
    def loop():
        while not stop.is_set():
            box["peak"] = max(box.get("peak", 0), fn())
            time.sleep(0.2)
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    return t


def _dask_scan(tree: Path, cluster: Cluster, paths=PATHS) -> dict:
    cmd = [LOCKCHECK, "scan", "-q", "--format", "json", "--no-cache",
           "--executor", cluster.address.replace("tcp://", "dask://"), *paths]
    box, cbox, stop = {}, {}, threading.Event()
    threads = [_sampled(cluster.workers_rss_kib, box, stop), _sampled(cluster.cluster_rss_kib, cbox, stop)]
    m = measure(cmd, cwd=tree)
    stop.set()
    for t in threads:
        t.join()
    return {"wall": m["wall"], "rc": m["rc"], "client_rss_kib": m["rss_kib"], "client_tree_rss_kib": m["tree_rss_kib"],
            "worker_peak_kib": sorted(_status_kib(p, "VmHWM") for p in cluster.worker_pids),
            "workers_sum_peak_kib": box.get("peak", 0), "cluster_sum_peak_kib": cbox.get("peak", 0),
            "stdout": m["stdout"], "stderr": m["stderr"].decode(errors="replace")[-500:],
            "cmd": "cd TREE && " + shlex.join(cmd).replace(cluster.address.replace("tcp://", ""), "127.0.0.1:PORT")}


def dask_runs(tree: Path, paths=PATHS, single: bool = False) -> tuple[dict, dict | None]:
    """The first scan on a fresh cluster (its workers import lockcheck and
    receive the context), then (unless ``single``) a second on the same
    cluster."""
    with Cluster() as cluster:
        idle = sorted(_status_kib(p, "VmRSS") for p in cluster.worker_pids)
        first = _dask_scan(tree, cluster, paths)
        first["worker_idle_kib"] = idle
        if single:
            return first, None
        second = _dask_scan(tree, cluster, paths)
        second["worker_idle_kib"] = idle
        return first, second


def local_run(tree: Path, paths=PATHS) -> dict:
    cmd = [LOCKCHECK, "scan", "-q", "--format", "json", "--no-cache", "-j", "2", *paths]
    m = measure(cmd, cwd=tree)
    return {"wall": m["wall"], "rc": m["rc"], "client_rss_kib": m["rss_kib"], "client_tree_rss_kib": m["tree_rss_kib"],
            "stdout": m["stdout"], "stderr": m["stderr"].decode(errors="replace")[-500:],
            "cmd": "cd TREE && " + shlex.join(cmd)}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--paths", nargs="+", default=list(PATHS), help="paths to scan, relative to the tree")
    ap.add_argument("--single", action="store_true", help="one Dask scan per fresh cluster (for the whole tree)")
    args = ap.parse_args(argv)
    tree = args.tree.resolve()
    runs: dict[str, list] = {"dask": [], "dask_again": [], "local": []}
    loads = [_load()]
    for _ in range(args.runs):
        first, again = dask_runs(tree, args.paths, args.single)
        runs["dask"].append(first)
        if again is not None:
            runs["dask_again"].append(again)
        runs["local"].append(local_run(tree, args.paths))
        loads.append(_load())
    reference = runs["local"][0]["stdout"]
    runs = {k: v for k, v in runs.items() if v}
    for kind in runs:
        for r in runs[kind]:
            if r["rc"] not in (0, 1):
                raise SystemExit(f"{kind} run failed ({r['rc']}): {r['stderr']}")
            r["identical"] = r.pop("stdout") == reference
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dask-local.json").write_text(json.dumps({"runs": runs, "loadavg": loads}, indent=1))

    def med(kind, key):
        return statistics.median(r[key] for r in runs[kind])

    def mib(kib):
        return f"{kib / 1024:.0f} MiB"
    print(f"load average (1/5/15 min) before and after each pair: {'; '.join(loads)}")
    print("| executor | wall | client peak RSS (largest process) | client, all its processes | "
          "each Dask worker, peak RSS | Dask workers summed | JSON = -j 2 |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for kind, label in (("local", "`-j 2` (local processes)"),
                        ("dask", "`--executor dask://`, 2 workers, first scan of a fresh cluster"),
                        ("dask_again", "`--executor dask://`, 2 workers, next scan on the same cluster")):
        if kind not in runs:
            continue
        walls = ", ".join(f"{r['wall']:.1f}" for r in runs[kind])
        row = [label, f"{med(kind, 'wall'):.1f} s (median of {len(runs[kind])}: {walls})",
               mib(med(kind, "client_rss_kib")), mib(med(kind, "client_tree_rss_kib"))]
        if kind.startswith("dask"):
            peaks = statistics.median(max(r["worker_peak_kib"]) for r in runs[kind])
            idle = statistics.median(max(r["worker_idle_kib"]) for r in runs[kind])
            row += [f"{mib(peaks)} (idle {mib(idle)})", mib(med(kind, "workers_sum_peak_kib"))]
        else:
            row += ["—", "—"]
        row.append("yes" if all(r["identical"] for r in runs[kind]) else "**no**")
        print("| " + " | ".join(row) + " |")
    print(f"Dask cluster, all its processes (scheduler, the worker command with its nannies, the workers), "
          f"summed peak: {mib(med('dask', 'cluster_sum_peak_kib'))}")
    for kind in ("dask", "local"):
        print(runs[kind][0]["cmd"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""What the interrupt-safety analysis (issue 21) costs: the same scan with
the interrupt model on and off, alternated, as a ratio.

    python benchmarks/irq_cost.py --cache-dir C --runs 3 -- -j 1 kernel mm fs net

run inside the kernel tree.  The front end is read from ``C`` (make it warm
with one ordinary scan first); before every run the whole-scan entry
(``C/run``) is removed, so each run redoes the analysis and the report.
"Off" is the analysis without the interrupt parts of ``contexts.toml``:
``[irq]``, ``[hrtimer]``, ``[bh_work]`` and every ``[[callback]]`` whose
runner holds an ``irq:`` pseudo-lock (their callbacks are then uncalled
functions, as before issue 21); the front end still reads the whole model,
so both modes reuse the same cached files.  Each run is
a child ``python -m lockcheck scan -q --format json`` whose wall and CPU
time (user + sys, children included) are printed, one line per run, then
the medians and the ratio on/off.  The two modes alternate, so a machine
whose speed drifts hurts both alike.  The front end's work is the same in both
modes, so the difference of the two is what the interrupt model adds to
a cold scan as well.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

OFF_HOOK = r"""
import sys
import lockcheck.api as api

_frontend = api.run_frontend

def _frontend_then_no_irq(*args, **kw):
    # the front end (relevance, the cache's keys) sees the whole model; the
    # analysis sees it without its interrupt parts
    run = _frontend(*args, **kw)
    contexts = kw["model"].contexts
    for part in ("irq", "hrtimer", "bh_work"):
        contexts.pop(part, None)
    contexts["callback"] = [spec for spec in contexts.get("callback", ())
                            if not any(str(h.get("lock", "")).startswith("irq:") for h in spec.get("holds", ()))]
    return run

api.run_frontend = _frontend_then_no_irq
from lockcheck.cli.main import main
sys.argv = ["lockcheck"] + sys.argv[1:]
main()
"""


def one(mode: str, cache: str, scan_args: list[str]) -> tuple[float, float]:
    shutil.rmtree(os.path.join(cache, "run"), ignore_errors=True)
    cmd = [sys.executable]
    cmd += ["-c", OFF_HOOK] if mode == "off" else ["-m", "lockcheck"]
    cmd += ["scan", "-q", "--format", "json", "--cache-dir", cache, *scan_args]
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = os.times()
    if proc.returncode not in (0, 1):
        sys.exit(f"irq_cost: the irq-{mode} scan exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache-dir", required=True, help="a warm cache of the same scan")
    ap.add_argument("--runs", type=int, default=3, help="runs per mode (alternated)")
    ap.add_argument("scan_args", nargs=argparse.REMAINDER, help="-- then lockcheck scan's options and paths")
    a = ap.parse_args()
    args = a.scan_args[1:] if a.scan_args[:1] == ["--"] else a.scan_args
    if not args:
        ap.error("give the scan's paths after --")
    times: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
    for i in range(a.runs):
        for mode in (("on", "off") if i % 2 == 0 else ("off", "on")):
            w, c = one(mode, a.cache_dir, args)
            times[mode].append((w, c))
            print(f"run {i + 1} irq {mode:3s}: wall {w:8.1f} s, cpu {c:8.1f} s", flush=True)
    med = {m: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for m, v in times.items()}
    for m in ("off", "on"):
        print(f"median irq {m:3s}: wall {med[m][0]:8.1f} s, cpu {med[m][1]:8.1f} s")
    print(f"on / off: wall {med['on'][0] / med['off'][0]:.3f}, cpu {med['on'][1] / med['off'][1]:.3f}")


if __name__ == "__main__":
    main()

"""The long fuzz campaign (``make fuzz``): the plain mutation loop of
:mod:`tests.fuzz.bulk` over every reader until each has its quota of
inputs or the time is up; counts, time and crashes printed at the end (and
written as JSON with ``--report``).

    python -m tests.fuzz.campaign --seconds 3600 [--inputs frontend=1000000,patch=100000]
        [--jobs 2 --max-load 2.5] [--kernel-seeds DIR ...] [--crash-dir DIR] [--report out.json]

The readers are visited in batches, the one furthest from its quota first.
A crash (any exception but the one-line InputError, or an input running
past ``--timeout``) is saved to ``--crash-dir`` with its traceback and the
campaign goes on; fix it, then make the saved input a regression test.
Workers beyond the first pause while the 1-minute load average is above
``--max-load`` (a shared machine).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path

DEFAULT_QUOTA = {"frontend": 1_000_000, "source": 100_000, "patch": 100_000, "config": 100_000,
                 "baseline": 100_000, "model": 100_000}
BATCH = 50


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang("input ran past --timeout")


def _save(crash_dir: Path, reader: str, value, exc: BaseException, where: str) -> dict:
    from .bulk import READERS
    if isinstance(value, tuple):        # baseline: (text, suffix)
        value, ext = value
    else:
        ext = READERS[reader][1]
    data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    name = f"{reader}-{hashlib.sha256(data).hexdigest()[:12]}{ext}"
    crash_dir.mkdir(parents=True, exist_ok=True)
    (crash_dir / name).write_bytes(data)
    tb = traceback.format_exc()
    (crash_dir / (name + ".txt")).write_text(f"{where}\n{tb}")
    return {"reader": reader, "file": str(crash_dir / name), "where": where,
            "error": f"{type(exc).__name__}: {exc}"[:300]}


def worker(wid: int, args, shared, lock, out) -> None:
    from . import harness
    from .bulk import READERS, Generators, seed_functions
    rng = random.Random(f"{args.seed}:{wid}")
    gen = Generators(rng, seed_functions(args.kernel_seeds))
    names = list(args.quota)
    done = {n: 0 for n in names}
    crashes: list[dict] = []
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    signal.signal(signal.SIGALRM, _alarm)
    deadline = args.t0 + args.seconds
    paused = 0.0
    next_note = time.time() + 120
    while time.time() < deadline:
        if wid and os.getloadavg()[0] > args.max_load:
            time.sleep(min(20.0, max(0.0, deadline - time.time())))
            paused += 20.0
            continue
        with lock:
            ratios = [(shared[i] / args.quota[n], i) for i, n in enumerate(names) if shared[i] < args.quota[n]]
        if not ratios:
            break
        i = min(ratios)[1]
        name = names[i]
        run = READERS[name][0]
        make = getattr(gen, name)
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(BATCH):
            value = make()
            where = f"seed {args.seed} worker {wid} {name} input {done[name]}"
            done[name] += 1
            signal.setitimer(signal.ITIMER_REAL, args.timeout)
            try:
                run(value)
            except Exception as exc:    # noqa: BLE001 - a crash is what we look for
                signal.setitimer(signal.ITIMER_REAL, 0)
                crashes.append(_save(args.crash_dir, name, value, exc, where))
                print(f"CRASH {where}: {crashes[-1]['error']} -> {crashes[-1]['file']}", file=sys.stderr, flush=True)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        cpu[name] = cpu.get(name, 0.0) + time.process_time() - c0
        wall[name] = wall.get(name, 0.0) + time.perf_counter() - w0
        with lock:
            shared[i] += BATCH
        if wid == 0 and time.time() >= next_note:
            next_note = time.time() + 120
            print(f"{time.strftime('%H:%M:%S')} {round(time.time() - args.t0)} s: "
                  + ", ".join(f"{n} {shared[j]}" for j, n in enumerate(names)), flush=True)
    harness.forget_scratch()   # a forked worker ends in os._exit: no atexit
    out.put({"worker": wid, "inputs": done, "consumed": dict(harness.COUNTS), "crashes": crashes,
             "paused_s": paused, "cpu_s": {k: round(v, 1) for k, v in cpu.items()},
             "wall_s": {k: round(v, 1) for k, v in wall.items()}})


def _quota(text: str | None) -> dict:
    q = dict(DEFAULT_QUOTA)
    for part in filter(None, (text or "").split(",")):
        k, _, v = part.partition("=")
        q[k.strip()] = int(v)
    return {k: v for k, v in q.items() if v > 0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--inputs", default=None, help="quota per reader, e.g. frontend=1000000,patch=100000")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--max-load", type=float, default=2.5)
    ap.add_argument("--seed", default="lockcheck")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per input before it counts as a hang")
    ap.add_argument("--kernel-seeds", nargs="*", default=[])
    ap.add_argument("--crash-dir", type=Path, default=Path("fuzz-crashes"))
    ap.add_argument("--report", default=None)
    args = ap.parse_args(argv)
    args.quota = _quota(args.inputs)
    args.t0 = time.time()
    ctx = mp.get_context("fork")
    shared = ctx.Array("q", len(args.quota), lock=False)
    lock = ctx.Lock()
    out = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(w, args, shared, lock, out)) for w in range(args.jobs)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    results.sort(key=lambda r: r["worker"])
    total: dict[str, int] = {}
    consumed: dict[str, int] = {}
    for r in results:
        for k, v in r["inputs"].items():
            total[k] = total.get(k, 0) + v
        for k, v in r["consumed"].items():
            consumed[k] = consumed.get(k, 0) + v
    summary = {"inputs": total, "consumed_by_reader": consumed, "seconds": round(time.time() - args.t0),
               "crashes": [c for r in results for c in r["crashes"]], "jobs": args.jobs, "seed": args.seed,
               "kernel_seed_dirs": args.kernel_seeds,
               "workers": [{k: r[k] for k in ("worker", "inputs", "paused_s", "cpu_s", "wall_s")} for r in results]}
    print(json.dumps(summary, indent=2, sort_keys=True))
    if args.report:
        with open(args.report, "w") as f:
            json.dump(summary, f, indent=2, sort_keys=True)
    return 1 if summary["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())

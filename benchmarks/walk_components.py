"""Where the walk's time goes around the large recursion: per-key walk
times grouped into the components below it (D), the recursion (L), those
beside it (B: neither calling into it nor called from it) and those above
it (A), and what a second process could take of A by walking a tail of
the order (the earlier components the tail calls walked by both).  The
whole-scan cache entry is neither read nor written.

usage (inside the tree): python benchmarks/walk_components.py CACHE_DIR|- PATH...
(RESULTS.md, session of 2026-12-06)."""
import sys
import time
from collections import defaultdict
from pathlib import Path

import lockcheck.analysis.summaries as S
from lockcheck import api
from lockcheck.analysis import recursions
from lockcheck.options import Options

SECONDS: dict[str, float] = defaultdict(float)
ORDER = []
_walk, _call_order = S._walk, S.call_order


def timed_walk(program, key, *args, **kw):
    t = time.perf_counter()
    try:
        return _walk(program, key, *args, **kw)
    finally:
        SECONDS[key] += time.perf_counter() - t


def kept_order(succ):
    ORDER.append(_call_order(succ))
    return ORDER[-1]


def closure(start, step):
    seen, todo = set(start), list(start)
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def report(order) -> None:
    cost = [sum(SECONDS.get(m, 0.0) for m in ms) for ms in order.members]
    big = next((k for k in order.order if len(order.members[k]) >= recursions.LARGE_COMPONENT), None)
    if big is None:
        print("no large recursion")
        return
    callers = defaultdict(list)
    for k, out in enumerate(order.callees):
        for c in out:
            callers[c].append(k)
    below = closure([big], lambda k: order.callees[k]) - {big}
    above = closure([big], lambda k: callers[k]) - {big}
    beside = set(range(len(order.members))) - below - above - {big}
    for name, part in (("D below", below), ("L", {big}), ("B beside", beside), ("A above", above)):
        print(f"{name:9s} {len(part):8d} components {sum(cost[k] for k in part):9.1f} s")
    tail = [k for k in order.order if k in above]
    pos = {k: i for i, k in enumerate(tail)}
    reach = list(range(len(tail)))        # the last position whose component reaches this one
    for i in range(len(tail) - 1, -1, -1):
        for c in order.callees[tail[i]]:
            j = pos.get(c)
            if j is not None and reach[j] < reach[i]:
                reach[j] = reach[i]
    at = [0.0] * (len(tail) + 1)
    for i, r in enumerate(reach):
        at[r] += cost[tail[i]]
    total = here = sum(cost[k] for k in tail)
    there, best = 0.0, (total, 0)
    for t in range(len(tail) - 1, 0, -1):
        here -= cost[tail[t]]
        there += at[t]
        best = min(best, (max(here, there), t))
    print(f"A walked in two processes from its best tail cut: {best[0]:.1f} s of wall (from {total:.1f} s)")


def main() -> None:
    cache, paths = sys.argv[1], tuple(sys.argv[2:])
    S._walk, S.call_order = timed_walk, kept_order
    api._cached_run = lambda options, key: None        # the whole-scan entry: neither read
    api._store_run = lambda *args: None                # nor written
    options = Options(paths=paths, jobs=1, cache_dir=None if cache == "-" else Path(cache))
    api.check(options)     # it pauses the cycle collector itself
    report(ORDER[-1])


if __name__ == "__main__":
    main()

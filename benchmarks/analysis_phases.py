"""``api.check`` step by step: CPU, wall and the highest RSS of the main
process (sampled every 0.2 s) per step, points-to and clone counts, and
the walk's CPU split between plain functions and specialised copies.
The whole-scan cache entry is neither read nor written.

usage (inside the tree): python benchmarks/analysis_phases.py CACHE_DIR|- PATH...
``SMALL=N`` sets program.MAX_SMALL_CLONES for an experiment."""
import sys, time, threading, os, resource, pickle, hashlib
from lockcheck import api, cyclic_gc
from lockcheck.options import Options

peak = [0]; cur_peak = [0]
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096
def sampler():
    while True:
        r = rss()
        if r > cur_peak[0]: cur_peak[0] = r
        time.sleep(0.2)
threading.Thread(target=sampler, daemon=True).start()

import lockcheck.analysis.summaries as S
import lockcheck.analysis.program as P
import lockcheck.api as A
marks = []
def mark(name):
    t = time.perf_counter(); c = time.process_time()
    marks.append((name, t, c, cur_peak[0], rss())); cur_peak[0] = rss()
    print(f"{name:30s} wall {t - marks[-2][1] if len(marks)>1 else 0:7.1f}s cpu {c - marks[-2][2] if len(marks)>1 else 0:7.1f}s peak-in-phase {marks[-1][3]/2**20:8.0f} MiB now {marks[-1][4]/2**20:8.0f} MiB", file=sys.stderr, flush=True)

# wrap selected functions
def wrap(mod, name, label=None):
    f = getattr(mod, name, None)
    if f is None:
        print("no", name, file=sys.stderr); return
    def w(*a, **k):
        mark("before " + (label or name))
        r = f(*a, **k)
        mark(label or name)
        return r
    setattr(mod, name, w)
for n in ("run_frontend", "header_functions", "callback_functions", "analyse", "build_result"):
    wrap(A, n)
try:
    import lockcheck.analysis.classes as C
except ImportError:
    C = A
if hasattr(C, "apply"): wrap(C, "apply", "classes.apply")
# inside analyse
_orc = S._resolve_calls
def _rc(program, result):
    mark("before _resolve_calls")
    r = _orc(program, result)
    mark("_resolve_calls")
    c = program.cloned
    if not hasattr(program, "table_of"): program.table_of = program.widths = {}
    print(f"  functions {len(program.by_key)}; cloned targets {len(c)}, clones {sum(c.values())}, at 1024: {sum(1 for v in c.values() if v >= 1024)}, >16: {sum(1 for v in c.values() if v > 16)} ({sum(v for v in c.values() if v > 16)} clones); table_of {len(program.table_of)} widths {len(program.widths)} labels {len(program.labels)}", file=sys.stderr)
    ks = [k for k in program.by_key if "<" in k]
    fact_only = sum(1 for k in ks if k.split("<",1)[1][:1] == ";")
    print(f"  clone keys {len(ks)}: facts only {fact_only}, with bindings {len(ks)-fact_only}", file=sys.stderr)
    top = sorted(c.items(), key=lambda kv: -kv[1])[:8]
    print("  top cloned", top, file=sys.stderr)
    return r
S._resolve_calls = _rc
wrap(S, "call_order")
try:
    import lockcheck.analysis.pointsto as P
except ImportError:
    P = None
if P: orig_init = P.PointsTo.__init__
def pinit(self, *a, **k):
    mark("before PointsTo")
    orig_init(self, *a, **k)
    mark("PointsTo solve")
    v = self.values
    tot = sum(len(x) for x in v.values()); big = sum(1 for x in v.values() if len(x) > 64)
    size = sum(sys.getsizeof(x) for x in v.values())
    ids = len({id(x) for x in v.values()})
    print(f"  pointsto: {len(v)} nodes, {tot} values, {big} sets >64, set bytes {size/2**20:.0f} MiB, unknown {sum(1 for x in v.values() if '?' in x)}", file=sys.stderr)
if P: P.PointsTo.__init__ = pinit

A._cached_run = lambda o, k: None
A._store_run = lambda *a: None
_ow = S._walk
wt = {"clone": [0.0, 0], "base": [0.0, 0]}
def _w(program, key, *a, **k):
    t = time.process_time()
    r = _ow(program, key, *a, **k)
    e = wt["clone" if "<" in key else "base"]; e[0] += time.process_time() - t; e[1] += 1
    return r
S._walk = _w
P.MAX_SMALL_CLONES = int(os.environ.get("SMALL", P.MAX_SMALL_CLONES))
mark("start")
cache = sys.argv[1]
opts = Options(paths=tuple(sys.argv[2:]), cache_dir=None if cache == "-" else __import__("pathlib").Path(cache), jobs=1)
res = api.check(opts)
mark("end")

print("walks", wt, file=sys.stderr)
print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "MiB", file=sys.stderr)
print("stats", {k: res.stats[k] for k in ("files", "classes", "edges", "cycles", "recursive")}, file=sys.stderr)
h = hashlib.sha256(repr((res.locks, res.edges, res.findings)).encode()).hexdigest()[:16]
print("digest", h, file=sys.stderr)


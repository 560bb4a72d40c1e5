#!/usr/bin/env python3
"""lockcheck's speed and memory on the real kernel tree, in one command.

    python benchmarks/run.py --tree kernel/linux-source-6.12      # make bench

Downloads nothing (the tree is Debian's linux-source, ``make kernel``).
Measures, each with its exact command recorded:

a. front end, cold (``lockcheck stats --no-cache``), lines/s with ``-j 1``
   and ``-j 2``, on the KVM set (virt/kvm/*.c and arch/x86/kvm/**/*.c) and
   on the 500-file sample (``benchmarks/sample.py --seed 1 --count 500``),
   next to ``spatch --parse-c`` over the same file lists;
b. ``lockcheck scan`` of virt/kvm and arch/x86/kvm (their headers are
   reached through the includes), cold (fresh ``--cache-dir``) and warm,
   ``-j 1`` and ``-j 2``, wall time and peak RSS;
c. the whole tree, ``lockcheck scan -j 2`` cold (fresh cache) then warm,
   wall, CPU, peak RSS, and whether the two JSON outputs are byte-identical
   (``--tree-budget`` stops a run that takes longer; ``--tree-collect`` only
   reads the benchmarks/out/tree-scan-* files of an earlier run).

Timings are the median of ``--runs`` runs where a run is cheap (the KVM
set) and one run otherwise.  Raw numbers go to benchmarks/out/results.json
(git-ignored, merged across invocations so sections can be run apart);
the table to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"
RESULTS_JSON = OUT / "results.json"
RESULTS_MD = REPO / "benchmarks" / "RESULTS.md"
BY_HAND = REPO / "benchmarks" / "BY_HAND.md"
BIN = Path(sys.executable).parent
LOCKCHECK = str(BIN / "lockcheck")
#: tree_rss_gb is read strictly: 6 * 10^9 bytes, the larger of the main
#: process's peak RSS and all processes' summed PSS.
TARGETS = {"tree_cold_s": 20 * 60, "tree_warm_s": 60, "tree_rss_gb": 6, "kvm_cold_s": 15, "kvm_warm_s": 2}


# ---------------------------------------------------------------- measuring

class Measured(dict):
    """wall (s), peak RSS of the largest process (KiB, getrusage) and of the
    whole process tree (KiB, /proc sampled every 0.2 s), exit code, stdout."""


def _tree_rss_kib(pid: int) -> int:
    """RSS of pid and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(d))
        rss[int(d)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def _tree_pss_kib(pid: int) -> int:
    """Proportional set size of pid and its descendants: forked workers
    share the parent's pages, which a sum of RSS would count once per worker."""
    total = 0
    for p in _family_of(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next((int(l.split()[1]) for l in f if l.startswith("Pss:")), 0)
        except OSError:
            pass
    return total


def _family_of(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(d))
            except OSError:
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _big_stack() -> None:
    """spatch recurses deeply on some files ("do ulimit -s 50000 if problem")."""
    import resource
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    resource.setrlimit(resource.RLIMIT_STACK, (hard, hard))


def measure(cmd: list[str], cwd: Path = REPO, stdout_to: Path | None = None) -> Measured:
    """Run cmd once under GNU time; wall clock, peak RSS, output."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        out = open(stdout_to, "wb") if stdout_to else subprocess.PIPE
        t0 = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tf.name, *cmd], cwd=cwd,
                                stdout=out, stderr=subprocess.PIPE,
                                preexec_fn=_big_stack if cmd[0] == "spatch" else None)
        peak = [0]

        def sample():
            while proc.poll() is None:
                peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
                time.sleep(0.2)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - t0
        sampler.join()
        if stdout_to:
            out.close()
        max_rss = tf.read().strip().splitlines()
    return Measured(wall=wall, rss_kib=int(max_rss[-1]) if max_rss and max_rss[-1].isdigit() else 0,
                    tree_rss_kib=peak[0], rc=proc.returncode, stdout=stdout or b"", stderr=stderr or b"",
                    cmd=cmd)


def median_of(n: int, cmd: list[str], before=None, may_fail: bool = False, **kw) -> dict:
    runs = []
    for _ in range(n):
        if before:
            before()
        runs.append(measure(cmd, **kw))
    walls = [r["wall"] for r in runs]
    last = runs[-1]
    if last["rc"] not in (0, 1) and not may_fail:
        shown = shlex.join(cmd[:6]) + (" ..." if len(cmd) > 6 else "")
        raise SystemExit(f"run.py: {shown} failed ({last['rc']}):\n{last['stderr'].decode()[-2000:]}")
    return {"wall": statistics.median(walls), "walls": walls, "runs": n,
            "rss_kib": max(r["rss_kib"] for r in runs), "tree_rss_kib": max(r["tree_rss_kib"] for r in runs),
            "cmd": shlex.join(cmd), "stdout": last["stdout"], "rc": last["rc"],
            "error": last["stderr"].decode(errors="replace").strip().splitlines()[-1:] if last["rc"] else []}


def count_lines(files: list[str]) -> int:
    n = 0
    for f in files:
        with open(f, "rb") as fh:
            n += fh.read().count(b"\n")
    return n


# ---------------------------------------------------------------- pausing a long run

class Pause:
    """SIGSTOP a background whole-tree run (and its workers) while the short
    benchmarks run, so they do not share the CPUs; the paused seconds are
    logged and subtracted from that run's wall time."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.pids: list[int] = []

    def _family(self) -> list[int]:
        out = [self.pid]
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == self.pid:
                            out.append(int(d))
                except OSError:
                    pass
        return out

    def __enter__(self):
        if self.pid:
            try:
                self.pids = self._family()
                for p in self.pids:
                    os.kill(p, signal.SIGSTOP)
                _log_pause("stop")
            except ProcessLookupError:
                self.pids = []
        return self

    def __exit__(self, *exc):
        if self.pids:
            for p in self.pids:
                try:
                    os.kill(p, signal.SIGCONT)
                except ProcessLookupError:
                    pass
            _log_pause("cont")


def _log_pause(what: str) -> None:
    with open(OUT / "tree-pauses.log", "a") as f:
        f.write(f"{what} {int(time.time())}\n")


# ---------------------------------------------------------------- file sets

def kvm_files(tree: Path) -> list[str]:
    files = sorted(str(p) for p in (tree / "virt" / "kvm").glob("*.c"))
    files += sorted(str(p) for p in (tree / "arch" / "x86" / "kvm").rglob("*.c"))
    return files


def sample_files(tree: Path) -> tuple[list[str], str]:
    cmd = [sys.executable, "benchmarks/sample.py", "--seed", "1", "--count", "500", str(tree)]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, check=True, text=True).stdout
    return out.split(), shlex.join(cmd)


# ---------------------------------------------------------------- sections

def section_frontend(tree: Path, runs: int) -> dict:
    res = {}
    sample, sample_cmd = sample_files(tree)
    for name, files, n in (("kvm", kvm_files(tree), runs), ("sample500", sample, 1)):
        lines = count_lines(files)
        row = {"files": len(files), "lines": lines}
        for j in (1, 2):
            r = median_of(n, [LOCKCHECK, "stats", "--no-cache", "-j", str(j), "--format", "json", *files])
            st = json.loads(r.pop("stdout"))
            r["cmd"] = f"lockcheck stats --no-cache -j {j} --format json <{len(files)} {name} files>"
            r.update(lines_per_s=st["lines"] / r["wall"], stats_lines=st["lines"],
                     functions=st["functions"], lockcheck_seconds=st["seconds"])
            row[f"lockcheck_j{j}"] = r
        r = median_of(n, ["spatch", "--parse-c", *files], may_fail=True)
        out = r.pop("stdout").decode(errors="replace")
        r["cmd"] = f"spatch --parse-c <{len(files)} {name} files>"
        r["lines_per_s"] = lines / r["wall"]
        r["summary"] = [l.strip() for l in out.splitlines() if l.startswith(("NB total files", "nb good"))]
        if r["rc"]:
            r["summary"].insert(0, f"spatch exited {r['rc']}: {' '.join(r['error'])}")
        row["spatch"] = r
        res[name] = row
    res["sample_cmd"] = sample_cmd
    return res


def section_scan(tree: Path, runs: int) -> dict:
    res = {}
    paths = [str(tree / "virt" / "kvm"), str(tree / "arch" / "x86" / "kvm")]
    for j in (1, 2):
        cache = Path(tempfile.mkdtemp(prefix="lockcheck-bench-"))
        try:
            def fresh():
                shutil.rmtree(cache, ignore_errors=True)
            cmd = [LOCKCHECK, "scan", "-q", "--format", "json", "-j", str(j), "--cache-dir", str(cache), *paths]
            cold = median_of(runs, cmd, before=fresh)
            warm = median_of(runs, cmd)
            doc = json.loads(cold.pop("stdout"))
            warm.pop("stdout")
            shown = shlex.join(cmd).replace(str(cache), "$CACHE")
            cold["cmd"] = f"rm -rf $CACHE; {shown}"
            warm["cmd"] = shown
            res[f"j{j}"] = {"cold": cold, "warm": warm, "stats": doc.get("stats", {})}
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return res


def _tree_cmd(tree: Path) -> list[str]:
    return [LOCKCHECK, "scan", "-q", "-j", "2", "--cache-dir", str(OUT / "cache-tree"), "--format", "json", "."]


def run_tree_scan(tree: Path, kind: str, budget: float) -> None:
    """One whole-tree scan under GNU time (-v), output to tree-scan-KIND.*;
    the PSS of the whole process tree is sampled every 10 s into
    tree-scan-KIND.pss (GNU time gives the largest single process only)."""
    prefix = OUT / f"tree-scan-{kind}"
    cmd = ["/usr/bin/time", "-v", "-o", f"{prefix}.time", *_tree_cmd(tree)]
    Path(f"{prefix}.cmd").write_text(f"cd {tree} && " + shlex.join(cmd[4:]) + "\n")
    with open(f"{prefix}.json", "wb") as out, open(f"{prefix}.err", "wb") as err, open(f"{prefix}.pss", "w") as pss:
        proc = subprocess.Popen(cmd, cwd=tree, stdout=out, stderr=err, start_new_session=True)
        t_end = time.time() + budget
        while proc.poll() is None and time.time() < t_end:
            pss.write(f"{int(time.time())} {_tree_pss_kib(proc.pid)}\n")
            pss.flush()
            time.sleep(10)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            Path(f"{prefix}.time").write_text(f"not finished within --tree-budget {budget:.0f} s\n")


def cpu_probe() -> float:
    """Seconds a fixed pure-Python loop takes (best of three).  This
    machine's speed moves by up to half within the hour (a loop like this
    one: 3.2 s, then 5.2 s, minutes apart, no steal time reported), so a
    whole-tree time is recorded with the probe taken around it."""
    import timeit
    return round(min(timeit.timeit("s = 0\nfor i in range(30_000_000): s += i", number=1)
                     for _ in range(3)), 2)


def section_tree(tree: Path, budget: float, collect_only: bool) -> dict:
    """The whole tree, cold (fresh cache) then warm (unchanged tree)."""
    probes = {}
    if not collect_only:
        shutil.rmtree(OUT / "cache-tree", ignore_errors=True)
        probes["before"] = cpu_probe()
        run_tree_scan(tree, "cold", budget)
        probes["after"] = cpu_probe()
        if _tree_result("cold").get("done"):
            run_tree_scan(tree, "warm", budget)
    res = {kind: _tree_result(kind) for kind in ("cold", "warm")}
    if probes:
        res["cpu_probe_s"] = probes
    cold, warm = OUT / "tree-scan-cold.json", OUT / "tree-scan-warm.json"
    if res["cold"].get("done") and res["warm"].get("done"):
        res["identical"] = cold.read_bytes() == warm.read_bytes()
    return res


def _tree_result(kind: str) -> dict:
    prefix = OUT / f"tree-scan-{kind}"
    cmd = Path(f"{prefix}.cmd")
    res: dict = {"cmd": cmd.read_text().strip() if cmd.exists() else ""}
    timef = Path(f"{prefix}.time")
    if not timef.exists() or "Elapsed" not in timef.read_text():
        res["done"] = False
        res["note"] = timef.read_text().strip() if timef.exists() else "not run"
        return res
    t = _gnu_time(timef)
    h, m, sec = (["0"] + t["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"))[-3:]
    text = timef.read_text()
    signalled = next((l.strip() for l in text.splitlines() if "terminated by signal" in l), "")
    rc = int(t.get("Exit status", "0")) if "Exit status" in t else -1
    res.update(done=rc in (0, 1) and not signalled, wall=int(h) * 3600 + int(m) * 60 + float(sec),
               rss_kib=int(t["Maximum resident set size (kbytes)"]),
               cpu=float(t["User time (seconds)"]) + float(t["System time (seconds)"]), rc=rc)
    if not res["done"]:
        res["note"] = f"did not finish: {signalled or f'exit {rc}'} after {_s(res['wall'])}"
    pss = Path(f"{prefix}.pss")
    if pss.exists():
        res["tree_pss_kib"] = max((int(l.split()[1]) for l in pss.read_text().splitlines() if l.strip()),
                                  default=0)
    try:
        st = json.loads(Path(f"{prefix}.json").read_text())["stats"]
        res["stats"] = {k: st[k] for k in ("files", "functions", "header_functions", "classes", "edges",
                                           "cycles", "recursive") if k in st}
        res["unparsed"] = len(st.get("unparsed", []))
    except (ValueError, KeyError, OSError):
        pass
    return res


def _gnu_time(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        key, _, val = line.strip().rpartition(": ")
        out[key] = val
    return out


# ---------------------------------------------------------------- machine and report

def machine() -> dict:
    def sh(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "n/a"
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    pkgs = {}
    for p in ("lockcheck", "pycparser", "networkx", "click", "rich", "dask", "distributed"):
        try:
            pkgs[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            pass
    return {"nproc": sh("nproc"), "free": sh("free", "-h"), "cpu": cpu, "python": platform.python_version(),
            "packages": pkgs, "spatch": sh("spatch", "--version").splitlines()[0] if shutil.which("spatch") else "n/a",
            "commit": sh("git", "-C", str(REPO), "rev-parse", "--short", "HEAD"),
            "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def _gb(kib) -> str:
    return f"{kib / 1024 / 1024:.2f} GiB" if kib >= 1024 * 1024 else f"{kib / 1024:.0f} MiB"


def _s(x) -> str:
    return f"{x:.1f} s" if x < 600 else f"{x / 60:.1f} min"


def _ok(value, target) -> str:
    return "meets" if value <= target else "**misses**"


def render(res: dict, tree: Path) -> str:
    m = res.get("machine", {})
    out = ["# lockcheck benchmarks", "",
           "Generated by `python benchmarks/run.py --tree TREE` (`make bench`); raw numbers in",
           "benchmarks/out/results.json.  Wall times are medians where several runs were made.", "",
           "## Machine", "",
           f"- CPU: {m.get('cpu')}, `nproc` = {m.get('nproc')}",
           f"- Python {m.get('python')}; " + ", ".join(f"{k} {v}" for k, v in m.get("packages", {}).items()),
           f"- {m.get('spatch')}", f"- lockcheck commit {m.get('commit')}, measured {m.get('date')}",
           f"- tree: `{tree}`", "", "```", "$ free -h", m.get("free", ""), "```", ""]
    fe = res.get("frontend")
    if fe:
        out += ["## a. Front end, cold: lines/s", "",
                "`lockcheck stats --no-cache` parses (and lexes the headers the files reach, for the type",
                "index); `spatch --parse-c` parses the `.c` files alone.  lines/s = lines of the listed `.c`",
                "files / wall time of the whole command.", "",
                "| set | files | lines | tool | wall | lines/s | functions parsed | peak RSS (tree) |",
                "|---|---:|---:|---|---:|---:|---|---:|"]
        for name in ("kvm", "sample500"):
            row = fe.get(name)
            if not row:
                continue
            for tool in ("lockcheck_j1", "lockcheck_j2", "spatch"):
                r = row[tool]
                label = {"lockcheck_j1": "lockcheck -j 1", "lockcheck_j2": "lockcheck -j 2",
                         "spatch": "spatch --parse-c"}[tool]
                runs = f" (median of {r['runs']})" if r["runs"] > 1 else ""
                fn = r.get("functions")
                parsed = f"{fn['parsed']}/{fn['total']}" if fn else "; ".join(r.get("summary", []))[:90]
                out.append(f"| {name} | {row['files']} | {row['lines']} | {label} | {_s(r['wall'])}{runs} | "
                           f"{r['lines_per_s']:.0f} | {parsed} | {_gb(r['tree_rss_kib'])} |")
        out += ["", "Commands:", "", "```"]
        out += [fe["sample_cmd"] + "   # the sample500 list"]
        for name in ("kvm", "sample500"):
            for tool in ("lockcheck_j1", "lockcheck_j2", "spatch"):
                if name in fe:
                    out.append(fe[name][tool]["cmd"])
        out += ["```", ""]
    sc = res.get("scan")
    if sc:
        out += ["## b. `lockcheck scan` of the KVM set", "",
                "| jobs | cache | wall | peak RSS, largest process | peak RSS, all processes | target |",
                "|---|---|---:|---:|---:|---|"]
        for j in ("j1", "j2"):
            for kind, target in (("cold", TARGETS["kvm_cold_s"]), ("warm", TARGETS["kvm_warm_s"])):
                r = sc[j][kind]
                out.append(f"| -{j[0]} {j[1:]} | {kind} | {_s(r['wall'])} (median of {r['runs']}: "
                           f"{', '.join(f'{w:.1f}' for w in r['walls'])}) | {_gb(r['rss_kib'])} | "
                           f"{_gb(r['tree_rss_kib'])} | ≤ {target} s: {_ok(r['wall'], target)} |")
        st = sc["j1"].get("stats", {})
        if st:
            out += ["", f"Scan stats: {st.get('files')} files, functions {st.get('functions')}, "
                        f"{st.get('header_functions')} header functions, {st.get('edges')} edges, "
                        f"{st.get('cycles')} cycles."]
        out += ["", "```", sc["j1"]["cold"]["cmd"], sc["j1"]["warm"]["cmd"], sc["j2"]["cold"]["cmd"], "```", ""]
    tr = res.get("tree")
    if tr and "cold" in tr:
        out += ["## c. Whole tree: `lockcheck scan -j 2`, cold then warm", ""]
        out += ["| run | wall | CPU | peak RSS, largest process | peak PSS, all processes (sampled each 10 s) | target |",
                "|---|---:|---:|---:|---:|---|"]
        for kind, target in (("cold", TARGETS["tree_cold_s"]), ("warm", TARGETS["tree_warm_s"])):
            r = tr.get(kind, {})
            if not r.get("done"):
                out.append(f"| {kind} | {r.get('note', 'not run')} | | | | |")
                continue
            out.append(f"| {kind} | {_s(r['wall'])} | {_s(r['cpu'])} | {_gb(r['rss_kib'])} | "
                       f"{_gb(r.get('tree_pss_kib', 0))} | ≤ {target} s: {_ok(r['wall'], target)}; "
                       f"memory ≤ 6 GB (10^9 bytes, 5.59 GiB): "
                       f"{_ok(max(r.get('tree_pss_kib', 0), r['rss_kib']) * 1024 / 1e9, TARGETS['tree_rss_gb'])} |")
        if "cpu_probe_s" in tr:
            pr = tr["cpu_probe_s"]
            out += ["", f"CPU probe (`cpu_probe()`: a fixed pure-Python loop, best of three; the machine's "
                        f"speed varies by hour): {pr.get('before')} s before the cold scan, {pr.get('after')} s "
                        f"after it."]
        if "identical" in tr:
            out += ["", f"Cold and warm JSON byte-identical: **{'yes' if tr['identical'] else 'NO'}**."]
        st = tr.get("cold", {}).get("stats")
        if st:
            out += ["", f"Scan stats (cold): {json.dumps(st)}; unparsed functions: {tr['cold'].get('unparsed')}."]
        out += ["", "```", tr.get("cold", {}).get("cmd", ""), "# then the same command again (warm)", "```", ""]
    if res.get("notes"):
        out += ["## Notes", "", *res["notes"], ""]
    if BY_HAND.exists():   # measurements no script makes (profiles, chunked runs), kept verbatim
        out += [BY_HAND.read_text().replace("# Measured by hand", "## Measured by hand", 1)]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", required=True, type=Path)
    ap.add_argument("--runs", type=int, default=3, help="runs per cheap measurement (median)")
    ap.add_argument("--sections", default="a,b,c", help="a (front end), b (scan), c (whole tree)")
    ap.add_argument("--tree-budget", type=float, default=3 * 3600,
                    help="seconds a whole-tree scan may take before it is stopped")
    ap.add_argument("--tree-collect", action="store_true",
                    help="do not start the whole-tree run: record the one in benchmarks/out/")
    ap.add_argument("--pause-pid", type=int, default=None,
                    help="SIGSTOP this (background whole-tree) process during sections a and b")
    ap.add_argument("--note", action="append", default=[], help="a line for the Notes section")
    args = ap.parse_args(argv)
    tree = args.tree
    if not (tree / "Makefile").exists():
        print(f"run.py: {tree}: not a kernel tree (make kernel)", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    res = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    res["machine"] = machine()
    if args.note:
        res["notes"] = args.note
    sections = set(args.sections.split(","))
    with Pause(args.pause_pid):
        if "a" in sections:
            res["frontend"] = section_frontend(tree, args.runs)
            RESULTS_JSON.write_text(json.dumps(res, indent=1, default=str))
        if "b" in sections:
            res["scan"] = section_scan(tree, args.runs)
            RESULTS_JSON.write_text(json.dumps(res, indent=1, default=str))
    if "c" in sections:
        res["tree"] = section_tree(tree.resolve(), args.tree_budget, args.tree_collect)
    # another invocation (sections run apart) may have written meanwhile: merge
    merged = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    merged.update({k: v for k, v in res.items() if k in ("machine", "notes") or
                   {"frontend": "a", "scan": "b", "tree": "c"}.get(k) in sections})
    RESULTS_JSON.write_text(json.dumps(merged, indent=1, default=str))
    RESULTS_MD.write_text(render(merged, tree))
    print(f"run.py: wrote {RESULTS_MD.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

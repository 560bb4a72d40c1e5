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
c. the whole tree, ``lockcheck stats -j 2`` cold then warm (hours on a
   small machine: ``--tree-budget`` stops waiting and records a projection
   from the progress so far; ``--tree-collect`` only reads a run started
   earlier by this script or by hand into benchmarks/out/).

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
BIN = Path(sys.executable).parent
LOCKCHECK = str(BIN / "lockcheck")
TREE_PREFIX = OUT / "tree-stats-cold"       # .time .json .err .start, + tree-progress.log
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


def paused_seconds(since: float, until: float) -> float:
    path = OUT / "tree-pauses.log"
    if not path.exists():
        return 0.0
    total, stopped = 0.0, None
    for line in path.read_text().split("\n"):
        if not line.strip():
            continue
        what, t = line.split()
        t = float(t)
        if not since <= t <= until + 1:
            continue
        if what == "stop":
            stopped = t
        elif stopped is not None:
            total += t - stopped
            stopped = None
    if stopped is not None:
        total += until - stopped
    return total


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


def _discover_sizes(tree: Path) -> list[int]:
    """Bytes of each file the whole-tree ``stats`` parses, in its order."""
    sys.path.insert(0, str(REPO))
    from lockcheck.driver import discover
    files, _, _ = discover((str(tree),), headers_too=True)
    return [f.stat().st_size for f in files]


def start_tree_run(tree: Path) -> int:
    cache = OUT / "cache-tree"
    shutil.rmtree(cache, ignore_errors=True)
    for suffix in (".time", ".json", ".err"):
        Path(str(TREE_PREFIX) + suffix).unlink(missing_ok=True)
    (OUT / "tree-progress.log").unlink(missing_ok=True)
    (OUT / "tree-pauses.log").unlink(missing_ok=True)
    cmd = ["/usr/bin/time", "-v", "-o", f"{TREE_PREFIX}.time", LOCKCHECK, "stats", "-j", "2",
           "--cache-dir", str(cache), "--format", "json", str(tree)]
    Path(f"{TREE_PREFIX}.start").write_text(f"{int(time.time())}\n")
    Path(f"{TREE_PREFIX}.cmd").write_text(shlex.join(cmd[4:]) + "\n")
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=open(f"{TREE_PREFIX}.json", "wb"),
                            stderr=open(f"{TREE_PREFIX}.err", "wb"), start_new_session=True)
    return proc.pid


def _progress_line() -> str:
    cache = OUT / "cache-tree"
    counts = [sum(1 for _ in (cache / k).rglob("*.pickle")) if (cache / k).is_dir() else 0
              for k in ("lex", "file")]
    return f"{int(time.time())} {counts[0]} {counts[1]}"


def wait_tree_run(pid: int, budget: float) -> None:
    t_end = time.time() + budget
    while time.time() < t_end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        with open(OUT / "tree-progress.log", "a") as f:
            f.write(_progress_line() + "\n")
        time.sleep(min(60, max(1, t_end - time.time())))


def _gnu_time(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        key, _, val = line.strip().rpartition(": ")
        out[key] = val
    return out


def collect_tree_run(tree: Path) -> dict:
    start = float(Path(f"{TREE_PREFIX}.start").read_text())
    cmd_file = Path(f"{TREE_PREFIX}.cmd")
    res = {"cmd": cmd_file.read_text().strip() if cmd_file.exists() else
           f"lockcheck stats -j 2 --cache-dir benchmarks/out/cache-tree --format json {tree}"}
    timef = Path(f"{TREE_PREFIX}.time")
    if timef.exists() and timef.stat().st_size:
        t = _gnu_time(timef)
        h, m, s = (["0"] + t["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"))[-3:]
        wall = int(h) * 3600 + int(m) * 60 + float(s)
        end = start + wall
        res.update(done=True, wall=wall - paused_seconds(start, end), paused=paused_seconds(start, end),
                   rss_kib=int(t["Maximum resident set size (kbytes)"]),
                   cpu=float(t["User time (seconds)"]) + float(t["System time (seconds)"]),
                   rc=int(t.get("Exit status", "0")))
        try:
            st = json.loads(Path(f"{TREE_PREFIX}.json").read_text())
            res.update(files=st["files"], lines=st["lines"], functions=st["functions"],
                       lines_per_s=st["lines"] / res["wall"])
        except (ValueError, KeyError):
            pass
        return res
    # still running (or killed): progress so far and a projection by bytes
    now = time.time()
    log = [l.split() for l in (OUT / "tree-progress.log").read_text().splitlines() if l.strip()] \
        if (OUT / "tree-progress.log").exists() else []
    log.append(_progress_line().split())
    sizes = _discover_sizes(tree)
    elapsed = now - start - paused_seconds(start, now)
    t_last, lex, parsed = float(log[-1][0]), int(log[-1][1]), int(log[-1][2])
    res.update(done=False, elapsed=elapsed, files_total=len(sizes), lexed=lex, parsed=parsed,
               bytes_total=sum(sizes), bytes_parsed=sum(sizes[:parsed]))
    rss = [int(x) for row in log for x in row[3:4]]
    if rss:
        res["rss_kib_sampled"] = max(rss)
    first = next((row for row in log if int(row[2]) > 0), None)
    if first is not None and parsed > int(first[2]):
        t0, p0 = float(first[0]), int(first[2])
        span = t_last - t0 - paused_seconds(t0, t_last)
        rate = (sum(sizes[:parsed]) - sum(sizes[:p0])) / span          # bytes/s while parsing
        res["parse_bytes_per_s"] = rate
        res["projected_wall"] = elapsed + (sum(sizes) - sum(sizes[:parsed])) / rate
    return res


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
    if tr:
        out += ["## c. Whole tree: `lockcheck stats -j 2`, cold", "", "```", tr["cmd"], "```", ""]
        if tr.get("done"):
            out += [f"- wall {_s(tr['wall'])} (target ≤ 20 min: {_ok(tr['wall'], TARGETS['tree_cold_s'])}); "
                    f"CPU {_s(tr['cpu'])}; exit {tr['rc']}",
                    f"- peak RSS (largest process) {_gb(tr['rss_kib'])} (target ≤ 6 GB: "
                    f"{_ok(tr['rss_kib'] / 1024 / 1024, TARGETS['tree_rss_gb'])})"]
            if "lines" in tr:
                out.append(f"- {tr['files']} files, {tr['lines']} lines, {tr['lines_per_s']:.0f} lines/s; "
                           f"functions {tr['functions']}")
        else:
            out += [f"- **not finished** when recorded: {_s(tr['elapsed'])} of run time (pauses for the "
                    f"other benchmarks subtracted); {tr['lexed']} files lexed, {tr['parsed']} of "
                    f"{tr['files_total']} parsed ({tr['bytes_parsed'] / 2**20:.0f} of "
                    f"{tr['bytes_total'] / 2**20:.0f} MiB)"]
            if "rss_kib_sampled" in tr:
                out.append(f"- RSS so far (main process, sampled each minute): {_gb(tr['rss_kib_sampled'])}")
            if "projected_wall" in tr:
                out.append(f"- projection at {tr['parse_bytes_per_s'] / 1024:.0f} KiB/s of source parsed: "
                           f"**{_s(tr['projected_wall'])}** cold (target ≤ 20 min: "
                           f"{_ok(tr['projected_wall'], TARGETS['tree_cold_s'])})")
            else:
                out.append("- still in the serial lex/index phase: no parse rate yet to project from")
        out.append("")
    if res.get("notes"):
        out += ["## Notes", "", *res["notes"], ""]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", required=True, type=Path)
    ap.add_argument("--runs", type=int, default=3, help="runs per cheap measurement (median)")
    ap.add_argument("--sections", default="a,b,c", help="a (front end), b (scan), c (whole tree)")
    ap.add_argument("--tree-budget", type=float, default=6 * 3600,
                    help="seconds to wait for the whole-tree run before projecting")
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
        if not args.tree_collect:
            pid = start_tree_run(tree)
            wait_tree_run(pid, args.tree_budget)
        res["tree"] = collect_tree_run(tree)
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

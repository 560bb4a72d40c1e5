#!/usr/bin/env python3
"""Recall set: real lock-order inversions, buggy in 6.1 and fixed in 6.12.

    python benchmarks/recall.py [--case ID ...] [--json] [-- EXTRA SCAN ARGS]

Every case of ``benchmarks/recall.toml`` (described in
``benchmarks/RECALL.md``) names the lock pair of an upstream fix and the
files to scan in each tree.  For each case the script runs
``lockcheck scan --format json -j 1`` inside Debian's linux-source-6.1 and
linux-source-6.12 (relative paths, so witnesses read like the kernel's) and
decides:

* caught  -- a circular finding whose locks include both classes of the pair
             in 6.1, and none in 6.12;
* missed  -- no such cycle in 6.1 (the table says which direction of the
             pair the graph lacks);
* noisy   -- caught in 6.1 but 6.12 still reports a cycle through the pair.

A case with ``kind = "irq"`` names one lock instead of a pair (``pair`` and
``classes`` of length one): it is caught when 6.1 reports an interrupt-safety
finding (irq-inconsistent, irq-unsafe-order) whose locks include it and 6.12
reports none.

Any option the script does not know (``--min-confidence low``, ``--all``,
``-D CONFIG_X``...) is passed to every ``lockcheck scan`` unchanged, so the
set can be measured at any setting of the checker.  JSON carries every
finding with ``shown`` telling whether it is at or above the scan's
``--min-confidence`` (default high); only shown cycles count, the others
are listed as held back.  Exit code: 0 when every
case ran (whatever was caught), 2 when a tree is missing or a scan failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES_FILE = Path(__file__).resolve().parent / "recall.toml"
TREES = {"6.1": REPO / "kernel" / "linux-source-6.1",
         "6.12": REPO / "kernel" / "linux-source-6.12"}


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    pair: tuple[str, str]          # lockcheck display names of the two classes
    classes: tuple[str, str]       # lockcheck class ids (f:struct x:field, g:name)
    paths: dict[str, tuple[str, ...]]
    expect: str                    # "caught" or "missed" for the current checker
    reason: str = ""               # why a "missed" case is missed
    quick: bool = False            # in the subset `make test` runs (tests/test_recall.py)
    kind: str = "order"            # "order": a cycle through the pair; "irq": an irq-safety finding on pair[0]


@dataclass
class Side:
    """What one scan says about a case's pair."""
    cycles: list[tuple[str, ...]] = field(default_factory=list)   # shown cycles through the pair (irq: irq findings on the lock)
    held_back: int = 0             # cycles through the pair below --min-confidence (not shown)
    forward: bool = False          # edge pair[0] -> pair[1] in the graph
    backward: bool = False         # edge pair[1] -> pair[0]
    error: str = ""


@dataclass
class Outcome:
    case: Case
    old: Side
    new: Side

    @property
    def verdict(self) -> str:
        if self.old.error or self.new.error:
            return "error"
        if not self.old.cycles:
            return "missed"
        return "noisy" if self.new.cycles else "caught"


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    data = tomllib.loads(path.read_text())
    out = []
    for c in data["case"]:
        out.append(Case(id=c["id"], title=c["title"], pair=tuple(c["pair"]),
                        classes=tuple(c["classes"]),
                        paths={"6.1": tuple(c["paths_6_1"]),
                               "6.12": tuple(c.get("paths_6_12", c["paths_6_1"]))},
                        expect=c["expect"], reason=c.get("reason", ""),
                        quick=bool(c.get("quick", False)), kind=c.get("kind", "order")))
    return out


def lockcheck_cmd() -> list[str]:
    """The lockcheck of the interpreter running this script (the repo's .venv)."""
    return [sys.executable, "-m", "lockcheck"]


def scan(tree: Path, paths: tuple[str, ...], extra: list[str], cache_dir: str | None) -> dict:
    cmd = lockcheck_cmd() + ["scan", "--format", "json", "-j", "1", "-q"]
    cmd += ["--cache-dir", cache_dir] if cache_dir else ["--no-cache"]
    cmd += list(extra) + ["--", *paths]
    p = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise RuntimeError((p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1])
    return json.loads(p.stdout)


#: JSON finding kinds of lockdep's interrupt-safety reports (analysis/irqsafety.py)
IRQ_KINDS = ("irq-inconsistent", "irq-unsafe-order")


def judge(case: Case, result: dict) -> Side:
    """Cycles through the case's pair, and which directions of the pair exist
    (for an irq case: the irq-safety findings that name its lock)."""
    names: dict[str, set[str]] = {}
    for lock in result.get("locks", []):
        names.setdefault(lock["name"], set()).add(lock["class"])

    def classes_of(name: str) -> set[str]:
        # a display name without a locks entry stands for itself
        return names.get(name, {name}) | {name}

    def is_a(name, i):
        return case.classes[i] in classes_of(name) or name == case.pair[i]

    side = Side()
    irq = case.kind == "irq"
    for cyc in result.get("cycles", []):
        if cyc.get("kind") not in (IRQ_KINDS if irq else ("circular",)):
            continue
        locks = cyc["locks"]
        if irq:
            hit = any(is_a(n, 0) for n in locks)
        else:
            hit = any(is_a(n, 0) for n in locks) and any(is_a(n, 1) for n in locks)
        if hit:
            # JSON carries every finding; "shown" says whether it is at or
            # above the scan's --min-confidence (absent in older JSON: shown)
            if cyc.get("shown", True):
                side.cycles.append(tuple(locks))
            else:
                side.held_back += 1
    for e in ([] if irq else result.get("edges", [])):
        if is_a(e["from"], 0) and is_a(e["to"], 1):
            side.forward = True
        if is_a(e["from"], 1) and is_a(e["to"], 0):
            side.backward = True
    return side


def run_case(case: Case, extra: list[str], cache_dir: str | None) -> Outcome:
    sides = {}
    for ver, tree in TREES.items():
        try:
            sides[ver] = judge(case, scan(tree, case.paths[ver], extra, cache_dir))
        except (RuntimeError, json.JSONDecodeError) as exc:
            sides[ver] = Side(error=str(exc))
    return Outcome(case, sides["6.1"], sides["6.12"])


def _dirs(case: Case, side: Side) -> str:
    if side.error:
        return "error"
    if case.kind == "irq":
        return "(irq)"
    return ("A->B " if side.forward else "---- ") + ("B->A" if side.backward else "----")


def render(outcomes: list[Outcome]) -> str:
    rows = [("case", "pair", "6.1 edges", "6.1 cycles", "6.12 edges", "6.12 cycles", "verdict")]

    def count(side):
        return str(len(side.cycles)) + (f" (+{side.held_back} held back)" if side.held_back else "")
    for o in outcomes:
        rows.append((o.case.id, " / ".join(o.case.pair), _dirs(o.case, o.old), count(o.old),
                     _dirs(o.case, o.new), count(o.new), o.verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    caught = sum(o.verdict == "caught" for o in outcomes)
    lines.append("")
    lines.append(f"caught {caught} of {len(outcomes)}"
                 f" (missed {sum(o.verdict == 'missed' for o in outcomes)},"
                 f" noisy {sum(o.verdict == 'noisy' for o in outcomes)},"
                 f" error {sum(o.verdict == 'error' for o in outcomes)})")
    for o in outcomes:
        for ver, side in (("6.1", o.old), ("6.12", o.new)):
            if side.error:
                lines.append(f"{o.case.id} {ver}: {side.error}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Unknown options go to every lockcheck scan.")
    ap.add_argument("--case", action="append", default=[], help="run only this case (repeatable)")
    ap.add_argument("--json", action="store_true", help="one JSON object per case instead of the table")
    ap.add_argument("--cache-dir", default=None, help="lockcheck cache (default: --no-cache)")
    ap.add_argument("--quick", action="store_true",
                    help="only the cases marked quick (the subset `make test` runs)")
    args, extra = ap.parse_known_args(argv)
    if extra and extra[0] == "--":
        extra = extra[1:]
    for ver, tree in TREES.items():
        if not (tree / "Makefile").exists():
            print(f"recall: {tree} missing (make kernel KVERSION={ver})", file=sys.stderr)
            return 2
    cases = load_cases()
    if args.case:
        unknown = set(args.case) - {c.id for c in cases}
        if unknown:
            print(f"recall: unknown case {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        cases = [c for c in cases if c.id in args.case]
    if args.quick:
        cases = [c for c in cases if c.quick]
    outcomes = []
    for case in cases:
        o = run_case(case, extra, args.cache_dir)
        outcomes.append(o)
        if args.json:
            print(json.dumps({"id": case.id, "verdict": o.verdict, "expect": case.expect,
                              "6.1": o.old.__dict__, "6.12": o.new.__dict__}), flush=True)
    if not args.json:
        print(render(outcomes))
    return 2 if any(o.verdict == "error" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

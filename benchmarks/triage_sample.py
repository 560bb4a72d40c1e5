"""Draw the triage sample from a scan's JSON report and print it for reading.

The sample is the top ``--top`` reported findings (in the report's order,
which is its ranking) and ``--random`` more drawn from the rest of the
reported ones with a fixed seed, so a later run on the same JSON draws the
same findings.  "Reported" means what the text report shows by default:
findings marked ``"shown": false`` in the JSON (held back below the default
confidence) are left out unless ``--all`` is given; a grouped report counts
once per group (its representative, the first cycle of the group).

Each finding is printed as a Markdown section with every edge's witness
(file:line function: what), ready to be read against the kernel tree and
given a verdict in benchmarks/TRIAGE.md.

    python benchmarks/triage_sample.py scan.json --top 20 --random 20 > sample.md
    python benchmarks/triage_sample.py scan.json --kind irq --top 10 --random 10 > irq.md
"""

from __future__ import annotations

import argparse
import json
import random
import sys

SEED = 20261203


def reported(doc: dict, include_all: bool, kinds: tuple[str, ...] = ()) -> list[dict]:
    """The findings the default text report shows, in report order, one
    per group; only those whose kind starts with one of ``kinds`` if any
    are given (``irq`` picks both irq-safety reports)."""
    out = []
    for c in doc.get("cycles", []):
        if kinds and not str(c.get("kind", "")).startswith(kinds):
            continue
        if not include_all and c.get("shown") is False:
            continue
        group = c.get("group")
        if group is not None and group != c["id"]:
            continue
        out.append(c)
    return out


def draw(findings: list[dict], top: int, nrandom: int, seed: int = SEED) -> tuple[list[dict], list[dict]]:
    head = findings[:top]
    rest = findings[top:]
    rng = random.Random(seed)
    picked = sorted(rng.sample(range(len(rest)), min(nrandom, len(rest))))
    return head, [rest[i] for i in picked]


def render(c: dict, rank: str) -> str:
    lines = [f"### {c['id']} ({rank})", ""]
    meta = [f"kind {c.get('kind')}", f"score {c.get('score')}"]
    if "confidence" in c:
        meta.append(f"confidence {c['confidence']}")
    if c.get("confidence_reason"):
        meta.append(f"because {c['confidence_reason']}")
    lines.append("; ".join(str(m) for m in meta))
    lines.append("locks: " + " -> ".join(c.get("locks", [])))
    for n, e in enumerate(c.get("edges", []), 1):
        lines.append(f"- edge {n}: `{e['from']}` -> `{e['to']}` ({e.get('holder', '')}{e.get('acquirer', '')})")
        for s in e.get("witness", []):
            lines.append(f"    - {s['file']}:{s['line']} {s['function']}: {s.get('what', '')}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", help="a `lockcheck scan --format json` report")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--random", type=int, default=20)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--all", action="store_true", help="sample from every finding, not only the shown ones")
    ap.add_argument("--ids", action="store_true", help="print only the ids, top then random")
    ap.add_argument("--kind", action="append", default=[],
                    help="only findings whose kind starts with this (repeatable): circular, recursive, irq, ...")
    args = ap.parse_args(argv)
    with open(args.json, encoding="utf-8") as f:
        doc = json.load(f)
    findings = reported(doc, args.all, tuple(args.kind))
    head, rand = draw(findings, args.top, args.random, args.seed)
    if args.ids:
        for c in head:
            print("top", c["id"])
        for c in rand:
            print("random", c["id"])
        return 0
    print(f"# Triage sample: {len(findings)} reported findings; top {len(head)}, "
          f"{len(rand)} random (seed {args.seed})\n")
    for i, c in enumerate(head, 1):
        print(render(c, f"top {i}"))
    for c in rand:
        print(render(c, f"random, rank {findings.index(c) + 1}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Summarise a scan's JSON for benchmarks/RESULTS.md: findings by kind and
confidence, reports after grouping, what the default text report shows,
the share of cycles resting on a wide indirect call, targets per indirect
call, the classes with the most cycles.

    python benchmarks/precision.py scan.json [--top 10]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter


def summary(doc: dict, top: int = 10) -> dict:
    cycles = doc.get("cycles", [])
    st = doc.get("stats", {})
    by = Counter((c.get("kind"), c.get("confidence", "?")) for c in cycles)
    leads = [c for c in cycles if c.get("group", c["id"]) == c["id"]]
    shown = [c for c in leads if c.get("shown", True)]
    wide_at = st.get("indirect_targets", {}).get("wide_threshold", 32)

    def wide(c) -> bool:
        return any(s.get("targets", 0) > wide_at for e in c.get("edges", []) for s in e.get("witness", []))

    circular = [c for c in cycles if c.get("kind") == "circular"]
    per_class = Counter(lock for c in circular for lock in set(c.get("locks", [])))
    return {
        "findings": dict(sorted((f"{k}/{v}", n) for (k, v), n in by.items())),
        "circular": len(circular),
        "recursive": sum(1 for c in cycles if c.get("kind") == "recursive"),
        "reports": len(leads),
        "reports_by_kind": dict(Counter(c.get("kind") for c in leads)),
        "shown": len(shown),
        "shown_by_kind": dict(Counter(c.get("kind") for c in shown)),
        "cycles_on_wide_call": sum(1 for c in circular if wide(c)),
        "classes": st.get("classes"),
        "edges": st.get("edges"),
        "calls": st.get("calls"),
        "indirect_targets": st.get("indirect_targets"),
        "unresolved_lock_expressions": st.get("unresolved_lock_expressions"),
        "class_annotations": st.get("class_annotations"),
        "top_classes": per_class.most_common(top),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)
    with open(args.json, encoding="utf-8") as f:
        doc = json.load(f)
    json.dump(summary(doc, args.top), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A fixed, reproducible random sample of kernel ``.c`` files.

    python benchmarks/sample.py --seed 1 --count 500 kernel/linux-source-6.12

prints ``--count`` paths (one per line, sorted) chosen with
``random.Random(seed).sample`` from every ``.c`` file of TREE, walked in
sorted order, outside the top-level ``tools/``, ``scripts/`` and
``samples/`` directories (user-space code and build helpers, not kernel
code).  The same seed and tree always give the same list, so coverage
numbers measured on it can be compared across front-end changes::

    lockcheck stats --no-cache -j 2 --format json \\
        $(python benchmarks/sample.py --seed 1 --count 500 kernel/linux-source-6.12)
"""

from __future__ import annotations

import argparse
import os
import random
import sys

EXCLUDED_TOP_DIRS = ("tools", "scripts", "samples")


def c_files(tree: str) -> list[str]:
    """Every ``.c`` under ``tree`` in a deterministic (sorted) walk order."""
    out = []
    for dirpath, dirnames, filenames in os.walk(tree):
        if os.path.samefile(dirpath, tree):
            dirnames[:] = [d for d in dirnames if d not in EXCLUDED_TOP_DIRS]
        dirnames.sort()
        out += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".c")]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("tree")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.tree):
        print(f"sample.py: {args.tree}: not a directory", file=sys.stderr)
        return 2
    files = c_files(args.tree)
    chosen = random.Random(args.seed).sample(files, min(args.count, len(files)))
    print("\n".join(sorted(chosen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

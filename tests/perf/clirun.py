"""Helpers for the scale tests: run the real CLI in a subprocess.

Nothing here is timed: speed is measured by benchmarks/run.py, these tests
only check that the ways of running a scan (processes, Dask, cold or warm
cache) give the same bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def lockcheck(*args, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-c", "from lockcheck.cli.main import main; main()", *map(str, args)],
                          capture_output=True, cwd=REPO, timeout=600)
    if check and proc.returncode not in (0, 1):
        raise AssertionError(f"lockcheck {' '.join(map(str, args))} exited {proc.returncode}:\n"
                             f"{proc.stderr.decode()}")
    return proc


def scan_json(path, *args) -> bytes:
    return lockcheck("scan", "-q", "--format", "json", *args, path).stdout


def stats_json(path, *args) -> dict:
    return json.loads(lockcheck("stats", "--format", "json", *args, path).stdout)


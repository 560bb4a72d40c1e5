"""Fuzzing settings: a short deterministic pass in the normal suite; ``make
fuzz`` sets LOCKCHECK_FUZZ_EXAMPLES (and LOCKCHECK_FUZZ_REPORT, a JSON file
the counts and times are written to)."""

from __future__ import annotations

import json
import os
import time

from hypothesis import HealthCheck, settings

from .harness import COUNTS

LONG = int(os.environ.get("LOCKCHECK_FUZZ_EXAMPLES", "0"))
_T0 = time.time()
_TIMES: dict = {}

settings.register_profile(
    "short", max_examples=25, derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile(
    "long", max_examples=max(LONG, 1), database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.load_profile("long" if LONG else "short")


def pytest_runtest_call(item):
    item._fuzz_t0 = time.time()


def pytest_runtest_teardown(item):
    t0 = getattr(item, "_fuzz_t0", None)
    if t0 is not None:
        _TIMES[item.name] = round(time.time() - t0, 1)


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    elapsed = time.time() - _T0
    terminalreporter.write_line(f"fuzz inputs tried: {dict(sorted(COUNTS.items()))} in {elapsed:.0f} s")
    report = os.environ.get("LOCKCHECK_FUZZ_REPORT")
    if report:
        with open(report, "w") as f:
            json.dump({"inputs": dict(sorted(COUNTS.items())), "seconds": round(elapsed),
                       "test_seconds": _TIMES}, f, indent=2, sort_keys=True)

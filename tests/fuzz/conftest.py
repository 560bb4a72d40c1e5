"""Fuzzing settings: a short deterministic pass (25 examples per fuzzer,
derandomized) in the normal suite; ``make fuzz`` runs
:mod:`tests.fuzz.campaign`, which loads its own profile."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from .harness import COUNTS

settings.register_profile(
    "short", max_examples=25, derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.load_profile("short")


def pytest_terminal_summary(terminalreporter):
    if COUNTS:
        terminalreporter.write_line(f"fuzz inputs tried: {dict(sorted(COUNTS.items()))}")

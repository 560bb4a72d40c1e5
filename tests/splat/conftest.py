"""Helpers for the splat tests: the CLI in-process, the fixture paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockcheck.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SPLAT = REPO / "fixtures" / "splat"
BEFORE = SPLAT / "before"
AFTER = SPLAT / "after"
REPORTS = SPLAT / "reports"
PATCH = SPLAT / "kvm_usage_lock.patch"
CYCLE = ("&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock", "kvm_lock")


@pytest.fixture
def lc(capsys, tmp_path):
    """``lc(*argv)`` → (exit code, stdout, stderr); JSON parsed when asked."""
    def run(*argv, stdin: str | None = None, monkeypatch=None):
        argv = [str(a) for a in argv] + ["--cache-dir", str(tmp_path / "cache"), "-j", "1", "-q"]
        with pytest.raises(SystemExit) as exc:
            main(argv)
        out, err = capsys.readouterr()
        if "--format" in argv and argv[argv.index("--format") + 1] == "json" and out.strip():
            out = json.loads(out)
        return exc.value.code, out, err
    return run

"""Shared test helpers: scan C snippets through the public API."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Cache entries are sealed with a per-user secret (lockcheck.cache_auth):
# the suite (and the CLI runs it starts, which inherit the environment)
# uses a throw-away one, never the user's own ~/.config/lockcheck/cache-key.
os.environ.setdefault("LOCKCHECK_CACHE_KEY_FILE",
                      os.path.join(tempfile.mkdtemp(prefix="lockcheck-test-key-"), "cache-key"))

REPO = Path(__file__).resolve().parent.parent
KERNEL = REPO / "kernel" / "linux-source-6.12"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's files: HOME, XDG_CACHE_HOME (the
    default cache, ~/.cache/lockcheck) and the temporary directory are the
    test's own, in this process and in every process it starts.  (Other
    runs on the machine share /tmp: a test counting lockcheck's files
    there would count theirs.)"""
    home = tmp_path_factory.mktemp("home")
    tmp = home / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return home


@pytest.fixture
def scan_c(tmp_path):
    """Write {name: source} into a fresh directory and scan it; returns the ScanResult."""
    from lockcheck.api import check
    from lockcheck.options import Options

    def run(files: dict[str, str], **kw):
        d = tmp_path / f"src{len(list(tmp_path.iterdir()))}"
        d.mkdir()
        for name, text in files.items():
            (d / name).write_text(text)
        return check(Options(paths=(str(d),), cache_dir=None, **kw))
    return run


def edge_set(result) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in result.edges}


def cycle_set(result) -> set[tuple[str, ...]]:
    return {f.locks for f in result.findings if f.kind == "circular"}

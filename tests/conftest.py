"""Shared test helpers: scan C snippets through the public API."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KERNEL = REPO / "kernel" / "linux-source-6.12"


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

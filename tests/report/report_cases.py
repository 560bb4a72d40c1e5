"""Golden-file cases shared by the tests and by ``python -m tests.report.regen``.

A golden file holds the exact bytes one format renders for one fixture.
When the engine or a renderer changes on purpose, regenerate them all with
``make golden`` (= ``.venv/bin/python -m tests.report.regen``) and review the
diff like code.
"""

from __future__ import annotations

import io
import os
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"

FIXTURES = ["abba_simple.c", "srcu_sync.c", "rwsem_read_write.c", "cycle4_four_files", "minikvm/before",
            "assert_not_held.c"]
FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "dot": "dot", "html": "html"}


@contextmanager
def in_repo():
    """Witness paths (and so every report) are relative to where we scan from."""
    old = os.getcwd()
    os.chdir(REPO)
    try:
        yield
    finally:
        os.chdir(old)


def scan(fixture: str):
    from lockcheck.api import check
    from lockcheck.options import Options
    from lockcheck.report.rank import rank
    import dataclasses
    with in_repo():
        result = check(Options(paths=(f"fixtures/{fixture}",), cache_dir=None, jobs=1))
    return dataclasses.replace(result, findings=rank(result.findings))


def render(result, fmt: str) -> str:
    from lockcheck.report import renderer
    buf = io.StringIO()
    with in_repo():
        renderer(fmt)(result, buf, color=False, width=100)
    return buf.getvalue()


def golden_path(fixture: str, fmt: str) -> Path:
    stem = fixture.removesuffix(".c").replace("/", "__")
    return GOLDEN / f"{stem}.{FORMATS[fmt]}"

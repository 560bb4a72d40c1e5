"""Reports: each renders results it is given and never re-analyses.

Every format is one module with ``render(result: ScanResult, out, **opts)``
and one entry in :data:`FORMATS`; options a format does not know are
ignored, so the CLI passes the same keywords to all of them.
"""

from __future__ import annotations

import importlib

__all__ = ["FORMATS", "renderer"]

FORMATS = {
    "text": "lockcheck.report.text",
    "json": "lockcheck.report.json_report",
    "sarif": "lockcheck.report.sarif",
    "dot": "lockcheck.report.dot",
    "html": "lockcheck.report.html",
}


def renderer(fmt: str):
    """The ``render`` function of format ``fmt`` (imported on demand)."""
    return importlib.import_module(FORMATS[fmt]).render

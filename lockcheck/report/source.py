"""Source lines for reports, read lazily from ``ScanResult.source_root``.

Reports quote the two lock sites of every edge; a missing or unreadable file
(the tree moved, a generated file) must cost the quote, never the report.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["SourceLines"]


class SourceLines:
    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def line(self, file: str, lineno: int) -> str | None:
        lines = _read(str(self.root / file))
        if lines is None or not 1 <= lineno <= len(lines):
            return None
        return lines[lineno - 1].rstrip().expandtabs(8)


@lru_cache(maxsize=256)
def _read(path: str) -> tuple[str, ...] | None:
    try:
        return tuple(Path(path).read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return None

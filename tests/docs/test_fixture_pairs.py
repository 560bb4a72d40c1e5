"""Each rule shape on a fixture pair: the bad C file breaks the rule in
fixtures/docs/<shape>.rst (or config.toml), the good one is silent.

Expected violations sit in the C file as ``docs-expect: CODE FROM -> TO``
(LC403: ``docs-expect: LC403 LOCK``) or ``docs-expect: clean``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lockcheck.api import check
from lockcheck.docs import read_config, read_rules, review
from lockcheck.options import Options

DOCS = Path(__file__).resolve().parents[2] / "fixtures" / "docs"
CASES = sorted(p.stem for p in DOCS.glob("*_*.c"))


def expected(cfile: Path) -> set[tuple]:
    out = set()
    for body in re.findall(r"docs-expect:\s*(.*?)\s*$", cfile.read_text(), re.M):
        if body != "clean":
            code, rest = body.split(None, 1)
            out.add((code, *[s.strip() for s in rest.split(" -> ")]))
    return out


def found(rev) -> set[tuple]:
    out = set()
    for v in rev.violations:
        if v.edge is not None:
            out.add((v.code, v.edge.src, v.edge.dst))
        else:
            out.add((v.code, v.message.split()[0]))
    return out


@pytest.mark.parametrize("case", CASES)
def test_fixture_pair(case):
    shape = case.rsplit("_", 1)[0]
    doc = read_rules(DOCS / f"{shape}.rst")
    if (DOCS / f"{shape}.toml").exists():
        doc.extend(read_config(DOCS / f"{shape}.toml"))
    result = check(Options(paths=(str(DOCS / f"{case}.c"),), cache_dir=None, jobs=1))
    rev = review(result, doc.rules, doc.aliases, tuple(doc.reference))
    assert found(rev) == expected(DOCS / f"{case}.c"), [v.message for v in rev.violations]


def test_every_shape_has_a_bad_and_a_good_file():
    shapes = {c.rsplit("_", 1)[0] for c in CASES}
    assert shapes >= {"outside", "inside", "srcu", "leaf", "type", "config"}
    for s in shapes:
        assert {f"{s}_bad", f"{s}_good"} <= set(CASES)

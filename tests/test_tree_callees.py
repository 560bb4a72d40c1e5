"""Callees outside the scan (lockcheck.tree_callees): the fixture
fixtures/tree_callees both ways, the whole-tree no-op, the definition
reader and the line mask."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lockcheck.options import Options
from lockcheck.parse_task import only_lines
from lockcheck.tree_callees import _definition, start_index, whole_tree

REPO = Path(__file__).resolve().parent.parent
TREE = REPO / "fixtures" / "tree_callees"


def _scan(*extra: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "lockcheck", "scan", "--no-cache", "--all", "-j", "1",
                           "--format", "json", *extra, "fixtures/tree_callees/net/btdemo"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    return json.loads(proc.stdout)


def test_found_through_the_tree():
    out = _scan()
    assert [(c["kind"], sorted(c["locks"])) for c in out["cycles"]] == \
        [("circular", ["bnep_session_sem", "rtnl_mutex"])]
    stats = out["stats"]["tree_callees"]
    assert stats["reach_lock"] == stats["parsed"] >= 5 and stats["files"] == 2
    files = {w["file"] for c in out["cycles"] for e in c["edges"] for w in e["witness"]}
    assert {"net/core/dev.c", "net/core/rtnetlink.c"} <= files   # witnesses in the real files


def test_silent_without_tree_callees():
    out = _scan("--no-tree-callees")
    assert out["cycles"] == []
    assert out["stats"]["tree_callees"] == {"off": True}


def test_whole_tree_is_a_no_op():
    opts = Options(paths=(str(TREE),), cache_dir=None)
    assert whole_tree(opts, TREE) and start_index(opts, TREE) is None
    assert start_index(Options(paths=(str(TREE / "net" / "btdemo"),), cache_dir=None, tree_callees=False),
                       TREE) is None


def test_definition_reader():
    lines = [b"static int", b"foo(int a,", b"    int b)", b"{", b"\treturn a;", b"}",
             b"int bar(int a,", b"\tint b);", b"int __weak baz(void) { return 0; }"]
    assert _definition(lines, 2) == (1, 6, True, False)
    assert _definition(lines, 7) is None          # a prototype
    assert _definition(lines, 9) == (9, 9, False, True)


def test_only_lines_keeps_numbers_and_preprocessor():
    text = "#define X 1\nint a;\nvoid f(void)\n{\n}\n#if X\nint b;\n#endif"
    assert only_lines(text, [(3, 5)]).split("\n") == \
        ["#define X 1", "", "void f(void)", "{", "}", "#if X", "", "#endif"]

"""Callees outside the scan (lockcheck.tree_callees): the fixture
fixtures/tree_callees both ways, the whole-tree no-op, the definition
reader and the line mask."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from lockcheck.options import Options
from lockcheck.parse_task import only_lines
from lockcheck.tree_callees import _Callee, _definition, _reaching_locks, body_calls, start_index, whole_tree

REPO = Path(__file__).resolve().parent.parent
TREE = REPO / "fixtures" / "tree_callees"


def _scan(*extra: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "lockcheck", "scan", "--no-cache", "--all", "-j", "1",
                           "--format", "json", *extra, "fixtures/tree_callees/net/btdemo"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    return json.loads(proc.stdout)


def test_found_through_the_tree():
    out = _scan()
    # no recursive rtnl_mutex: rtnl_unlock() is cut below netdev_run_todo()
    # and keeps its release; register_netdev() is not cut and keeps its acquire
    assert [(c["kind"], sorted(c["locks"])) for c in out["cycles"]] == \
        [("circular", ["bnep_session_sem", "rtnl_mutex"])]
    stats = out["stats"]["tree_callees"]
    assert stats["reach_lock"] == stats["parsed"] >= 5 and stats["files"] == 2
    assert stats["past_depth"] == stats["cut_kept"] == 2   # rtnl_unlock, netdev_run_todo
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


def test_calls_outside_comments_and_literals():
    body = (b"void __rtnl_unlock(void)\n{\n\t/* after rtnl_lock(), see\n\t * netdev_run_todo() */\n"
            b"\tpr_warn(\"kfree_skb(%d)\\n\", c('('));  // then free_netdev()\n\tmutex_unlock(&m);\n}")
    assert body_calls(body) == {"__rtnl_unlock", "pr_warn", "c", "mutex_unlock"}


def test_recursive_without_the_cut_release(monkeypatch):
    """The other way: a cut callee giving nothing (as when cut callees were
    dropped) leaves rtnl_lock() held after rtnl_unlock() in
    bnep_del_connection(): a false recursive rtnl_mutex."""
    from lockcheck.analysis import summaries
    from lockcheck.analysis.facts import Summary
    from lockcheck.api import check
    monkeypatch.setattr(summaries, "cut_summary", lambda s: Summary().frozen())
    out = check(Options(paths=(str(TREE / "net" / "btdemo"),), jobs=1, cache_dir=None))
    assert ("recursive", ("rtnl_mutex",)) in {(f.kind, tuple(f.locks)) for f in out.findings}


def test_cut_summary_keeps_releases_only():
    from lockcheck.analysis.facts import Acq, Effect, Held, Summary
    from lockcheck.analysis.summaries import cut_summary
    ref = None   # not read
    held = Held("&mm->mmap_lock", ref, "R", (), 0)
    s = Summary(acquires={("kobj_lock", "W", "acquire", frozenset()): Acq(ref, "W", "acquire", frozenset(), ())},
                effects={"all": Effect((held,), frozenset({"rtnl_mutex", "&mm->mmap_lock"}))},
                param_effects={(0, "zero"): Effect((held,), frozenset({"rtnl_mutex"}))},
                release_through={"rtnl_mutex": frozenset({0})})
    cut = cut_summary(s)
    assert not cut.acquires and not cut.param_edges and not cut.taken_through
    # dropped and taken again (a retry) is no release
    assert cut.effects == {"all": Effect((), frozenset({"rtnl_mutex"}))}
    assert cut.param_effects == {(0, "zero"): Effect((), frozenset({"rtnl_mutex"}))}
    assert cut.release_through == {"rtnl_mutex": frozenset({0})}


def test_cut_callee_kept_only_with_a_release():
    def callee(name, calls, locks=False, releases=False):
        return ("f.c", name), _Callee("f.c", name, 1, 2, frozenset(calls), locks, releases)
    found = dict([callee("rtnl_unlock", ["netdev_run_todo"]),
                  callee("netdev_run_todo", ["free_netdev"], locks=True, releases=True),
                  callee("get_pages", ["get_pages_locked"]),
                  callee("get_pages_locked", ["handle_fault"], locks=True)])
    resolved = {("netdev_run_todo", "f.c"): ("f.c", "netdev_run_todo"),
                ("get_pages_locked", "f.c"): ("f.c", "get_pages_locked")}
    defs = {"free_netdev": [("g.c", 1)], "handle_fault": [("g.c", 5)]}   # defined, not followed
    kept, cut = _reaching_locks(found, resolved, defs)
    assert [c.name for c in kept] == ["netdev_run_todo", "rtnl_unlock"] and all(c.cut for c in kept)
    assert cut == 4


def test_cold_and_warm_identical_through_the_tree(tmp_path):
    """The definitions index is grepped cold and read from the cache warm:
    how it was built is run information, not part of the report (it was in
    ``stats``, so a whole-tree JSON differed cold against warm)."""
    def scan() -> bytes:
        proc = subprocess.run([sys.executable, "-m", "lockcheck", "scan", "--cache-dir", str(tmp_path / "c"),
                               "--all", "-j", "1", "--format", "json", "fixtures/tree_callees/net/btdemo"],
                              cwd=REPO, capture_output=True, timeout=300)
        return proc.stdout
    cold = scan()
    shutil.rmtree(tmp_path / "c" / "run", ignore_errors=True)   # redo all but the cached parts
    warm = scan()
    assert b'"tree_callees"' in cold and b'"parsed"' in cold
    assert cold == warm

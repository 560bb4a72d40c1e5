"""frontend.value_uses and lockcheck.name_mentions: how a file uses a
function's name (analysis.table_entries reads both)."""

from __future__ import annotations

from lockcheck.frontend.lexer import tokenize
from lockcheck.frontend.value_uses import OTHER, value_uses
from lockcheck.name_mentions import _python


def _uses(text: str) -> dict:
    return value_uses([tuple(tokenize(text))])


def test_member_stores_only():
    got = _uses("static int cmd_kill(int a);\n"
                "static struct cmd tab[] = { { .name = \"kill\", .func = cmd_kill, }, };\n"
                "void f(struct cmd *c) { c->func = &cmd_kill; cmd_kill(1); }\n")
    assert got == {"cmd_kill": ("func",)}


def test_other_value_use_marked():
    got = _uses("static struct cmd tab = { .func = cmd_kill };\n"
                "void f(void) { register_hook(cmd_kill); }\n")
    assert got == {"cmd_kill": (OTHER, "func")}


def test_not_whole_value_is_other():
    got = _uses("static struct cmd tab = { .func = cmd_kill };\n"
                "void f(struct cmd *c) { if (c->func == cmd_kill) return; c->func = x ? cmd_kill : 0; }\n")
    assert got["cmd_kill"][0] == OTHER


def test_names_never_stored_are_left_out():
    assert _uses("void f(void) { g(h); x = y; }\n") == {}


def test_mentions_python_fallback(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.c").write_text("int kdb_bt(int);\nstatic int kdb_btx;\n")
    (tmp_path / "d" / "b.h").write_text("/* kdb_bt */\n")
    hits = sorted(_python(["kdb_bt"], tmp_path, ["d"]))
    assert hits == [("d/a.c", "kdb_bt"), ("d/b.h", "kdb_bt")]

"""Tokens keep exact source lines."""

from __future__ import annotations

from lockcheck.frontend.lexer import splice_lines, strip_comments, tokenize
from lockcheck.frontend.pipeline import lex_file


def test_comments_are_removed_and_lines_kept():
    toks = tokenize(strip_comments("a /* x\ny */ b // c\nd"))
    assert [(t.text, t.line) for t in toks] == [("a", 1), ("b", 2), ("d", 3)]


def test_string_literal_continued_with_backslash_newline_is_one_token():
    text = 'f("thread: unable \\\nfor core %d", c);\ng();\n'
    assert splice_lines(text).count("\n") == text.count("\n")
    toks = tokenize(strip_comments(splice_lines(text)))
    assert toks[2].kind == "str" and toks[2].text == '"thread: unable for core %d"'
    assert [t.line for t in toks if t.text == "g"] == [3]


def test_continued_define_is_harvested_with_its_first_line():
    lexed = lex_file("t.c", "\n#define LOCK(x) \\\n\tspin_lock(&(x)->l)\nint y;\n")
    (m,) = lexed.macros
    assert (m.name, m.body, m.line) == ("LOCK", "spin_lock(&(x)->l)", 2)
    assert lexed.items[0].line == 4

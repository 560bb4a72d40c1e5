"""Tokens with exact source lines; comments removed, line count preserved."""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["Token", "token_at", "C_KEYWORDS", "splice_lines", "strip_comments", "tokenize", "match_close", "split_top", "bind_arguments"]


class Token(NamedTuple):
    """One C token: ``kind`` is id, num, str, chr, punct or other."""

    kind: str
    text: str
    line: int


C_KEYWORDS = frozenset("""auto break case char const continue default do double else enum
extern float for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Bool _Complex _Static_assert
typeof""".split())


def token_at(text: str, ref: Token, kind: str | None = None) -> Token:
    """A token made by a pass, on ``ref``'s line (an id or a punctuator unless ``kind``)."""
    if kind is None:
        kind = "id" if (text[:1].isalpha() or text[:1] == "_") else "punct"
    return Token(kind, text, ref.line)


_COMMENT_OR_LITERAL = re.compile(
    r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)

# Each match is one token with the blanks before it (or a run of line
# breaks, or the blanks at the end): half the matches of a pattern that
# matches blanks on their own, on the front end's hottest loop.
_TOKEN = re.compile(r'''[ \t\r\f\v]*(?:
 (?P<nl>\n(?:[ \t\r\f\v]*\n)*)
|(?P<str>(?:L|u8|u|U)?"(?:\\.|[^"\\\n])*")
|(?P<chr>(?:L|u|U)?'(?:\\.|[^'\\\n])*')
|(?P<id>[A-Za-z_$][A-Za-z0-9_$]*)
|(?P<num>\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*)
|(?P<punct>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!=<>]=|\#\#|[{}\[\]();,.?:~!+\-*/%&|^<>=\#@\\])
|(?P<other>.)
|$)''', re.X)


def splice_lines(text: str) -> str:
    """Join backslash-continued lines, as translation phase 2 does, so a
    string literal or comment split that way stays one token; the removed
    line breaks are added after the joined line, keeping later lines exact."""
    if "\\\n" not in text:
        return text
    out: list[str] = []
    pending: list[str] = []
    for line in text.split("\n"):
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        out.append("".join(pending) + line)
        out += [""] * len(pending)
        pending = []
    if pending:
        out.append("".join(pending))
        out += [""] * (len(pending) - 1)
    return "\n".join(out)


def strip_comments(text: str) -> str:
    """Replace comments by blanks, keeping newlines so line numbers stay exact."""
    def blank(m: re.Match) -> str:
        s = m.group(0)
        if s[0] in "\"'":
            return s
        return " " + "\n" * s.count("\n")
    return _COMMENT_OR_LITERAL.sub(blank, text)


def tokenize(text: str, first_line: int = 1) -> list[Token]:
    """Split comment-free, directive-free text into tokens."""
    toks: list[Token] = []
    line = first_line
    append = toks.append
    new = tuple.__new__
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind is None:        # blanks at the end
            continue
        if kind == "nl":
            line += m.group(kind).count("\n")
        else:
            append(new(Token, (kind, m.group(kind), line)))
    return toks


_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def match_close(toks: list[Token], i: int) -> int:
    """Index of the bracket closing ``toks[i]``; the last index if unbalanced."""
    opener = toks[i].text
    closer = _CLOSERS[opener]
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j].text
        if t == opener:
            depth += 1
        elif t == closer:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def split_top(toks, sep: str = ",") -> list[list[Token]]:
    """Split at ``sep`` outside any brackets (macro arguments, declarators)."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in toks:
        if t.text in "([{":
            depth += 1
        elif t.text in ")]}":
            depth -= 1
        if t.text == sep and depth == 0:
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def bind_arguments(params, arg_toks: list[Token], line: int) -> dict[str, list[Token]]:
    """A function-like macro's parameters bound to a call's argument tokens
    (``...`` and ``name...`` take the rest, commas kept, as
    ``__VA_ARGS__`` / ``name``); a missing argument binds to nothing."""
    args = split_top(arg_toks)
    binding: dict[str, list[Token]] = {}
    for k, p in enumerate(params):
        if p == "..." or p.endswith("..."):
            rest: list[Token] = []
            for j, a in enumerate(args[k:]):
                if j:
                    rest.append(Token("punct", ",", line))
                rest += a
            binding["__VA_ARGS__" if p == "..." else p[:-3]] = rest
            break
        binding[p] = args[k] if k < len(args) else []
    return binding

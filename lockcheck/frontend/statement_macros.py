"""The statement-macro pass of :mod:`lockcheck.frontend.normalize`: a macro
in statement position followed by a body (a scoped guard, an iterator,
``while_each_thread``) becomes C that parses with the same structure."""

from __future__ import annotations

from lockcheck.frontend.lexer import C_KEYWORDS, Token, match_close, split_top, token_at

__all__ = ["statement_macros"]

_STMT_PREV = frozenset((";", "{", "}", "else", ":"))


def statement_macros(toks: list[Token], ctx) -> list[Token]:
    """Macros in statement position followed by a body, not by ``;``
    (``ctx``: the passes' context, ``normalize._Ctx``).

    * scoped guards: ``scoped_guard(T, a) BODY`` →
      ``{ __lc_scoped_guard(T, a); BODY }`` — a scope holding the lock;
      ``scoped_cond_guard(T, fail, a) BODY`` →
      ``{ if (!__lc_scoped_cond_guard(T, a)) fail; BODY }``;
    * iterators: ``list_for_each_entry(p, h, m) BODY`` →
      ``while (list_for_each_entry(p, h, m)) BODY`` — a loop whose body is
      parsed and whose macro call stays visible;
    * ``do {..} while_each_thread(a, b);`` → ``do {..} while (while_each_thread(a, b));``.
    """
    body = next((k for k, t in enumerate(toks) if t.text == "{"), len(toks))
    out = list(toks[:body])
    i, n = body, len(toks)
    pending_closers: list[list] = []  # [token index in source where the scope ends, ref]
    while i < n:
        t = toks[i]
        if (t.kind == "id" and t.text not in C_KEYWORDS and t.text not in ctx.model.not_iterators
                and i + 1 < n and toks[i + 1].text == "(" and out and out[-1].text in _STMT_PREV
                | {")"} and _prev_allows_statement(out)):
            close = match_close(toks, i + 1)
            nxt = toks[close + 1] if close + 1 < n else None
            if nxt is not None and (nxt.text == "{" or (nxt.kind == "id" and nxt.text not in _NOT_STMT_START)) \
                    and not _wraps_statements(toks, i + 2, close):
                end = _statement_end(toks, close + 1)
                kind = ctx.model.scoped_guards.get(t.text)
                if kind:
                    out += _scoped_guard_head(t, toks[i + 2:close], kind)
                    pending_closers.append([end, t])
                elif out[-1].text == "}" and _closes_do(out):
                    out += [token_at("while", t), token_at("(", t)] + list(toks[i:close + 1]) + [token_at(")", t)]
                else:
                    out += [token_at("while", t), token_at("(", t)] + list(toks[i:close + 1]) + [token_at(")", t)]
                i = close + 1
                continue
            if out[-1].text == "}" and nxt is not None and nxt.text == ";" and _closes_do(out):
                out += [token_at("while", t), token_at("(", t)] + list(toks[i:close + 1]) + [token_at(")", t)]
                i = close + 1
                continue
        out.append(t)
        while pending_closers and pending_closers[-1][0] == i:
            out.append(token_at("}", pending_closers.pop()[1]))
        i += 1
    return out


_NOT_STMT_START = frozenset(("else", "const", "volatile"))


def _wraps_statements(toks: list[Token], start: int, close: int) -> bool:
    """Do the arguments ``toks[start:close]`` hold a statement block
    (``D2(for (..) { printk(..); })``, a debug macro around code)?  Such a
    macro followed by a statement is no iterator: the statement after it
    runs once.  A ``({`` statement expression or an initialiser is not one."""
    for k in range(start + 1, close):
        if toks[k].text == "{" and toks[k - 1].text in (")", ";", "{", "}", "do", "else"):
            return True
    return False


def _word_before_opener(out: list[Token], close: str, opener: str) -> str:
    """The token before the bracket that the last token of ``out`` closes."""
    depth = 0
    for k in range(len(out) - 1, -1, -1):
        if out[k].text == close:
            depth += 1
        elif out[k].text == opener:
            depth -= 1
            if depth == 0:
                return out[k - 1].text if k > 0 else ""
    return ""


def _prev_allows_statement(out: list[Token]) -> bool:
    """A ``)`` before the macro only counts if it ends a control head
    (``if (..) MACRO(..) {``); otherwise ``f(x) g(y)`` is not a statement."""
    if out[-1].text != ")":
        return True
    return _word_before_opener(out, ")", "(") in ("if", "while", "for", "switch")


def _closes_do(out: list[Token]) -> bool:
    return _word_before_opener(out, "}", "{") == "do"


def _statement_end(toks: list[Token], i: int) -> int:
    """Index of the last token of the statement starting at ``toks[i]``."""
    n = len(toks)
    if i >= n:
        return n - 1
    if toks[i].text == "{":
        return match_close(toks, i)
    head = toks[i].text
    if head in ("if", "while", "for", "switch") and i + 1 < n and toks[i + 1].text == "(":
        end = _statement_end(toks, match_close(toks, i + 1) + 1)
        if head == "if" and end + 1 < n and toks[end + 1].text == "else":
            end = _statement_end(toks, end + 2)
        return end
    if toks[i].kind == "id" and i + 1 < n and toks[i + 1].text == "(" and head not in C_KEYWORDS:
        close = match_close(toks, i + 1)
        if close + 1 < n and (toks[close + 1].text == "{" or (toks[close + 1].kind == "id"
                                                             and toks[close + 1].text not in _NOT_STMT_START)):
            return _statement_end(toks, close + 1)  # nested iterator
    depth = 0
    for j in range(i, n):
        v = toks[j].text
        if v in "([{":
            depth += 1
        elif v in ")]}":
            depth -= 1
            if depth < 0:
                return j - 1
        elif v == ";" and depth == 0:
            return j
    return n - 1


def _scoped_guard_head(name: Token, args: list[Token], kind: str) -> list[Token]:
    parts = split_top(args, ",")
    if kind == "cond" and len(parts) >= 2:
        fail = parts[1]
        call_args = [parts[0]] + parts[2:]
        call = _call(name, "__lc_scoped_cond_guard", call_args)
        return ([token_at("{", name), token_at("if", name), token_at("(", name), token_at("!", name)] + call +
                [token_at(")", name), token_at("{", name)] + fail + [token_at(";", name), token_at("}", name)])
    return [token_at("{", name)] + _call(name, "__lc_scoped_guard", parts) + [token_at(";", name)]


def _call(ref: Token, fname: str, args: list[list[Token]]) -> list[Token]:
    out = [token_at(fname, ref, "id"), token_at("(", ref)]
    for k, a in enumerate(args):
        if k:
            out.append(token_at(",", ref))
        out += a
    return out + [token_at(")", ref)]

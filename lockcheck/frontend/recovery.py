"""Which tokens make up "the statement holding the error".

The retry chain replaces that statement by a marker call.  The span must be
a whole statement even when the error sits deep inside it — in a call
argument, a ``for`` head, an initialiser list or a compound literal —
otherwise the replacement leaves unbalanced brackets and every later
attempt fails too.  It must also be no more than one statement: a label
before it stays (a ``goto`` still finds it), and a macro call written
without its own semicolon ends at its closing parenthesis
(``out: D2(for (..) { .. }) spin_unlock(&l);`` drops ``D2(..)`` alone,
not the label and the unlock after it).
"""

from __future__ import annotations

from lockcheck.frontend.lexer import Token

__all__ = ["statement_span"]

_CONTROL = frozenset(("if", "while", "for", "switch"))
#: Words followed by a parenthesis that is not a call's.
_NOT_CALLS = frozenset(("if", "while", "for", "switch", "return", "sizeof", "typeof", "__typeof__",
                        "__typeof", "_Alignof", "__alignof__", "__attribute__", "__attribute", "asm",
                        "__asm__", "__asm", "_Static_assert", "case", "do", "else", "goto"))
_OPEN, _CLOSE = "([{", ")]}"


def statement_span(toks: list[Token], idx: int, body: int) -> tuple[int, int]:
    """``(a, b)``: ``toks[a:b]`` is the statement around ``toks[idx]``;
    ``body`` is the index of the function body's ``{``."""
    a = _after_labels(toks, _start(toks, idx, body), idx)
    return a, _stop(toks, a)


def _after_labels(toks: list[Token], a: int, idx: int) -> int:
    """Past the labels the statement at ``a`` starts with (``out:``,
    ``default:``), unless the error is in one of them."""
    while a + 2 <= idx and toks[a].kind == "id" and toks[a + 1].text == ":" and toks[a].text != "case":
        a += 2
    return a


def _start(toks: list[Token], idx: int, body: int) -> int:
    """Leave every bracket group holding the error, then walk back over
    balanced groups to just after a ``;``/``{``/``}``; a block followed by
    ``else``/``while`` belongs to the statement (``if``/``do``)."""
    a = _outside_groups(toks, idx, body)
    while a > body + 1:
        v = toks[a - 1].text
        if v == "}" and toks[a].text in ("else", "while"):
            a = _match_open(toks, a - 1)
            continue
        if v in ";{}":
            break
        a = _match_open(toks, a - 1) if v in ")]" else a - 1
    return a


def _outside_groups(toks: list[Token], idx: int, body: int) -> int:
    """Index of the outermost ``(``/``[``/initialiser ``{`` enclosing ``idx``
    inside the innermost block (``idx`` itself when there is none)."""
    pos, depth = idx, 0
    for k in range(idx - 1, body, -1):
        v = toks[k].text
        if v in _CLOSE:
            depth += 1
        elif v in _OPEN:
            if depth:
                depth -= 1
            elif v != "{" or _is_initialiser(toks, k, body):
                pos = k
            else:
                break
    return pos


def _match_open(toks: list[Token], close: int) -> int:
    """Index of the bracket opening ``toks[close]`` (0 if unbalanced)."""
    depth = 0
    for k in range(close, -1, -1):
        v = toks[k].text
        if v in _CLOSE:
            depth += 1
        elif v in _OPEN:
            depth -= 1
            if depth == 0:
                return k
    return 0


def _is_initialiser(toks: list[Token], brace: int, body: int) -> bool:
    """``= {``, ``, {`` or a compound literal ``(struct s){``."""
    prev = toks[brace - 1].text if brace > body else ""
    if prev in ("=", ","):
        return True
    if prev != ")":
        return False
    depth = 0
    for k in range(brace - 1, body, -1):
        v = toks[k].text
        depth += (v == ")") - (v == "(")
        if depth == 0:
            return k > 0 and toks[k - 1].text not in _CONTROL
    return False


def _stop(toks: list[Token], a: int) -> int:
    """Index after the statement starting at ``a``: after its ``;`` at depth
    0, before a closer that ends the enclosing block, or after a block that
    ends it (``if (..) {..}``) unless ``else``/``while``/``;`` continues it."""
    depth = 0
    b = a
    call = False     # the group open at depth 1 is a call's arguments
    while b < len(toks):
        v = toks[b].text
        if v in _OPEN:
            depth += 1
            if depth == 1:
                call = v == "(" and b > a and toks[b - 1].kind == "id" and toks[b - 1].text not in _NOT_CALLS
        elif v in _CLOSE:
            depth -= 1
            if depth < 0:
                return b
            if v == ")" and depth == 0 and call and b + 1 < len(toks) and toks[b + 1].kind == "id":
                return b + 1    # nothing can follow a call but an operator: a statement ends here
            if v == "}" and depth == 0:
                nxt = toks[b + 1].text if b + 1 < len(toks) else ""
                if nxt not in ("else", "while", ";", ",", ")", "=", "."):
                    return b + 1
        elif v == ";" and depth == 0:
            return b + 1
        b += 1
    return b

"""Predicates that are another call under a new name, read from a file's
tokens: a ``static`` or ``inline`` function whose body, after checks that
change nothing a test reads (``RCU_LOCKDEP_WARN(..)``, the model's
``check_calls``), is ``return g(ARGS);`` with every argument a parameter,
a field or a field's address through one (``&rdp->cblist``) or an integer
literal::

    static bool rcu_rdp_is_offloaded(struct rcu_data *rdp)
    {
            RCU_NOCB_LOCKDEP_WARN(..., "...");
            return rcu_segcblist_is_offloaded(&rdp->cblist);
    }

is ``("rcu_segcblist_is_offloaded", ("&$0->cblist",))``: a test of
``rcu_rdp_is_offloaded(x)`` is a test of ``rcu_segcblist_is_offloaded(&x->cblist)``
(``analysis.pred_keys`` unfolds it in the keys of tested calls).  Found
before any parsing, for every lexed file (the predicate itself reaches no
lock and is never parsed); merged per tree by name, a name whose
definitions disagree standing for nothing (:func:`merge_predicates`).
"""

from __future__ import annotations

import re

from lockcheck.frontend.lexer import C_KEYWORDS

__all__ = ["predicate_aliases", "merge_predicates", "parameter_parens"]

#: A template argument: a parameter, a field (chain) through one, or its
#: address; an integer literal, or an upper-case symbol (an enumerator or a
#: macro by kernel convention: ``id:NAME``, its value read where the
#: predicate is unfolded, ``analysis.pred_keys``).
_ARG = re.compile(r"&?\$\d+(?:(?:->|\.)[A-Za-z_]\w*)*|#-?\d+|id:[A-Z_][A-Z0-9_]*")


def predicate_aliases(items, check_calls: frozenset[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Name -> (callee, argument templates) for the file's function items
    that are such a predicate."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for item in items:
        if item.kind != "function":
            continue
        found = _alias([t.text for t in item.tokens], check_calls)
        if found is not None:
            name, alias = found
            if out.get(name, alias) != alias:
                alias = ("", ())      # two definitions (#if variants) disagree
            out[name] = alias
    return out


def merge_predicates(per_file) -> dict[str, tuple[str, tuple[str, ...]]]:
    """One map for the tree; a name given two meanings means nothing."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for found in per_file:
        for name, alias in found.items():
            if out.get(name, alias) != alias:
                alias = ("", ())
            out[name] = alias
    return {k: v for k, v in sorted(out.items()) if v[0]}


def _groups(toks: list[str], sep: str) -> list[list[str]] | None:
    """``toks`` split at ``sep`` outside brackets (None: unbalanced)."""
    out, cur, depth = [], [], 0
    for t in toks:
        if t in "([{":
            depth += 1
        elif t in ")]}":
            depth -= 1
            if depth < 0:
                return None
        if t == sep and depth == 0:
            out.append(cur)
            cur = []
        else:
            cur.append(t)
    if depth:
        return None
    out.append(cur)
    return out


def parameter_parens(header: list[str]) -> tuple[int, int] | None:
    """The indices of the ``(`` and ``)`` around a function definition's
    parameters in the tokens before its body (the last balanced pair), when
    a name comes right before the ``(``; None otherwise."""
    if ")" not in header:
        return None
    close = len(header) - 1 - header[::-1].index(")")
    depth = 0
    for k in range(close, -1, -1):
        depth += header[k] == ")"
        depth -= header[k] == "("
        if depth == 0:
            if k and re.fullmatch(r"[A-Za-z_]\w*", header[k - 1]):
                return k, close
            return None
    return None


def _alias(toks: list[str], check_calls: frozenset[str]):
    try:
        body = toks.index("{")
    except ValueError:
        return None
    header = toks[:body]
    if not ("static" in header or "inline" in header) or toks[-1] != "}":
        return None
    found = parameter_parens(header)
    if found is None or header[found[0] - 1] in C_KEYWORDS:
        return None
    open_, close = found
    name = header[open_ - 1]
    params: list[str] = []
    for group in _groups(header[open_ + 1:close], ",") or [["?", "("]]:
        if group == ["void"] or not group:
            continue
        if "(" in group or not re.fullmatch(r"[A-Za-z_]\w*", group[-1]):
            return None
        params.append(group[-1])
    stmts = _groups(toks[body + 1:-1], ";")
    if stmts is None or stmts[-1]:
        return None       # something after the last ';'
    *checks, last = stmts[:-1] or [[]]
    for s in checks:
        if not s or s[0] not in check_calls or len(s) < 3 or s[1] != "(" or s[-1] != ")":
            return None
    if len(last) < 4 or last[0] != "return" or last[2] != "(" or last[-1] != ")" \
            or not re.fullmatch(r"[A-Za-z_]\w*", last[1]) or last[1] in C_KEYWORDS or last[1] == name:
        return None
    args = _groups(last[3:-1], ",")
    if args is None:
        return None
    rendered = []
    for arg in args if args != [[]] else []:
        toks = [t for t in arg if t not in "()"]
        text = "".join(_render(t, params, k == 0 or toks[k - 1] not in ("->", ".")) for k, t in enumerate(toks))
        if not _ARG.fullmatch(text):
            return None
        rendered.append(text)
    return name, (last[1], tuple(rendered))


def _render(tok: str, params: list[str], alone: bool = False) -> str:
    if tok in params:
        return f"${params.index(tok)}"
    if alone and tok.isupper() and re.fullmatch(r"[A-Za-z_]\w*", tok):
        return f"id:{tok}"      # a symbol, not a field name after -> or .
    if tok[:1].isdigit():
        try:
            return f"#{int(tok.rstrip('uUlL'), 0)}"
        except ValueError:
            return tok
    return tok

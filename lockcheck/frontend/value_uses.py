"""How a file uses names as values: stored into a member, or otherwise.

Read from tokens alone, for the analysis's question *is this function
entered only through the calls of the tables it is stored in?*
(analysis.table_entries).  A name mentioned other than as a call (or its
own declarator) is used as a value; such a use is a *member store* when it
is the whole right-hand side of ``.m = name`` or ``->m = name`` (``&name``
too) in an initialiser or an assignment — the table or object then holds
it in member ``m``.  Every other value use (an argument, a macro's
argument, a local, a return, a comparison, a positional initialiser) is
recorded as :data:`OTHER`: what happens to the address then is not known
from the tokens.

Only names stored into some member are kept (the rest never qualify), as
name -> the members, sorted, with :data:`OTHER` first when it has other
value uses too.
"""

from __future__ import annotations

from lockcheck.frontend.lexer import C_KEYWORDS

__all__ = ["OTHER", "table_struct", "value_uses"]

#: Marker member: the name has a value use that is no member store.
OTHER = ""
_MEMBER = frozenset((".", "->"))
_END = frozenset((",", ";", "}"))


def value_uses(token_lists) -> dict[str, tuple[str, ...]]:
    """Member stores and other value uses of the names of a file's items
    (``token_lists``: each item's tokens, bodies included)."""
    stores: dict[str, set[str]] = {}
    other: set[str] = set()
    for toks in token_lists:
        n = len(toks)
        for k in range(n):
            t = toks[k]
            if t.kind != "id" or t.text in C_KEYWORDS:
                continue
            if k > 0 and toks[k - 1].text in _MEMBER:
                continue        # a member's name
            if k + 1 < n and toks[k + 1].text == "(":
                continue        # a call, a declarator, a function-like macro
            member = _stored_into(toks, k)
            if member is None:
                other.add(t.text)
            else:
                stores.setdefault(t.text, set()).add(member)
    return {name: ((OTHER,) if name in other else ()) + tuple(sorted(members))
            for name, members in sorted(stores.items())}


def _stored_into(toks, k: int) -> str | None:
    """The member ``toks[k]`` is the whole stored value of (``.m = x,``,
    ``p->m = &x;``), or None."""
    j = k - 1 if k > 0 and toks[k - 1].text == "&" else k
    if k + 1 >= len(toks) or toks[k + 1].text not in _END:
        return None
    if j < 3 or toks[j - 1].text != "=" or toks[j - 2].kind != "id" or toks[j - 3].text not in _MEMBER:
        return None
    return toks[j - 2].text


def table_struct(base: str, typedefs: dict) -> str | None:
    """The struct type a table's declared type names (``kdbtab_t``:
    ``struct _kdbtab``, through ``typedefs``, TreeIndex.typedef_targets),
    or None for no struct."""
    if base.startswith(("struct ", "union ")):
        return base
    target = typedefs.get(base)
    if target is None or target.pointers or not target.base.startswith(("struct ", "union ")):
        return None
    return target.base

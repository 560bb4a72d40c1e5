"""The type of a function-like macro that is a cast.

``#define get_ops(s) (*(const struct tmr_ops **)(s)->runtime->priv)``: a
call ``get_ops(s)->start(s)`` of a macro the front end does not expand
(it takes no lock) is typed as a call of an unknown function, so the
indirect call through ``->start`` has no ops field and reaches nothing;
the functions stored in ``.start`` then have no caller and are entered as
roots.  The macro's body says its type: a cast (``(T *)x``), possibly
dereferenced (``*(T **)x``), in parentheses.  These types join the tree
index's return types, as a function's would.
"""

from __future__ import annotations

from lockcheck.frontend.lexer import tokenize
from lockcheck.frontend.typefacts import TypeRef

__all__ = ["cast_macro_types"]

_QUALIFIERS = frozenset(("const", "volatile", "__rcu", "__iomem", "__percpu", "__user", "__force"))
#: longer bodies are not one cast of a short expression
_MAX_CHARS = 240


def cast_macro_types(macro_defs, typedefs, known) -> dict[str, TypeRef]:
    """Name -> type of the function-like macros (first definition wins)
    whose body is ``( [*]... (T *...) expr )`` with ``T`` a struct, union
    or typedef name, leaving out names in ``known`` (functions)."""
    out: dict[str, TypeRef] = {}
    seen: set[str] = set()
    for d in macro_defs:
        if d.params is None or d.name in seen or d.name in known:
            continue
        seen.add(d.name)
        if len(d.body) > _MAX_CHARS or "(" not in d.body or "#" in d.body:
            continue
        ref = _cast_type([t.text for t in tokenize(d.body)], typedefs)
        if ref is not None:
            out[d.name] = ref
    return out


def _cast_type(texts: list[str], typedefs) -> TypeRef | None:
    k, derefs = 0, 0
    if texts[:1] == ["("] and _closing(texts, 0) == len(texts) - 1:
        k = 1
    while k < len(texts) and texts[k] == "*":
        derefs, k = derefs + 1, k + 1
    if k >= len(texts) or texts[k] != "(":
        return None
    end = _closing(texts, k)
    if end is None or end + 1 >= len(texts) - (1 if k and texts[0] == "(" else 0):
        return None    # (T *) followed by nothing: not a cast of an expression
    inner = [t for t in texts[k + 1:end] if t not in _QUALIFIERS]
    stars = 0
    while inner and inner[-1] == "*":
        stars, inner = stars + 1, inner[:-1]
    if len(inner) == 2 and inner[0] in ("struct", "union") and inner[1].isidentifier():
        base = f"{inner[0]} {inner[1]}"
    elif len(inner) == 1 and inner[0] in typedefs:
        base = inner[0]
    else:
        return None
    if stars - derefs < 1:
        return None    # a value, not a pointer to a struct: nothing to call through
    return TypeRef(base, stars - derefs)


def _closing(texts: list[str], k: int) -> int | None:
    depth = 0
    for j in range(k, len(texts)):
        if texts[j] == "(":
            depth += 1
        elif texts[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return None

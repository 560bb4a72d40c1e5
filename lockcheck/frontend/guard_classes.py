"""Guard classes a file defines itself (``DEFINE_LOCK_GUARD_1(rq_lock_irq,
struct rq, rq_lock_irq(_T->lock, &_T->rf), .., struct rq_flags rf)``,
``DEFINE_GUARD(name, type, lock, unlock)``, ``DEFINE_LOCK_GUARD_0``:
include/linux/cleanup.h), as a function the rest of the pipeline already
understands.

Each definition becomes one more top-level item, a static inline
function :func:`lock_function` ``(name)`` whose body is the class's lock
statement with ``_T`` bound to its parameter (``_T->lock``, the guarded
object, is the parameter itself for a ``LOCK_GUARD``; the class's extra
members, ``_T->rf``, are locals).  ``guard(name)(x)`` and
``scoped_guard(name, x)`` of a class the model's ``[guards]`` table does
not list call that function with a scoped flag (analysis.call_extract):
whatever the call leaves held, locks and the interrupt state alike, ends
with the guard's scope, as a table guard's lock does (analysis.flow).  The
unlock statement is not read: the scope's end drops what the lock
statement took.  The macro shapes are model data (``[guard_classes]`` of
frontend.toml).
"""

from __future__ import annotations

from lockcheck.frontend.items import Item
from lockcheck.frontend.lexer import Token, match_close, split_top, token_at

__all__ = ["LOCK_FUNCTION_PREFIX", "lock_function", "guard_class_items"]

#: Prefix of the function a guard class's lock statement becomes.
LOCK_FUNCTION_PREFIX = "__lc_guard_lock_"


def lock_function(name: str) -> str:
    return LOCK_FUNCTION_PREFIX + name


def guard_class_items(items: list[Item], shapes: dict) -> list[Item]:
    """``items`` with a lock function after each guard class definition
    that ``shapes`` (macro -> shape, ``[guard_classes]``) describes."""
    if not shapes:
        return items
    out: list[Item] = []
    for item in items:
        out.append(item)
        if item.kind != "declaration":
            continue
        toks = item.tokens
        k = 1 if toks and toks[0].text == "static" else 0
        if len(toks) < k + 3 or toks[k].text not in shapes or toks[k + 1].text != "(":
            continue
        close = match_close(list(toks), k + 1)
        fn = _lock_item(toks[k], split_top(toks[k + 2:close], ","), shapes[toks[k].text])
        if fn is not None:
            out.append(fn)
    return out


def _lock_item(ref: Token, args: list[list[Token]], shape: dict) -> Item | None:
    name_at, lock_at = shape.get("name", 0), shape.get("lock")
    if lock_at is None or len(args) <= max(name_at, lock_at) or len(args[name_at]) != 1:
        return None
    name = args[name_at][0]
    if name.kind != "id":
        return None
    lock = [t for t in args[lock_at]]
    if not lock:
        return None
    obj = shape.get("object", "_T").split("->")
    params: list[Token] = [token_at("void", ref)]
    if "type" in shape and len(args) > shape["type"] and args[shape["type"]]:
        params = list(args[shape["type"]]) + ([token_at("*", ref)] if shape.get("pointer") else [])
        params.append(token_at("_T", ref))
    members: list[Token] = []
    at = shape.get("members")
    if at is not None and len(args) > at:
        for extra in args[at:]:
            members += extra + [token_at(";", ref)]
    body = _bind(lock, obj)
    fn = ([token_at("static", ref), token_at("inline", ref), token_at("void", ref),
           token_at(lock_function(name.text), ref, "id"), token_at("(", ref)] + params +
          [token_at(")", ref), token_at("{", ref)] + members + body + [token_at(";", ref), token_at("}", ref)])
    return Item("function", tuple(fn))


def _bind(stmt: list[Token], obj: list[str]) -> list[Token]:
    """The lock statement with ``_T`` bound: ``_T->lock`` (``obj``) is the
    parameter ``_T``; another ``_T->m`` is the local ``m``."""
    out: list[Token] = []
    i, n = 0, len(stmt)
    while i < n:
        t = stmt[i]
        if t.kind == "id" and t.text == "_T" and i + 2 < n and stmt[i + 1].text == "->" and len(obj) == 2:
            member = stmt[i + 2]
            out.append(Token(t.kind, "_T", t.line) if member.text == obj[1] else member)
            i += 3
            continue
        out.append(t)
        i += 1
    return out

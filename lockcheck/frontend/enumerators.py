"""The integer values of a file's own enumerators, from its lexed items.

``enum { vmw_val_add_flag_none = 0, vmw_val_add_flag_noctx = 1 << 0 };``
gives ``{"vmw_val_add_flag_none": 0, "vmw_val_add_flag_noctx": 1}``: a
constant flag a caller passes (``f(..., vmw_val_add_flag_noctx)``) and the
callee's test of it (``flags & vmw_val_add_flag_noctx``) then compare as
integers (``analysis.entry_facts``), as the file's integer ``#define``s do.
An enumerator whose value is not an integer expression of literals and
earlier enumerators (``sizeof``, a macro) has no value here, nor have the
implicit ones after it.
"""

from __future__ import annotations

import re

__all__ = ["file_enumerators", "evaluate"]

_INT = re.compile(r"(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$")


def file_enumerators(items, known: dict[str, int] | None = None) -> dict[str, int]:
    """Enumerator name -> value for every ``enum { … }`` body in ``items``
    (top-level declarations: a type, a typedef, a variable of it)."""
    out: dict[str, int] = {}
    for item in items:
        if item.kind != "declaration":
            continue
        toks = item.tokens
        for k, t in enumerate(toks):
            if t.text != "enum":
                continue
            j = k + 1
            if j < len(toks) and toks[j].kind == "id":
                j += 1
            if j < len(toks) and toks[j].text == "{":
                _body(toks, j + 1, out, known or {})
    return out


def _body(toks, start: int, out: dict[str, int], known: dict[str, int]) -> None:
    entries: list[list] = [[]]
    depth = 0
    for t in toks[start:]:
        if t.text in ("(", "[", "{"):
            depth += 1
        elif t.text in (")", "]", "}"):
            if depth == 0:
                break
            depth -= 1
        if t.text == "," and depth == 0:
            entries.append([])
        else:
            entries[-1].append(t.text)
    following: int | None = 0
    for entry in entries:
        if not entry or not entry[0].isidentifier():
            continue
        name = entry[0]
        if len(entry) > 2 and entry[1] == "=":
            value = evaluate(entry[2:], {**known, **out})
        else:
            value = following
        if value is None:
            following = None
            continue
        out.setdefault(name, value)
        following = value + 1


def evaluate(texts: list[str], names: dict[str, int]) -> int | None:
    """An integer constant expression of literals, known names, parentheses
    and ``+ - * << >> | & ^ ~``; None for anything else."""
    pos = 0

    def primary() -> int | None:
        nonlocal pos
        if pos >= len(texts):
            return None
        t = texts[pos]
        pos += 1
        if t == "(":
            v = binary(0)
            if pos >= len(texts) or texts[pos] != ")":
                return None
            pos += 1
            return v
        if t in ("-", "~", "+"):
            v = primary()
            return None if v is None else (-v if t == "-" else ~v if t == "~" else v)
        if _INT.match(t):
            return int(t.rstrip("uUlL"), 8 if len(t.rstrip("uUlL")) > 1 and t[0] == "0" and t[1] not in "xX" else 0)
        return names.get(t)

    def binary(level: int) -> int | None:
        nonlocal pos
        if level == len(_LEVELS):
            return primary()
        left = binary(level + 1)
        while left is not None and pos < len(texts) and texts[pos] in _LEVELS[level]:
            op = texts[pos]
            pos += 1
            right = binary(level + 1)
            if right is None or (op in ("<<", ">>") and not 0 <= right < 64):
                return None
            left = _OPS[op](left, right)
        return left

    value = binary(0)
    return value if pos == len(texts) else None


_LEVELS = (("|",), ("^",), ("&",), ("<<", ">>"), ("+", "-"), ("*",))
_OPS = {"|": int.__or__, "^": int.__xor__, "&": int.__and__, "<<": int.__lshift__, ">>": int.__rshift__,
        "+": int.__add__, "-": int.__sub__, "*": int.__mul__}

"""Flag words a function writes back through a pointer parameter, read from
a file's tokens: which bits it rejects on entry and which it may set.

``is_valid_gup_args(pages, locked, &gup_flags, FOLL_TOUCH)`` of mm/gup.c
copies ``*gup_flags_p`` to a local, returns false when the copy has a bit of
``INTERNAL_GUP_FLAGS`` set, ORs in ``to_set`` and, under ``if (locked)``,
``FOLL_UNLOCKABLE``, and writes the copy back.  Wherever it returns true,
the caller's word has no bit of the rejected mask but those it ORed in, and
``get_user_pages()``, which passes ``locked`` NULL, never has
``FOLL_UNLOCKABLE`` after it (``analysis.known_bits`` says so at the calls
that follow, for the callee's entry facts).

A function qualifies (:func:`out_bits`) when its body has the shape:

* ``T v = *p;`` for a pointer parameter ``p`` that the body names nowhere
  else but in ``*p = v;`` (no other write of ``*p``, ``p`` never handed on);
* before any return of anything but ``false`` / ``0`` and before any write
  of ``v``: ``if (W(v & MASK)) return false;`` (``W`` any wrappers,
  ``WARN_ON_ONCE``, ``unlikely``), one or more;
* ``v`` written only by ``v |= X;`` (``X`` constants or a parameter; an
  OR under ``if (q)`` of a parameter ``q`` only where ``q`` is non-NULL)
  and ``v &= X;``, its address never taken.

The summary is ``(position of p, MASK tokens, ((X tokens, guard), ..))``
with parameters written ``$k`` and ``guard`` the position of ``q`` (-1:
none).  Merged per tree by name; a name whose definitions disagree stands
for nothing.
"""

from __future__ import annotations

import re

from lockcheck.frontend.predicates import parameter_parens

__all__ = ["out_bits", "merge_out_bits"]

_IDENT = re.compile(r"[A-Za-z_]\w*")
_FALSE = (("false",), ("0",))
_OTHER_WRITES = frozenset(("=", "+=", "-=", "*=", "/=", "%=", "^=", "<<=", ">>="))


def out_bits(items) -> dict[str, tuple]:
    """Name -> summary for the file's function items of that shape."""
    out: dict[str, tuple] = {}
    for item in items:
        if item.kind != "function":
            continue
        found = _summary([t.text for t in item.tokens])
        if found is not None:
            name, summary = found
            out[name] = summary if out.get(name, summary) == summary else None
    return {k: v for k, v in out.items() if v is not None}


def merge_out_bits(per_file) -> dict[str, tuple]:
    """One map for the tree; a name given two meanings means nothing."""
    out: dict[str, tuple] = {}
    for found in per_file:
        for name, summary in found.items():
            out[name] = summary if out.get(name, summary) == summary else None
    return {k: v for k, v in sorted(out.items()) if v is not None}


def _header(toks: list[str]) -> tuple[str, list[tuple[str, bool]], int] | None:
    """Name, parameters (name, is a pointer) and the body's ``{`` index."""
    try:
        body = toks.index("{")
    except ValueError:
        return None
    header = toks[:body]
    if toks[-1] != "}":
        return None
    found = parameter_parens(header)
    if found is None:
        return None
    open_, close = found
    params: list[tuple[str, bool]] = []
    group: list[str] = []
    for t in header[open_ + 1:close] + [","]:
        if t == ",":
            if group and group != ["void"]:
                if "(" in group or not _IDENT.fullmatch(group[-1]):
                    return None
                params.append((group[-1], "*" in group))
            group = []
        else:
            group.append(t)
    return header[open_ - 1], params, body


def _close(toks: list[str], k: int) -> int:
    """Index of the bracket closing the one at ``k`` (-1: none)."""
    depth = 0
    for j in range(k, len(toks)):
        depth += toks[j] in "([{"
        depth -= toks[j] in ")]}"
        if depth == 0:
            return j
    return -1


def _unwrap(cond: list[str], var: str) -> list[str]:
    """``W(U((v & M)))`` -> ``v & M``."""
    while True:
        if len(cond) > 3 and _IDENT.fullmatch(cond[0]) and cond[0] != var and cond[1] == "(" \
                and _close(cond, 1) == len(cond) - 1:
            cond = cond[2:-1]
        elif len(cond) > 2 and cond[0] == "(" and _close(cond, 0) == len(cond) - 1:
            cond = cond[1:-1]
        else:
            return cond


def _summary(toks: list[str]):
    head = _header(toks)
    if head is None:
        return None
    name, params, body = head
    names = [p for p, _ in params]
    b = toks[body + 1:-1]
    copy = next((k for k in range(len(b) - 4) if b[k + 1] == "=" and b[k + 2] == "*"
                 and b[k + 4] == ";" and _IDENT.fullmatch(b[k]) and (b[k + 3], True) in params), None)
    if copy is None:
        return None
    var, ptr = b[copy], b[copy + 3]
    if var in names:
        return None
    for k, t in enumerate(b):     # p only in the copy and in "*p = v;"
        if t == ptr and k != copy + 3 and b[k - 1:k + 4] != ["*", ptr, "=", var, ";"]:
            return None
        if t == var and k > 0 and b[k - 1] in ("&", "++", "--") and (k < 2 or not _operand_end(b[k - 2])):
            return None
    mask: list[str] | None = None
    ors: list[tuple[tuple[str, ...], int]] = []
    guards: list[int] = []          # per open brace: a parameter tested non-NULL, or -1
    pending = -1                    # the guard of the next statement (an if without braces)
    opened = -1                     # the guard of the next "{"
    k = 0
    while k < len(b):
        t = b[k]
        if t == "if" and k + 1 < len(b) and b[k + 1] == "(":
            j = _close(b, k + 1)
            if j < 0:
                return None
            cond = _unwrap(b[k + 2:j], var)
            rest = b[j + 1:]
            then = rest[1:rest.index("}")] if rest[:1] == ["{"] and "}" in rest else rest[:rest.index(";") + 1] \
                if ";" in rest else []
            if len(cond) > 2 and cond[0] == var and cond[1] == "&" and not ors \
                    and not {"&&", "||", "?", "="} & set(cond[2:]) \
                    and len(then) == 3 and then[0] == "return" and tuple(then[1:2]) in _FALSE and then[2] == ";":
                mask = (mask or []) + (["|"] if mask else []) + ["("] + cond[2:] + [")"]
                k = j + 1 + (len(then) + 2 if rest[:1] == ["{"] else len(then))
                continue
            guard = names.index(cond[0]) if len(cond) == 1 and cond[0] in names else \
                names.index(cond[0]) if len(cond) == 3 and cond[0] in names and cond[1:] == ["!=", "NULL"] else -1
            if rest[:1] == ["{"]:
                opened = guard
            else:
                pending = guard
            k = j + 1
            continue
        if t == "{":
            guards.append(opened)
            opened = -1
        elif t == "}":
            if not guards:
                return None
            guards.pop()
        elif t == ";":
            pending = -1
        elif t == "return":
            end = b.index(";", k)
            if tuple(b[k + 1:end]) not in _FALSE and mask is None:
                return None         # a true return before the check
            k = end
            continue
        elif t == var and k + 1 < len(b) and k != copy:
            op = b[k + 1]
            if op in ("|=", "&="):
                end = b.index(";", k)
                if mask is None:
                    return None
                if op == "|=":
                    value = tuple(f"${names.index(x)}" if x in names else x for x in b[k + 2:end])
                    if not value:
                        return None
                    guard = next((g for g in reversed(guards) if g >= 0), pending)
                    ors.append((value, guard))
                k = end
                continue
            if op in _OTHER_WRITES or op in ("++", "--"):
                return None
        k += 1
    if mask is None:
        return None
    return name, ([k for k, (p, _) in enumerate(params) if p == ptr][0], tuple(mask), tuple(ors))


def _operand_end(tok: str) -> bool:
    """Can ``tok`` end an operand (so a ``&`` after it is bitwise)?"""
    return tok in (")", "]") or bool(_IDENT.fullmatch(tok)) or tok[:1].isdigit()

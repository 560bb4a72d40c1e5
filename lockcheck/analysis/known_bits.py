"""Bits of a caller's flag word known clear after a callee that writes it
back returned true (``frontend.out_bits``), for ``analysis.known_args``.

After ``if (!is_valid_gup_args(pages, NULL, &gup_flags, FOLL_TOUCH)) return
-EINVAL;`` the word ``gup_flags`` has no bit of ``INTERNAL_GUP_FLAGS`` (the
callee rejects them on entry) but those the callee may have ORed in: its
``to_set`` (``FOLL_TOUCH`` here) and, only where its ``locked`` is non-NULL
(NULL here), ``FOLL_UNLOCKABLE``.  Each such bit is a known test of the
word, ``zero:()&($,#N)`` (``analysis.known_tests``' kind), that the calls
given the word later pass on to their callee's entry
(``pred_keys.entry_tests``): ``__get_user_pages_locked(.., gup_flags)``
never takes its retry path's ``if (!(flags & FOLL_UNLOCKABLE)) break;``
the other way.

A bit the callee may set with a value the call does not give as a constant
(a parameter passed a variable) makes nothing known.
"""

from __future__ import annotations

from pycparser import c_ast

__all__ = ["cleared_bits", "bit_kinds", "evaluate"]

#: Bits told one by one at most (the tests of a word are of one bit mostly).
MAX_BITS = 16


def evaluate(tokens, name_value) -> int | None:
    """The integer of a constant expression's tokens (integers, names
    ``name_value`` knows, ``( ) | & << >> ~``); None when unknown."""
    toks = list(tokens)
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else None

    def take():
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def atom():
        t = take() if peek() is not None else None
        if t is None:
            return None
        if t == "(":
            v = expr()
            return v if take_if(")") else None
        if t == "~":
            v = atom()
            return None if v is None else ~v
        if t[:1].isdigit():
            try:
                return int(t.rstrip("uUlL"), 0)
            except ValueError:
                return None
        return name_value(t)

    def take_if(tok):
        if peek() == tok:
            take()
            return True
        return False

    def shift():
        v = atom()
        while v is not None and peek() in ("<<", ">>"):
            op = take()
            w = atom()
            v = None if w is None or w < 0 or w > 63 else (v << w if op == "<<" else v >> w)
        return v

    def band():
        v = shift()
        while v is not None and peek() == "&":
            take()
            w = shift()
            v = None if w is None else v & w
        return v

    def expr():
        v = band()
        while v is not None and peek() == "|":
            take()
            w = band()
            v = None if w is None else v | w
        return v

    value = expr()
    return value if value is not None and pos == len(toks) else None


def _null(node) -> bool:
    while node.__class__ is c_ast.Cast:
        node = node.expr
    if node.__class__ is c_ast.ID:
        return node.name == "NULL"
    return node.__class__ is c_ast.Constant and node.value in ("0", "0L", "0UL", "0U")


def cleared_bits(summary: tuple, args: list, constant) -> int:
    """The bits of the word at the summary's position known clear after a
    true return of a call given ``args`` (``constant(node)``: an
    argument's or name's integer, None when unknown); 0 for none."""
    pos, mask_tokens, ors = summary
    mask = evaluate(mask_tokens, lambda n: constant(c_ast.ID(n)))
    if not mask or mask < 0:
        return 0
    may_set = 0
    for value, guard in ors:
        if 0 <= guard < len(args) and _null(args[guard]):
            continue        # ORed in only where that argument is non-NULL
        if len(value) == 1 and value[0][:1] == "$":
            k = int(value[0][1:])
            v = constant(args[k]) if k < len(args) else None
        else:
            v = evaluate(value, lambda n: constant(c_ast.ID(n)))
        if v is None or v < 0:
            return 0
        may_set |= v
    return mask & ~may_set


def bit_kinds(bits: int) -> list[str]:
    """``known_args`` kinds of the bits of ``bits`` each known clear."""
    out = []
    while bits and len(out) < MAX_BITS:
        low = bits & -bits
        out.append(f"zero:()&($,#{low})")
        bits ^= low
    return out

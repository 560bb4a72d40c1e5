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

from lockcheck.frontend import constants

__all__ = ["cleared_bits", "bit_kinds", "evaluate"]

#: Bits told one by one at most (the tests of a word are of one bit mostly).
MAX_BITS = 16


#: the operators a flag mask is written with (others: not a mask)
_MASK_OPS = frozenset(("(", ")", "|", "&", "<<", ">>", "~"))


class _Names:
    """``name_value`` as the ``names`` mapping frontend.constants reads."""

    def __init__(self, name_value) -> None:
        self.get = name_value


def evaluate(tokens, name_value) -> int | None:
    """The integer of a flag mask's tokens (integers, names ``name_value``
    knows, ``( ) | & << >> ~``), by frontend.constants' evaluator; None
    when unknown or written with another operator."""
    toks = list(tokens)
    if any(not (t in _MASK_OPS or t[:1].isalnum() or t[:1] == "_") for t in toks):
        return None
    return constants.evaluate(toks, _Names(name_value))


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

"""Bounded work per function: a pathological one is skipped with a reason.

A scanned file may be hostile or generated: a function nested thousands of
blocks deep, a body of a hundred thousand statements, a macro whose
expansion doubles at every level.  Unbounded, each would cost minutes (or
all memory) and the parser's recursion would end the file's whole parse.
Each function is measured before it is parsed, and its macro expansion is
stopped once it outgrows the limit; a function over a limit is recorded as
failed with the reason, and the rest of the file counts as usual.

The limits are sizes, not times: a time limit would make the output
depend on the machine's load (the output is deterministic, cold or warm,
``-j 1`` or ``-j 2``).  They sit well above any function the kernel
scan reads (the largest of 6.12 outside ``tools/``, in
``drivers/accel/habanalabs/gaudi/gaudi_security.c``, has 48,099 tokens)
and below where the parser's recursion gives out (about 120 nested
parentheses, 240 nested blocks).
"""

from __future__ import annotations

from operator import attrgetter

__all__ = ["MAX_FUNCTION_TOKENS", "MAX_NESTING", "TooLarge", "over_limit"]

#: Tokens of one function, as written and after macro expansion.
MAX_FUNCTION_TOKENS = 120_000
#: Open brackets (``(``, ``[``, ``{``) inside one another.
MAX_NESTING = 100

_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_TEXT = attrgetter("text")


class TooLarge(Exception):
    """A function (or its expansion) over a limit; the message is the reason."""


def over_limit(toks, stage: str = "") -> str | None:
    """Why the function ``toks`` is skipped, or None if it is within bounds."""
    if len(toks) > MAX_FUNCTION_TOKENS:
        return f"skipped: {len(toks)} tokens{stage} is over the limit of {MAX_FUNCTION_TOKENS} for one function"
    # no deeper than the brackets it opens: counted in C, the loop below
    # (a fiftieth of the front end's time) is left for the few that might be
    if sum(map(_OPEN.__contains__, map(_TEXT, toks))) <= MAX_NESTING:
        return None
    depth = deepest = 0
    for t in toks:
        text = t.text
        if text in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
        elif text in _CLOSE:
            depth -= 1
    if deepest > MAX_NESTING:
        return f"skipped: brackets nested {deepest} deep{stage}, over the limit of {MAX_NESTING}"
    return None

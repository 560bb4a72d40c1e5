"""Ops tables declared ``static`` inside a function body.

A ``static`` (or ``static const``) object defined in a function lives as
long as a file-scope one; only its name is the function's.  A driver that
fills its ``struct net_device_ops`` in its probe function
(``static const struct net_device_ops x_netdev_ops = { .ndo_xdp_xmit =
x_xdp_xmit, .. }; netdev->netdev_ops = &x_netdev_ops;``) stores its
callbacks as a file-scope table would: ``dev->netdev_ops->ndo_xdp_xmit(..)``
elsewhere reaches them, and a registered callback is run by its runner.

So such an initialiser fills ``FileFacts.ops`` (struct, member) ->
functions exactly as a file-scope one does, and as a compound literal
does (``typefacts.compound_literal_ops``): with no variable name, since
the name is not a global one (two functions may each have their own
``ops``), so the table is no object ``analysis.pointsto`` narrows to; the
address of a local, which it is there, leaves the slot unknown and a call
through it to the field rule that now holds these functions.
"""

from __future__ import annotations

from collections.abc import Callable

from lockcheck.frontend.lexer import Token
from lockcheck.frontend.typefacts import FileFacts, local_static_initialiser

__all__ = ["local_static_tables"]


def local_static_tables(toks, facts: FileFacts, clean: Callable[[list[Token]], list[Token]]) -> None:
    """Every ``static`` struct initialiser in a function item's body (the
    item's raw tokens) into ``facts``; ``clean`` drops annotations from a
    declaration's tokens (``__maybe_unused``, ``__read_mostly``) as
    file-scope declarations are cleaned before they are read."""
    texts = [t.text for t in toks]
    if "static" not in texts:
        return
    body = _body_start(texts)
    k = body + 1
    n = len(texts)
    while k < n:
        try:
            k = texts.index("static", k)
        except ValueError:
            return
        end = _statement_end(texts, k)
        if "=" in texts[k:end] and "{" in texts[k:end]:
            local_static_initialiser(clean(list(toks[k:end + 1])), facts)
        k = end + 1


def _body_start(texts: list[str]) -> int:
    """The opening brace of the body: the first ``{`` outside parentheses."""
    depth = 0
    for k, t in enumerate(texts):
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif t == "{" and depth <= 0:
            return k
    return len(texts)


def _statement_end(texts: list[str], k: int) -> int:
    """The ``;`` ending the declaration starting at ``k`` (outside brackets),
    or the brace closing the block it is in when none does."""
    depth = 0
    for j in range(k, len(texts)):
        t = texts[j]
        if t in ("(", "[", "{"):
            depth += 1
        elif t in (")", "]", "}"):
            depth -= 1
            if depth < 0:
                return j
        elif t == ";" and depth == 0:
            return j
    return len(texts) - 1

"""Releases a function declares: sparse's ``__releases(x)`` on its
definition says the function returns with the caller's lock ``x``
released, on every return.

The walk sees most releases itself (``spin_unlock(&c->journal.lock)``),
but not one made where it cannot follow: ``journal_try_write()``
(drivers/md/bcache/journal.c) drops ``c->journal.lock`` either by
``spin_unlock()`` or by running ``journal_write_unlocked()`` through
``closure_call()``, a function pointer stored in the closure and called
from it.  Walked alone, the summary said "released on some returns": the
caller kept the lock, and its next ``spin_lock()`` of the same lock read as
recursive locking.  The annotation is the function's own word for what
the walk misses: the lock is released on every return the walk does not
see it held on (a lock held there is dropped and taken again, or the walk
knows better).

The front end keeps the annotation as ``__lc_releases(x);`` first in the
body (``frontend.normalize.drop_annotations``); :func:`declared_releases`
takes those statements out and names their locks, and
``releases.apply_declared`` releases them on the exits.  A lock the function's
types cannot name (``__releases(RCU)``, an untyped expression) is not
declared: an unresolved release would drop whatever unresolved lock the
caller holds (``releases.Releases.release``).
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.typing import lock_ref
from lockcheck.frontend.normalize import RELEASES_MARK

__all__ = ["declared_releases"]


def declared_releases(body: c_ast.Compound, env) -> tuple[tuple[ir.LockRef, ...], c_ast.Compound]:
    """The locks the leading ``__lc_releases(x);`` statements of ``body``
    name, and ``body`` without those statements."""
    items = body.block_items or []
    refs: list[ir.LockRef] = []
    k = 0
    while k < len(items) and _is_mark(items[k]):
        args = items[k].args.exprs if items[k].args is not None else []
        if len(args) == 1:
            ref, ok = lock_ref(args[0], env)
            if ok and ref.key[:2] in ("f:", "g:", "p:"):
                refs.append(ref)
        k += 1
    if k == 0:
        return (), body
    return tuple(dict.fromkeys(refs)), c_ast.Compound(items[k:], body.coord)


def _is_mark(node) -> bool:
    return isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID) and node.name.name == RELEASES_MARK

"""Releases guarded by a bounds test of their own index.

``udp_get_next()`` (net/ipv4/udp.c) is called holding the bucket lock
``udp_get_first()`` returned with; when the bucket has no more sockets it
does "if (state->bucket <= udptable->mask)
spin_unlock_bh(&udptable->hash[state->bucket].lock);" and calls
``udp_get_first()`` for the next bucket, which locks one again.  The path
that skips the release is the one where ``state->bucket`` is past the
table: an index out of range names no lock, so the caller cannot hold the
one it would name, as a NULL object holds none (``releases._null_released``).
Walked as "the caller's lock still held", that path read as recursive
locking of the bucket lock (hand-over-hand, one bucket after the other).

:func:`absent_branch` finds, for an ``if`` whose test compares (``<``,
``<=``, ``>``, ``>=``) an expression that a release in one branch uses as
an array index of its lock, the other branch; ``ir.Absent`` put first
there tells the walk (``flow``) that a caller's lock of that class is not
held on it.  A lock the function holds itself is untouched: only what the
function cannot see (its caller's hold) is decided by the test.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.ast_walk import walk_nodes
from lockcheck.analysis.typing import expr_text

__all__ = ["absent_branch"]

_BOUNDS = frozenset(("<", "<=", ">", ">="))


def absent_branch(cond, iftrue, iffalse, then: ir.Block, orelse: ir.Block) -> tuple[ir.Block, ir.Block]:
    """``then``/``orelse`` with an ``ir.Absent`` first in the branch that
    skips a release indexed by what ``cond`` bounds."""
    if not (isinstance(cond, c_ast.BinaryOp) and cond.op in _BOUNDS):
        return then, orelse
    bounded = {expr_text(cond.left), expr_text(cond.right)}
    into_else = _absent(iftrue, then, bounded)
    into_then = _absent(iffalse, orelse, bounded)
    if into_else:
        orelse = ir.Block(into_else + orelse.items, orelse.scope)
    if into_then:
        then = ir.Block(into_then + then.items, then.scope)
    return then, orelse


def _absent(ast, block: ir.Block, bounded: set[str]) -> tuple[ir.Absent, ...]:
    """An ``ir.Absent`` for each release directly in ``block`` whose lock
    expression (a call argument on its line in ``ast``) is indexed by one
    of ``bounded``."""
    releases = [n for n in block.items if type(n) is ir.Release]
    if ast is None or not releases:
        return ()
    indexed: dict[int, set[str]] = {}
    for call in _calls(ast):
        line = call.coord.line if call.coord is not None else 0
        for arg in (call.args.exprs if call.args is not None else ()):
            indexed.setdefault(line, set()).update(_subscripts(arg))
    return tuple(ir.Absent(r.line, r.lock) for r in releases if indexed.get(r.line, set()) & bounded)


def _calls(node):
    """The calls among the statements of a branch (not inside nested ones)."""
    items = (node.block_items or []) if isinstance(node, c_ast.Compound) else [node]
    for item in items:
        if isinstance(item, c_ast.FuncCall):
            yield item


def _subscripts(node) -> set[str]:
    """The texts of the array indexes in a lock expression."""
    return {expr_text(n.subscript) for n in walk_nodes(node) if n.__class__ is c_ast.ArrayRef}

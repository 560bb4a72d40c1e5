"""Branches decided by a test of a lock's state.

``vga_switcheroo_unlock_ddc()`` (drivers/gpu/vga/vga_switcheroo.c) starts
with "if (WARN_ON_ONCE(!mutex_is_locked(&vgasr_priv.mux_hw_lock))) return
-EINVAL;" and unlocks the mutex on every other path.  A caller holding the
mutex never takes that early return, but walked as "the caller's lock is
still held there", the function did not release the caller's lock on every
path, and ``nouveau_connector_ddc_detect()`` — lock_ddc, probe, unlock_ddc
in each round of a loop — read as recursive locking of mux_hw_lock.

The tests are API facts: ``held_tests`` of ``model/data/analysis.toml``
names the calls that are true whenever the lock their first argument names
is held (``mutex_is_locked()``, ``spin_is_locked()``, ``lockdep_is_held()``).
Where such a test is false the caller holds no lock of that class, as on
the out-of-range branch of ``analysis.bounded_release``: :func:`absent_tests`
puts an ``ir.Absent`` of the lock first in the branch of an ``if`` that is
taken only when the test is false — through ``!``, the conditions'
transparent calls (``WARN_ON_ONCE``, ``unlikely``), both operands of a true
``&&`` and of a false ``||``.  A true test says nothing (``spin_is_locked()``
is true when any CPU holds the lock), and a lock the function holds itself
is untouched (``releases.Releases.absent``): only the caller's hold, which
the function cannot see, is decided.
"""

from __future__ import annotations

from collections.abc import Callable

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.typing import expr_text

__all__ = ["absent_tests"]


def absent_tests(cond, then: ir.Block, orelse: ir.Block, tests: frozenset[str], transparent: frozenset[str],
                 ref_of: Callable[[c_ast.Node], ir.LockRef | None]) -> tuple[ir.Block, ir.Block]:
    """``then``/``orelse`` with an ``ir.Absent`` first for each lock a
    held test in ``cond`` finds not held on that branch."""
    if not tests or cond is None:
        return then, orelse
    line = cond.coord.line if cond.coord is not None else 0
    for value, block in ((True, then), (False, orelse)):
        nodes = _not_held(cond, value, tests, transparent)
        refs: dict[str, ir.LockRef] = {}
        for node in nodes:
            ref = ref_of(node)
            if ref is not None:
                refs.setdefault(ref.class_key, ref)
        if refs:
            absent = tuple(ir.Absent(line, refs[k]) for k in sorted(refs))
            block = ir.Block(absent + block.items, block.scope)
            if value:
                then = block
            else:
                orelse = block
    return then, orelse


def _not_held(node, value: bool, tests: frozenset[str], transparent: frozenset[str]) -> list:
    """The lock expressions of the held tests that are false whenever
    ``node`` evaluates to ``value`` (true: non-zero)."""
    cls = node.__class__
    if cls is c_ast.UnaryOp and node.op == "!":
        return _not_held(node.expr, not value, tests, transparent)
    if cls is c_ast.FuncCall and node.name.__class__ is c_ast.ID and node.args is not None and node.args.exprs:
        name = node.name.name
        if name in tests:
            return [] if value else [node.args.exprs[0]]
        if name in transparent:
            return _not_held(node.args.exprs[0], value, tests, transparent)
        return []
    if cls is c_ast.BinaryOp and node.op in ("&&", "||"):
        left = _not_held(node.left, value, tests, transparent)
        right = _not_held(node.right, value, tests, transparent)
        if (node.op == "&&") == value:      # a true `&&`, a false `||`: both operands known
            return left + right
        return _common(left, right)         # either operand: only what both say
    return []


def _common(left: list, right: list) -> list:
    """The lock expressions (by their text) both lists hold."""
    if not left or not right:
        return []
    texts = {expr_text(n) for n in right}
    return [n for n in left if expr_text(n) in texts]

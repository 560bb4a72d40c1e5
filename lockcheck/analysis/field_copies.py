"""A field stored from a tested variable is one operand with it.

``est->stats_lock = lock; if (lock) local_bh_disable();
est_fetch_counters(est, &b);``: on the path where ``lock`` is NULL so is
``est->stats_lock``, which the callee tests before taking the lock
(``analysis.irq_guards``).  The store is a copy (``branchfacts.copy_fact``:
the fact ``()=(est->stats_lock,lock)``, what a test learns of one it
learns of the other) when

* the field is read through a learnable local or parameter whose address
  the function never takes (``ConditionExtraction.read_learnable``), and
* the value is a learnable local or parameter (no cast, no expression)
  that a condition of the function tests (``if (lock)``, ``!lock``, in
  ``&&``/``||``, a comparison): a copy is worth following only to a test.

The copy holds until either is written (a field of that name through any
pointer, or the pointer: ``branchfacts._written``); a callee writing the
field behind the function's back is not seen, as for any fact of a read.
The object's root is then named among the call's arguments
(``Call.arg_vars``), so that what the caller knows of ``est->stats_lock``
can be matched with a callee's test of ``e->stats_lock``.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.ast_walk import walk_nodes

__all__ = ["tested_vars", "field_copy"]

_TESTS = (c_ast.If, c_ast.While, c_ast.DoWhile, c_ast.For, c_ast.TernaryOp)


def tested_vars(body, transparent=frozenset()) -> frozenset[str]:
    """Plain variables a condition of ``body`` tests, also inside a call
    the conditions look through (``transparent``: ``if (unlikely(n))``)."""
    out = set()
    for n in walk_nodes(body):
        if n.__class__ in _TESTS and getattr(n, "cond", None) is not None:
            todo = [n.cond]
            while todo:
                c = todo.pop()
                cls = c.__class__
                if cls is c_ast.ID:
                    out.add(c.name)
                elif cls is c_ast.UnaryOp and c.op == "!":
                    todo.append(c.expr)
                elif cls is c_ast.BinaryOp and c.op in ("&&", "||", "==", "!="):
                    todo += (c.left, c.right)
                elif cls is c_ast.FuncCall and c.args is not None and c.args.exprs and \
                        c.name.__class__ is c_ast.ID and c.name.name in transparent:
                    todo.append(c.args.exprs[0])
    return frozenset(out)


def field_copy(ext, var: str, value) -> str | None:
    """``=NAME`` for the store ``var = NAME`` of a field (``ext``: the
    extractor, its ``learnable``, ``read_learnable``, ``tested`` and
    ``copy_roots``); None when it is no copy."""
    if value.__class__ is not c_ast.ID or value.name not in ext.tested or not ext.learnable(value.name):
        return None
    name = value.name
    ends = [k for k in (var.find("->"), var.find(".")) if k > 0]
    if not ends or not ext.read_learnable(var):
        return None
    root = var[:min(ends)]
    if not ext.learnable(root):
        return None
    ext.copy_roots.add(root)
    return "=" + name

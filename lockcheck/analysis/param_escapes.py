"""Tests of a parameter whose address the function takes.

A variable whose address is taken is not learnable
(``analysis.conditions``): a callee or a pointer may write it behind the
walk's back.  A parameter's value *at entry* is still what its caller
passed, up to the first ``&flags`` on the path: drbd's
``_conn_request_state()`` tests ``!(flags & (CS_LOCAL_ONLY | CS_HARD))``
before it hands ``&flags`` to ``conn_old_common_state()``.  So:

* each ``&p`` of a parameter ``p`` is, to the walk, an assignment of ``p``
  where it is evaluated (``ir.Assign(p, None)``): the facts of ``p``, and
  the pair facts reading it, are dropped there, and ``p`` counts as
  assigned (``releases.assigned_names``: its value is not handed on,
  ``analysis.const_params``);
* a comparison of such a parameter with a constant is a pair test the
  walk never learns from (``ir.CondVar.learn`` false): only the entry
  facts a caller's constant gives (``analysis.entry_facts``) decide it,
  and they are gone after the first ``&p`` on the path.  Past it a store
  through the pointer, wherever it happens, finds nothing known of ``p``.
"""

from __future__ import annotations

from pycparser import c_ast

__all__ = ["escaped_param"]


def escaped_param(node, params, addressed) -> str | None:
    """``p`` for ``&p`` (through casts) of a parameter whose address the
    function takes."""
    while node.__class__ is c_ast.Cast:
        node = node.expr
    if node.__class__ is c_ast.UnaryOp and node.op == "&" and node.expr.__class__ is c_ast.ID:
        name = node.expr.name
        if name in params and name in addressed:
            return name
    return None

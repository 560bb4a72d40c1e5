"""Locals that only ever hold constants: ``int encap_type = 0; ... if (udp)
encap_type = UDP_ENCAP_ESPINUDP; xfrm_input(skb, .., encap_type);`` passes
0 or 2, never -1, so the callee's ``if (encap_type == -1)`` is false on
that call (``analysis.entry_facts``).

A local qualifies when it is declared in the function (not a parameter),
its address is never taken, and every value it is given — its
initializer and each plain assignment — is an integer constant
(``ConditionExtraction.constant_int``: literals, known enumerators and
macros); a compound assignment, ``++``/``--``, or any other value leaves it
out.  Its values are the set of those constants: what a call passing it
passes, whichever path reached the call.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.ast_walk import walk_nodes

__all__ = ["constant_locals"]

#: declarators: a declaration's type is not entered (the parameters of a
#: local function pointer are no locals)
_TYPES = (c_ast.TypeDecl, c_ast.PtrDecl, c_ast.ArrayDecl, c_ast.FuncDecl)

#: more values than this: not worth carrying to the calls
MAX_VALUES = 4


def constant_locals(body, params, addressed: frozenset[str], value) -> dict[str, tuple[int, ...]]:
    """Name -> its sorted values for the locals of ``body`` that only hold
    constants; ``value(node)`` is an expression's integer value or None."""
    values: dict[str, set[int]] = {}
    declared: set[str] = set()
    spoiled: set[str] = set(params) | set(addressed)
    for n in walk_nodes(body, _TYPES):
        cls = n.__class__
        if cls is c_ast.Decl and n.name and not isinstance(n.type, c_ast.FuncDecl):
            if n.name in declared or "extern" in (n.storage or ()) or not isinstance(n.type, c_ast.TypeDecl):
                spoiled.add(n.name)   # a second local of that name, a pointer, an array: left out
            else:
                v = None if n.init is None else value(n.init)
                if n.init is not None and v is None:
                    spoiled.add(n.name)
                elif v is not None:
                    values.setdefault(n.name, set()).add(v)
            declared.add(n.name)
        if cls is c_ast.Assignment and n.lvalue.__class__ is c_ast.ID:
            name = n.lvalue.name
            v = value(n.rvalue) if n.op == "=" else None
            if v is None:
                spoiled.add(name)
            else:
                values.setdefault(name, set()).add(v)
        elif cls is c_ast.UnaryOp and n.op in ("++", "--", "p++", "p--") and n.expr.__class__ is c_ast.ID:
            spoiled.add(n.expr.name)
    return {k: tuple(sorted(v)) for k, v in values.items()
            if v and k in declared and k not in spoiled and len(v) <= MAX_VALUES}

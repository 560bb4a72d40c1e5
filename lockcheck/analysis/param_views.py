"""Locals that are a fixed view of another variable: the object a
``container_of()`` of it names.  ``iommufd_hwpt_paging_abort(obj)`` and
``iommufd_hwpt_paging_destroy(obj)`` both begin ``struct
iommufd_hwpt_paging *hwpt_paging = container_of(obj, struct
iommufd_hwpt_paging, common.obj);``: what the first knows of
``list_empty(&hwpt_paging->hwpt_item)`` when it calls the second with
``obj`` is what the second's own ``hwpt_paging`` tests.

A view is a declaration at the top of the function body ``T *v = M(p,
type, member)`` (``M`` one of the model's ``view_macros``: a fixed offset
from ``p``, no memory read), ``p`` a learnable variable, with neither
``v`` nor ``p`` assigned, stepped or taken the address of anywhere else
(``v`` declared once): ``v`` is then that object of ``p`` throughout.
Its *tag* is the text of ``type`` and ``member``: two views with the same
tag of the same pointer are one object.

* A caller passing ``p`` gives the callee the known tests of ``v``
  (``analysis.known_args``), tagged: ``nonzero:{T|m}()list_empty(&$->x)``.
* A callee whose parameter ``p`` has a view ``w`` with that tag enters
  knowing the test of ``w`` (``pred_keys.entry_tests``); the view's
  declaration does not forget it (``FunctionIR.views``: extraction gives
  the declaration no assignment of ``w``, which holds nothing before it).
"""

from __future__ import annotations

from pycparser import c_ast, c_generator

from lockcheck.analysis.ast_walk import walk_nodes, written_names

__all__ = ["views", "tagged", "untag"]


def views(body, learnable, macros: frozenset[str]) -> dict[str, tuple[str, str, int]]:
    """Local -> (the variable it views, the tag, ``id`` of its initialiser)."""
    if not macros or body is None:
        return {}
    found = {}
    for item in body.block_items or ():
        for d in item.decls if item.__class__ is c_ast.DeclList else (item,) if item.__class__ is c_ast.Decl else ():
            init = d.init
            while init.__class__ is c_ast.Cast:
                init = init.expr
            if init.__class__ is not c_ast.FuncCall or init.name.__class__ is not c_ast.ID \
                    or init.name.name not in macros or init.args is None or len(init.args.exprs) != 3 \
                    or d.type.__class__ is not c_ast.PtrDecl or not d.name:
                continue
            src, typ, member = init.args.exprs
            if src.__class__ is not c_ast.ID or not learnable(src.name) or not learnable(d.name):
                continue
            gen = c_generator.CGenerator()
            found[d.name] = (src.name, f"{gen.visit(typ)}|{gen.visit(member)}", id(d.init))
    if not found:
        return {}
    written = written_names(body)
    declared: dict[str, int] = {}
    for n in walk_nodes(body):
        if n.__class__ is c_ast.Decl and n.name in found:
            declared[n.name] = declared.get(n.name, 0) + 1
    return {v: x for v, x in found.items() if v not in written and x[0] not in written and declared.get(v) == 1}


def tagged(kind: str, tag: str) -> str:
    """A known test's kind said of the view ``tag`` of the argument."""
    value, _, tmpl = kind.partition(":")
    return f"{value}:{{{tag}}}{tmpl}"


def untag(tmpl: str) -> tuple[str | None, str]:
    """(the tag, the template) of a known test's template; no tag: None."""
    if tmpl[:1] != "{":
        return None, tmpl
    k = tmpl.find("}")
    return (tmpl[1:k], tmpl[k + 1:]) if k > 0 else (None, tmpl)

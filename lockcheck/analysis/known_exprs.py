"""Shapes of C expressions that ``analysis.known_args`` reads: what an
expression writes or counts up (``++x``, ``x += 1``, ``x = x + 1``), the
pointers it dereferences whenever it is evaluated, integer constants, and
the ``break`` that leaves a loop.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.ast_walk import walk_nodes

__all__ = ["bare", "breaks", "children", "dereferenced", "int_constant", "is_null", "names_in",
           "positive_constant", "stepped_var", "writes_in", "written_in"]

LOOPS = (c_ast.For, c_ast.While, c_ast.DoWhile)
#: not entered: declarators and types (never evaluated)
TYPES = (c_ast.TypeDecl, c_ast.PtrDecl, c_ast.ArrayDecl, c_ast.FuncDecl, c_ast.Typename)
STEPS = ("++", "p++")
WRITES = ("++", "--", "p++", "p--")


def bare(node):
    while node.__class__ is c_ast.Cast:
        node = node.expr
    return node


def int_constant(node) -> int | None:
    """An integer literal's value (``1``, ``2U``, ``0x10UL``)."""
    node = bare(node)
    if node.__class__ is not c_ast.Constant or "int" not in node.type:
        return None
    try:
        return int(node.value.rstrip("uUlL"), 0)
    except ValueError:
        return None


def positive_constant(node) -> bool:
    value = int_constant(node)
    return value is not None and value > 0


def is_null(node) -> bool:
    node = bare(node)
    return int_constant(node) == 0 or (node.__class__ is c_ast.ID and node.name == "NULL")


def names_in(node) -> frozenset[str]:
    return frozenset(n.name for n in walk_nodes(node, TYPES) if n.__class__ is c_ast.ID)


def written_in(node) -> frozenset[str]:
    """Plain variables ``node`` writes or declares anew."""
    stepped, other = writes_in(node)
    return stepped | other


def writes_in(node) -> tuple[frozenset[str], frozenset[str]]:
    """Plain variables ``node`` only counts up (:func:`stepped_var`),
    and those it writes otherwise or declares anew."""
    stepped, other = set(), set()
    for n in walk_nodes(node, TYPES):
        cls = n.__class__
        if cls is c_ast.Assignment or cls is c_ast.UnaryOp and n.op in WRITES:
            var = bare(n.lvalue if cls is c_ast.Assignment else n.expr)
            if var.__class__ is c_ast.ID:
                (stepped if stepped_var(n) == var.name else other).add(var.name)
        elif cls is c_ast.Decl and n.name:
            other.add(n.name)
    return frozenset(stepped - other), frozenset(other)


def stepped_var(node) -> str | None:
    """The variable ``++x``, ``x++``, ``x += C`` or ``x = x + C`` (``C`` a
    positive constant) counts up."""
    cls = node.__class__
    if cls is c_ast.UnaryOp and node.op in STEPS:
        var = bare(node.expr)
        return var.name if var.__class__ is c_ast.ID else None
    if cls is not c_ast.Assignment:
        return None
    var = bare(node.lvalue)
    if var.__class__ is not c_ast.ID:
        return None
    if node.op == "+=":
        return var.name if positive_constant(node.rvalue) else None
    value = bare(node.rvalue)
    if node.op == "=" and value.__class__ is c_ast.BinaryOp and value.op == "+":
        for a, b in ((value.left, value.right), (value.right, value.left)):
            a = bare(a)
            if a.__class__ is c_ast.ID and a.name == var.name and positive_constant(b):
                return var.name
    return None


def breaks(node) -> bool:
    """Does a ``break`` in ``node`` leave the loop whose body it is?"""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.__class__ is c_ast.Break:
            return True
        if n.__class__ in LOOPS or n.__class__ is c_ast.Switch or n.__class__ in TYPES:
            continue
        stack.extend(children(n))
    return False


def children(node):
    for name in node.__slots__:
        if name in ("coord", "__weakref__") or name in node.attr_names:
            continue
        v = getattr(node, name)
        if v is None:
            continue
        if v.__class__ is list:
            yield from v
        elif v.__class__ not in TYPES:
            yield v


def dereferenced(node) -> set[str]:
    """Pointers ``node`` dereferences whenever it is evaluated, or under
    tests that do not name them."""
    node = bare(node)
    cls = node.__class__
    if cls is c_ast.BinaryOp and node.op in ("&&", "||"):
        return dereferenced(node.left) | (dereferenced(node.right) - names_in(node.left))
    if cls is c_ast.TernaryOp:
        return dereferenced(node.cond) | ((dereferenced(node.iftrue) | dereferenced(node.iffalse))
                                           - names_in(node.cond))
    if cls is c_ast.UnaryOp and node.op == "sizeof":
        return set()
    out = set()
    if cls is c_ast.StructRef and node.type == "->" or cls is c_ast.ArrayRef:
        base = bare(node.name)
        if base.__class__ is c_ast.ID:
            out.add(base.name)
    elif cls is c_ast.UnaryOp and node.op == "*":
        base = bare(node.expr)
        if base.__class__ is c_ast.ID:
            out.add(base.name)
    if cls is c_ast.FuncCall and node.name.__class__ is c_ast.ID:
        parts = node.args.exprs if node.args is not None else ()
    else:
        parts = children(node)
    for part in parts:
        if part.__class__ is not c_ast.Compound and part.__class__ not in TYPES:
            out |= dereferenced(part)
    return out

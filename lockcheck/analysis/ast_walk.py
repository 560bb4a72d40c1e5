"""Walks of a function body's pycparser tree: every node of a subtree
(``walk_nodes``), and what a body does with its names that the extraction
needs before its walk (``analysis.extract``): the names whose address it
takes (``addressed_names``), those its calls are given and those it
compares (``operand_names``), those it assigns (``written_names``).

Inside ``shared_walks(body)`` the walks of ``body`` itself are made once
per ``prune`` and shared: the extraction's dozen passes over one body each
read the same node tuple instead of walking the tree again.
"""

from __future__ import annotations

from contextlib import contextmanager

from pycparser import c_ast

from lockcheck.analysis.conditions import COMPARED, flag_name

__all__ = ["walk_nodes", "shared_walks", "addressed_names", "operand_names", "written_names"]


def walk_nodes(node, prune: tuple[type, ...] = ()):
    """Every node of ``node``'s subtree, ``node`` first (no order promised);
    the subtrees of nodes of a ``prune`` class are not entered.  An
    iterable: a tuple made once for the body of ``shared_walks``."""
    if node is _shared_body[0]:
        nodes = _shared.get(prune)
        if nodes is None:
            if prune in _JOINT and not _shared:
                _shared.update(_joint_walks(node))
                return _shared[prune]
            nodes = _shared[prune] = tuple(_walk(node, prune))
        return nodes
    return _walk(node, prune)


#: the body of the innermost ``shared_walks`` and its walks by ``prune``
_NOBODY = object()
_shared_body: list = [_NOBODY]
_shared: dict[tuple[type, ...], tuple] = {}


@contextmanager
def shared_walks(body):
    """Walk ``body`` once per ``prune`` while inside: its tree must not
    change meanwhile.  Emptied on leaving, so no tree is kept alive."""
    saved = _shared_body[0], dict(_shared)
    _shared_body[0] = body
    _shared.clear()
    try:
        yield
    finally:
        _shared.clear()
        _shared_body[0], old = saved
        _shared.update(old)


#: the prunes the extraction's passes use (a declaration's type, and a cast's
#: or ``sizeof``'s too): their walks of a body are made in one pass
_DECLARATORS = (c_ast.TypeDecl, c_ast.PtrDecl, c_ast.ArrayDecl, c_ast.FuncDecl)
_TYPENAMES = _DECLARATORS + (c_ast.Typename,)
_JOINT = ((), _DECLARATORS, _TYPENAMES)


def _joint_walks(node) -> dict[tuple[type, ...], tuple]:
    """``_walk(node, prune)`` for each prune of ``_JOINT``, in one pass.  A
    pruned walk is the whole walk less the pruned subtrees, in the same
    order (a subtree follows its root on the stack), so each node carries
    whether it is still inside the declarator and the type-name walks."""
    whole, declarators, typenames = [], [], []
    in_declarators, in_typenames = frozenset(_DECLARATORS), frozenset(_TYPENAMES)
    stack = [(node, True, True)]
    pop, push = stack.pop, stack.append
    while stack:
        n, decl, typ = pop()
        whole.append(n)
        if decl:
            declarators.append(n)
        if typ:
            typenames.append(n)
        cls = n.__class__
        decl, typ = decl and cls not in in_declarators, typ and cls not in in_typenames
        names = _CHILDREN.get(cls)
        for name in names if names is not None else _children(cls):
            v = getattr(n, name)
            if v is None:
                continue
            if v.__class__ is list:
                stack.extend([(c, decl, typ) for c in v])
            else:
                push((v, decl, typ))
    return {(): tuple(whole), _DECLARATORS: tuple(declarators), _TYPENAMES: tuple(typenames)}


def _walk(node, prune: tuple[type, ...]):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if prune and n.__class__ in prune:
            continue
        names = _CHILDREN.get(n.__class__)
        for name in names if names is not None else _children(n.__class__):
            v = getattr(n, name)
            if v is None:
                continue
            if v.__class__ is list:
                stack.extend(v)
            else:
                stack.append(v)


_CHILDREN: dict[type, tuple[str, ...]] = {}


def _children(cls) -> tuple[str, ...]:
    """The attributes of a pycparser node class that hold child nodes."""
    names = tuple(n for n in cls.__slots__ if n not in cls.attr_names and n not in ("coord", "__weakref__"))
    _CHILDREN[cls] = names
    return names


def addressed_names(body) -> frozenset[str]:
    """Names whose address is taken (``&x``, ``&p->flags``) anywhere in a
    function body: a callee or a pointer may change them, so their tests
    are not learnt."""
    out = set()
    unary, struct_ref = c_ast.UnaryOp, c_ast.StructRef
    for n in walk_nodes(body):
        if n.__class__ is unary and n.op == "&":
            if n.expr.__class__ is c_ast.ID:
                out.add(n.expr.name)
            elif n.expr.__class__ is struct_ref and (flag := flag_name(n.expr)) is not None:
                out.add(flag)
    return frozenset(out)


def operand_names(body) -> tuple[frozenset[str], frozenset[str]]:
    """The variables and fields a call in a function body is given as an
    argument (``b`` of ``__bch_btree_node_write(b, parent)``: the callee
    may change what is read through them), and those compared with
    something (``function == MPI_FUNCTION_SCSI_TASK_MGMT``: a copy is worth
    following only between two of them, ``ConditionExtraction.copied``)."""
    passed, compared = set(), set()
    for n in walk_nodes(body):
        cls = n.__class__
        if cls is c_ast.FuncCall and n.args is not None:
            passed.update(_names(n.args.exprs))
        elif cls is c_ast.BinaryOp and n.op in COMPARED:
            compared.update(_names((n.left, n.right)))
    return frozenset(passed), frozenset(compared)


def _names(exprs):
    for a in exprs:
        while a.__class__ is c_ast.Cast:
            a = a.expr
        flag = flag_name(a) if a.__class__ in (c_ast.ID, c_ast.StructRef) else None
        if flag is not None:
            yield flag


def written_names(body) -> frozenset[str]:
    """Names a function body assigns, increments or takes the address of
    (a parameter that is none of them holds its caller's value throughout:
    an element's index, analysis.element_index)."""
    out = set()
    for n in walk_nodes(body):
        cls = n.__class__
        if cls is c_ast.Assignment and n.lvalue.__class__ is c_ast.ID:
            out.add(n.lvalue.name)
        elif cls is c_ast.UnaryOp and n.op in ("++", "--", "p++", "p--", "&") and n.expr.__class__ is c_ast.ID:
            out.add(n.expr.name)
    return frozenset(out)

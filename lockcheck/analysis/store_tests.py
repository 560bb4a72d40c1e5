"""Stores that decide a later test of the same object, for
``analysis.known_args``: after ``__set_bit(RBD_DEV_FLAG_READONLY,
&parent->flags); rbd_dev_image_probe(parent, depth);`` the callee's
``rbd_is_ro(rbd_dev)`` (``test_bit(..., &rbd_dev->flags)`` unfolded,
``analysis.pred_keys``) is known true on entry; after
``list_del_init(&h->item)`` a callee given ``h`` knows ``list_empty(
&h->item)``.

Which call makes which test known is model data (``[[store_tests]]`` of
``model/data/analysis.toml``: the store's names, the test it decides, the
store's arguments the test takes, its value).  Besides those, a field
given or cleared a bit by a constant (``p->flags |= F``, ``p->flags &=
~F``) decides the pair test ``p->flags & F`` (``analysis.conditions``).

A stored test is a fact ``("s" + kind, variable)`` of the walker's state,
``kind`` the ``Call.known_args`` form of a known test (``nonzero:()test_bit(
#2,&$->flags)``, ``analysis.known_tests``): the variable is a learnable
local or parameter, the object stored into is reached from it by fields
only (``&v->f``, ``&v->a.b``).  It replaces any fact of the same test.  It
is dropped as the variable's other facts are (a write of the variable),
by a write of a field named in its test (through any pointer: it may be
the same object) or a store of the table given that field, and by any
other call given the object itself (``v``, ``&v->f``: the callee may
store again); a call given only what is read through it (``v->other``,
``&v->ptr->x``) keeps it: it does not reach the object but through
pointers of its own, as for any fact of a read.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.ast_walk import walk_nodes
from lockcheck.analysis.known_exprs import TYPES, WRITES, bare
from lockcheck.analysis.pred_keys import key_var, template, test_kind, unfold, var_operand

__all__ = ["store_test_table", "joined_tests", "StoreTests", "STORED"]

#: First character of a stored test's fact (a test's own is ``t``).
STORED = "s"


def store_test_table(model: dict) -> dict[str, tuple[tuple[str, tuple[int, ...] | None, str], ...]]:
    """Store name -> (test name, the store's argument positions the test
    takes or None for all, value) of its ``[[store_tests]]`` rows."""
    out: dict[str, list] = {}
    for row in model.get("store_tests", ()):
        test, value = row.get("test"), row.get("value")
        if not test or value not in ("zero", "nonzero"):
            continue
        args = row.get("args")
        for name in row.get("names", ()):
            out.setdefault(name, []).append((test, tuple(args) if args is not None else None, value))
    return {k: tuple(v) for k, v in out.items()}


def _fields(tmpl: str) -> set[str]:
    """The field names a test's template reads (``flags`` of ``&$->flags``)."""
    out = set()
    for part in tmpl.replace("->", ".").split(".")[1:]:
        k = 0
        while k < len(part) and (part[k].isalnum() or part[k] == "_"):
            k += 1
        if k:
            out.add(part[:k])
    return out


def _last_field(arg) -> str | None:
    """The field ``&v->a.b`` or ``v->bits`` names (``b``, ``bits``)."""
    arg = bare(arg)
    if arg.__class__ is c_ast.UnaryOp and arg.op == "&":
        arg = arg.expr
    return arg.field.name if arg.__class__ is c_ast.StructRef and arg.field.__class__ is c_ast.ID else None


def _object_of(arg, learnable) -> str | None:
    """The variable whose object ``arg`` gives a callee: ``v``, ``&v->f``
    or ``&v->a.b`` (a member of ``*v`` itself), None for anything else."""
    arg = bare(arg)
    if arg.__class__ is c_ast.ID:
        return arg.name if learnable(arg.name) else None
    if arg.__class__ is not c_ast.UnaryOp or arg.op != "&":
        return None
    node = arg.expr
    while node.__class__ is c_ast.StructRef and node.type == ".":
        node = node.name
    if node.__class__ is c_ast.StructRef and node.type == "->" and node.name.__class__ is c_ast.ID \
            and learnable(node.name.name):
        return node.name.name
    return None


class StoreTests:
    """The stored tests of one function's walk (``known_args._Walker``)."""

    def __init__(self, table, learnable, predicates, constant, integers=None) -> None:
        self.table = table or {}
        self.learnable = learnable
        self.predicates = predicates
        #: a constant operand's key form (``#N``, ``id:NAME``) or None
        self.constant = constant
        self.integers = integers

    def _operand(self, node) -> str | None:
        node = bare(node)
        if node.__class__ is c_ast.ID and self.learnable(node.name):
            return node.name
        found = self.constant(node) if self.constant is not None else None
        return found if found is not None else var_operand(node, self.learnable)

    def _set(self, state, var: str, kind: str):
        tmpl = kind.partition(":")[2]
        stale = [f for f in state if f[1] == var and f[0][1:].partition(":")[2] == tmpl]
        return state.difference(stale) | {(STORED + kind, var)}

    def call(self, node: c_ast.FuncCall, state):
        """``state`` after the call ``node`` (its arguments walked, the
        call given what held before it): what it stores, less the stored
        tests of the objects it is given."""
        if state is None:
            return None
        args = node.args.exprs if node.args is not None else []
        rows = self.table.get(node.name.name) if node.name.__class__ is c_ast.ID else None
        if rows:    # a store of the table changes only the fields it is given
            fields = {f for f in (_last_field(a) for a in args) if f is not None}
            state = _drop_fields(state, fields) if fields else state
        elif any(f[0][:1] == STORED for f in state):
            given = {v for v in (_object_of(a, self.learnable) for a in args) if v is not None}
            if given:
                state = frozenset(f for f in state if f[0][:1] != STORED or f[1] not in given)
        for test, positions, value in rows or ():
            picked = [args[k] for k in positions] if positions is not None else list(args)
            if positions is not None and any(k >= len(args) for k in positions):
                continue
            parts = [self._operand(a) for a in picked]
            if None in parts:
                continue
            key = unfold(test, parts, self.predicates, self.integers)
            var = key_var(key)
            if var is None or not self.learnable(var):
                continue
            state = self._set(state, var, test_kind(value, "()" + template(key, var)))
        return state

    def field_write(self, lvalue, op: str, rvalue, state):
        """``state`` after a write of ``lvalue`` (``op``: ``=``, ``|=``,
        ``++``, ...): the tests of fields of that name dropped; a bit given
        or cleared by a constant (``v->flags |= F``, ``&= ~F``) known."""
        if state is None:
            return None
        lv = bare(lvalue)
        field = lv.field.name if lv.__class__ is c_ast.StructRef and lv.field.__class__ is c_ast.ID else None
        if field is not None and state:
            state = _drop_fields(state, {field})
        if op not in ("|=", "&=") or field is None or self.constant is None or state is None:
            return state
        operand = var_operand(lv, self.learnable)
        value = rvalue
        if op == "&=":
            value = bare(value)
            if value.__class__ is not c_ast.UnaryOp or value.op != "~":
                return state
            value = value.expr
        mask = self.constant(value)
        if operand is None or mask is None or mask == "#0":
            return state
        var = operand.partition("->")[0].partition(".")[0]
        if not self.learnable(var):
            return state
        tmpl = "()" + template(f"&({operand},{mask})", var)
        return self._set(state, var, test_kind("nonzero" if op == "|=" else "zero", tmpl))

    def changed_in(self, parts, state):
        """``state`` less the stored tests and field tests anything in
        ``parts`` (a loop's test, body and step; a switch's body) may
        change: any call given the object, any write of a field read."""
        if not state or not any(f[0][:1] in "ts" for f in state):
            return state
        given, fields = set(), set()
        for part in parts:
            for n in walk_nodes(part, TYPES) if part is not None else ():
                cls = n.__class__
                if cls is c_ast.FuncCall and n.args is not None:
                    given.update(v for v in (_object_of(a, self.learnable) for a in n.args.exprs) if v is not None)
                elif cls is c_ast.Assignment or cls is c_ast.UnaryOp and n.op in WRITES:
                    lv = bare(n.lvalue if cls is c_ast.Assignment else n.expr)
                    if lv.__class__ is c_ast.StructRef and lv.field.__class__ is c_ast.ID:
                        fields.add(lv.field.name)
        if given:
            state = frozenset(f for f in state if f[0][:1] != STORED or f[1] not in given)
        return _drop_fields(state, fields) if fields else state


def _drop_fields(state, fields: set[str]):
    drop = [f for f in state if f[0][:1] in "ts" and not fields.isdisjoint(_fields(f[0].partition(":")[2]))]
    return state.difference(drop) if drop else state


def joined_tests(a, b) -> frozenset:
    """The tests known on both sides of a join that one side stored and
    the other tested (``if (!list_empty(&h->x)) list_del_init(&h->x);``):
    stored tests after it (dropped as those are)."""
    ours = {(f[0][1:], f[1]) for f in a if f[0][:1] in "ts"}
    return frozenset((STORED + k, v) for k, v in ((f[0][1:], f[1]) for f in b if f[0][:1] in "ts")
                     if (k, v) in ours and (f"{STORED}{k}", v) in a | b)

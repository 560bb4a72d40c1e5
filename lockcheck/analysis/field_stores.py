"""Constant field stores that decide a callee's tests: ``io->in_bh = true;
err = verity_verify_io(io);`` passes an object whose ``in_bh`` is known
non-zero, so the callee's ``if (io->in_bh) return -EAGAIN;`` (its own, or
that of a callee it hands ``io`` on to) takes the return on that call
(``Call.held_facts``, ``analysis.entry_facts``).

Found on the C of one function body, before extraction, for a *root*
that is a parameter or a local of the function whose address it never
takes (nor that of the field stored): a store ``root->f = C`` (``C`` a
constant, ``ConditionExtraction._consts``'s forms) holds at the calls
that follow it on every path, until

* anything may change it: an assignment, ``++``/``--`` of a field of
  that name through any pointer (it may be the same object), or of the
  root itself, or a declaration of that name;
* any call: a callee may write the field through another pointer, so
  only the first call after the store is given it (in one expression,
  only when it is the expression's only call);
* a label, ``case`` or ``default``: a jump may enter there without the
  store;
* the end of an ``if`` (a store holds after it when both branches leave
  it so) or a loop (what its body or step changes does not hold at its
  head either).

A local integer set to a constant (``int locked = 1;``, ``locked = 1;``)
and passed by address (``__get_user_pages_locked(..., &locked, ...)``) is
the callee's ``*locked`` (named ``locked->*``, ``conditions.DEREF``): the
call is given ``(position, "->*", value)``.  In the callee a write
``*locked = ...`` drops it, and so does any call given ``locked`` itself
(:func:`deref_drops`: the callee may write it), so only the tests before
those see it.

A local whose address only one call outside any loop is given (and no
other ``&``) keeps its stores across the calls before that one: nobody
else can reach it yet (``is_valid_gup_args(...)`` between the store and
the call).  A branch that does not go on (``return``, ``goto``,
``break``, ``continue``) leaves the other branch's facts standing after
an ``if``.

A local struct whose address the function takes only as a whole call
argument (``dreq.is_af = 1; destroy(rvu, &dreq, &rsp);``, every ``&dreq``
of the body an argument, no ``&dreq.f`` anywhere) is a root too: its
``.f`` stores are given to the call passed ``&dreq`` as ``->f``.  A callee
given its address earlier may have kept it, but any call ends what is
known of it, so only a write by the callee itself (or deeper) is missed.

Inside the callee the fact is an entry fact of its parameter's field,
dropped by the walk at any write of that field (``branchfacts``); handed
on to a further callee it holds only when the callee's body writes no
field of that name (``Program``).  A write by a deeper callee is not
seen, as for any fact of a read (``analysis.conditions``).
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.ast_walk import walk_nodes
from lockcheck.analysis.conditions import DEREF, flag_name
from lockcheck.analysis.ir import base_variable

__all__ = ["deref_drops", "deref_roots", "field_stores"]

_LOOPS = (c_ast.For, c_ast.While, c_ast.DoWhile)
_LABELS = (c_ast.Label, c_ast.Case, c_ast.Default)
#: declarators: a declaration's type is not entered
_TYPES = (c_ast.TypeDecl, c_ast.PtrDecl, c_ast.ArrayDecl, c_ast.FuncDecl)


def field_stores(body, params, addressed: frozenset[str], value) -> dict[int, tuple[tuple[int, str, str], ...]]:
    """``id`` of a call node -> ``(position, field path, value)`` for each
    argument that is a root with constant field stores holding there
    (``(0, "->in_bh", "nonzero")``); ``value(node)`` gives a constant's
    form or None."""
    roots = set(params)
    stores = []     # what may make a store: `x = C`, `p->f = C`, `int x = C;`
    given = set()   # the x of each &x: a local given by address is one of them
    for n in walk_nodes(body, _TYPES):
        cls = n.__class__
        if cls is c_ast.Decl:
            if n.name and "extern" not in (n.storage or ()):
                roots.add(n.name)
                if n.init is not None:
                    stores.append(n)
        elif cls is c_ast.Assignment:
            if n.op == "=" and n.lvalue.__class__ in (c_ast.ID, c_ast.StructRef):
                stores.append(n)
        elif cls is c_ast.UnaryOp and n.op == "&" and n.expr.__class__ is c_ast.ID:
            given.add(n.expr.name)
    if not any(_may_store(n, roots, addressed, given, value) for n in stores):
        return {}   # no store to give: the walk would find nothing (most bodies)
    passed, once = _passed_by_address(body, roots - set(params))
    walker = _Walker(frozenset((roots - addressed) | passed), addressed, value, frozenset(passed), once)
    walker.stmt(body, {})
    return walker.out


def _may_store(node, roots: set[str], addressed: frozenset[str], given: set[str], value) -> bool:
    """Could ``node`` be a store the walk keeps (``_Walker._store``, a
    declaration's ``int locked = 1;``)?  Loose: ``roots`` are all the
    parameters and locals, and a local may be given by address when
    ``given`` (the ``x`` of each ``&x``) has it."""
    if node.__class__ is c_ast.Decl:
        return node.name in given and node.type.__class__ is c_ast.TypeDecl and value(node.init) is not None
    lvalue = node.lvalue
    if lvalue.__class__ is c_ast.ID:
        name = lvalue.name
        return name in given and name in roots and value(node.rvalue) is not None
    name = flag_name(lvalue)
    return name is not None and name not in addressed and base_variable(name) in roots \
        and value(node.rvalue) is not None


class _Walker:
    def __init__(self, roots: frozenset[str], addressed: frozenset[str], value,
                 by_address: frozenset[str] = frozenset(), once: frozenset[str] = frozenset()) -> None:
        self.roots = roots
        self.by_address = by_address
        self.once = once
        self.addressed = addressed
        self.value = value
        self.out: dict[int, tuple[tuple[int, str, str], ...]] = {}

    def stmt(self, node, pending: dict) -> dict | None:
        """What holds after ``node``, given what holds before it; None when
        it does not go on to the next statement (``return``, ``goto``,
        ``break``, ``continue``: a label, a loop's or a switch's end assume
        nothing of where they come from)."""
        if node is None:
            return pending
        cls = node.__class__
        if cls is c_ast.Compound:
            after: dict | None = pending
            for item in node.block_items or ():
                after = self.stmt(item, after if after is not None else {})
            if after is None:
                return None
            # a local of the block is another variable past its end
            scoped = {d.name for d in node.block_items or () if d.__class__ is c_ast.Decl}
            return {k: v for k, v in after.items() if k[0] not in scoped} if scoped else after
        if cls in _LABELS:
            if cls is c_ast.Case:
                self.expr(node.expr, {})
            out: dict | None = {}
            for item in (node.stmts if cls is not c_ast.Label else (node.stmt,)) or ():
                out = self.stmt(item, out if out is not None else {})
            return out
        if cls is c_ast.If:
            pending = self.expr(node.cond, pending)
            then = self.stmt(node.iftrue, dict(pending))
            orelse = self.stmt(node.iffalse, dict(pending))
            if then is None or orelse is None:
                return orelse if then is None else then     # only the branch going on
            return {k: v for k, v in then.items() if orelse.get(k) == v}
        if cls in _LOOPS or cls is c_ast.Switch:
            inside = self._killed(node, pending)
            head = {k: v for k, v in pending.items() if k not in inside}
            if cls is c_ast.DoWhile:
                self.stmt(node.stmt, dict(head))
                return {}
            if cls is c_ast.For:
                head = self.stmt(node.init, head) if node.init is not None else head
                head = {k: v for k, v in head.items() if k not in inside}
            cond = self.expr(node.cond, dict(head)) if node.cond is not None else head
            self.stmt(node.stmt, dict(cond) if cls is not c_ast.Switch else {})
            return {k: v for k, v in cond.items() if k not in inside}
        if cls is c_ast.DeclList:
            for d in node.decls:
                pending = self.stmt(d, pending)
            return pending
        if cls is c_ast.Decl:
            pending = self.expr(node.init, pending) if node.init is not None else pending
            pending = {k: v for k, v in pending.items() if k[0] != node.name}
            if node.name in self.by_address and node.init is not None and node.type.__class__ is c_ast.TypeDecl:
                value = self.value(node.init)   # int locked = 1;
                if value is not None:
                    pending[(node.name, "")] = value
            return pending
        if cls is c_ast.EmptyStatement:
            return pending
        if cls in (c_ast.Goto, c_ast.Break, c_ast.Continue):
            return None
        if cls is c_ast.Return:
            self.expr(node.expr, pending)
            return None
        if cls is c_ast.FuncDef or cls in (c_ast.Typedef, c_ast.Pragma):
            return pending
        return self.expr(node, pending)

    def expr(self, node, pending: dict) -> dict:
        """Give ``node``'s call the facts holding before it; what holds after."""
        if node is None:
            return pending
        calls, writes = [], []
        for n in walk_nodes(node, _TYPES):
            cls = n.__class__
            if cls is c_ast.FuncCall:
                calls.append(n)
            elif cls is c_ast.Assignment:
                writes.append(n.lvalue)
            elif cls is c_ast.UnaryOp and n.op in ("++", "--", "p++", "p--"):
                writes.append(n.expr)
        if pending and len(calls) == 1 and calls[0].args is not None:
            self._give(calls[0], pending)
        if calls:
            # a local whose address only one call outside any loop is given
            # keeps its value across the calls before that one
            pending = {k: v for k, v in pending.items()
                       if k[0] in self.once and not any(_given_address(c, k[0]) for c in calls)}
        if writes and pending:
            pending = {k: v for k, v in pending.items() if not any(_changes(w, k) for w in writes)}
        if node.__class__ is c_ast.Assignment and node.op == "=":
            store = self._store(node)
            if store is not None:
                key, value = store
                pending = dict(pending)
                pending[key] = value
        return pending

    def _give(self, call: c_ast.FuncCall, pending: dict) -> None:
        found = []
        for pos, a in enumerate(call.args.exprs):
            while a.__class__ is c_ast.Cast:
                a = a.expr
            if a.__class__ is c_ast.ID:
                found += [(pos, path, v) for (root, path), v in sorted(pending.items()) if root == a.name]
            elif a.__class__ is c_ast.UnaryOp and a.op == "&" and a.expr.__class__ is c_ast.ID:
                # &local: its .f is the callee's p->f, its value the callee's *p
                found += [(pos, "->" + path[1:] if path else DEREF, v) for (root, path), v in sorted(pending.items())
                          if root == a.expr.name and (path.startswith(".") or not path)]
        if found:
            self.out[id(call)] = tuple(found)

    def _store(self, node: c_ast.Assignment):
        lvalue = node.lvalue
        if lvalue.__class__ is c_ast.ID and lvalue.name in self.by_address:
            value = self.value(node.rvalue)     # locked = 1;
            return None if value is None else ((lvalue.name, ""), value)
        if lvalue.__class__ is not c_ast.StructRef:
            return None
        name = flag_name(lvalue)
        if name is None or name in self.addressed:
            return None
        root = base_variable(name)
        if root not in self.roots:
            return None
        value = self.value(node.rvalue)
        return None if value is None else ((root, name[len(root):]), value)

    def _killed(self, node, pending: dict) -> set:
        """The pending stores anything in ``node`` may change (a call: all)."""
        out = set()
        for n in walk_nodes(node, _TYPES):
            cls = n.__class__
            if cls is c_ast.FuncCall or cls in _LABELS:
                return set(pending)
            if cls is c_ast.Assignment:
                out |= {k for k in pending if _changes(n.lvalue, k)}
            elif cls is c_ast.UnaryOp and n.op in ("++", "--", "p++", "p--"):
                out |= {k for k in pending if _changes(n.expr, k)}
            elif cls is c_ast.Decl:
                out |= {k for k in pending if k[0] == n.name}
        return out


def deref_roots(body) -> frozenset[str]:
    """The variables ``p`` a body reads as ``*p`` (``conditions.flag_name``
    names it ``p->*``)."""
    return frozenset(n.expr.name for n in walk_nodes(body, _TYPES)
                     if n.__class__ is c_ast.UnaryOp and n.op == "*" and n.expr.__class__ is c_ast.ID)


def deref_drops(args, derefs: frozenset[str]) -> list[str]:
    """``p->*`` for each such ``p`` a call is given (in any form): the
    callee may write ``*p``, so what the caller knew of it (an entry fact
    given by its own caller, or a test's) no longer holds after it."""
    if not derefs:
        return []
    found = {n.name for a in args for n in walk_nodes(a, _TYPES) if n.__class__ is c_ast.ID and n.name in derefs}
    return [name + DEREF for name in sorted(found)]


def _given_address(call: c_ast.FuncCall, name: str) -> bool:
    for a in call.args.exprs if call.args is not None else ():
        while a.__class__ is c_ast.Cast:
            a = a.expr
        if a.__class__ is c_ast.UnaryOp and a.op == "&" and a.expr.__class__ is c_ast.ID and a.expr.name == name:
            return True
    return False


def _passed_by_address(body, local: set) -> tuple[set, frozenset]:
    """The locals whose address is taken only whole, as a call argument;
    and those of them given to one call only, outside any loop (before
    that call nothing else can write them)."""
    ok, bad = set(), set()
    args, looped = set(), set()
    for n in walk_nodes(body, _TYPES):
        if n.__class__ is c_ast.FuncCall and n.args is not None:
            for a in n.args.exprs:
                while a.__class__ is c_ast.Cast:
                    a = a.expr
                args.add(id(a))
        elif n.__class__ in _LOOPS:
            looped.update(id(m) for m in walk_nodes(n, _TYPES))
    count: dict[str, int] = {}
    for n in walk_nodes(body, _TYPES):
        if n.__class__ is c_ast.UnaryOp and n.op == "&":
            e = n.expr
            if e.__class__ is c_ast.ID and id(n) in args:
                ok.add(e.name)
                count[e.name] = count.get(e.name, 0) + (2 if id(n) in looped else 1)
                continue
            while e.__class__ in (c_ast.StructRef, c_ast.ArrayRef, c_ast.Cast):
                e = e.expr if e.__class__ is c_ast.Cast else e.name
            if e.__class__ is c_ast.ID:
                bad.add(e.name)
    found = (ok & local) - bad
    return found, frozenset(k for k in found if count[k] == 1)


def _fields(path: str) -> list[str]:
    return path.replace("->", ".").split(".")[1:]


def _changes(lvalue, key: tuple[str, str]) -> bool:
    """Does writing ``lvalue`` change the field ``key`` (root, path)?  The
    root itself, or a field of any name on the path, through any pointer."""
    while lvalue.__class__ in (c_ast.Cast, c_ast.ArrayRef) or \
            (lvalue.__class__ is c_ast.UnaryOp and lvalue.op == "*"):
        lvalue = lvalue.name if lvalue.__class__ is c_ast.ArrayRef else lvalue.expr
    if lvalue.__class__ is c_ast.ID:
        return lvalue.name == key[0]
    if lvalue.__class__ is c_ast.StructRef and lvalue.field.__class__ is c_ast.ID:
        return lvalue.field.name in _fields(key[1])
    return True

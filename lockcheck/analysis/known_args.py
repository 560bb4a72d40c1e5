"""What a call's arguments are known to be on every path to it
(``Call.known_args``), for the callee's entry facts (``Program._entry_facts``).

Found on the C of one function body before extraction, for the plain
locals and parameters whose address the function never takes (nothing
but the function's own writes changes them):

* ``nonzero``: a pointer the function has dereferenced (``p->f``, ``*p``,
  ``p[i]``, ``&p->f``) or tested non-zero (``if (!p) return ..;``, the
  branch of ``if (p)``, the rest of ``p && ..``) on every path to the
  call since its last write.  A callee's ``if (!dst_vma)`` block is then
  dead on entry for that call.  A dereference in the right operand of
  ``&&``/``||`` (or a branch of ``?:``) whose earlier operands do not
  name the pointer counts as made: what decides whether it is evaluated
  says nothing of the pointer, so the function relies on it being valid
  whenever it is reached (``(flags & WP) && !(vma->vm_flags & ..)``).
  A dereference under a test that names the pointer (``p && p->x``,
  ``valid(p) && p->x``) counts only where that test holds.
* ``>0``: an integer at least 1: ``x + C`` or ``++x`` (``C`` a positive
  constant) of an unsigned ``x``, or an unsigned ``x`` counted up
  (``++x``, ``x++``, ``x += C``, ``x = x + C``) on every path since its
  last other write;
* ``nonzero:()f(&$->x)``: a tested call of the argument alone (its key
  with the argument as ``$``, analysis.pred_keys) known true (or
  ``zero:``, false): ``if (!rcu_rdp_is_offloaded(rdp) && ..)
  rcu_do_batch(rdp);`` (analysis.known_tests);
* ``+Q``: the same of the function's parameter number ``Q`` of a signed
  type, written on no path but by such steps since entry: at least 1
  when the caller's own caller passed ``Q`` a value ``>= 0``
  (``rbd_dev_probe_parent()``: ``if (++depth > MAX) ..;
  rbd_dev_image_probe(parent, depth);``).

Every path: a label reached by a ``goto`` from below (a loop made of
``goto``) knows nothing; a loop's head knows only what its body and step
never write; a ``case`` what the ``switch`` knew, joined with the case
before it.  ``sizeof``/``typeof`` operands are not evaluated.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.ast_walk import walk_nodes
from lockcheck.analysis.known_bits import bit_kinds, cleared_bits
from lockcheck.analysis.known_tests import known_tests, polled, tested_call
from lockcheck.analysis.param_views import tagged
from lockcheck.analysis.store_tests import StoreTests, joined_tests
from lockcheck.analysis.known_exprs import (LOOPS, STEPS, TYPES, WRITES, bare, breaks, children, dereferenced,
                                            int_constant, is_null, names_in, positive_constant, stepped_var,
                                            writes_in, written_in)

__all__ = ["known_args"]


# A fact is (kind, variable): ("nz", p) non-zero, ("up", x) counted up
# since its last other write, ("orig", q) a parameter written only by
# steps since entry, ("ge0", x) set to a constant >= 0 and since then
# only counted up.  A state is a frozenset of facts, None: unreachable.


def known_args(body, params, learnable, unsigned_params, unsigned_decl,
               transparent=frozenset(), predicates=None, constant=None, integers=None,
               store_table=None, views=None, out_bits=None,
               constant_int=None) -> dict[int, tuple[tuple[int, str], ...]]:
    """``id`` of a call node -> ``(position, "nonzero" | ">0" | "+Q")`` of
    its arguments; ``learnable(name)``: a local or parameter whose
    address is never taken; ``unsigned_params``: the parameters of an
    unsigned integer type, ``unsigned_decl(decl)`` whether a local's
    declaration gives it one; ``transparent``: calls that are their first
    argument (``unlikely(!p)``); ``predicates``: the tree's
    (``TreeIndex.predicates``), for the keys of tested calls, with
    ``constant`` (a constant operand's form, ``#N`` or ``id:NAME``) and
    ``integers`` (the file's known values of symbols); ``store_table``:
    the stores that decide tests (``analysis.store_tests``); ``views``:
    the function's views of its variables (``analysis.param_views``), whose
    known tests go with the variable they view; ``out_bits`` the tree's
    (``TreeIndex.out_bits``) and ``constant_int(node)`` an expression's
    integer, for the bits known clear after a call that writes a flag word
    back (analysis.known_bits)."""
    walker = _Walker(params, learnable, unsigned_params, unsigned_decl, body)
    walker.transparent = transparent
    walker.predicates = predicates
    walker.constant, walker.integers = constant, integers
    walker.stores = StoreTests(store_table, learnable, predicates, constant, integers)
    walker.views = views or {}
    if out_bits and constant_int is not None:
        walker.out_bits, walker.constant_int = out_bits, constant_int
        walker.loose = _loose_addresses(body)
    start = frozenset(("orig", p) for p in params if learnable(p))
    walker.stmt(body, start)
    return walker.out


def _loose_addresses(body) -> frozenset[str]:
    """The variables whose address the body takes other than as a whole
    argument of a call (``p = &x``): written behind the walker's back."""
    args, taken = set(), []
    for n in walk_nodes(body, TYPES):
        cls = n.__class__
        if cls is c_ast.FuncCall:
            if n.args is not None:
                args.update(id(a) for a in n.args.exprs)
        elif cls is c_ast.UnaryOp and n.op == "&" and n.expr.__class__ is c_ast.ID:
            taken.append(n)
    return frozenset(n.expr.name for n in taken if id(n) not in args)


def _join(a, b):
    if a is None:
        return b
    if b is None:
        return a
    both = a & b
    if len(both) < len(a) and len(both) < len(b):
        return both | joined_tests(a - both, b - both)   # stored on one side, tested on the other
    return both


def _without(state, names):
    if state is None or not names:
        return state
    return frozenset(f for f in state if f[1] not in names)


class _Walker:
    def __init__(self, params, learnable, unsigned_params, unsigned_decl, body) -> None:
        self.params = {p: k for k, p in enumerate(params)}
        self.learnable = learnable
        self.unsigned_params = unsigned_params
        self.unsigned_decl = unsigned_decl
        self.switch_head: list = []
        self.transparent: frozenset[str] = frozenset()
        self.out: dict[int, tuple[tuple[int, str], ...]] = {}
        # label -> the gotos to it, and the states of those walked so far
        self.gotos: dict[str, int] = {}
        for n in walk_nodes(body, TYPES):
            if n.__class__ is c_ast.Goto:
                self.gotos[n.name] = self.gotos.get(n.name, 0) + 1
        self.pending: dict[str, list] = {}
        # a local's declaration, asked whether unsigned only when counted
        # (the type environment is fixed while the body is walked)
        self.local_unsigned: dict[str, c_ast.Decl | bool] = {}
        self.predicates = None
        self.constant = self.integers = None
        self.stores = StoreTests(None, learnable, None, None)
        self.views: dict = {}
        self.out_bits: dict = {}
        self.constant_int = None
        self.loose: frozenset[str] = frozenset()

    # ------------------------------------------------------------ statements
    def stmt(self, node, state):
        """What holds after ``node`` (None: it does not go on)."""
        if node is None:
            return state
        cls = node.__class__
        if cls is c_ast.Compound:
            scoped = []
            for item in node.block_items or ():
                if item.__class__ is c_ast.Decl and item.name:
                    scoped.append(item.name)
                state = self.stmt(item, state)
            return _without(state, scoped)
        if cls is c_ast.Label:
            got = self.pending.pop(node.name, [])
            if len(got) == self.gotos.get(node.name, 0):
                for s in got:
                    state = _join(state, s)
            else:
                state = frozenset()   # a goto from below: nothing known
            return self.stmt(node.stmt, state if state is not None else frozenset())
        if cls in (c_ast.Case, c_ast.Default):
            head = self.switch_head[-1] if self.switch_head else frozenset()
            state = _join(state, head)
            if cls is c_ast.Case:
                state = self.expr(node.expr, state)
            for item in node.stmts or ():
                state = self.stmt(item, state)
            return state
        if cls is c_ast.If:
            t, f = self.cond(node.cond, state)
            return _join(self.stmt(node.iftrue, t), self.stmt(node.iffalse, f))
        if cls in LOOPS:
            return self._loop(node, state)
        if cls is c_ast.Switch:
            state = self.expr(node.cond, state)
            if state is None:
                return None
            head = self.stores.changed_in((node.stmt,), _without(state, written_in(node.stmt)))
            self.switch_head.append(head)
            try:
                self.stmt(node.stmt, head)
            finally:
                self.switch_head.pop()
            return head
        if cls is c_ast.DeclList:
            for d in node.decls:
                state = self.stmt(d, state)
            return state
        if cls is c_ast.Decl:
            if state is None:
                return None
            if node.init is not None and node.init.__class__ is not c_ast.InitList:
                state = self.expr(node.init, state)
            elif node.init is not None:
                state = self.expr(node.init, state)
            if node.name:
                self.local_unsigned[node.name] = node
                state = _without(state, (node.name,))
                if node.init is not None and node.init.__class__ is not c_ast.InitList:
                    state = self._assigned(node.name, node.init, state)
            return state
        if cls is c_ast.Goto:
            if state is not None:
                self.pending.setdefault(node.name, []).append(state)
            return None
        if cls in (c_ast.Break, c_ast.Continue):
            return None
        if cls is c_ast.Return:
            self.expr(node.expr, state)
            return None
        if cls in (c_ast.EmptyStatement, c_ast.FuncDef, c_ast.Typedef, c_ast.Pragma):
            return state
        return self.expr(node, state)

    def _loop(self, node, state):
        if state is None:
            return None
        cls = node.__class__
        if cls is c_ast.For and node.init is not None:
            state = self.stmt(node.init, state)
            if state is None:
                return None
        parts = [node.stmt, node.cond] + ([node.next] if cls is c_ast.For else [])
        stepped, other = set(), set()
        for part in parts:
            if part is not None:
                s, o = writes_in(part)
                stepped |= s
                other |= o
        # counted up in the loop, at most: still counted up and >= 0, maybe 0 again
        head = frozenset(f for f in _without(state, other) if not (f[0] == "nz" and f[1] in stepped))
        head = self.stores.changed_in(parts, polled(head, parts, self.predicates))
        leaves = breaks(node.stmt)
        if cls is c_ast.DoWhile:
            end = self.stmt(node.stmt, head)
            if node.cond is None or end is None:
                return head
            _, f = self.cond(node.cond, end)
            return head if leaves or f is None else f
        t, f = self.cond(node.cond, head) if node.cond is not None else (head, None)
        end = self.stmt(node.stmt, t)
        if cls is c_ast.For and node.next is not None and end is not None:
            self.expr(node.next, end)
        if f is None or leaves:
            return head
        return f

    # ------------------------------------------------------------ expressions
    def expr(self, node, state):
        """Walk ``node`` in evaluation order; what holds after it."""
        if node is None or state is None:
            return state
        cls = node.__class__
        if cls is c_ast.ID or cls is c_ast.Constant:
            return state
        if cls is c_ast.FuncCall:
            if node.name.__class__ is c_ast.ID and node.name.name in self.transparent and node.args is not None \
                    and node.args.exprs:
                t, f = self.cond(node, state)
                return _join(t, f)
            if node.args is not None:
                for a in node.args.exprs:
                    state = self.expr(a, state)
                if self.out_bits:   # a callee given &x may write x
                    state = _without(state, _addressed_args(node))
            if node.name.__class__ is not c_ast.ID:
                state = self.expr(node.name, state)
            self._give(node, state)
            return self.stores.call(node, state)
        if cls is c_ast.StructRef:
            state = self.expr(node.name, state)
            if node.type == "->":
                state = self._nonzero(node.name, state)
            return state
        if cls is c_ast.ArrayRef:
            state = self.expr(node.subscript, self.expr(node.name, state))
            return self._nonzero(node.name, state)
        if cls is c_ast.UnaryOp:
            if node.op == "sizeof":
                return state
            if node.op == "&":
                inner = node.expr
                if inner.__class__ is c_ast.StructRef and inner.type == "->":
                    return self._nonzero(inner.name, self.expr(inner.name, state))
                return self.expr(inner, state)
            state = self.expr(node.expr, state)
            if node.op == "*":
                return self._nonzero(node.expr, state)
            if node.op in WRITES:
                state = self.stores.field_write(node.expr, node.op, None, state)
                return self._step(node.expr, node.op, state)
            return state
        if cls is c_ast.BinaryOp and node.op in ("&&", "||"):
            t, f = self.cond(node, state)
            return _join(t, f)
        if cls is c_ast.TernaryOp:
            t, f = self.cond(node.cond, state)
            a, b = self.expr(node.iftrue, t), self.expr(node.iffalse, f)
            return self._believed(_join(a, b), node.cond, (node.iftrue, node.iffalse))
        if cls is c_ast.Assignment:
            state = self.expr(node.rvalue, state)
            lv = bare(node.lvalue)
            if lv.__class__ is c_ast.ID:
                if stepped_var(node) is not None:
                    return self._step(lv, "++", state)
                if node.op == "=":
                    return self._assigned(lv.name, node.rvalue, state)
                if node.op == "|=" and self.constant_int is not None:
                    return self._ored(lv.name, node.rvalue, state)
                return _without(state, (lv.name,))
            return self.stores.field_write(node.lvalue, node.op, node.rvalue, self.expr(node.lvalue, state))
        if cls is c_ast.Cast:
            return self.expr(node.expr, state)
        if cls is c_ast.Compound:     # a statement expression
            after = self.stmt(node, state)
            return after if after is not None else _without(state, written_in(node))
        for child in children(node):
            state = self.expr(child, state)
        return state

    def cond(self, node, state):
        """The states where ``node`` is true and where it is false."""
        if state is None:
            return None, None
        node = bare(node)
        cls = node.__class__
        if cls is c_ast.FuncCall and node.name.__class__ is c_ast.ID and node.name.name in self.transparent \
                and node.args is not None and node.args.exprs:
            state = self.expr(c_ast.ExprList(node.args.exprs[1:]), state)
            return self.cond(node.args.exprs[0], state)
        if cls is c_ast.UnaryOp and node.op == "!":
            t, f = self.cond(node.expr, state)
            return f, t
        if cls is c_ast.BinaryOp and node.op in ("&&", "||"):
            t1, f1 = self.cond(node.left, state)
            if node.op == "&&":
                t2, f2 = self.cond(node.right, t1)
                t, f = t2, _join(f1, f2)
            else:
                t2, f2 = self.cond(node.right, f1)
                t, f = _join(t1, t2), f2
            return (self._believed(t, node.left, (node.right,)), self._believed(f, node.left, (node.right,)))
        if cls is c_ast.ID:
            return self._nonzero(node, state), state
        if cls is c_ast.BinaryOp and node.op in ("==", "!="):
            state = self.expr(node, state)
            var = node.left if is_null(node.right) else node.right if is_null(node.left) else None
            if var is None:
                return state, state
            nz = self._nonzero(var, state)
            return (state, nz) if node.op == "==" else (nz, state)
        state = self.expr(node, state)
        if cls is c_ast.FuncCall:
            t, f = tested_call(node, state, self.learnable, self.predicates, self.constant, self.integers)
            if self.out_bits and node.name.__class__ is c_ast.ID and node.name.name in self.out_bits:
                t = self._bits_known(node, t)
            return t, f
        return state, state

    def _bits_known(self, call, state):
        """``state`` where the flag-word writer ``call`` returned true: the
        bits of the word it was given the address of that it cannot have
        set are known clear (analysis.known_bits)."""
        summary = self.out_bits[call.name.name]
        args = list(call.args.exprs) if call.args is not None else []
        arg = args[summary[0]] if summary[0] < len(args) else None
        if state is None or arg is None or arg.__class__ is not c_ast.UnaryOp or arg.op != "&" \
                or arg.expr.__class__ is not c_ast.ID or arg.expr.name in self.loose:
            return state
        bits = cleared_bits(summary, args, self.constant_int)
        return state | {("t" + kind, arg.expr.name) for kind in bit_kinds(bits)} if bits else state

    def _ored(self, name, value, state):
        """``name |= K``: the known bit tests of no bit of ``K`` stay."""
        bits = self.constant_int(value)
        kept = set()
        if bits is not None and bits >= 0 and state is not None:
            for f in state:
                if f[1] == name and f[0].startswith("tzero:()&($,#"):
                    m = f[0][len("tzero:()&($,#"):-1]
                    if m.isdigit() and not int(m) & bits:
                        kept.add(f)
        state = _without(state, (name,))
        return state | kept if kept and state is not None else state

    # ------------------------------------------------------------ facts
    def _nonzero(self, node, state):
        node = bare(node)
        if state is None or node.__class__ is not c_ast.ID or not self.learnable(node.name):
            return state
        return state | {("nz", node.name)}

    def _step(self, node, op, state):
        """``++x`` / ``x++`` / ``x += C``: counted up; ``--``: any write."""
        node = bare(node)
        if node.__class__ is not c_ast.ID or state is None:
            return state
        name = node.name
        kept = {f for f in state if f[1] == name and f[0] in ("orig", "ge0")}
        state = _without(state, (name,))
        if op in STEPS and self.learnable(name):
            state = state | kept | {("up", name)}
        return state

    def _assigned(self, name, value, state):
        """``name = value`` (not a step): ``&obj`` or a known non-zero
        variable makes it non-zero, a constant >= 0 makes it >= 0,
        anything else forgets it."""
        if state is None:
            return None
        value = bare(value)
        known = ("nz", value.name) in state if value.__class__ is c_ast.ID else \
            value.__class__ is c_ast.UnaryOp and value.op == "&"
        number = int_constant(value)
        state = _without(state, (name,))
        if self.learnable(name):
            if known or number is not None and number != 0:
                state = state | {("nz", name)}
            if number is not None and number >= 0:
                state = state | {("ge0", name)}
        return state

    def _believed(self, state, test, operands):
        """Add the dereferences made in ``operands`` whenever they are
        evaluated, of the pointers ``test`` (what decides that) does not
        name and nothing here writes."""
        if state is None:
            return None
        named = names_in(test)
        found = set()
        for op in operands:
            found |= dereferenced(op)
        found -= named
        if not found:
            return state
        written = written_in(test).union(*(written_in(op) for op in operands))
        return state | {("nz", v) for v in found - written if self.learnable(v)}

    def _give(self, call, state) -> None:
        if call.args is None or not state:
            return
        found = []
        for pos, a in enumerate(call.args.exprs):
            kind = self._known(a, state)
            if kind is not None:
                found.append((pos, kind))
            found += known_tests(pos, a, state)
            if self.views and bare(a).__class__ is c_ast.ID:    # a view of it (analysis.param_views)
                for v, (src, tag, _) in self.views.items():
                    if src == bare(a).name:
                        found += [(pos, tagged(k, tag)) for _, k in known_tests(pos, c_ast.ID(v), state)]
        if found:
            self.out[id(call)] = tuple(found)

    def _known(self, arg, state) -> str | None:
        arg = bare(arg)
        cls = arg.__class__
        if cls is c_ast.ID:
            name = arg.name
            counted = self._counted(name, state) if ("up", name) in state else None
            return counted or ("nonzero" if ("nz", name) in state else None)
        base = None
        if cls is c_ast.UnaryOp and arg.op == "++":
            base = bare(arg.expr)
        elif cls is c_ast.BinaryOp and arg.op == "+":
            for a, b in ((arg.left, arg.right), (arg.right, arg.left)):
                if bare(a).__class__ is c_ast.ID and positive_constant(b):
                    base = bare(a)
        if base is None or base.__class__ is not c_ast.ID:
            return None
        return self._counted(base.name, state)

    def _counted(self, name, state) -> str | None:
        """``>0`` or ``+Q`` for a variable counted up (or given plus a
        positive constant): at least 1 when it was at least 0 before."""
        if self._unsigned(name) or ("ge0", name) in state:
            return ">0"
        if name in self.params and ("orig", name) in state and self.learnable(name):
            return f"+{self.params[name]}"
        return None

    def _unsigned(self, name) -> bool:
        found = self.local_unsigned.get(name)
        if found is None:
            return name in self.unsigned_params
        if found.__class__ is not bool:
            found = self.local_unsigned[name] = bool(self.unsigned_decl(found))
        return found


def _addressed_args(call) -> tuple[str, ...]:
    """The variables ``x`` given as ``&x`` to ``call``."""
    return tuple(a.expr.name for a in call.args.exprs
                 if a.__class__ is c_ast.UnaryOp and a.op == "&" and a.expr.__class__ is c_ast.ID)

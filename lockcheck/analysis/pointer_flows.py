"""Pointer-flow facts of one function, read during extraction.

Indirect calls are resolved by where their pointer came from
(:mod:`lockcheck.analysis.pointsto`).  This module writes down, per
function, the assignments that move a function pointer or a pointer to an
ops table (a struct with function-pointer fields), as ``(to, from)`` pairs
of *slots*:

* ``F:<struct>:<field>`` — that field of every object of the struct;
* ``L:<name>`` — a local or parameter of this function; ``L:a->b`` the
  access path ``a->b`` once this function has stored into it;
* ``V:<name>`` — a global pointer variable;
* ``G:<name>`` (a source only) — the function or global object ``name``;
* ``R:<callee>`` (a source only) — what a direct call returns;
* ``H`` (a source only) — a new object from an allocator;
* ``A:<callee>:<n>`` (a target only) — the n-th parameter of a callee;
* ``I:<struct>:<field>:<n>`` (a target only) — the n-th parameter of every
  function an indirect call through that field reaches
  (``d->allocate_feed(d, &f, my_callback)``);
* ``RET`` (a target only) — what this function returns;
* ``?`` (a source only) — unknown: a cast from ``void *``, the address of
  a local, an indirect call's value.  It makes the slot unknown, and a call
  through an unknown pointer falls back to the field/signature rule.

Only pointers worth following are written down (by type, or because the
value names a function or global), so the facts stay small.  The
resolution side never sees the AST.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.typing import expr_text

__all__ = ["PointerFlows", "UNKNOWN"]

UNKNOWN = "?"


class PointerFlows:
    """Collects one function's flow facts; the extractor calls its hooks."""

    def __init__(self, env, index, model: dict, ops_structs: dict[str, bool] | None = None) -> None:
        self.env, self.index = env, index
        #: struct -> has a function-pointer field; shared by the extractors of one index
        self.ops_structs = {} if ops_structs is None else ops_structs
        self.allocators = frozenset(model.get("allocators", ()))
        self.returns_arg: dict[str, int] = model.get("returns_arg", {})
        self.returns_named: dict[str, int] = model.get("returns_named", {})
        self.stores: dict[str, list] = model.get("stores", {})
        self.assigns: dict[str, list] = model.get("assigns", {})
        self.flows: dict[tuple[str, str], None] = {}
        self.fnptr_locals: set[str] = set()
        self.stored_paths: set[str] = set()
        self.returns_tracked = False

    def facts(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.flows)

    # ------------------------------------------------------------ types
    def _ops_struct(self, base: str) -> bool:
        known = self.ops_structs.get(base)
        if known is None:
            known = self.ops_structs[base] = self._has_fnptr(base)
        return known

    def _has_fnptr(self, base: str) -> bool:
        fields = self.index.structs.get(base)
        if not fields:
            return False
        for t in fields.values():
            if t.base == "fnptr" or self.env.resolve_typedef(t).base == "fnptr":
                return True
        return False

    def tracked_type(self, t) -> bool:
        """A function pointer, or a pointer to an ops table."""
        if t is None:
            return False
        t = self.env.resolve_typedef(t)
        return t.base == "fnptr" or (t.pointers == 1 and t.base.startswith("struct ") and self._ops_struct(t.base))

    def declare(self, name: str, decl_type) -> None:
        """``int (*fn)(int)`` declares a function-pointer local."""
        t = decl_type
        if isinstance(t, c_ast.PtrDecl) and isinstance(t.type, c_ast.FuncDecl):
            self.fnptr_locals.add(name)
        elif self.tracked_type(self.env.lookup(name)[0]):
            self.fnptr_locals.add(name)

    def function_returns(self, ftype) -> None:
        t = getattr(ftype, "type", None)
        self.returns_tracked = isinstance(t, c_ast.PtrDecl) and isinstance(t.type, c_ast.FuncDecl)

    # ------------------------------------------------------------ values
    def sources(self, node) -> list[str]:
        """Where the pointer value of ``node`` comes from."""
        if isinstance(node, c_ast.Cast):
            inner = self.env.type_of(node.expr)
            if inner is not None and inner.base == "void" and not isinstance(node.expr, c_ast.Constant):
                return [UNKNOWN]   # a void * escape: counted, resolved by the field rule
            return self.sources(node.expr)
        if isinstance(node, c_ast.Constant):
            return []
        if isinstance(node, c_ast.ID):
            if node.name.isupper() and self.env.lookup(node.name) == (None, False):
                return []               # a macro constant, an enumerator
            return [self._name_source(node.name)]
        if isinstance(node, c_ast.UnaryOp) and node.op == "&":
            inner = node.expr
            if isinstance(inner, c_ast.ID):
                _, local = self.env.lookup(inner.name)
                return [UNKNOWN if local else f"G:{inner.name}"]
            return [UNKNOWN]
        if isinstance(node, c_ast.StructRef):
            return [self._load(node)]
        if isinstance(node, c_ast.TernaryOp):
            return self.sources(node.iftrue) + self.sources(node.iffalse)
        if isinstance(node, c_ast.Assignment) and node.op == "=":
            return self.sources(node.rvalue)
        if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID):
            name = node.name.name
            args = node.args.exprs if node.args is not None else []
            if name in self.allocators:
                return ["H"]
            if name in self.returns_arg and len(args) > self.returns_arg[name]:
                return self.sources(args[self.returns_arg[name]])
            if name in self.returns_named and len(args) > self.returns_named[name]:
                arg = args[self.returns_named[name]]
                return [f"G:{arg.name}"] if isinstance(arg, c_ast.ID) else [UNKNOWN]
            if name in self.env.params or self.env.lookup(name)[1]:
                return [UNKNOWN]
            return [f"R:{name}"]
        return [UNKNOWN]

    def _name_source(self, name: str) -> str:
        typ, local = self.env.lookup(name)
        if local or name in self.env.params:
            return f"L:{name}"
        if typ is None:
            return f"G:{name}"          # a function (or an unknown global object)
        typ = self.env.resolve_typedef(typ)
        if typ.base == "fnptr" or typ.pointers >= 1:
            return f"V:{name}"
        return f"G:{name}"              # a global table used by value

    def _load(self, node: c_ast.StructRef) -> str:
        path = expr_text(node)
        if path in self.stored_paths:
            return f"L:{path}"
        slot = self._field_slot(node)
        return slot or UNKNOWN

    def _field_slot(self, node: c_ast.StructRef) -> str | None:
        if not isinstance(node.field, c_ast.ID):
            return None
        base = self.env.type_of(node.name)
        if base is None or not base.base.startswith(("struct ", "union ")):
            return None
        return f"F:{base.base}:{node.field.name}"

    def origin(self, node) -> tuple[str, ...]:
        """Where the object an indirect call reads its pointer from came
        from (``file->f_op`` of ``file->f_op->open(...)``)."""
        if isinstance(node, (c_ast.ID, c_ast.StructRef)):
            return tuple(self.sources(node))
        return ()

    def pointer(self, node) -> tuple[str, ...]:
        """The function pointer itself, when this function says what it is:
        an access path it stored into, a function-pointer local or global."""
        if isinstance(node, c_ast.StructRef):
            path = expr_text(node)
            return (f"L:{path}",) if path in self.stored_paths else ()
        if isinstance(node, c_ast.ID):
            return (self._name_source(node.name),)
        if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID):
            return tuple(self.sources(node))      # pick(0)(1): what pick() returns
        return ()

    def is_pointer_variable(self, name: str) -> bool:
        """A call ``name(...)`` through a local or global function pointer."""
        typ, local = self.env.lookup(name)
        if local:
            return name in self.fnptr_locals
        return typ is not None and self.env.resolve_typedef(typ).base == "fnptr"

    # ------------------------------------------------------------ stores
    def _worth(self, target_type, srcs: list[str], name: str | None = None) -> bool:
        if not srcs:
            return False
        if name is not None and name in self.fnptr_locals:
            return True
        if self.tracked_type(target_type):
            return True
        return any(s[0] == "G" for s in srcs)

    def _add(self, dst: str, srcs: list[str]) -> None:
        for s in srcs:
            self.flows[(dst, s)] = None

    def assign(self, lvalue, rvalue) -> None:
        srcs = self.sources(rvalue)
        if isinstance(lvalue, c_ast.ID):
            if self._worth(self.env.type_of(lvalue), srcs, lvalue.name):
                self._add(self._name_source(lvalue.name), srcs)
        elif isinstance(lvalue, c_ast.StructRef):
            if self._worth(self.env.type_of(lvalue), srcs):
                self._store_field(lvalue, srcs)
        elif isinstance(lvalue, c_ast.ArrayRef) and isinstance(lvalue.name, c_ast.StructRef):
            # `p->handlers[1] = fn`: stored in the field (an array of function pointers)
            if self._worth(self.env.type_of(lvalue), srcs):
                self._store_field(lvalue.name, srcs)

    def _store_field(self, lvalue: c_ast.StructRef, srcs: list[str]) -> None:
        slot = self._field_slot(lvalue)
        if slot:
            self._add(slot, srcs)
        path = expr_text(lvalue)
        self.stored_paths.add(path)
        self._add(f"L:{path}", srcs)

    def declared(self, name: str, init) -> None:
        if isinstance(init, c_ast.InitList):
            return
        srcs = self.sources(init)
        if self._worth(self.env.lookup(name)[0], srcs, name):
            self._add(f"L:{name}", srcs)

    def call(self, name: str, args: list) -> None:
        """A direct call: arguments bound to the callee's parameters, and
        the modelled stores (``replace_fops``)."""
        if name in self.stores:
            obj, fieldname, value = self.stores[name]
            if len(args) > max(obj, value):
                base = args[obj]
                node = c_ast.StructRef(base, "->", c_ast.ID(fieldname))
                self._store_field(node, self.sources(args[value]))
            return
        if name in self.assigns:
            target, value = self.assigns[name]
            if len(args) > max(target, value):
                self.assign(args[target], args[value])
            return
        for k, a in enumerate(args):
            srcs = self.sources(a)
            if srcs and self._worth(self.env.type_of(a), srcs) and srcs != [UNKNOWN]:
                self._add(f"A:{name}:{k}", srcs)

    def indirect_call(self, field: tuple[str, str], args: list) -> None:
        """An indirect call through ``field``: arguments bound to the
        parameters of whatever the field holds (solved in pointsto)."""
        for k, a in enumerate(args):
            srcs = self.sources(a)
            if srcs and self._worth(self.env.type_of(a), srcs) and srcs != [UNKNOWN]:
                self._add(f"I:{field[0]}:{field[1]}:{k}", srcs)

    def returned(self, node) -> None:
        srcs = self.sources(node)
        if srcs and (self.returns_tracked or self._worth(self.env.type_of(node), srcs)):
            self._add("RET", srcs)

"""A call expression as IR: a call by name (a primitive of the catalogue,
a parameter or a local function pointer, a function), a static call, a
``guard(..)`` acquisition, or a call through a struct field, an array of
function pointers or a pointer expression, with what is known of its
arguments.  A mixin of :class:`lockcheck.analysis.extract.Extractor`."""

from __future__ import annotations

from dataclasses import replace

from pycparser import c_ast

from lockcheck.analysis import class_notes, ir
from lockcheck.analysis.arg_bounds import bound_args
from lockcheck.analysis.conditions import DEREF
from lockcheck.analysis.deref_flags import address_args
from lockcheck.analysis.field_stores import deref_drops
from lockcheck.analysis.typing import lock_ref, unsigned_ref
from lockcheck.frontend.guard_classes import lock_function

__all__ = ["CallExtraction"]


class CallExtraction:
    def call(self, node: c_ast.FuncCall, out: list, var: str | None = None):
        """Events of the arguments go to ``out``; the call's own IR item is returned."""
        args = list(node.args.exprs) if node.args is not None else []
        # a parameter given whole drops its ``*p`` after an ``ir.Call``, in the
        # walk (analysis.deref_flags.forwarded_writes: the callee's summary
        # may say what it leaves there); before anything else, here
        whole = self.derefs.intersection(a.name for a in args if a.__class__ is c_ast.ID
                                         and a.name in self.env.params) if self.derefs else ()
        out.extend(ir.Assign(var, None) for var in deref_drops(args, self.derefs - whole if whole else self.derefs))
        mark = len(out)
        item = self._call(node, args, out, var)
        if whole and type(item) is not ir.Call:
            out[mark:mark] = [ir.Assign(name + DEREF, None) for name in sorted(whole)]
        return item

    def _call(self, node: c_ast.FuncCall, args: list, out: list, var: str | None):
        name = node.name
        while isinstance(name, c_ast.UnaryOp) and name.op == "*":
            name = name.expr        # (*fp)(args) calls what fp points to, as fp(args)
        line = node.coord.line if node.coord else 0
        if isinstance(name, c_ast.TernaryOp) and isinstance(name.iftrue, c_ast.ID) \
                and isinstance(name.iffalse, c_ast.ID):
            # `(w ? up_write : up_read)(&b->lock)`: a call of one or the other
            then, orelse = [], []
            for arm, events in ((name.iftrue, then), (name.iffalse, orelse)):
                item = self.call(c_ast.FuncCall(arm, node.args, node.coord), events, var)
                if isinstance(item, ir.EffectAssign):
                    item = ir.EffectAssign(None, item.effect)
                if item is not None:
                    events.append(item)
            return ir.If(self.cond(name.cond), ir.Block(tuple(then)), ir.Block(tuple(orelse)))
        if isinstance(name, c_ast.ID):
            fname = name.name
            if fname == "__lc_unparsed":
                return None
            if fname in self.transparent and args:
                for a in args:
                    self.expr(a, out)
                return None
            if fname in ("__lc_scoped_guard", "__lc_scoped_cond_guard") and args:
                if fname == "__lc_scoped_guard" and isinstance(args[0], c_ast.ID) \
                        and self.catalogue.guard(args[0].name) is None:
                    return self._class_guard(args[0].name, c_ast.ExprList(args[1:]), node.coord, out, var)
                return self._scoped_guard(fname, args, line, out)
            note = class_notes.call_note(fname, args, lambda a: lock_ref(a, self.env), self.classes_model,
                                     site=f"{self.fn_name}:{line}", env=self.env)
            if note is not None:
                self.class_notes.add(note)
            prim = self.catalogue.get(fname)
            self.nonnull_bases(args, out)
            if prim is not None:
                return self._primitive(prim, args, line, out)
            for a in args:
                self.expr(a, out)
            self.flows.call(fname, args)
            if fname in self.env.params:
                return ir.Call(line, None, self._arg_refs(args), var=var, fnptr_args=self._fnptr_args(args),
                               via_param=self.env.params[fname], forwarded_params=self._forwarded(args),
                               const_args=self._consts(args), const_values=self._const_values(args))
            if self.flows.is_pointer_variable(fname):
                return ir.Call(line, None, self._arg_refs(args), var=var, fnptr_args=self._fnptr_args(args),
                               forwarded_params=self._forwarded(args), const_args=self._consts(args),
                               const_values=self._const_values(args), pointer=self.flows.pointer(name),
                               known_args=self._known_args(node, args))
            return ir.Call(line, fname, self._arg_refs(args), var=var, fnptr_args=self._fnptr_args(args),
                           forwarded_params=self._forwarded(args), const_args=self._consts(args),
                           arg_vars=self._arg_vars(args), const_values=self._const_values(args),
                           held_facts=self.field_stores.get(id(node), ()), known_args=self._known_args(node, args),
                           addr_args=address_args(args, self.env))
        static = self._static_call_field(name)
        if static is not None:
            for a in args:
                self.expr(a, out)
            return ir.Call(line, None, self._arg_refs(args), field=static, var=var, fnptr_args=self._fnptr_args(args),
                           model=f"static_call {static[0]}.{static[1]}", forwarded_params=self._forwarded(args),
                           const_args=self._consts(args), const_values=self._const_values(args),
                           known_args=self._known_args(node, args))
        if isinstance(name, c_ast.FuncCall) and isinstance(name.name, c_ast.ID) and name.name.name == "CLASS" \
                and name.args is not None and len(name.args.exprs) == 2 \
                and isinstance(name.args.exprs[0], c_ast.ID):
            return self._class_instance(name.args.exprs[0].name, node, args, line, out, var)
        if isinstance(name, c_ast.FuncCall) and isinstance(name.name, c_ast.ID) and name.name.name == "guard":
            family = name.args.exprs[0] if name.args and name.args.exprs else None
            fam = family.name if isinstance(family, c_ast.ID) else ""
            if fam and self.catalogue.guard(fam) is None:
                return self._class_guard(fam, node.args, node.coord, out, var)
            for a in args:
                self.expr(a, out)
            return self._guard_acquire(fam, args, line)
        for a in args:
            self.expr(a, out)
        field = None
        origin: tuple[str, ...] = ()
        pointer = self.flows.pointer(name)
        if isinstance(name, c_ast.ArrayRef) and isinstance(name.name, c_ast.StructRef):
            # `p->handlers[i](p)`: a call through an array of function pointers
            # in a struct is a call through that field (any element)
            self.expr(name.subscript, out)
            name, pointer = name.name, ()
        elif isinstance(name, c_ast.ArrayRef) and isinstance(name.name, c_ast.ID) and not \
                self.env.lookup(name.name.name)[1] and name.name.name not in self.env.params:  # `ops[i](p)`
            self.expr(name.subscript, out)
            pointer = (f"T:{name.name.name}",)
        if isinstance(name, c_ast.StructRef) and isinstance(name.field, c_ast.ID):
            base = self.env.type_of(name.name)
            if base is not None:
                field = (base.base, name.field.name)
                self.flows.indirect_call(field, args)
            origin = self.flows.origin(name.name)
            self.expr(name.name, out)
        return ir.Call(line, None, self._arg_refs(args), field=field, var=var,
                       fnptr_args=self._fnptr_args(args), forwarded_params=self._forwarded(args),
                       const_args=self._consts(args), origin=origin, pointer=pointer,
                       const_values=self._const_values(args), held_facts=self.field_stores.get(id(node), ()),
                       known_args=self._known_args(node, args))

    def _known_args(self, node, args) -> tuple[tuple[int, str], ...]:
        """``Call.known_args``: what ``analysis.known_args`` found on the
        paths to the call, and the lower bounds of its sums of constants and
        unsigned terms (``analysis.arg_bounds``)."""
        known = self.known_args.get(id(node), ())
        if any(a.__class__ is c_ast.BinaryOp and a.op == "+" for a in args):
            known += bound_args(args, self._bound_constant, lambda t: unsigned_ref(self.env.type_of(t)))
        return known

    def _bound_constant(self, node) -> int | None:
        while node.__class__ is c_ast.Cast:
            node = node.expr
        return self.constant_int(node)

    def _class_guard(self, family: str, args, coord, out: list, var):
        """``guard(family)(args)`` of a class the model's table does not
        list: a call of the class's lock function (frontend.guard_classes)
        whose effect ends with the enclosing scope."""
        item = self.call(c_ast.FuncCall(c_ast.ID(lock_function(family)), args, coord), out, var)
        return replace(item, scoped=True) if isinstance(item, ir.Call) else item

    def _class_instance(self, family: str, node: c_ast.FuncCall, args: list, line: int, out: list, var):
        """``CLASS(family, v)(args);`` (include/linux/cleanup.h): the
        guard ``v`` holds from here to the end of the enclosing scope, as
        ``guard(family)(args)`` does; a conditional table guard's outcome
        is in ``v``, not followed: its arguments only."""
        if self.catalogue.guard(family) is None:
            return self._class_guard(family, node.args, node.coord, out, var)
        for a in args:
            self.expr(a, out)
        acquire = self._guard_acquire(family, args, line)
        return acquire if isinstance(acquire, ir.Acquire) else None

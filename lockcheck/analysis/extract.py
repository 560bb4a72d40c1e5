"""Extraction: a pycparser function → its lock IR (``analysis.ir``).

The visitor keeps, in source order, every lock primitive call (classified
by the catalogue), every other call (with the lock classes of its
arguments), and the control flow around them: blocks (scopes for
``guard()``), if/else with conditions that test trylocks or flags,
loops, switch, goto/labels, returns with what they return.  Expressions
are walked for calls in evaluation order; everything else is dropped.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping

from pycparser import c_ast

from lockcheck.analysis.compare_locals import compare_held
from lockcheck.analysis import class_notes, ir
from lockcheck.analysis.bounded_release import absent_branch
from lockcheck.analysis.held_tests import absent_tests
from lockcheck.analysis.call_args import CallArguments
from lockcheck.analysis.ast_walk import addressed_names, operand_names, shared_walks, walk_nodes, written_names
from lockcheck.analysis.param_escapes import escaped_param
from lockcheck.analysis.conditions import DEREF, ConditionExtraction, constant_value, flag_name
from lockcheck.analysis.deref_flags import out_copy
from lockcheck.analysis.const_locals import constant_locals
from lockcheck.analysis.field_copies import field_copy, tested_vars
from lockcheck.analysis.field_stores import deref_roots, field_stores
from lockcheck.analysis.known_args import known_args
from lockcheck.analysis.param_views import views
from lockcheck.analysis.store_tests import store_test_table
from lockcheck.analysis.tested_locals import tested_inits, tested_local
from lockcheck.analysis.declared import declared_releases
from lockcheck.analysis.lock_calls import LockCallExtraction
from lockcheck.analysis.call_extract import CallExtraction
from lockcheck.analysis.masked_release import MaskedRelease, masked_release_table
from lockcheck.analysis.pointer_flows import PointerFlows
from lockcheck.frontend.constants import macro_integers
from lockcheck.frontend.enumerators import file_enumerators
from lockcheck.analysis.typing import TypeEnv, declare_defined_object, local_object_key, lock_ref, unsigned_decl
from lockcheck.model.primitives import Catalogue
from lockcheck.model.scan_model import ScanModel

__all__ = ["extract_functions", "Extractor"]

def extract_functions(parsed, index, model: ScanModel, path: str,
                      constants=(), statics: frozenset[str] = frozenset(), items=()) -> list[ir.FunctionIR]:
    """``model``: the scan's kernel model (its catalogue and extraction
    tables); ``constants``: the file's own ``#define``s (integer ones are
    compared in conditions: ``locknum == SEM_GLOBAL_LOCK``); ``statics``: its
    file-scope ``static`` objects (keyed by file); ``items``: its lexed
    items, whose enumerators are integers too (``frontend.enumerators``)."""
    catalogue, tables = model.catalogue, model.extraction
    out = []
    tree = getattr(index, "integer_macros", None) or {}   # the headers' (frontend.constants)
    # layered, never copied: a whole tree's integer macros are hundreds of
    # thousands of names, and a copy per file cost more than the parse
    integers = ChainMap(macro_integers(constants, tree), tree)
    if items:   # and its enumerators (a call passing one keeps id:NAME too: Call.const_values)
        integers = ChainMap(*integers.maps, file_enumerators(items, integers))
    file_macros = frozenset(m.name for m in constants if m.params is None)
    ops_structs: dict[str, bool] = {}    # the file's index is fixed: its ops tables asked once (PointerFlows)
    for fn in parsed:
        if fn.ast is None:
            continue
        try:
            out.append(Extractor(index, catalogue, tables, path, integers, statics, file_macros,
                                 ops_structs).function(fn.ast))
        except RecursionError:
            continue
    return out


class Extractor(CallExtraction, LockCallExtraction, ConditionExtraction, CallArguments, MaskedRelease):
    def __init__(self, index, catalogue: Catalogue, model: dict, path: str, integers=None,
                 statics: frozenset[str] = frozenset(), file_macros: frozenset[str] = frozenset(),
                 ops_structs: dict[str, bool] | None = None) -> None:
        self.integers: Mapping[str, int] = integers or {}
        self.env = TypeEnv(index, model)
        self.env.file = path
        self.env.homes = getattr(index, "struct_homes", {}).get(path, {})
        self.env.statics = statics
        self.classes_model: dict = model.get("classes", {})
        self.class_notes: set = set()
        self.unresolved_sites: set = set()
        self.fn_name = ""
        self.index = index
        self.catalogue = catalogue
        self.path = path
        self.transparent = frozenset(model.get("transparent_calls", ()))
        self.held_tests = frozenset(model.get("held_tests", ()))     # analysis.held_tests
        self.lock_types = frozenset(model.get("lock_types", ()))
        self.noreturn = frozenset(model.get("noreturn", ()))
        self.running_work = frozenset(model.get("running_work_calls", ()))
        self.config_tests = frozenset(model.get("config_tests", ()))
        self.static_key_tests = frozenset(model.get("static_key_tests", ()))
        self.definitions = model.get("definitions", {})
        self.file_macros = file_macros
        self.subclass_constants = model.get("subclass_constants", {})
        self.masked_releases = masked_release_table(model)     # analysis.masked_release
        self.store_tests = store_test_table(model)      # analysis.store_tests
        self.view_macros = frozenset(model.get("view_macros", ()))     # analysis.param_views
        self.view_inits: frozenset[int] = frozenset()
        self.store_tested = frozenset(t for rows in self.store_tests.values() for t, _, _ in rows)
        self.tested_inits: frozenset[int] = frozenset()     # analysis.tested_locals
        static_calls = model.get("static_calls", {})
        self.sc_wrappers: dict[str, str] = static_calls.get("wrappers", {})
        self.sc_prefixes: dict[str, str] = static_calls.get("prefixes", {})
        self.sc_callers = frozenset(static_calls.get("callers", ()))
        self.var_names: list[tuple[str, str]] = []
        self.texts: dict[str, str] = {}
        self.unresolved = 0
        self.field_stores: dict = {}    # call node id -> Call.held_facts (analysis.field_stores)
        self.known_args: dict = {}      # call node id -> Call.known_args (analysis.known_args)
        self.flows = PointerFlows(self.env, index, model.get("pointsto", {}), ops_structs)

    # ------------------------------------------------------------ function
    def function(self, fd: c_ast.FuncDef) -> ir.FunctionIR:
        self.env.constant = self.constant_int    # an element's index (analysis.element_index)
        try:
            return self._function(fd)
        finally:
            self.env.constant = None   # no cycle through the environment (lockcheck.cyclic_gc)

    def _function(self, fd: c_ast.FuncDef) -> ir.FunctionIR:
        decl = fd.decl
        self.fn_name = decl.name or ""
        params: list[str] = []
        unsigned: set[str] = set()
        ftype = decl.type
        if isinstance(ftype, c_ast.FuncDecl) and ftype.args is not None:
            for k, p in enumerate(ftype.args.params):
                if isinstance(p, c_ast.Decl) and p.name:
                    params.append(p.name)
                    if unsigned_decl(p, self.env):
                        unsigned.add(p.name)
                    self._declare(p.name, p.type)
                    self.env.params[p.name] = k
        with shared_walks(fd.body):     # the passes below read, never change, the tree
            found_views = self._body_names(fd.body, params, unsigned)
        self.flows.function_returns(ftype)
        self.returns_lock = class_notes.returns_lock_pointer(ftype, self.env, self.lock_types)
        declared, fd_body = declared_releases(fd.body, self.env)
        body = self.block(fd_body, scope=True)
        static = "static" in (decl.storage or [])
        return ir.FunctionIR(decl.name, self.path, fd.coord.line if fd.coord else 0, static,
                             tuple(params), body, tuple(sorted(set(self.var_names))),
                             tuple(sorted(self.texts.items())), self.unresolved, self.flows.facts(),
                             unresolved_sites=tuple(sorted(self.unresolved_sites)),
                             class_notes=tuple(sorted(self.class_notes | set(class_notes.dep_map_pairs(body)))),
                             declared_releases=declared,
                             views=tuple(sorted((v, params.index(src), tag) for v, (src, tag, _) in found_views.items()
                                                if src in params)))

    def _constant_operand(self, node) -> str | None:
        """A constant's operand form in a key (``#N``, ``id:NAME``), None
        for anything else (analysis.known_args, analysis.store_tests)."""
        found = self._operand(node)
        return found if found is not None and (found[:1] == "#" or found[:3] == "id:") else None

    def _body_names(self, body, params, unsigned):
        """What the body does with its names, before its walk; returns its
        views of its variables (analysis.param_views)."""
        self.addressed, (self.passed, self.compared) = addressed_names(body), operand_names(body)
        self.env.fixed_params = frozenset(params) - written_names(body)    # an element's index
        self.tested, self.copy_roots = tested_vars(body, self.transparent), set()     # analysis.field_copies
        self.tested_inits = tested_inits(body, self.tested)
        self.const_locals = constant_locals(body, params, self.addressed, self.constant_int)
        self.field_stores = field_stores(body, params, self.addressed,
                                         lambda n: next((v for _, v in self._consts([n])), None))
        self.derefs = deref_roots(body)     # p of the *p tested: a call given p drops what is known
        own = self._own_variable(body, params)
        found_views = views(body, own, self.view_macros)     # analysis.param_views
        self.view_inits = frozenset(init for _, _, init in found_views.values())
        self.known_args = known_args(body, params, own, frozenset(unsigned),
                                     lambda d: unsigned_decl(d, self.env), self.transparent,
                                     getattr(self.env.index, "predicates", None), self._constant_operand,
                                     self.integers, self.store_tests, found_views,
                                     getattr(self.env.index, "out_bits", None), self.constant_int)
        return found_views

    def _own_variable(self, body, params):
        """Is a name a parameter or local whose address the function never
        takes (and no global of that name the function may mean instead)?"""
        local = {n.name for n in walk_nodes(body) if n.__class__ is c_ast.Decl and n.name
                 and "extern" not in (n.storage or ()) and "static" not in (n.storage or ())}
        own = frozenset(params) | frozenset(n for n in local if self.env.lookup(n) == (None, False))
        addressed = self.addressed
        return lambda name: name in own and name not in addressed

    def _declare(self, name: str, typ, storage=()) -> None:
        ref = self.env.declare(name, typ)
        self.flows.declare(name, typ)
        ref = self.env.resolve_typedef(ref)
        self.env.local_objects.pop(name, None)
        if self.fn_name and ("static" in storage or (ref is not None and ref.pointers == 0
                                                      and ref.base in self.lock_types)):
            self.env.local_objects[name] = local_object_key(self.env, self.fn_name, name)
        if ref is not None and ref.base.startswith("struct ") and ref.pointers <= 1:
            self.var_names.append((ref.base, name))

    # ------------------------------------------------------------ statements
    def block(self, node, scope: bool = False) -> ir.Block:
        if node is None:
            return ir.Block()
        if not isinstance(node, c_ast.Compound):
            return ir.Block(tuple(self.stmt(node)))
        self.env.push()
        items: list = []
        for s in node.block_items or ():
            items += self.stmt(s)
        self.env.pop()
        return ir.Block(tuple(items), scope)

    def stmt(self, node) -> list:
        method = getattr(self, "s_" + type(node).__name__, None)
        if method is not None:
            return method(node)
        if declare_defined_object(self.env, self.fn_name, node, self.definitions):
            return []
        out: list = []
        self.expr(node, out)
        if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID) and node.name.name in self.noreturn:
            out.append(ir.Jump("noreturn"))
        return out

    def s_Compound(self, node):
        return [self.block(node, scope=True)]

    def s_Decl(self, node):
        out: list = []
        if node.name and not isinstance(node.type, c_ast.FuncDecl):
            self._declare(node.name, node.type, node.storage or ())
        if node.init is not None:
            if node.name:
                self.flows.declared(node.name, node.init)
                self._assign_var(node.name, node.init, out)
            else:
                self.expr(node.init, out)
        return out

    def s_DeclList(self, node):
        out = []
        for d in node.decls:
            out += self.s_Decl(d)
        return out

    def s_If(self, node):
        cond = self.cond(node.cond)
        then, orelse = absent_branch(node.cond, node.iftrue, node.iffalse,
                                     self._scoped(node.iftrue), self._scoped(node.iffalse))
        then, orelse = absent_tests(node.cond, then, orelse, self.held_tests, self.transparent, self._tested_lock)
        return [ir.If(cond, then, orelse)]

    def _tested_lock(self, node) -> ir.LockRef | None:
        """The class of a lock a held test names (analysis.held_tests);
        None when its type does not resolve it."""
        ref, ok = lock_ref(node, self.env)
        return ref if ok and not ref.key.startswith("u:") else None

    def _scoped(self, node) -> ir.Block:
        if node is None:
            return ir.Block()
        return self.block(node, scope=True) if isinstance(node, c_ast.Compound) else \
            ir.Block(tuple(self.stmt(node)), True)

    def s_While(self, node):
        cond, body = self.cond(node.cond), self._scoped(node.stmt)
        if isinstance(node.cond, c_ast.FuncCall) and isinstance(node.cond.name, c_ast.ID) \
                and node.cond.args is not None and isinstance(cond, ir.CondCall):
            cond, body = self._iterator(node.cond.args.exprs, cond, body)
        return [ir.Loop(cond, body)]

    def _iterator(self, args, cond, body: ir.Block):
        """``while (hlist_for_each_entry(pos, head, member))`` (an iterator
        macro, see frontend.normalize): the macro assigns its variables
        (each test forgets what was known of them), and in the body the
        first one, a pointer, is the current element, never NULL."""
        names = [a.name for a in args if isinstance(a, c_ast.ID) and self.env.lookup(a.name)[1]]
        if not names:
            return cond, body
        cond = ir.CondAnd(ir.CondOpaque(ir.Block(tuple(ir.Assign(n, None) for n in names))), cond)
        first = args[0]
        typ = self.env.type_of(first) if isinstance(first, c_ast.ID) and first.name in names else None
        if typ is not None and typ.pointers >= 1:
            body = ir.Block((ir.Assign(first.name, "nonzero"),) + body.items, body.scope)
        return cond, body

    def s_DoWhile(self, node):
        return [ir.Loop(self.cond(node.cond), self._scoped(node.stmt), test_first=False)]

    def s_For(self, node):
        self.env.push()
        out = self.stmt(node.init) if node.init is not None else []
        post: list = []
        if node.next is not None:
            self.expr(node.next, post)
        cond = self.cond(node.cond) if node.cond is not None else None
        out.append(ir.Loop(cond, self._scoped(node.stmt), ir.Block(tuple(post))))
        self.env.pop()
        return out

    def s_Switch(self, node):
        pre: list = []
        self.expr(node.cond, pre)
        return [ir.Switch(ir.Block(tuple(pre)), self._scoped(node.stmt), flag_name(node.cond))]

    def s_Case(self, node):
        value = f"id:{node.expr.name}" if isinstance(node.expr, c_ast.ID) else None
        out: list = [ir.CaseLabel(value=value, number=self.constant_int(node.expr))]
        for s in node.stmts or ():
            out += self.stmt(s)
        return out

    def s_Default(self, node):
        out: list = [ir.CaseLabel(default=True)]
        for s in node.stmts or ():
            out += self.stmt(s)
        return out

    def s_Label(self, node):
        return [ir.Label(node.name)] + (self.stmt(node.stmt) if node.stmt is not None else [])

    def s_Goto(self, node):
        return [ir.Jump("goto", node.name)]

    def s_Break(self, node):
        return [ir.Jump("break")]

    def s_Continue(self, node):
        return [ir.Jump("continue")]

    def s_EmptyStatement(self, node):
        return []

    def s_Return(self, node):
        line = node.coord.line if node.coord else 0
        e = node.expr
        if e is None:
            return [ir.Return(line, "unknown")]
        value = constant_value(e)
        if value is not None:
            return [ir.Return(line, value)]
        if self.returns_lock:
            self.class_notes.add(class_notes.returns_note(self.fn_name, e, self.env))
        self.flows.returned(e)
        out = []
        flipped = self.negated_call(e, out)
        if flipped is not None:   # return !spin_trylock(..)
            return out + [ir.Return(line, "cond", effect=flipped) if flipped else ir.Return(line, "unknown")]
        if isinstance(e, c_ast.ID):
            return [ir.Return(line, f"var:{e.name}")]
        if isinstance(e, c_ast.FuncCall):
            item = self.call(e, out)
            if isinstance(item, ir.EffectAssign):
                return out + [ir.Return(line, "cond", effect=item.effect)]
            if isinstance(item, ir.Call) and item.callee:
                return out + [ir.Return(line, "call", call=item)]
            if item is not None:
                out.append(item)
            return out + [ir.Return(line, "unknown")]
        out = []
        self.expr(e, out)
        return out + [ir.Return(line, "unknown")]

    # ------------------------------------------------------------ assignments
    def _assign_var(self, var: str, value, out: list) -> None:
        inner = value
        while isinstance(inner, c_ast.Cast):
            inner = inner.expr
        typ = self.env.type_of(c_ast.ID(var)) if "." not in var and "->" not in var else None
        declared = self.env.lookup(var)[0] if typ is not None else None    # before typedefs: spinlock_t
        names_lock = typ is not None and typ.pointers == 1 and \
            (typ.base in self.lock_types or (declared is not None and declared.base in self.lock_types))
        const = constant_value(value)
        if typ is not None and typ.pointers == 1 and typ.base.startswith(("struct ", "union ")):
            target = inner.expr if isinstance(inner, c_ast.UnaryOp) and inner.op == "&" \
                and (isinstance(inner.expr, c_ast.StructRef) or (isinstance(inner.expr, c_ast.ArrayRef)
                                                             and isinstance(inner.expr.name, c_ast.StructRef))) \
                else None
            self.env.address_alias(var, target)
        if const is None and isinstance(value, c_ast.UnaryOp) and value.op == "&":
            const = "nonzero"   # the address of an object is never NULL
            if (param := escaped_param(value, self.env.params, self.addressed)) is not None:
                out.append(ir.Assign(param, None))   # p = &flags (analysis.param_escapes)
            if names_lock or typ is None:   # `m = &mutex2`: m is that lock (analysis.classes)
                ref, ok = lock_ref(value, self.env)
                self.env.alias(var, ref if ok else None)
        if const is not None:
            out.append(ir.Assign(var, const))
            return
        if (branch := tested_local(self, var, value)) is not None:   # need = !rbd_is_ro(dev)
            out.append(branch)
            return
        flipped = self.negated_call(value, out)
        if flipped is not None:   # `contended = !spin_trylock(..)`
            out.append(ir.EffectAssign(var, flipped) if flipped else ir.Assign(var, None))
            return
        if isinstance(inner, c_ast.FuncCall) and id(value) in self.view_inits:
            self.expr(value, out)   # a view: nothing is known of it before (analysis.param_views)
            return
        if isinstance(inner, c_ast.FuncCall):
            if names_lock:      # the lock the callee returns (analysis.classes), else unresolved
                self.env.alias(var, class_notes.returned_lock(self.path, self.fn_name, var, inner))
            item = self.call(inner, out, var=var)
            if isinstance(item, ir.EffectAssign):
                out.append(ir.EffectAssign(var, item.effect))
                return
            if item is not None:
                out.append(item)
            if not isinstance(item, ir.Call):
                out.append(ir.Assign(var, None))
            elif (after := self.masked_release(item, inner, var)) is not None:
                out.append(after)
            return
        self.expr(value, out)
        if names_lock:
            ref, ok = lock_ref(value, self.env)
            self.env.alias(var, ref if ok else None)
        if (held := compare_held(self, var, inner)) is not None:   # need_lock = (cmd->cmd != C)
            out.append(ir.Assign(var, held))
            return
        copy = self.copied(var, value)
        if copy is None and var.endswith(DEREF) and var[:-len(DEREF)] in self.env.params:
            copy = out_copy(var, value, self.learnable)   # *out = local (analysis.deref_flags)
        if copy is None and ("->" in var or "." in var):
            copy = field_copy(self, var, value)     # est->stats_lock = lock
        out.append(ir.Assign(var, copy))

    # ------------------------------------------------------------ expressions
    def expr(self, node, out: list) -> None:
        """Append the IR events of evaluating ``node`` (calls, in order)."""
        if node is None:
            return
        if isinstance(node, c_ast.FuncCall):
            item = self.call(node, out)
            if isinstance(item, ir.EffectAssign):
                out.append(ir.EffectAssign(None, item.effect))
            elif item is not None:
                out.append(item)
            return
        if isinstance(node, c_ast.Assignment) and node.op == "=":
            self.flows.assign(node.lvalue, node.rvalue)
            note = class_notes.store_note(node.lvalue, node.rvalue, self.env, self.lock_types)
            if note is not None:
                self.class_notes.add(note)
        if isinstance(node, c_ast.Assignment) and node.op == "=" and flag_name(node.lvalue):
            self._assign_var(flag_name(node.lvalue), node.rvalue, out)
            return
        changed = _changed_name(node)
        if changed is not None:   # x++, x |= y: no longer the value a test saw
            for _, child in node.children():
                self.expr(child, out)
            # x |= K: the bits K does not have keep their tests (branchfacts.or_bits)
            bits = self.constant_int(node.rvalue) if node.__class__ is c_ast.Assignment and node.op == "|=" else None
            out.append(ir.Assign(changed, f"|{bits}" if bits is not None and bits > 0 else None))
            return
        if isinstance(node, c_ast.Compound):  # statement expression
            out.append(self.block(node, scope=True))
            return
        if isinstance(node, c_ast.TernaryOp):
            self._ternary(node, out)
            return
        if isinstance(node, (c_ast.Typename, c_ast.ID, c_ast.Constant)):
            return
        if (param := escaped_param(node, self.env.params, self.addressed)) is not None:
            out.append(ir.Assign(param, None))   # &flags: anything may change it from here
            return
        for _, child in node.children():
            self.expr(child, out)

    def _ternary(self, node: c_ast.TernaryOp, out: list) -> None:
        """``c ? a() : b()``: one arm runs, never both (``w ? down_write(l)
        : down_read(l)`` is one acquisition): a branch when an arm has events,
        else only the condition's events."""
        then: list = []
        orelse: list = []
        self.expr(node.iftrue, then)
        self.expr(node.iffalse, orelse)
        if not then and not orelse:
            self.expr(node.cond, out)
            return
        out.append(ir.If(self.cond(node.cond), ir.Block(tuple(then)), ir.Block(tuple(orelse))))


def _changed_name(node) -> str | None:
    """The flag an increment, decrement or compound assignment changes."""
    if isinstance(node, c_ast.Assignment) and node.op != "=":
        return flag_name(node.lvalue)
    if isinstance(node, c_ast.UnaryOp) and node.op in ("++", "--", "p++", "p--"):
        return flag_name(node.expr)
    return None

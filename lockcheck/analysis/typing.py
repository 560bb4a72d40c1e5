"""Types of expressions and lock classes of lock expressions.

lockdep names a lock class by where the lock lives, not by the path used
to reach it: ``&kvm->slots_lock`` and ``&vcpu->kvm->slots_lock`` are one
class.  So a lock expression is resolved through declared types —
parameters, locals, globals, struct fields, function return types and
``container_of``-style macros — to *field F of struct S* or *global G*.
What cannot be typed keeps its text (and is counted).
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.element_index import element_parts, index_mark, unindexed
from lockcheck.analysis.ir import LockRef
from lockcheck.frontend.typefacts import FUNCTION_TYPE, TypeRef, function_pointer

__all__ = ["TypeEnv", "unsigned_decl", "unsigned_ref", "lock_ref", "expr_text", "local_object_key", "declare_defined_object", "decl_type_ref",
           "lock_of_dep_map"]

_GENERATOR = None


def expr_text(node) -> str:
    global _GENERATOR
    if _GENERATOR is None:
        from pycparser.c_generator import CGenerator
        _GENERATOR = CGenerator()
    try:
        return _GENERATOR.visit(node)
    except Exception:  # odd nodes from recovered parses
        return type(node).__name__


def decl_type_ref(node) -> TypeRef | None:
    """TypeRef of a declaration's type node (a function's return type)."""
    return _typename_ref(node)


def _typename_ref(node) -> TypeRef | None:
    """TypeRef of a pycparser Typename/Decl type node."""
    stars = 0
    t = node.type if isinstance(node, (c_ast.Typename, c_ast.Decl)) else node
    while isinstance(t, (c_ast.PtrDecl, c_ast.ArrayDecl)):
        stars += 1
        t = t.type
    if isinstance(t, c_ast.FuncDecl):
        return TypeRef("fnptr")
    if isinstance(t, c_ast.TypeDecl):
        t = t.type
    if isinstance(t, c_ast.Struct):
        return TypeRef(f"struct {t.name}", stars) if t.name else None
    if isinstance(t, c_ast.Union):
        return TypeRef(f"union {t.name}", stars) if t.name else None
    if isinstance(t, c_ast.IdentifierType):
        return TypeRef(" ".join(t.names), stars)
    return None


#: integer types with no negative value, as their typedefs resolve
_UNSIGNED = frozenset(("_Bool", "bool", "size_t"))


def unsigned_decl(decl, env) -> bool:
    """Does a declaration give its name an unsigned integer type (``unsigned
    int``, ``u32``, ``size_t``, through the tree's typedefs)?"""
    return unsigned_ref(env.resolve_typedef(_typename_ref(decl)))


def unsigned_ref(ref: TypeRef | None) -> bool:
    """Is a type (its typedefs resolved) an unsigned integer type?"""
    return ref is not None and not ref.pointers and ("unsigned" in ref.base.split() or ref.base in _UNSIGNED)


class TypeEnv:
    """Scopes of one function plus the tree index."""

    def __init__(self, index, model: dict) -> None:
        self.index = index
        self.scopes: list[dict[str, TypeRef | None]] = [{}]
        self.params: dict[str, int] = {}
        self.aliases: list[dict[str, LockRef]] = [{}]
        self.addrs: list[dict[str, object]] = [{}]     # `own = &cpuctx->ctx`: name -> that StructRef
        self.type_from_arg: dict[str, int] = model.get("type_from_arg", {})
        self.type_of_arg: dict[str, int] = model.get("type_of_arg", {})
        self.alias_fields = frozenset(model.get("lock_alias_fields", ()))
        self.lock_types = frozenset(model.get("lock_types", ()))
        self.file = ""
        self.statics: frozenset[str] = frozenset()     # this file's file-scope statics
        self.local_objects: dict[str, str] = {}        # name -> class key (local static / stack lock)
        # struct tag -> the file defining the layout this file sees, for a
        # tag two headers define differently (frontend.struct_homes)
        self.homes: dict[str, str] = {}
        # structs whose lock is keyed where the container is initialised (classes.toml)
        self.generic = frozenset(model.get("classes", {}).get("generic_containers", {}))
        # an element's index (analysis.element_index): an integer constant
        # expression's value (node -> int or None), the parameters never written
        self.constant = None
        self.fixed_params: frozenset[str] = frozenset()

    # -- scopes
    def push(self) -> None:
        self.scopes.append({})
        self.aliases.append({})
        self.addrs.append({})

    def pop(self) -> None:
        self.scopes.pop()
        self.aliases.pop()
        self.addrs.pop()

    def declare(self, name: str, decl_type) -> TypeRef | None:
        ref = _typename_ref(decl_type) if decl_type is not None else None
        self.scopes[-1][name] = ref
        return ref

    def alias(self, name: str, lock: LockRef | None) -> None:
        """``name = <lock expression>``: recorded in the scope that declares
        ``name``; a different class assigned in a nested scope (one branch)
        leaves the local unresolved (``None``) after it."""
        depth = next((k for k in range(len(self.scopes) - 1, -1, -1) if name in self.scopes[k]), 0)
        for k in range(len(self.aliases) - 1, depth, -1):
            self.aliases[k].pop(name, None)
        old = self.aliases[depth].get(name, lock)
        nested = depth < len(self.scopes) - 1
        self.aliases[depth][name] = None if nested and (old is None or lock is None or old.key != lock.key) \
            else lock

    def address_alias(self, name: str, target) -> None:
        """``name = &a->b`` (a struct pointer local set to the address of a
        member, ``target`` that StructRef) or ``name = <anything else>``
        (``target`` None): ``name->f`` is ``a->b.f`` while the local holds
        that address (one class path, analysis.classes).  Same scoping as
        :meth:`alias`: set to another value in a nested scope, unknown after."""
        depth = next((k for k in range(len(self.scopes) - 1, -1, -1) if name in self.scopes[k]), 0)
        for k in range(len(self.addrs) - 1, depth, -1):
            self.addrs[k].pop(name, None)
        if target is None and not any(name in scope for scope in self.addrs):
            return
        old = self.addrs[depth].get(name, target)
        nested = depth < len(self.scopes) - 1
        same = old is not None and target is not None and expr_text(_array_member(old)) == expr_text(_array_member(target))
        self.addrs[depth][name] = None if nested and not same else target

    def lookup_address(self, name: str):
        for scope in reversed(self.addrs):
            if name in scope:
                return scope[name]
        return None

    def lookup_alias(self, name: str) -> tuple[LockRef | None, bool]:
        """(class, assigned): an assigned local with no class is unresolved."""
        for scope in reversed(self.aliases):
            if name in scope:
                return scope[name], True
        return None, False

    def lookup(self, name: str) -> tuple[TypeRef | None, bool]:
        """(type, is_local)."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name], True
        own = self.index.file_globals.get(self.file)   # this unit's statics, no other file's
        if own is not None and name in own:
            return own[name], False
        return self.index.globals.get(name), False

    # -- types
    def resolve_typedef(self, ref: TypeRef | None) -> TypeRef | None:
        seen = 0
        while ref is not None and not ref.base.startswith(("struct ", "union ")) and seen < 8:
            target = self.index.typedef_targets.get(ref.base)
            if target is None:
                return ref
            if target.base == FUNCTION_TYPE:   # `hook *` of `typedef void (hook)(..)`
                return function_pointer(target, ref.pointers) or ref
            ref = TypeRef(target.base, target.pointers + ref.pointers)
            seen += 1
        return ref

    def type_of(self, node) -> TypeRef | None:
        ref = self._type_of(node)
        return self.resolve_typedef(ref)

    def _type_of(self, node) -> TypeRef | None:
        if isinstance(node, c_ast.ID):
            return self.lookup(node.name)[0]
        if isinstance(node, c_ast.StructRef):
            base = self.type_of(node.name)
            if base is None or not isinstance(node.field, c_ast.ID):
                return None
            fields = self.index.structs.get(base.base)
            return fields.get(node.field.name) if fields else None
        if isinstance(node, c_ast.UnaryOp):
            inner = self.type_of(node.expr)
            if inner is None:
                return None
            if node.op == "&":
                return inner.addr()
            if node.op == "*":
                return inner.deref()
            return inner if node.op in ("++", "--", "p++", "p--") else None
        if isinstance(node, c_ast.Cast):
            return _typename_ref(node.to_type)
        if isinstance(node, c_ast.ArrayRef):
            inner = self.type_of(node.name)
            return inner.deref() if inner else None
        if isinstance(node, c_ast.TernaryOp):
            return self.type_of(node.iftrue) or self.type_of(node.iffalse)
        if isinstance(node, c_ast.FuncCall):
            return self._call_type(node)
        if isinstance(node, c_ast.Assignment):
            return self.type_of(node.lvalue)
        return None

    def _call_type(self, node: c_ast.FuncCall) -> TypeRef | None:
        if not isinstance(node.name, c_ast.ID):
            return None
        name = node.name.name
        args = node.args.exprs if node.args else []
        if name in self.type_from_arg and len(args) > self.type_from_arg[name]:
            arg = args[self.type_from_arg[name]]
            if isinstance(arg, c_ast.UnaryOp) and arg.op == "sizeof" and isinstance(arg.expr, c_ast.Typename):
                ref = _typename_ref(arg.expr)
                return ref.addr() if ref else None
            if isinstance(arg, c_ast.ID):
                return TypeRef(arg.name, 1)
            return None
        if name in self.type_of_arg and len(args) > self.type_of_arg[name]:
            return self.type_of(args[self.type_of_arg[name]])
        return self.index.returns.get(name)


def _strip(node, alias_fields=frozenset()):
    while True:
        if isinstance(node, c_ast.StructRef) and isinstance(node.field, c_ast.ID) \
                and node.field.name in alias_fields:
            node = node.name
            continue
        if isinstance(node, c_ast.Cast):
            node = node.expr
        elif isinstance(node, c_ast.UnaryOp) and node.op == "&":
            node = node.expr
        elif isinstance(node, c_ast.UnaryOp) and node.op == "*" and isinstance(node.expr, c_ast.UnaryOp) \
                and node.expr.op == "&":
            node = node.expr.expr
        else:
            return node


def lock_ref(node, env: TypeEnv) -> tuple[LockRef, bool]:
    """The lock class of a lock expression; second item: resolved by type."""
    bare = _strip(node, env.alias_fields)
    if isinstance(bare, c_ast.ID):
        alias, assigned = env.lookup_alias(bare.name)
        if alias is not None:
            return alias, True
        typ, is_local = env.lookup(bare.name)
        if is_local and bare.name in env.local_objects and not assigned:
            return LockRef(env.local_objects[bare.name], bare.name), True
        if bare.name in env.params and not _is_struct_value(typ) and not assigned:
            return LockRef(f"p:{env.params[bare.name]}", bare.name), True
        if not is_local:
            return _global_ref(bare.name, env), True
    if isinstance(bare, c_ast.StructRef) and isinstance(bare.field, c_ast.ID):
        ref = _field_ref(bare, env)
        if ref is not None:
            return ref, True
    if isinstance(bare, c_ast.TernaryOp):
        # `c ? &a_map : &b_map`: one class when both sides agree, else the first
        first, ok = lock_ref(bare.iftrue, env)
        if ok:
            return first, True
    if isinstance(bare, c_ast.ArrayRef):
        inner, ok = lock_ref(bare.name, env)
        if ok:
            return _element(inner, (("+", bare.subscript),), env), True
    element = element_parts(bare, env)
    if element is not None:
        # `locks + i` is `&locks[i]`: the same element, the same class
        inner, ok = lock_ref(element[0], env)
        if ok:
            return _element(inner, element[1], env), True
    text = expr_text(node)
    return LockRef(f"t:{text}", text), False


def _element(inner: LockRef, terms, env: TypeEnv) -> LockRef:
    """The element of the array ``inner`` at the index summing ``terms``:
    its key carries the index where it is known (analysis.element_index)."""
    key = unindexed(inner.key)
    return LockRef(key + "[]" + index_mark(key, terms, env), inner.path + "[]", inner.owner)


def _is_struct_value(typ: TypeRef | None) -> bool:
    return typ is not None and typ.pointers == 0 and typ.base.startswith("struct ")


def _field_ref(node: c_ast.StructRef, env: TypeEnv) -> LockRef | None:
    """``a->b.c`` → field ``c`` of the struct type of ``a->b`` (the class),
    displayed from the last ``->`` hop: ``&<var of a's type>->b.c``.

    lockdep keys a dynamically initialised lock by its init site; the
    checker approximates that by the field path.  The key carries where
    the lock's struct sits in the next struct out, ``f:S:F#OUTER:FIELD``
    (``&cmdq->csq.lock``: ``f:struct cmq_ring:lock#struct cmq:csq``); the
    analysis keeps that qualifier only for a field initialised at more
    than one such place (``csq.lock`` and ``crq.lock``: two
    ``spin_lock_init()`` calls, two classes) and for generic containers
    (``generic_containers`` in classes.toml: a wait queue is keyed where
    it is initialised, so ``&conn->pending_rx.lock`` is not
    ``&sk->sk_wq.lock``).  A generic container reached through a
    parameter is the parameter's, ``p:N.PATH@STRUCT``, resolved at each
    call site to the caller's container.  ``(&a->b)->c`` is ``a->b.c``
    (a macro reaching a member of its argument: ``&(_dwork)->work``)."""
    node = _addr_members(node)
    chain = _hops(node, env)
    if chain is not None:
        hops, base, through_pointer = chain
        g = next((k for k, (t, _) in enumerate(hops) if t in env.generic), None)
        if g == 0 and through_pointer and isinstance(base, c_ast.ID) and base.name in env.params \
                and not env.lookup_alias(base.name)[1]:
            path = ".".join(f for _, f in hops)
            return LockRef(f"p:{env.params[base.name]}.{path}@{hops[0][0]}", path, hops[0][0])
        k = g if g is not None else len(hops) - 1
        key = f"f:{_tag(hops[k][0], env)}:{'.'.join(f for _, f in hops[k:])}"
        if k > 0:
            key += f"#{_tag(hops[k - 1][0], env)}:{hops[k - 1][1]}"
        owner, path = _display_path(node, env)
        return LockRef(key, path, owner)
    # a global struct object: &apic_hw_disabled.key
    root = node
    parts = []
    while isinstance(root, c_ast.StructRef) and root.type == "." and isinstance(root.field, c_ast.ID):
        parts.append(root.field.name)
        root = root.name
    if isinstance(root, c_ast.ID) and not env.lookup(root.name)[1]:
        path = ".".join([root.name] + parts[::-1])
        return _global_ref(path, env, root.name)
    if isinstance(root, c_ast.ID) and root.name in env.local_objects:
        path = ".".join([root.name] + parts[::-1])
        return LockRef(env.local_objects[root.name] + path[len(root.name):], path)
    return None


def _addr_members(node):
    """``(&E)->f`` rewritten as ``E.f`` along a member chain (the same
    object in C), so a member reached through the address of a struct
    has the path and class of the same member written directly."""
    if not isinstance(node, c_ast.StructRef):
        return node
    inner = _addr_members(node.name)
    kind = node.type
    if kind == "->" and isinstance(inner, c_ast.UnaryOp) and inner.op == "&":
        inner, kind = _addr_members(inner.expr), "."
    if inner is node.name and kind == node.type:
        return node
    return c_ast.StructRef(inner, kind, node.field, node.coord)


def _hops(node: c_ast.StructRef, env: TypeEnv):
    """([(struct type, field)] from the outermost typed struct in to the
    lock, the base expression, whether the chain starts at a ``->``);
    None for a global object's members (keyed by name) or an untyped lock."""
    hops = []
    cur = node
    followed: set[str] = set()
    while isinstance(cur, c_ast.StructRef) and isinstance(cur.field, c_ast.ID):
        typ = env.type_of(cur.name)
        if typ is None or not typ.base.startswith(("struct ", "union ")):
            break
        hops.append((typ.base, cur.field.name))
        if cur.type == "->":
            name = cur.name.name if isinstance(cur.name, c_ast.ID) else None
            target = env.lookup_address(name) if name is not None and name not in followed else None
            if target is None:
                return hops[::-1], cur.name, True
            followed.add(name)
            cur = _array_member(target)    # `own = &cpuctx->ctx; own->lock`: cpuctx->ctx.lock
            continue
        cur = _array_member(cur.name)
    if not hops:
        return None
    if cur is not node and isinstance(cur, c_ast.ID) and not env.lookup(cur.name)[1] and len(hops) == _depth(node):
        return None     # a global object: keyed by its name
    return hops[::-1], cur, False


def _tag(struct: str, env: TypeEnv) -> str:
    """A struct tag in a class key: with the file defining it where two
    files define the tag differently (``struct r8a66597@drivers/usb/host/r8a66597.h``)."""
    home = env.homes.get(struct)
    return f"{struct}@{home}" if home else struct


def _array_member(node):
    """``a->b[i]`` → ``a->b``: an element of an array member is reached
    through that member, the place its lock is initialised
    (``spin_lock_init(&h.bhash[i].lock)`` and ``&h.bhash2[i].lock``: two
    init sites, two classes; ``head = &h->bhash[n]; head->lock`` is the
    first)."""
    if isinstance(node, c_ast.ArrayRef) and isinstance(node.name, c_ast.StructRef):
        return node.name
    return node


def _depth(node) -> int:
    n = 0
    while isinstance(node, c_ast.StructRef):
        n += 1
        node = node.name
    return n


def _global_ref(path: str, env: TypeEnv, name: str | None = None) -> LockRef:
    """A global is its own class; a file-scope ``static`` one is keyed by
    name and file (``g:NAME@FILE``) (two files' ``static DEFINE_MUTEX(register_mutex)`` are
    two classes, as in lockdep)."""
    if (name or path) in env.statics:
        return LockRef(f"g:{path}@{env.file}", path)
    return LockRef(f"g:{path}", path)


def declare_defined_object(env: TypeEnv, function: str, node, definitions: dict) -> bool:
    """``DEFINE_MUTEX(m);`` inside a body (``static`` or not): a lock object
    of the function's own, declared in the current scope.  Two functions'
    ``DEFINE_MUTEX(mutex)`` are two classes (each its own init site), not
    one global ``mutex``."""
    if not (isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID) and function
            and node.name.name in definitions and node.args is not None):
        return False
    spec = definitions[node.name.name]
    args = node.args.exprs
    pos = spec.get("name_arg", 0)
    if "type" not in spec or pos >= len(args) or not isinstance(args[pos], c_ast.ID):
        return False
    name = args[pos].name
    env.scopes[-1][name] = TypeRef(spec["type"], 0)
    env.local_objects[name] = local_object_key(env, function, name)
    return True


def local_object_key(env: TypeEnv, function: str, name: str) -> str:
    """The class of a function's own lock object (a ``static`` local or a
    lock on the stack): one per function, like its init site."""
    return f"g:{function}.{name}@{env.file}"


def _display_path(node: c_ast.StructRef, env: TypeEnv) -> tuple[str, str]:
    parts = []
    cur = node
    followed: set[str] = set()
    element = False     # the next member is an array: `ptab[].lock`

    def member(name: str) -> None:
        parts.append(name + "[]" if element else name)

    while True:
        while isinstance(cur, c_ast.StructRef) and cur.type == "." and isinstance(cur.field, c_ast.ID):
            member(cur.field.name)
            element = _array_member(cur.name) is not cur.name
            cur = _array_member(cur.name)
        if not (isinstance(cur, c_ast.StructRef) and cur.type == "->" and isinstance(cur.field, c_ast.ID)):
            break
        member(cur.field.name)
        element = False
        name = cur.name.name if isinstance(cur.name, c_ast.ID) else None
        target = env.lookup_address(name) if name is not None and name not in followed else None
        if target is not None:      # shown as the member the local points to
            followed.add(name)
            element = _array_member(target) is not target
            cur = _array_member(target)
            continue
        owner = env.type_of(cur.name)
        if owner is not None:
            return owner.base, ".".join(parts[::-1])
        break
    typ = env.type_of(node.name)
    return (typ.base if typ else ""), node.field.name


def lock_of_dep_map(node):
    """``&(lock)->dep_map`` (``&lock.dep_map``): the lock whose
    ``lockdep_map`` an annotation names, as ``&lock``."""
    if isinstance(node, c_ast.UnaryOp) and node.op == "&" and isinstance(node.expr, c_ast.StructRef) \
            and isinstance(node.expr.field, c_ast.ID) and node.expr.field.name == "dep_map":
        inner = node.expr
        return inner.name if inner.type == "->" else c_ast.UnaryOp("&", inner.name)
    return node

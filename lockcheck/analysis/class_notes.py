"""Class annotations as extraction sees them, one function at a time.

The parse side of :mod:`lockcheck.analysis.classes`: each function's
``class_notes`` are made here from its calls (``lockdep_set_class()``,
``mutex_init()`` and the other rows of ``model/data/classes.toml``), its
stores into lock-pointer fields, what it returns when it returns a lock,
and a lock followed by its ``lockdep_map`` annotation.  The notes are
plain tuples; :func:`lockcheck.analysis.classes.collect` reads them for
the whole scan.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.element_index import element_parts, unindexed
from lockcheck.analysis.typing import expr_text, lock_of_dep_map, lock_ref as typed_lock_ref

__all__ = ["call_note", "store_note", "returns_lock_pointer", "returns_note", "returned_lock",
           "dep_map_pairs", "RETURNED", "INIT_SITE"]

def call_note(fname: str, args, lock_ref, model: dict, site: str = "", env=None) -> tuple[str, str, str] | None:
    """The class annotation made by the call ``fname(args)``, if any:
    ``(kind, class key, detail)``; ``lock_ref(node) -> (LockRef, ok)``;
    ``site`` (``function:line``) names the call for an init macro whose
    lock is not tied to a place in an outer struct.  An annotation is
    about an array's elements whatever their index (``[]``, not ``[]=N``);
    one giving each element the key of the same index (``&keys[i]``) is
    ``per_index`` (analysis.element_index; ``env`` types ``locks + i``)."""
    typed = lock_ref

    def lock_ref(node):
        ref, ok = typed(node)
        return (ir.LockRef(unindexed(ref.key), ref.path, ref.owner, ref.subclass), ok) if "[]=" in ref.key \
            else (ref, ok)
    novalidate = model.get("novalidate", {}).get("names", ())
    spec = None
    if fname in model.get("init", {}):
        k = model["init"][fname]
        if len(args) <= k:
            return None
        ref, ok = lock_ref(args[k])
        inner, _, qualifier = ref.key.partition("#")
        if not ok or not inner.startswith("f:") or not (qualifier or site):
            return None
        # the place in the outer struct (`#struct cmq:csq`), else the call itself
        return ("init", inner, qualifier or INIT_SITE + site)
    if fname in model.get("init_key", {}):
        spec = model["init_key"][fname]
        if len(args) <= max(spec["lock"], spec["key"]):
            return None
        ref, ok = lock_ref(args[spec["lock"]])
        # a static key here is the init site's own class (mutex_init()'s
        # expansion); a key the caller passes is a class per caller
        if ok and ref.key.startswith(("f:", "g:")) and _key_detail(args[spec["key"]], lock_ref) == "dynamic":
            return per_index_note(args[spec["lock"]], args[spec["key"]], ref.key, env) \
                or ("init_key", ref.key, "dynamic")
        return None
    if fname in novalidate:
        kind, spec = "novalidate", {"lock": 0}
    elif fname in model.get("cmp_fn", {}).get("names", ()):
        kind, spec, args = "ordered", {"lock": 0}, [lock_of_dep_map(args[0])] if args else args
    elif fname in model.get("set_subclass", {}):
        kind, spec = "subclass", model["set_subclass"][fname]
    elif fname in model.get("set_class", {}):
        kind, spec = "class", model["set_class"][fname]
    if spec is None or len(args) <= spec["lock"]:
        return None
    ref, ok = lock_ref(args[spec["lock"]])
    if not ok or not ref.key.startswith(("f:", "g:")):
        return None     # a parameter or unknown text: no class to annotate here
    detail = ""
    if kind == "subclass":
        detail = _subclass_detail(args, spec)
    elif kind == "class":
        detail = _key_detail(args[spec["key"]], lock_ref) if len(args) > spec["key"] else "dynamic"
        if detail == "dynamic" and len(args) > spec["key"] and spec.get("subclass") is None:
            note = per_index_note(args[spec["lock"]], args[spec["key"]], ref.key, env)
            if note is not None:
                return note
        if spec.get("subclass") is not None and _subclass_detail(args, spec) not in ("", "const:0"):
            detail = "dynamic"
        if detail.startswith("static:") and ref.key.startswith("f:") and site:
            # one instance reached through a pointer or a local: where
            # (collect: does the field keep its class for other instances?)
            detail += INIT_SITE + site
    return (kind, ref.key, detail)


def store_note(lvalue, value, env, lock_types) -> tuple[str, str, str] | None:
    """``("store", FIELD, LOCK)`` for ``x->lock = &x->_lock``: a store into
    a lock pointer field (``struct mutex *lock``), LOCK the class stored
    (``?`` when it names none: a parameter, a call's value)."""
    if not isinstance(lvalue, c_ast.StructRef):
        return None
    typ = env.type_of(lvalue)
    if typ is None or typ.pointers != 1 or typ.base not in lock_types:
        return None
    field_ref, ok = typed_lock_ref(lvalue, env)
    if not ok or not field_ref.key.startswith("f:"):
        return None
    bare = value
    while isinstance(bare, c_ast.Cast):
        bare = bare.expr
    if isinstance(bare, c_ast.Constant) or (isinstance(bare, c_ast.ID) and bare.name == "NULL"):
        return None     # no lock
    ref, ok = typed_lock_ref(value, env)
    key, field_key = unindexed(ref.key), unindexed(field_ref.key)
    stored = key if ok and key.startswith(("f:", "g:")) and key != field_key else "?"
    if ok and key == field_key:
        return None     # copied from another instance's field: no news
    return ("store", field_key, stored)


RETURNED = "@ret:"
#: An init note's detail for a lock not tied to a place in an outer struct:
#: the init call itself (``function:line``), one of lockdep's classes.
INIT_SITE = "@site:"


def returns_lock_pointer(ftype, env, lock_types) -> bool:
    """Does the function (its FuncDecl) return a pointer to a lock?"""
    from lockcheck.analysis.typing import decl_type_ref
    if not isinstance(ftype, c_ast.FuncDecl):
        return False
    ref = decl_type_ref(ftype.type)
    resolved = env.resolve_typedef(ref)
    return ref is not None and ref.pointers == 1 and (ref.base in lock_types or resolved.base in lock_types)


def returns_note(fn_name: str, expr, env) -> tuple[str, str, str]:
    """``("returns", FUNCTION, WHAT)`` for ``return EXPR;`` in a function
    returning a lock pointer: WHAT the class returned, ``call:G`` for what
    G returns, ``?`` for what names no class (a parameter, unknown text)."""
    bare = expr
    while isinstance(bare, c_ast.Cast):
        bare = bare.expr
    if isinstance(bare, c_ast.FuncCall) and isinstance(bare.name, c_ast.ID):
        return ("returns", fn_name, "call:" + bare.name.name)
    ref, ok = typed_lock_ref(expr, env)
    if ok and ref.key.startswith("u:") and RETURNED in ref.key:
        return ("returns", fn_name, "call:" + ref.key.rsplit(RETURNED, 1)[1])
    ok = ok and ref.key.startswith(("f:", "g:")) and "#" not in ref.key
    return ("returns", fn_name, unindexed(ref.key) if ok else "?")


def returned_lock(path: str, fn_name: str, var: str, call) -> ir.LockRef | None:
    """``ptl = pmd_lock(mm, pmd)``: the local is the lock the callee returns,
    unresolved (``u:``, its own class) unless the scan shows what that is."""
    if not isinstance(call, c_ast.FuncCall) or not isinstance(call.name, c_ast.ID):
        return None
    return ir.LockRef(f"u:{path}:{fn_name}:{var}{RETURNED}{call.name.name}", var)



def per_index_note(lock_node, key_node, lock_key: str, env) -> tuple[str, str, str] | None:
    """``("per_index", ARRAY, "")`` for an init or class annotation giving
    the element ``&locks[E]`` the key ``&keys[E]`` (or ``locks + E`` and
    ``keys + E``): a key per index, the same index expression
    (analysis.element_index)."""
    if not lock_key.startswith(("f:", "g:")) or not lock_key.endswith("[]"):
        return None
    a, b = _index_text(lock_node, env), _index_text(key_node, env)
    return ("per_index", lock_key, "") if a is not None and a == b else None


def _index_text(node, env) -> str | None:
    while isinstance(node, c_ast.Cast):
        node = node.expr
    if isinstance(node, c_ast.UnaryOp) and node.op == "&" and isinstance(node.expr, c_ast.ArrayRef):
        return expr_text(node.expr.subscript)
    parts = element_parts(node, env) if env is not None else None
    if parts is None:
        return None
    return " ".join(sign + expr_text(n) for sign, n in parts[1])


def _subclass_detail(args, spec) -> str:
    k = spec.get("subclass")
    if k is None or len(args) <= k:
        return "dynamic"
    node = args[k]
    if isinstance(node, c_ast.Constant):
        try:
            return f"const:{int(node.value.rstrip('uUlL'), 0)}"
        except ValueError:
            return "dynamic"
    return "dynamic"


def _key_detail(node, lock_ref) -> str:
    """``static:KEY`` when the key is one object (``&iint_mutex_key``), else
    ``dynamic`` (a field of an instance, an array element, a parameter)."""
    bare = node
    while isinstance(bare, c_ast.Cast):
        bare = bare.expr
    if isinstance(bare, c_ast.UnaryOp) and bare.op == "&" and isinstance(bare.expr, c_ast.ID):
        ref, ok = lock_ref(bare)
        if ok and ref.key.startswith("g:"):
            return f"static:{ref.key}"
    return "dynamic"


def dep_map_pairs(body: ir.Block, map_kind: str = "lockdep_map") -> tuple[tuple[str, str, str], ...]:
    """``("same", lock, map)`` for each lock acquired right before (the next
    item of the same block, or the same line) a ``lockdep_map`` annotation
    on another class: the annotation is how lockdep sees that lock."""
    out = set()
    for block in _blocks(body):
        acquires = [(k, a) for k, item in enumerate(block.items) if (a := _acquire_of(item)) is not None]
        for (k1, a), (k2, b) in zip(acquires, acquires[1:]):
            if a.kind == map_kind or b.kind != map_kind or a.lock.key == b.lock.key:
                continue
            if k2 == k1 + 1 or a.line == b.line:
                out.add(("same", unindexed(a.lock.key), unindexed(b.lock.key)))
    return tuple(sorted(out))


def _acquire_of(item):
    if isinstance(item, ir.Acquire) and item.action == "acquire":
        return item
    if isinstance(item, ir.EffectAssign) and item.effect.blocking:
        return item.effect.acquire
    return None


def _blocks(node):
    if isinstance(node, ir.Block):
        yield node
    if isinstance(node, (ir.Block,)):
        children = node.items
    elif isinstance(node, ir.If):
        children = (node.then, node.orelse)
    elif isinstance(node, ir.Loop):
        children = (node.body, node.post)
    elif isinstance(node, ir.Switch):
        children = (node.pre, node.body)
    else:
        return
    for child in children:
        yield from _blocks(child)

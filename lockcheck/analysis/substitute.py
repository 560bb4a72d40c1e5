"""Parameter locks: ``spin_lock(lock)`` on a parameter is resolved at each
call site to the class of the argument passed."""

from __future__ import annotations

import re
from functools import lru_cache

from lockcheck.analysis.element_index import PARAM_INDEX, subst_index
from lockcheck.analysis.ir import LockRef

#: A subclass computed at run time: its own class, never "recursive".
DYNAMIC_SUBCLASS = 99
#: ``PARAM_SUBCLASS + N``: the subclass is the function's N-th parameter
#: (``lock_sock_nested(sk, subclass)``), resolved at each call site.
PARAM_SUBCLASS = 1000

#: ``p:N.PATH@STRUCT``: field PATH of the N-th parameter, a STRUCT embedded
#: in several others (analysis.typing); STRUCT's own class if no caller says.
_PARAM_FIELD = re.compile(r"^p:(\d+)\.([^@]+)@(.+)$")


def split_class_key(class_key: str) -> tuple[str, int]:
    """``key/N`` → (key, N); keys may hold paths (``u:``, ``s:``)."""
    base, sep, sub = class_key.rpartition("/")
    return (base, int(sub)) if sep and sub.isdigit() else (class_key, 0)

__all__ = ["subst", "subst_keys", "ref_from_key"]


def subst(ref: LockRef, args: tuple, callee, call=None, index_call=None) -> LockRef:
    """``ref`` of ``callee`` as the call passing ``args`` sees it;
    ``call`` resolves a parameter's subclass and an element's index,
    ``index_call`` only the index (analysis.element_index)."""
    if ref.subclass >= PARAM_SUBCLASS:
        ref = _subst_subclass(ref, call)
    if PARAM_INDEX in ref.key:     # an element at an index the caller gives
        ref = LockRef(subst_index(ref.key, call or index_call), ref.path, ref.owner, ref.subclass)
    if not ref.is_param:
        return ref
    m = _PARAM_FIELD.match(ref.key)
    if m is not None:
        return _subst_field(ref, int(m.group(1)), m.group(2), m.group(3), args)
    n = int(ref.key[2:].split("/")[0].split("[")[0])
    arg = args[n] if n < len(args) else None
    if arg is None:
        name = callee.params[n] if n < len(callee.params) else f"arg{n}"
        # no class known at the call site: unresolved (analysis.classes)
        return LockRef(f"u:{callee.file}:{callee.name}:{name}", f"{name} (argument of {callee.name})")
    if ref.subclass and not arg.subclass:
        return LockRef(arg.key, arg.path, arg.owner, ref.subclass)
    return arg


def subst_keys(keys: frozenset[str], args: tuple, callee, call=None) -> frozenset[str]:
    if not any(k.startswith("p:") or PARAM_INDEX in k for k in keys):
        return keys
    out = set()
    for k in keys:
        if k.startswith("p:") or PARAM_INDEX in k:
            base, sub = split_class_key(k)
            # the call resolves an index only (a released subclass stays as it was)
            out.add(subst(LockRef(base, subclass=sub), args, callee, index_call=call).class_key)
        else:
            out.add(k)
    return frozenset(out)


def ref_from_key(key: str) -> LockRef:
    """A LockRef known only by its class key (releases from summaries)."""
    base, sub = split_class_key(key)
    return LockRef(base, subclass=sub)


def _subst_field(ref: LockRef, n: int, path: str, struct: str, args: tuple) -> LockRef:
    """The caller's container: ``&foo->wq`` passed for ``wq_head`` makes
    ``wq_head->lock`` the class of ``&foo->wq.lock``
    (``f:struct wait_queue_head:lock#struct foo:wq``, as analysis.typing
    keys the direct access)."""
    arg = args[n] if n < len(args) else None
    sub = ref.subclass
    if arg is not None and not arg.subclass:
        key = arg.key
        shown = f"{arg.path}.{path}" if arg.path else path
        if key.startswith("g:") and "[" not in key:
            name, at, where = key.partition("@")     # a static: g:NAME@FILE
            return LockRef(f"{name}.{path}{at}{where}", shown, arg.owner, sub)
        if key.startswith("f:") and "[" not in key:
            inner, _, qualifier = key.partition("#")
            if inner.split(":", 2)[1] in _generic_containers():
                # the argument is itself inside a generic container (its key is one)
                return LockRef(f"{inner}.{path}" + (f"#{qualifier}" if qualifier else ""), shown, arg.owner, sub)
            return LockRef(f"f:{struct}:{path}#{inner[2:]}", shown, arg.owner, sub)
        if key.startswith("p:") and "@" not in key and "[" not in key:
            return LockRef(f"{key}.{path}@{struct}", path, struct, sub)
        m = _PARAM_FIELD.match(key)
        if m is not None:
            return LockRef(f"p:{m.group(1)}.{m.group(2)}.{path}@{m.group(3)}", path, struct, sub)
    return LockRef(f"f:{struct}:{path}", path, struct, sub)


@lru_cache(maxsize=1)
def _generic_containers() -> frozenset[str]:
    from lockcheck.model.loader import load_model
    return frozenset(load_model("classes").get("generic_containers", {}))


def _subst_subclass(ref: LockRef, call) -> LockRef:
    """A subclass known at the call site travels through the wrapper:
    ``lock_sock(sk)`` is ``lock_sock_nested(sk, 0)``, subclass 0."""
    n = ref.subclass - PARAM_SUBCLASS
    sub = DYNAMIC_SUBCLASS
    if call is not None:
        value = dict(call.const_args).get(n)
        forwarded = dict(call.forwarded_params).get(n)
        if value == "zero":
            sub = 0
        elif value is not None and value.startswith("id:") and value[3:] in _subclass_constants():
            sub = int(_subclass_constants()[value[3:]])
        elif forwarded is not None:
            sub = PARAM_SUBCLASS + forwarded
    return LockRef(ref.key, ref.path, ref.owner, sub)


@lru_cache(maxsize=1)
def _subclass_constants() -> dict:
    from lockcheck.model.loader import load_model
    return load_model("analysis").get("subclass_constants", {})

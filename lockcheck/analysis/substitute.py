"""Parameter locks: ``spin_lock(lock)`` on a parameter is resolved at each
call site to the class of the argument passed."""

from __future__ import annotations

from lockcheck.analysis.ir import LockRef

__all__ = ["subst", "subst_keys", "ref_from_key"]


def subst(ref: LockRef, args: tuple, callee) -> LockRef:
    if not ref.is_param:
        return ref
    n = int(ref.key[2:].split("/")[0].split("[")[0])
    arg = args[n] if n < len(args) else None
    if arg is None:
        name = callee.params[n] if n < len(callee.params) else f"arg{n}"
        return LockRef(f"t:{name}@{callee.name}", f"{name} (argument of {callee.name})")
    if ref.subclass and not arg.subclass:
        return LockRef(arg.key, arg.path, arg.owner, ref.subclass)
    return arg


def subst_keys(keys: frozenset[str], args: tuple, callee) -> frozenset[str]:
    if not any(k.startswith("p:") for k in keys):
        return keys
    out = set()
    for k in keys:
        if k.startswith("p:"):
            base, _, sub = k.partition("/")
            out.add(subst(LockRef(base, subclass=int(sub) if sub else 0), args, callee).class_key)
        else:
            out.add(k)
    return frozenset(out)


def ref_from_key(key: str) -> LockRef:
    """A LockRef known only by its class key (releases from summaries)."""
    base, _, sub = key.partition("/")
    return LockRef(base, subclass=int(sub) if sub.isdigit() else 0)

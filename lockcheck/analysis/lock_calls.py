"""Extraction of a lock primitive call (:class:`LockCallExtraction`, a part
of :class:`lockcheck.analysis.extract.Extractor`): the lock it names (its
class, subclass and path, or an unresolved key of its own), and its IR item:
an acquire, release, assert or sync, a conditional acquire (trylock), a
``guard()`` or scoped guard."""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.nest_locks import nest_mode
from lockcheck.analysis.substitute import DYNAMIC_SUBCLASS, PARAM_SUBCLASS
from lockcheck.analysis.typing import lock_ref
from lockcheck.analysis.workclass import work_map
from lockcheck.model.primitives import Primitive

__all__ = ["LockCallExtraction"]

_CONDITIONAL = {"trylock": ("nonzero", False), "acquire_unless_error": ("zero", True)}


def _tries(prim: Primitive, args) -> bool:
    """A lockdep annotation told it is a trylock (``mutex_acquire(&m->dep_map,
    0, 1, ip)``): held, but lockdep adds no dependency for it."""
    k = prim.trylock_arg
    if k is None or len(args) <= k or not isinstance(args[k], c_ast.Constant):
        return False
    try:
        return int(args[k].value.rstrip("uUlL"), 0) != 0
    except ValueError:
        return False


class LockCallExtraction:
    """Lock primitive calls, for the extractor (its ``env``, ``catalogue``,
    ``expr`` and ``lock_base``, the counts of unresolved locks)."""

    def _lock_of(self, prim: Primitive, args, line: int) -> ir.LockRef | None:
        if prim.lock:
            return ir.LockRef(f"g:{prim.lock}", prim.lock)
        if len(args) <= prim.lock_arg:
            return None
        node = args[prim.lock_arg]
        if prim.lock_field:     # lock_sock(sk): &sk->sk_lock
            node = c_ast.StructRef(node, "->", c_ast.ID(prim.lock_field))
        ref, ok = lock_ref(node, self.env)
        if ok and ref.key.startswith("u:"):
            self.unresolved += 1    # a call's value (analysis.class_notes.returned_lock) until resolved
            self.unresolved_sites.add((line, ref.path))
        if not ok:
            self.unresolved += 1
            self.unresolved_sites.add((line, ref.path))
            # names no class: its own, never joined to another unresolved one
            ref = ir.LockRef(f"u:{self.path}:{self.fn_name}:{ref.path}", ref.path)
            self.texts[ref.key] = ref.path
        if prim.class_prefix:
            if prim.class_prefix == "w:":
                ref = work_map(ref)
            ref = ir.LockRef(prim.class_prefix + ref.key, ref.path, ref.owner, ref.subclass)
        if prim.subclass_arg is not None and len(args) > prim.subclass_arg:
            sub = self._subclass(args[prim.subclass_arg])
            if sub:
                ref = ir.LockRef(ref.key, ref.path, ref.owner, sub)
        return ref

    def _subclass(self, node) -> int:
        if isinstance(node, c_ast.Constant):
            try:
                return int(node.value.rstrip("uUlL"), 0)
            except ValueError:
                return 1
        if isinstance(node, c_ast.ID) and node.name in self.subclass_constants:
            return int(self.subclass_constants[node.name])
        if isinstance(node, c_ast.ID) and node.name in self.env.params and not self.env.lookup_alias(node.name)[1]:
            return PARAM_SUBCLASS + self.env.params[node.name]
        return DYNAMIC_SUBCLASS

    def _primitive(self, prim: Primitive, args, line: int, out: list):
        for a in args:
            if isinstance(a, c_ast.FuncCall):
                self.expr(a, out)
        lock = self._lock_of(prim, args, line)
        if lock is None:
            return None
        if prim.action == "release":
            return ir.Release(line, lock, prim.name, self.lock_base(args[prim.lock_arg]) if not prim.lock else "")
        if prim.action in ("assert_held", "assert_not_held"):
            return ir.Assert(line, lock, prim.action == "assert_held", prim.mode)
        if prim.action == "sync":
            return ir.Acquire(line, lock, prim.name, "exclusive", prim.kind, "sync")
        acquire = ir.Acquire(line, lock, prim.name, nest_mode(prim.mode, prim.nest_arg, args, self.env), prim.kind,
                             "trylock" if prim.action == "trylock" or _tries(prim, args) else "acquire",
                             through="" if prim.lock or prim.lock_field or prim.class_prefix
                             else self.lock_through(args[prim.lock_arg]),
                             base="" if prim.lock or prim.class_prefix else self.lock_base(args[prim.lock_arg]))
        if prim.action in _CONDITIONAL:
            on, blocking = _CONDITIONAL[prim.action]
            return ir.EffectAssign(None, ir.CondEffect(acquire, on, blocking))
        return acquire

    def _guard_acquire(self, family: str, args, line: int, scoped: bool = True):
        prim = self.catalogue.guard(family)
        if prim is None:
            return None
        lock = self._lock_of(prim, args, line)
        if lock is None:
            return None
        acquire = ir.Acquire(line, lock, f"guard({family})", prim.mode, prim.kind, "acquire", scoped)
        if prim.action in _CONDITIONAL:
            on, blocking = _CONDITIONAL[prim.action]
            return ir.EffectAssign(None, ir.CondEffect(acquire, on, blocking))
        return acquire

    def _scoped_guard(self, fname: str, args, line: int, out: list):
        family = args[0].name if isinstance(args[0], c_ast.ID) else ""
        acquire = self._guard_acquire(family, args[1:], line)
        if isinstance(acquire, ir.EffectAssign):
            acquire = acquire.effect.acquire
        if acquire is None:
            return None
        if fname == "__lc_scoped_cond_guard":
            return ir.EffectAssign(None, ir.CondEffect(acquire, "nonzero", True))
        return acquire

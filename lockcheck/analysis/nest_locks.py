"""Acquisitions made under a nest lock or an acquire context.

lockdep's ``check_deadlock()`` (kernel/locking/lockdep.c) does not report
possible recursive locking when the new acquisition carries a nest lock:
``mutex_lock_nest_lock(lock, nest)``, ``spin_lock_nest_lock()``,
``down_write_nest_lock()``, and ``ww_mutex_lock(lock, ctx)`` with a
non-NULL ``ww_acquire_ctx`` (``__mutex_lock_common()`` passes
``&ctx->dep_map`` as the nest lock).  Several locks of one class taken in a
loop under one context (``drm_gem_lock_reservations()`` locking every
object's ``dma_resv``) are therefore not recursive locking; their
dependencies on other classes stay.  A NULL context makes a plain mutex.

Which argument is the nest lock is a fact of each primitive
(``nest_arg`` in model/data/primitives.toml).  The acquisition's mode says
it: ``nest`` (exclusive, under a nest lock), or ``nest@N`` where the nest
lock is the function's N-th parameter, decided at each call site (a NULL
constant passed: plain ``exclusive``; another parameter: ``nest@M``;
anything else: ``nest``).  For every other purpose a nest mode is
exclusive.
"""

from __future__ import annotations

from pycparser import c_ast

__all__ = ["NEST", "is_nest", "nest_mode", "resolve_nest"]

NEST = "nest"
_PARAM = NEST + "@"


def is_nest(mode: str) -> bool:
    return mode[:4] == NEST


def _is_null(node) -> bool:
    while isinstance(node, c_ast.Cast):
        node = node.expr
    if isinstance(node, c_ast.ID):
        return node.name == "NULL"
    if isinstance(node, c_ast.Constant):
        try:
            return int(node.value.rstrip("uUlL"), 0) == 0
        except ValueError:
            return False
    return False


def nest_mode(mode: str, nest_arg: int | None, args, env) -> str:
    """The mode of an exclusive acquisition whose primitive takes a nest
    lock as argument ``nest_arg``."""
    if nest_arg is None or mode != "exclusive" or len(args) <= nest_arg:
        return mode
    node = args[nest_arg]
    if _is_null(node):
        return mode
    if isinstance(node, c_ast.ID) and node.name in env.params and not env.lookup_alias(node.name)[1]:
        return f"{_PARAM}{env.params[node.name]}"
    return NEST


def resolve_nest(mode: str, call) -> str:
    """A callee's ``nest@N`` as the call passing its arguments sees it."""
    if mode[:5] != _PARAM:
        return mode
    n = int(mode[5:])
    if dict(call.const_args).get(n) == "zero":
        return "exclusive"
    forwarded = dict(call.forwarded_params).get(n)
    if forwarded is not None:
        return f"{_PARAM}{forwarded}"
    return NEST

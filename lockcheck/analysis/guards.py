"""Static keys, and the static keys that guard a callback's registration.

A static key test (``static_branch_unlikely(&use_bh_wq_enabled)``, the
calls of ``static_key_tests`` in model/data/analysis.toml) is a condition
on global state: the fact ``static_key:NAME`` (``NAME@FILE`` for a
file-scope ``static`` key, as its lock class would be keyed), learnt like
a read of a global (``analysis.conditions``), so two tests of one key in
a function go the same way.

A callback registered only where a static key is known — every
registration site of it (``INIT_WORK``, ``timer_setup``, ... of
contexts.toml: the call the contexts model enters the callback's context
through) inside ``if (static_branch_unlikely(&key) && ..)`` — runs only
once the key was on: its model runner calls it knowing that
(``Call.held_facts`` ``(-1, fact, value)``), and the callees that test the
key, directly or through the functions they call by name, are entered
knowing it too (``Program``).  The rule trusts a static key not to be
turned back between the registration and the run: keys are configuration
switches, flipped by ``static_branch_enable/inc/dec`` at setup and
teardown, not state the callback races with.  Only the conditions of
enclosing ``if``s count (a conjunct of the one taken, a disjunct of the
one not taken), not an earlier ``if (!key) return;``; a plain global
variable is no such guard (it is state a callback commonly races with).
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.typing import lock_ref

__all__ = ["STATIC_KEY", "static_key_cond", "guard_facts", "common_guards"]

#: Prefix of a static key's fact name.
STATIC_KEY = "static_key:"


def static_key_cond(node: c_ast.FuncCall, tests: frozenset[str], env) -> ir.CondVar | None:
    """``static_branch_likely(&k)``, ``static_key_enabled(&k.key)``: the
    fact of key ``k`` being on; None for any other call."""
    if not (isinstance(node.name, c_ast.ID) and node.name.name in tests and node.args is not None
            and len(node.args.exprs) == 1):
        return None
    arg = node.args.exprs[0]
    if not (isinstance(arg, c_ast.UnaryOp) and arg.op == "&"):
        return None
    root = arg.expr
    while isinstance(root, c_ast.StructRef) and root.type == ".":
        root = root.name
    if not isinstance(root, c_ast.ID) or env.lookup(root.name)[1] or root.name in env.params:
        return None
    ref, ok = lock_ref(c_ast.UnaryOp("&", root), env)
    if not ok or not ref.key.startswith("g:"):
        return None
    return ir.CondVar(STATIC_KEY + ref.key[2:], "nonzero", True, True)


def _holds(cond, truth: bool) -> set[tuple[str, str]]:
    """The static key facts ``cond`` having value ``truth`` implies."""
    kind = type(cond)
    if kind is ir.CondNot:
        return _holds(cond.cond, not truth)
    if kind is ir.CondAnd and truth or kind is ir.CondOr and not truth:
        return _holds(cond.left, truth) | _holds(cond.right, truth)
    if kind is ir.CondVar and cond.var.startswith(STATIC_KEY):
        value = cond.test if truth else ("zero" if cond.test == "nonzero" else "nonzero")
        return {(cond.var, value)}
    return set()


def guard_facts(body: ir.Block) -> dict[int, frozenset[tuple[str, str]]]:
    """``id`` of each call in ``body`` -> the static key facts the ``if``s
    enclosing it imply (only calls with some)."""
    out: dict[int, frozenset[tuple[str, str]]] = {}
    stack: list[tuple[object, frozenset]] = [(body, frozenset())]
    while stack:
        node, known = stack.pop()
        t = type(node)
        if t is tuple:
            stack.extend((n, known) for n in node)
            continue
        if t is ir.Call:
            if known:
                out[id(node)] = known
            continue
        if t is ir.If:
            stack.append((node.cond, known))
            stack.append((node.then, known | _holds(node.cond, True)))
            stack.append((node.orelse, known | _holds(node.cond, False)))
            continue
        for name in getattr(t, "__slots__", ()):
            v = getattr(node, name, None)
            if v is not None and not isinstance(v, (str, int, bool)):
                stack.append((v, known))
    return out


def common_guards(sites: list[frozenset[tuple[str, str]]]) -> tuple[tuple[int, str, str], ...]:
    """What every registration site of a callback knows, as
    ``Call.held_facts`` of its runner's call."""
    if not sites:
        return ()
    common = frozenset.intersection(*sites)
    return tuple((-1, name, value) for name, value in sorted(common))

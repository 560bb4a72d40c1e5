"""Keys of tested calls compared by meaning, not text.

A tested call's key (``ir.CondCall.key``, ``analysis.conditions``) names
the call with its operands: ``f(a,#1)``; here also a field's address or a
field read through a learnable variable (``&rdp->cblist``,
``rdp->flags``).  A predicate that only returns another call of its
parameters (``frontend.predicates``: ``rcu_rdp_is_offloaded(rdp)`` is
``rcu_segcblist_is_offloaded(&rdp->cblist)``) is unfolded, so a function
testing one and another testing the other test the same fact.

A key with one variable among its operands (the rest constants) is the
*test of that variable*: written with the variable as ``$``
(:func:`template`), it passes between a caller and a callee whose
parameter the caller's argument is.  Two uses:

* a callee whose returns differ by such a test of a parameter
  (``rcu_nocb_unlock_irqrestore(rdp, flags)`` releases ``rdp->nocb_lock``
  only where ``rcu_rdp_is_offloaded(rdp)``) keeps the effect per outcome
  (``analysis.param_effects``), and a caller that knows the test of its
  argument takes that effect;
* a caller that knows the test of its argument on every path to a call
  (``if (!rcu_rdp_is_offloaded(rdp) && ..) rcu_do_batch(rdp);``,
  ``analysis.known_args``) enters the callee knowing it
  (:func:`entry_tests`): the callee's ``if (rcu_segcblist_is_offloaded(
  &rdp->cblist)) lock(..)`` is dead there.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.ir import base_variable

__all__ = ["var_operand", "unfold", "template", "instantiate", "key_var", "test_kind", "entry_tests",
           "param_test", "MAX_UNFOLD"]

#: Predicates unfolded at most in a row (one returning another ...).
MAX_UNFOLD = 4


def var_operand(node, learnable) -> str | None:
    """``&p->f.g`` or ``p->f`` for a field (its address) through a
    learnable variable ``p``; None otherwise."""
    addr = ""
    if node.__class__ is c_ast.UnaryOp and node.op == "&":
        addr, node = "&", node.expr
    parts = []
    while node.__class__ is c_ast.StructRef and node.field.__class__ is c_ast.ID:
        parts.append(node.type + node.field.name)
        node = node.name
    if not parts or node.__class__ is not c_ast.ID or not learnable(node.name):
        return None
    return addr + node.name + "".join(reversed(parts))


def _root(operand: str) -> str:
    """The variable an operand (``&rdp->cblist``) is read through."""
    return base_variable(operand[operand[:1] == "&":])


def unfold(name: str, operands: list[str], predicates, integers=None) -> str:
    """The key of ``name(operands)``, predicates unfolded; a symbol of a
    predicate's body (``id:NAME``) is ``#N`` where ``integers`` gives its
    value, as ``conditions.ConditionExtraction._operand`` writes it."""
    for _ in range(MAX_UNFOLD):
        alias = predicates.get(name) if predicates else None
        if alias is None:
            break
        callee, args = alias
        out = []
        for arg in args:
            if arg[:1] == "#":
                out.append(arg)
                continue
            if arg[:3] == "id:":
                value = integers.get(arg[3:]) if integers else None
                out.append(arg if value is None else f"#{value}")
                continue
            k = arg.find("$") + 1
            end = k
            while end < len(arg) and arg[end].isdigit():
                end += 1
            pos = int(arg[k:end])
            if pos >= len(operands):
                out = None
                break
            given = operands[pos]
            if arg == f"${pos}":
                out.append(given)
            elif given.isidentifier():
                out.append(arg[:k - 1] + given + arg[end:])
            else:
                out = None    # &x->f given where the predicate takes a field of it
                break
        if out is None:
            break
        name, operands = callee, out
    return f"{name}({','.join(operands)})" if operands else f"{name}()"


def _operands(key: str) -> list[str]:
    k = key.find("(")
    inner = key[k + 1:-1]
    return inner.split(",") if inner else []


def key_var(key: str) -> str | None:
    """The one variable a key's operands name (the others constants), or None."""
    found = None
    for op in _operands(key):
        if op[:1] == "#" or op[:3] == "id:":
            continue
        root = _root(op)
        if found is not None and root != found or not root.isidentifier():
            return None
        found = root
    return found


def template(key: str, var: str) -> str:
    """``key`` with its variable ``var`` written ``$``."""
    k = key.find("(")
    ops = [("&" if op[:1] == "&" else "") + "$" + op[len(var) + (op[:1] == "&"):]
           if op[:1] != "#" and op[:3] != "id:" and _root(op) == var else op for op in _operands(key)]
    return f"{key[:k]}({','.join(ops)})"


def instantiate(tmpl: str, var: str) -> str:
    return tmpl.replace("$", var)


def test_kind(value: str, tmpl: str) -> str:
    """How ``Call.known_args`` and ``Summary.param_effects`` say "this test
    of the argument has this value": ``nonzero:()f(&$->x)`` (``tmpl`` a
    fact name's template)."""
    return f"{value}:{tmpl}"


def entry_tests(params: tuple[str, ...], tested, known_args, views=()) -> dict[str, str]:
    """The facts a call's known tests of its arguments give the callee's
    entry, for the tests the callee makes (``tested``: fact names); a test
    of a view of the argument (``{tag}`` first, ``analysis.param_views``)
    for the callee's own view of that parameter with that tag
    (``views``: ``FunctionIR.views``)."""
    out = {}
    for pos, kind in known_args:
        if ":" not in kind or pos >= len(params):
            continue
        value, _, tmpl = kind.partition(":")
        var = params[pos]
        if tmpl[:1] == "{":
            k = tmpl.find("}")
            tag, tmpl = tmpl[1:k], tmpl[k + 1:]
            var = next((v for v, p, t in views if p == pos and t == tag), None)
            if var is None:
                continue
        name = instantiate(tmpl, var)
        if name in tested:
            out[name] = value
    return out


#: first characters of a pair or copy fact (``()==(a,b)``, ``()=(a,b)``), no tested call
PAIR_OPS = frozenset("=!<>&|^")


def param_test(name: str, params) -> bool:
    """A tested call's fact whose one variable is a parameter
    (``()rcu_segcblist_is_offloaded(&rdp->cblist)``)."""
    if name[:2] != "()" or name[2:3] in PAIR_OPS or not name.endswith(")"):
        return False
    return key_var(name[2:]) in params

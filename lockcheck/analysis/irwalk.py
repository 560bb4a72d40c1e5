"""Walking IR trees: every node below a statement, and per function body
its calls and the variables its conditions test (found in one walk, kept
per body until :func:`forget_bodies`)."""

from __future__ import annotations

from lockcheck.analysis.ir import Assign, Block, Call, CondCall, CondVar, EffectAssign, Switch

__all__ = ["calls_in", "tested_names", "pointee_writes", "ir_nodes", "forget_bodies"]

_BODIES: dict[int, tuple] = {}


def forget_bodies() -> None:
    """Drop the kept per-body facts: they hold every body alive."""
    _BODIES.clear()


def calls_in(node):
    """Every Call in an IR tree (statements and conditions); a function
    body's list is computed once (the stages ask for it several times)."""
    if isinstance(node, Block):
        return _body_facts(node)[1]
    return tuple(n for n in ir_nodes(node) if type(n) is Call)


def tested_names(body: Block) -> tuple[str, ...]:
    """Variables tested by conditions or switched on, and the facts of
    tested calls (``()f(a)``), anywhere in a body."""
    return _body_facts(body)[2]


def pointee_writes(body: Block) -> tuple[str, ...]:
    """The names ``p->*`` of the pointers ``p`` whose pointee the body
    assigns (``*p = …``, analysis.deref_flags)."""
    return _body_facts(body)[3]


def _body_facts(body: Block) -> tuple:
    """(body, its calls, the variables it tests, its pointee writes), from
    one walk, kept per body: on the whole tree every walk of every body
    costs a minute."""
    cached = _BODIES.get(id(body))
    if cached is None or cached[0] is not body:
        calls, tested, pointees = [], [], []
        for n in ir_nodes(body):
            t = type(n)
            if t is Call:
                calls.append(n)
            elif (t is CondVar or t is Switch) and n.var:
                tested.append(n.var)
            elif t is CondCall and n.key:
                tested.append("()" + n.key)    # a tested call's fact (analysis.branchfacts)
            elif (t is Assign or t is EffectAssign) and n.var and n.var.endswith(POINTEE):
                pointees.append(n.var)
        cached = _BODIES[id(body)] = (body, tuple(calls), tuple(tested), tuple(pointees) if pointees else ())
    return cached


#: The suffix naming a pointer's pointee: ``p->*`` (analysis.conditions).
POINTEE = "->*"


#: Annotations of fields that never hold IR nodes (not walked).
_SCALAR_TYPES = frozenset(("int", "str", "bool", "str | None", "int | None"))
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        fields = getattr(cls, "__dataclass_fields__", None) or {}
        names = _CHILD_FIELDS[cls] = tuple(n for n, f in fields.items() if f.type not in _SCALAR_TYPES)
    return names


def ir_nodes(node):
    """Every IR node below ``node`` (statements and conditions), without
    entering a call's own fields."""
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        t = type(n)
        if t is tuple:
            extend(n)
            continue
        yield n
        if t is Call:
            continue
        for name in _CHILD_FIELDS.get(t) or _child_fields(t):
            v = getattr(n, name)
            if v is not None:
                push(v)

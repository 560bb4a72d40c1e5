"""Array elements by index: a class per element where lockdep keys each one.

lockdep keys an element of a lock array by the key its init gives it.  One
``mutex_init()`` in a loop gives every element the one key of that init
site (one class); a key array indexed like the lock array gives each
element a key of its own (``__percpu_init_rwsem(&s->s_writers.rw_sem[i],
.., &type->s_writers_key[i])``, ``lockdep_set_class(locks + i, keys +
i)``): one class per index, and taking two elements is taking two classes.

Extraction writes an element (``&locks[i]``, ``locks + i``, ``rw_sem +
level - 1``) as its array's key followed by ``[]`` (analysis.typing) and,
where the index is known, by its value: ``[]=2`` for an index that is an
integer constant expression (literals, enumerators and integer macros the
file sees: frontend.constants), ``[]=$1-1`` for the function's parameter 1
(never written in its body) plus a constant.  A call resolves a parameter
index (analysis.substitute): the callee's ``[]=$1-1`` is ``[]=2`` where
the argument is the constant 3 (``__sb_start_write(sb, SB_FREEZE_FS)``),
``[]=$K-1`` where it is the caller's own unwritten parameter K, else the
unknown ``[]``.

The walk keeps the indices apart (a release of an element of unknown index
releases the latest element held of that array: :func:`same_array`), and
:mod:`lockcheck.analysis.classes` decides at the end: an element of known
index of an array keyed per index (a ``per_index`` class note:
analysis.class_notes) is the class ``ARRAY[N]``; every other element, and
any element of an array keyed otherwise, is the array's one class, as
before.
"""

from __future__ import annotations

import re

from pycparser import c_ast

__all__ = ["element_parts", "index_mark", "unindexed", "split_index", "subst_index", "same_array",
           "indexed_key", "nested_elements", "element_votes", "PARAM_INDEX"]

#: ``[]=$P``, ``[]=$P+C``, ``[]=$P-C`` at the end of a key: an index the callers give
PARAM_INDEX = "[]=$"
_MARK = re.compile(r"\[\]=(\d+|\$\d+(?:[+-]\d+)?)$")
_PARAM = re.compile(r"^\$(\d+)([+-]\d+)?$")
#: an index past this is no lock array's: read as unknown
MAX_INDEX = 1 << 16


# ---------------------------------------------------------------- extraction

def element_parts(node, env):
    """``p + i`` (``p - i``, ``(p + i) - 1``, ``i + p``) on a pointer to
    locks (``ctx->queue_locks + i``) or on an array member of locks, which
    an integer can only be added to as a pointer (``sb->s_writers.rw_sem +
    level - 1``; the front end types an array member as its element):
    ``(p, terms)``, ``terms`` the ``(sign, node)`` operands the index is the
    sum of; None for anything else."""
    terms: list[tuple[str, object]] = []
    while isinstance(node, c_ast.BinaryOp) and node.op in ("+", "-"):
        if _addressable(env.type_of(node.left), env):
            return node.left, tuple([(node.op, node.right)] + terms)
        if isinstance(node.left, c_ast.BinaryOp):
            terms.append((node.op, node.right))
            node = node.left
            continue
        if node.op == "+" and _addressable(env.type_of(node.right), env):
            return node.right, tuple([("+", node.left)] + terms)
        return None
    return None


def _addressable(typ, env) -> bool:
    """A pointer, or an object of struct type (or a lock type): only an
    array of them can have an integer added."""
    if typ is None:
        return False
    return typ.pointers >= 1 or typ.base.startswith(("struct ", "union ")) or typ.base in env.lock_types


def index_mark(key: str, terms, env) -> str:
    """What follows an element's ``[]`` in its key: ``=N``, ``=$P±C`` or
    "" (unknown, or a key that is no object's: a parameter's, an
    unresolved expression's)."""
    if not key.startswith(("f:", "g:")):
        return ""
    param, const = None, 0
    flat: list[tuple[int, object]] = []
    for sign, node in terms:
        _flatten(node, 1 if sign == "+" else -1, flat)
    for sign, node in flat:
        while isinstance(node, c_ast.Cast):
            node = node.expr
        value = env.constant(node) if env.constant is not None else None
        if value is not None:
            const += sign * value
        elif isinstance(node, c_ast.ID) and node.name in env.fixed_params and param is None and sign == 1:
            param = env.params[node.name]
        else:
            return ""
    if param is not None:
        return f"=${param}" + (f"{const:+d}" if const else "")
    return f"={const}" if 0 <= const < MAX_INDEX else ""


def _flatten(node, sign: int, out: list) -> None:
    while isinstance(node, c_ast.Cast):
        node = node.expr
    if isinstance(node, c_ast.BinaryOp) and node.op in ("+", "-"):
        _flatten(node.left, sign, out)
        _flatten(node.right, sign if node.op == "+" else -sign, out)
    elif isinstance(node, c_ast.UnaryOp) and node.op in ("+", "-") and not isinstance(node.expr, c_ast.Constant):
        _flatten(node.expr, sign if node.op == "+" else -sign, out)
    else:
        out.append((sign, node))


# ---------------------------------------------------------------- keys

def split_index(key: str) -> tuple[str, str]:
    """``ARRAY[]=N`` → (``ARRAY[]``, ``N``); any other key: (key, "")."""
    if "[]=" not in key:
        return key, ""
    m = _MARK.search(key)
    return (key[:m.start() + 2], m.group(1)) if m else (key, "")


def unindexed(key: str) -> str:
    return split_index(key)[0]


def indexed_key(base: str, index: str) -> str:
    """The class of element ``index`` of an array keyed per index, its
    canonical key ``base`` (``[]`` or not): ``f:struct sb_writers:rw_sem[2]``."""
    return (base[:-2] if base.endswith("[]") else base) + f"[{index}]"


def same_array(a: str, b: str) -> bool:
    """Two element keys of one array, one of them of no known constant
    index (unknown or a parameter's): one may be the other."""
    (base_a, ia), (base_b, ib) = split_index(a), split_index(b)
    return base_a == base_b and base_a.endswith("[]") and not (ia.isdigit() and ib.isdigit())


def subst_index(key: str, call) -> str:
    """A callee's ``[]=$P±C`` at a call: the value the call gives parameter
    P (a constant: ``=N``; the caller's parameter: ``=$K±C``), else ``[]``."""
    base, index = split_index(key)
    m = _PARAM.match(index)
    if m is None:
        return key
    if call is None:
        return base
    pos, offset = int(m.group(1)), int(m.group(2) or 0)
    values = {v for p, v in call.const_values if p == pos}
    given = dict(call.const_args).get(pos)
    if not values and given is not None:
        if given == "zero":
            values = {0}
        elif given.startswith("#") and given[1:].lstrip("-").isdigit():
            values = {int(given[1:])}
    if len(values) == 1:
        value = next(iter(values)) + offset
        return f"{base}={value}" if 0 <= value < MAX_INDEX else base
    forwarded = dict(call.forwarded_params).get(pos)
    if not values and forwarded is not None:
        return f"{base}=${forwarded}" + (f"{offset:+d}" if offset else "")
    return base


# ---------------------------------------------------------------- classes

_INDEXED = re.compile(r"\[(\d+)\]$")


def nested_elements(src_base: str, dst_base: str) -> bool:
    """Two keys of one array's elements at different indices (``[]=0``,
    ``[]=1``, ``[]``): taking the one holding the other takes its class
    again where that is one class (analysis.classes)."""
    return src_base != dst_base and "[]" in src_base and unindexed(src_base) == unindexed(dst_base)


def element_votes(votes: dict, base: str) -> dict:
    """The written forms of an element class of known index (``ARRAY[2]``,
    its canonical ``base``) shown with its index
    (``&sb->s_writers.rw_sem[2]``); those of any other class as they are."""
    m = _INDEXED.search(base) if base.startswith(("f:", "g:")) else None
    if m is None:
        return votes
    out: dict = {}
    for (key, owner, path, sub), n in votes.items():
        form = (key, owner, path[:-2] + f"[{m.group(1)}]" if path.endswith("[]") else path, sub)
        out[form] = out.get(form, 0) + n
    return out

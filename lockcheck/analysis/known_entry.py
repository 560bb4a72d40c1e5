"""What a call's known arguments (``Call.known_args``, ``analysis.known_args``)
tell its callee at entry, for ``Program._specialise``.

* A pointer the caller dereferenced or tested, or an integer it counted
  up (or one with a positive lower bound, ``analysis.arg_bounds``), is
  ``nonzero`` in a callee parameter the callee tests: after
  ``vma->vm_flags & ..`` in ``mfill_atomic()``, the ``if (!dst_vma)``
  block of ``mfill_atomic_hugetlb()`` is dead on entry for that call.
* A parameter's *sign* (``>0``, ``>=0``) is kept where it decides one:
  the parameters a function counts up before handing them on (``+Q``)
  and those handed on unchanged to such a parameter down a chain of
  calls (:func:`counted_params`).  A call gives it by a constant
  (``rbd_dev_image_probe(dev, 0)``: ``>=0``), by a count from a
  parameter known ``>= 0`` (``++depth; rbd_dev_image_probe(parent,
  depth)``: ``>0``), or by handing on its own parameter unchanged.  So in
  a recursion that counts its depth from 0, the outer call (``depth``
  zero) takes its lock and every nested one (``depth`` non-zero, known
  ``>0``, counted up again) shares one clone that does not.

Both are part of the clone's key: a callee gets at most two clones per
parameter for them (known or not), and signs only where a count needs
them.  A parameter the caller writes is not handed on with the facts its
own caller gave (the value passed may be another).
"""

from __future__ import annotations

from lockcheck.analysis.arg_bounds import bound_of

__all__ = ["counted_params", "handed_on_to", "hops_back", "known_entry", "sign_key"]

#: what a sign says of zero-ness
_NONZERO = {">0": "nonzero"}


def counted_params(functions, hops) -> dict[str, tuple[int, ...]]:
    """Function key -> the positions of its parameters whose sign a call
    of it may need: counted up before a call (``+Q``), or handed on
    unchanged to such a position (``hops``: ((caller, its parameter),
    (callee, position)) of the forwarding calls, to a fixpoint)."""
    found: set[tuple[str, int]] = set()
    for key, calls in functions:
        for call in calls:
            for _, kind in call.known_args:
                if kind[:1] == "+":
                    found.add((key, int(kind[1:])))
    return handed_on_to(found, hops)


def handed_on_to(found: set[tuple[str, int]], hops=(), back: dict | None = None) -> dict[str, tuple[int, ...]]:
    """``found`` (function, parameter position), with the parameters handed
    on unchanged to one of them down a chain of calls: function -> positions.
    ``back``: :func:`hops_back` of the hops, when several sets follow them."""
    if not found:
        return {}
    found = set(found)
    if back is None:
        back = hops_back(hops)
    todo = sorted(found)
    while todo:
        for src in back.get(todo.pop(), ()):
            if src not in found:
                found.add(src)
                todo.append(src)
    out: dict[str, list[int]] = {}
    for key, pos in sorted(found):
        out.setdefault(key, []).append(pos)
    return {k: tuple(v) for k, v in out.items()}


def hops_back(hops) -> dict[tuple[str, int], list[tuple[str, int]]]:
    """(callee, position) -> the (caller, parameter) handing it on."""
    back: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for src, dst in hops:
        back.setdefault(dst, []).append(src)
    return back


def _nonneg(value: str | None, sign: str | None) -> bool:
    return value == "zero" or sign in (">0", ">=0")


def _constant_sign(value: str) -> str | None:
    if value == "zero":
        return ">=0"
    if value[:1] == "#":
        try:
            n = int(value[1:])
        except ValueError:
            return None
        return ">0" if n > 0 else ">=0" if n == 0 else None
    return None


def known_entry(params: tuple[str, ...], tested: tuple[int, ...], counted: tuple[int, ...], call,
                caller_params: tuple[str, ...], caller_facts: dict[str, str], caller_signs: dict[str, str],
                caller_assigned) -> tuple[dict[str, str], dict[str, str]]:
    """The callee's entry facts its call's known arguments give (for the
    positions of ``tested``: parameters tested for zero there or down the
    calls handing them on), and the signs of its ``counted`` positions."""
    facts: dict[str, str] = {}
    signs: dict[str, str] = {}

    def caller_value(q: int, handed_on: bool = True) -> tuple[str | None, str | None]:
        """What the caller's entry knows of its parameter ``q``; of one it
        hands on, only if it never writes it (``+Q``: written by steps only)."""
        if q >= len(caller_params) or handed_on and caller_params[q] in caller_assigned:
            return None, None
        name = caller_params[q]
        return caller_facts.get(name), caller_signs.get(name)

    for pos, kind in call.known_args:
        if pos >= len(params) or ":" in kind:    # a test of the argument (analysis.pred_keys.entry_tests)
            continue
        if kind[:1] == "+":
            kind = ">0" if _nonneg(*caller_value(int(kind[1:]), False)) else None
        elif bound_of(kind) is not None:    # a positive lower bound (analysis.arg_bounds)
            kind = ">0"
        if kind is None:
            continue
        if pos in tested:
            facts[params[pos]] = _NONZERO.get(kind, kind)
        if kind == ">0" and pos in counted:
            signs[params[pos]] = kind
    for pos in counted:
        if pos >= len(params) or params[pos] in signs:
            continue
        sign = None
        given = [v for p, v in call.const_args if p == pos]
        values = [v for p, v in call.const_values if p == pos]
        if given:
            sign = _constant_sign(given[0])
        if values and (sign is None or given and given[0][:3] == "id:"):
            sign = ">0" if all(v > 0 for v in values) else ">=0" if all(v >= 0 for v in values) else None
        if sign is None:
            q = next((q for p, q in call.forwarded_params if p == pos), None)
            if q is not None:
                value, mine = caller_value(q)
                sign = mine or (">=0" if value == "zero" else None)
        if sign is not None:
            signs[params[pos]] = sign
    return facts, signs


def sign_key(signs: dict[str, str]) -> str:
    """The part of a clone's key the signs make."""
    return "".join(f";{p}{s}" for p, s in sorted(signs.items()))

"""Socket families: which protocol's code a function belongs to.

lockdep keys some socket locks per address family (``sk_lock-AF_INET``,
``rlock-AF_PACKET``; Bluetooth per protocol), while the checker keys them
by field: one class for every family (``[families.keyed]`` in
classes.toml).  A socket reached in a function is taken to be of the
family of the protocol whose ops tables reach that function: each
initialised table of a ``tables`` type (``struct proto_ops`` ...) is an
entry point of the family its ``family_field`` initialiser names
(``.family = PF_ALG``; a family re-keyed per protocol, ``reclassified``,
is split by the file of the table's functions; a table without that field
is a family of its own).  Functions reached by direct calls (and
callbacks from the function passing them) from one family's entry points only
are of that family; from several, of none (net/core, code inet and inet6
share).

A finding meets a keyed class where an edge's chain takes it; the chain's
family is that of its innermost function that has one.  Two known,
different families at the two places make the finding low confidence (two
of lockdep's classes, maybe); one known family keeps the level; where a
family is not known, two files (a ``per_instance`` class: the socket
lock) or two directories (the other keyed classes) make it low
(:func:`family_basis`, :func:`irq_family_basis`).  An irq-unsafe-order
finding meets each of its two classes twice, in the lock-order edge and in
that class's usage (:func:`irq_order_family_basis`): a socket lock nested
under a lock in one protocol's code and taken with softirqs on in
another's (two of lockdep's classes, ``slock-AF_INET`` and
``slock-AF_BLUETOOTH-BTPROTO_RFCOMM``, maybe) is low the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from lockcheck.analysis.substitute import split_class_key
from lockcheck.result import Basis, WitnessStep

__all__ = ["FamilyFacts", "function_families", "keyed_why", "chain_family", "family_basis", "irq_family_basis",
           "irq_order_family_basis", "rewitnessed"]

#: A function reached from several families' entry points.
SHARED = ""


@dataclass
class FamilyFacts:
    """Per scan: the keyed classes and each function's family."""

    keyed: dict[str, str] = field(default_factory=dict)       # "struct sock:sk_lock.slock" -> why
    of: dict[str, str] = field(default_factory=dict)          # function -> family (SHARED: several)
    per_instance: dict[str, str] = field(default_factory=dict)  # base key -> why (the file rule)


def keyed_why(class_key: str, keyed: dict[str, str]) -> str | None:
    """Why lockdep keys ``class_key`` per family (None: it does not).  A
    row ``struct S:f`` is the field's class ``f:struct S:f``; a row
    ``struct S:f.m`` the member ``m`` of that field (``f:T:m#struct S:f``,
    whatever T's name, an anonymous struct's included)."""
    base = split_class_key(class_key)[0]
    if not base.startswith("f:"):
        return None
    inner, _, outer = base[2:].partition("#")
    why = keyed.get(inner) if not outer else None
    if why is None and outer:
        member = inner.rpartition(":")[2]
        why = keyed.get(f"{outer}.{member}")
    return why


def function_families(functions, tables: dict[str, str], var_fields: dict[tuple[str, str], str],
                      model: dict) -> dict[str, str]:
    """function name -> its family (SHARED: reached from several)."""
    types = frozenset(model.get("tables", ()))
    family_field = model.get("family_field", "family")
    reclassified = model.get("reclassified", {})
    file_of: dict[str, str] = {}
    for fn in sorted(functions, key=lambda f: (f.file.endswith(".h"), f.file, f.line, f.name)):
        file_of.setdefault(fn.name, fn.file)
    stored: dict[str, list[str]] = {}
    for (var, member), value in var_fields.items():
        if tables.get(var) in types and member != family_field and value in file_of:
            stored.setdefault(var, []).append(value)
    roots: dict[str, set[str]] = {}
    for var in sorted(stored):
        family = var_fields.get((var, family_field))
        if family is None or family in reclassified:
            files = sorted(file_of[f] for f in stored[var])
            where = max(sorted(set(files)), key=files.count)
            family = f"{family or var}@{where}"
        for f in stored[var]:
            roots.setdefault(f, set()).add(family)
    return _propagate(functions, roots)


def _propagate(functions, roots: dict[str, set[str]]) -> dict[str, str]:
    from lockcheck.analysis.irwalk import calls_in
    # a function reaches what it calls and what it passes as a function
    # pointer (timer_setup(&t, cb, 0): the callback runs on its sockets)
    callees: dict[str, tuple[str, ...]] = {}
    for fn in functions:
        out = set()
        for c in calls_in(fn.body):
            if c.callee:
                out.add(c.callee)
            out.update(name for _, name in c.fnptr_args)
        if out:     # tuples, and only where there are any: the whole tree is half a million functions
            callees[fn.name] = tuple(sorted(out | set(callees.get(fn.name, ()))))
    of: dict[str, str] = {}
    todo = []
    for f, fams in sorted(roots.items()):
        of[f] = next(iter(fams)) if len(fams) == 1 else SHARED
        todo.append(f)
    while todo:
        f = todo.pop()
        fam = of[f]
        for g in callees.get(f, ()):
            old = of.get(g)
            if old is None:
                of[g] = fam
            elif old != fam and old != SHARED:
                of[g] = SHARED
            else:
                continue
            todo.append(g)
    return of


def chain_family(steps: tuple[WitnessStep, ...], of: dict[str, str]) -> tuple[str, WitnessStep] | None:
    """The family of the socket a chain takes its last lock on: that of the
    innermost function that has one (None: no function of it has)."""
    for s in reversed(steps):
        fam = of.get(s.function)
        if fam:
            return fam, s
    return None


def _basis(name: str, why: str, a, b) -> Basis:
    (fa, sa), (fb, sb) = a, b
    return Basis("class", "low", f"class {name} is one class for lockdep's per-family classes ({why}); "
                                 f"this finding takes it in family {fa} ({sa.function}() at {sa.file}) "
                                 f"and in family {fb} ({sb.function}() at {sb.file})")


def _place_basis(name: str, why: str | None, file_why: str | None, first: str, second: str) -> Basis | None:
    """Where a family is not known: a ``per_instance`` class taken in two
    files, or a keyed class in two directories (one protocol's code is one
    directory: net/ax25, net/packet), may be two of lockdep's classes."""
    if file_why is None:
        first, second = os.path.dirname(first), os.path.dirname(second)
    if first == second:
        return None
    return Basis("class", "low", f"class {name} is one class for several of lockdep's ({file_why or why}); "
                                 f"this finding takes it in {first} and in {second}")


def family_basis(locks, edges, facts: FamilyFacts, names: dict[str, str], alternatives=()):
    """A cycle's ``edges`` (edge k from ``locks[k]`` to ``locks[k+1]``): for
    each lock of a keyed class, the edge into it and the edge out of it
    compared by family (two known and different: a low basis on the edge
    into it); where a family is unknown, by place (:func:`_place_basis`).
    ``alternatives``: per edge, other (held, acquire) chains making it
    (Edge.others): a pair of chains in one family (or place) makes the
    cycle's witnesses there, at their own confidence."""
    out = list(edges)
    if len(locks) == 1:
        return tuple(out)
    for k, key in enumerate(locks):
        why = keyed_why(key, facts.keyed)
        file_why = facts.per_instance.get(split_class_key(key)[0])
        into, out_of = edges[k - 1], edges[k]
        if (why is None and file_why is None) or not into.acquire or not out_of.held:
            continue
        # (held, acquire) chains of each edge: the chosen witness first
        takes = [(into.held, into.acquire)] + [o for o in (alternatives[k - 1] if alternatives else ()) if o[1]]
        leaves = [(out_of.held, out_of.acquire)] + [o for o in (alternatives[k] if alternatives else ()) if o[0]]
        basis, kept = None, None
        for n, (x, y) in enumerate((x, y) for x in takes for y in leaves):
            b = _pair_basis(names.get(key, key), why, file_why, x[1], y[0], facts.of)
            if b is None:
                kept = (x, y)
                break
            if n == 0:
                basis = b
        if kept is None:
            out[k - 1] = replace(out[k - 1], basis=out[k - 1].basis + (basis,))
            continue
        # the cycle is shown by the witnesses that meet the class in one
        # family, at their own confidence
        x, y = kept
        if x is not takes[0]:
            out[k - 1] = rewitnessed(out[k - 1], x, (locks[k - 1], locks[k]), names)
        if y is not leaves[0]:
            out[k] = rewitnessed(out[k], y, (locks[k], locks[(k + 1) % len(locks)]), names)
    return tuple(out)


def rewitnessed(edge, chains, keys, names: dict[str, str]):
    from lockcheck.analysis.confidence import edge_basis
    held, acquire = chains
    return replace(edge, held=held, acquire=acquire, others=(),
                   basis=edge_basis(held + acquire, "", tuple((k, names.get(k, k)) for k in keys)))


def _pair_basis(name: str, why: str | None, file_why: str | None, x, y, of: dict[str, str]) -> Basis | None:
    """Chain ``x`` takes a keyed class, chain ``y`` takes it too: None when
    the two may be one of lockdep's classes, else the low basis saying why not."""
    a = chain_family(x, of) if why else None
    b = chain_family(y, of) if why else None
    if a and b:
        return None if a[0] == b[0] else _basis(name, why, a, b)
    return _place_basis(name, why, file_why, x[-1].file, y[-1].file)


def irq_family_basis(key: str, usages, facts: FamilyFacts, names: dict[str, str]):
    """An irq-inconsistent finding's two usage edges of one keyed class:
    taken in two known, different families (or, a family unknown, in two
    places: :func:`_place_basis`): a low basis on the second."""
    why = keyed_why(key, facts.keyed)
    if why is None or len(usages) != 2 or not usages[0].acquire or not usages[1].acquire:
        return tuple(usages)
    basis = _pair_basis(names.get(key, key), why, facts.per_instance.get(split_class_key(key)[0]),
                        usages[0].acquire, usages[1].acquire, facts.of)
    if basis is None:
        return tuple(usages)
    return (usages[0], replace(usages[1], basis=usages[1].basis + (basis,)))


def irq_order_family_basis(keys, edges, facts: FamilyFacts, names: dict[str, str], alternatives=(),
                           rewitness=None):
    """An irq-unsafe-order finding's ``edges``: the lock-order edge from
    ``keys[0]`` to ``keys[1]``, then each key's usage edge.  A keyed class
    is taken by the order edge (its held chain for ``keys[0]``, its
    acquire chain for ``keys[1]``) and by its usage: where the two may be
    two of lockdep's classes (:func:`_pair_basis`), a low basis on the
    usage.  ``alternatives``: per edge, other (held, acquire) chains; the
    first order chain pair whose every keyed class meets a usage chain in
    one family (or place) shows the finding at its own confidence
    (``rewitness(k, edge, chains)`` makes edge k from them)."""
    if len(keys) != 2 or len(edges) != 3:
        return tuple(edges)
    whys = [keyed_why(k, facts.keyed) for k in keys]
    if not any(whys) or not edges[0].held or not edges[0].acquire:
        return tuple(edges)
    alts = lambda k: alternatives[k] if k < len(alternatives) else ()     # noqa: E731
    orders = [(edges[0].held, edges[0].acquire)] + [o for o in alts(0) if o[0] and o[1]]
    usages = [[((), edges[k + 1].acquire)] + [u for u in alts(k + 1) if u[1]] for k in (0, 1)]

    def meet(order):
        """Per key: the usage chains meeting the order's chain in one class
        (None: the key is not keyed), or the low basis of the shown pair."""
        out = []
        for k, key in enumerate(keys):
            if whys[k] is None or not usages[k][0][1]:
                out.append(None)
                continue
            name, file_why = names.get(key, key), facts.per_instance.get(split_class_key(key)[0])
            first = None
            for n, u in enumerate(usages[k]):
                b = _pair_basis(name, whys[k], file_why, order[k], u[1], facts.of)
                if b is None:
                    first = u
                    break
                if n == 0:
                    first = b
            out.append(first)
        return out

    for n, order in enumerate(orders):
        met = meet(order)
        if any(isinstance(m, Basis) for m in met):
            continue
        if n == 0 and all(m is None or m is usages[k][0] for k, m in enumerate(met)):
            return tuple(edges)
        if rewitness is None:
            break
        out = list(edges)
        if n:
            out[0] = rewitness(0, edges[0], order)
        for k, m in enumerate(met):
            if m is not None and m is not usages[k][0]:
                out[k + 1] = rewitness(k + 1, edges[k + 1], m)
        return tuple(out)
    out = list(edges)
    for k, m in enumerate(meet(orders[0])):
        if isinstance(m, Basis):
            out[k + 1] = replace(out[k + 1], basis=out[k + 1].basis + (m,))
    return tuple(out)

"""A flag the caller keeps in a local and a callee writes through its
address, correlated with the locks that callee takes or releases.

``compact_unlock_should_abort(lock, flags, &locked, cc)`` of
mm/compaction.c does ``if (*locked) { spin_unlock_irqrestore(lock, flags);
*locked = false; }``: its plain summary meets its two ways through (the
lock released, ``*locked`` cleared / nothing released, ``*locked`` already
false) into "releases nothing", and the caller, whose ``locked`` the walk
kept as it was, went on holding the lock with ``locked`` still set.

For each parameter ``p`` whose ``*p`` the function writes or tests
(``*p = ...``, ``if (*p)``: ``p->*`` in ``analysis.conditions``' naming),
the summary keeps two more
walks of it, one with ``*p`` zero on entry and one with it non-zero (no
edge or finding comes from them, the plain walk makes those): per entry
value and kind of return (all / zero / nonzero), the effect and what
``*p`` is on every such return (None when the returns disagree or do not
know).  A call giving ``&local`` there (``Call.addr_args``) takes the
effect of the value the caller knows ``local`` has, or of each value when
it knows none (one state each), and sets ``local`` to what the callee
leaves in it: ``locked`` and the lock's held state stay together.  A
helper that clears the flag without releasing, or releases without
clearing it, keeps the state that says so.  A call given ``&local`` that
reaches no summary (outside the scan, or parsed out because no lock is
reachable from it) may write ``local``: what was known of it is dropped
(:func:`unknown_writes`).

A store ``*p = local`` (:func:`out_copy`) makes ``*p`` a copy of the
local: a lookup that returns holding the lock of the bucket it hands out
(``*out_bucket = hb``, ``hb = &table->hbs[i]``) tells its caller that
``*out_bucket`` is non-NULL exactly on the returns that hold it, so
``if (bucket) spin_unlock(&bucket->lock)`` releases it.

A parameter handed on unchanged (``Call.forwarded_params``) to a callee
that writes ``*p`` there is written the same way (:func:`forwarded_derefs`):
``__get_user_pages(.., locked)`` of mm/gup.c hands its ``locked`` to
``faultin_page()``, which clears ``*locked`` where ``handle_mm_fault()``
dropped the mmap_lock; the caller's own ``*p`` (``p->*``) then follows the
callee as a local's does.  Returns that disagree on ``*p`` are kept apart
by it as well (the keys ``kind=zero`` / ``kind=nonzero`` beside ``kind``,
only when every such return knows ``*p``): the caller gets one state per
value, each with the effect of its returns, so ``if (*locked) break;``
after the call leaves the path where the lock was dropped.

Also here: ``Summary.returns``, the value every return of a function gives
when they all agree (``compact_lock_irqsave()`` "always returns true"):
``locked = compact_lock_irqsave(...)`` sets ``locked``.  Neither is kept for
a function from which no lock is reachable (:func:`lock_free`): a scan
skips those, and ``--parse-all`` must find the same.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.irwalk import calls_in, ir_nodes, pointee_writes, tested_names

__all__ = ["address_args", "out_copy", "written_derefs", "forwarded_derefs", "deref_summary", "flag_positions",
           "constant_return",
           "flag_outcomes", "forwarded_writes", "entry_acquires", "forget_deref_params", "unknown_writes", "lock_free",
           "KINDS"]

DEREF = "->*"      # conditions.DEREF (not imported: conditions imports the extractor's helpers)
KINDS = ("all", "zero", "nonzero")
_VALUES = ("zero", "nonzero")
_BOTH = frozenset(_VALUES)


def address_args(args, env) -> tuple[tuple[int, str], ...]:
    """(position, name) of the arguments ``&name`` for a plain local of
    the function (not a parameter, not a global)."""
    out = []
    for k, a in enumerate(args):
        if a.__class__ is c_ast.UnaryOp and a.op == "&" and a.expr.__class__ is c_ast.ID:
            name = a.expr.name
            if name not in env.params and env.lookup(name)[1]:
                out.append((k, name))
    return tuple(out)


def out_copy(var: str, value, learnable) -> str | None:
    """``=NAME`` for ``*p = NAME`` (``var`` is ``p->*``) of a parameter
    ``p`` and a plain local or parameter NAME (``learnable``): ``*p``
    takes over what the walk knows of NAME, so what ``*p`` holds on each
    return reaches the caller (``*out_bucket = hb`` with ``hb = &table->
    hbs[i]``: non-NULL on the returns that hold ``hb->lock``).  Done for
    every such store, tested or not: only the returns read ``*p``."""
    if not var.endswith(DEREF):
        return None
    while value.__class__ is c_ast.Cast:
        value = value.expr
    if value.__class__ is not c_ast.ID or not learnable(value.name):
        return None
    return "=" + value.name


def written_derefs(fn: ir.FunctionIR, forwarded: frozenset[int] = frozenset()) -> tuple[tuple[int, str], ...]:
    """(position, parameter) of the parameters ``p`` whose ``*p`` the
    function writes or tests itself (a helper that releases on ``if
    (*locked)`` without clearing it tells its caller as much), or hands on
    to a callee writing it (``forwarded``: their positions,
    :func:`forwarded_derefs`)."""
    names = {v[:-len(DEREF)] for v in pointee_writes(fn.body)}
    names.update(v[:-len(DEREF)] for v in tested_names(fn.body) if v.endswith(DEREF))
    if not names and not forwarded:
        return ()
    return tuple((k, p) for k, p in enumerate(fn.params) if p and (p in names or k in forwarded))


def forwarded_derefs(fn: ir.FunctionIR, callees) -> frozenset[int]:
    """Positions of the parameters ``fn`` hands on unchanged to a callee
    whose summary tells what it leaves in ``*p`` there with a lock held or
    released on some of those returns (its ``deref_effects``: an out
    parameter such as ``int *err`` says nothing of locks, and following it
    up every chain of callers would walk each of them twice more);
    ``callees(call)``: the walk's targets of a call."""
    out = set()
    for n in calls_in(fn.body):
        if n.forwarded_params:
            for target in callees(n):
                summary = target[1]
                if summary is not None and summary.deref_effects:
                    written = {pos for (pos, _), per_kind in summary.deref_effects.items() if _locks(per_kind)}
                    out.update(param for pos, param in n.forwarded_params if pos in written)
    return frozenset(out)


def _locks(per_kind: dict) -> bool:
    return any(e.held or e.released for e, _ in per_kind.values())


def deref_summary(fn: ir.FunctionIR, walk, forwarded: frozenset[int] = frozenset(), meet=None,
                  plain: dict | None = None, acquired: dict | None = None,
                  wanted: frozenset[int] | None = None) -> dict:
    """(position, entry value) -> {kind: (Effect, value of ``*p`` on those
    returns or None)}; ``walk(entry_facts)`` walks the function once more
    and gives (its summary's effects, its exits[, its acquisitions]).
    Where the returns of a kind disagree on ``*p`` but each knows it,
    ``kind=zero`` and ``kind=nonzero`` give the effect (``meet``:
    releases.meet_exits) of those leaving that value.  ``acquired`` takes,
    per (position, entry value), the walk's acquisitions where they are
    fewer than ``plain`` (the plain walk's; :func:`entry_acquires`).
    ``wanted``: the positions some call gives a flag at
    (:func:`flag_positions`); None: all."""
    out = {}
    for pos, name in written_derefs(fn, forwarded):
        if wanted is not None and pos not in wanted:
            continue
        fact = name + DEREF
        for value in _VALUES:
            effects, exits, *taken = walk({fact: value})
            if acquired is not None and plain and taken and len(taken[0]) < len(plain) \
                    and taken[0].keys() <= plain.keys():
                acquired[(pos, value)] = taken[0]
            if not exits:
                continue
            per_kind = {}
            for kind in KINDS:
                chosen = [(st, k) for st, k in exits if kind == "all" or k in (kind, "unknown")]
                known = [next((v for f, v in st.facts if f == fact), None) for st, _ in chosen]
                vals = set(known)
                after = next(iter(vals)) if len(vals) == 1 else None
                per_kind[kind] = (effects.get(kind, effects["all"]), after if after in _VALUES else None)
                if meet is not None and vals == _BOTH:
                    for v in _VALUES:
                        per_kind[f"{kind}={v}"] = (meet([e for e, w in zip(chosen, known) if w == v]), v)
            out[(pos, value)] = per_kind
    return out


def flag_positions(calls: dict) -> dict[str, frozenset[int]]:
    """Per function, the positions at which some call of it gives
    ``&local`` (``Call.addr_args``) or a parameter of the caller unchanged
    (``Call.forwarded_params``): ``calls`` maps each function to its calls
    and the targets of each (summaries.resolve_calls).  Only there does a
    caller read a summary's ``deref_effects`` and ``deref_acquires``
    (:func:`flag_outcomes`, :func:`forwarded_derefs`,
    :func:`entry_acquires`): the two walks per ``*p`` of another position
    (a tenth of a whole tree's analysis) would tell nobody anything."""
    out: dict[str, set[int]] = {}
    for found_calls, found in calls.values():
        for call, targets in zip(found_calls, found):
            if targets and (call.addr_args or call.forwarded_params):
                positions = {pos for pos, _ in call.addr_args}
                positions.update(pos for pos, _ in call.forwarded_params)
                for t in targets:
                    out.setdefault(t, set()).update(positions)
    # one object per set of positions: a few hundred distinct ones on the
    # whole tree, for half a million functions (each its own frozenset was
    # some 200 MB held through the walk)
    shared: dict[frozenset[int], frozenset[int]] = {}
    return {t: shared.setdefault(fs, fs) for t, p in out.items() for fs in (frozenset(p),)}


def entry_acquires(flow, s, call, summary) -> dict:
    """The acquisitions of ``call``'s callee to inherit from state ``s``:
    those of its walk with ``*p`` as ``s`` knows it, for the first argument
    ``&local`` (a local whose address no other call is given) or forwarded
    parameter whose value ``s`` knows and the callee tells apart
    (``Summary.deref_acquires``), else all of them.
    ``madvise_populate()``'s ``locked`` is 1 at each call of
    ``faultin_page_range(.., &locked)``, whose lock taken for ``*locked ==
    0`` is then never taken under the caller's."""
    found = summary.deref_acquires
    if not found or not s.facts:
        return summary.acquires
    params = flow.fn.params
    once = _memo(flow.fn, _given_once)
    if once is None:        # a backward goto: its states are not walked again
        return summary.acquires
    named = [(pos, name) for pos, name in call.addr_args if name in once]
    named += [(pos, params[q] + DEREF) for pos, q in call.forwarded_params if q < len(params) and params[q]]
    for pos, name in sorted(named):
        value = next((v for f, v in s.facts if f == name), None)
        if value in _VALUES and (pos, value) in found:
            return found[(pos, value)]
    return summary.acquires


def _given_once(fn: ir.FunctionIR) -> frozenset[str] | None:
    """The locals whose address one call only is given: another one
    (``stash(&locked)``) may keep it and write the local behind the walk's
    back.  None for a body with a ``goto`` back to a label above it (the
    walk does not take it: what the caller knows at a call below the label
    is not what those paths would bring, ``again: f(&seq); .. seq = 1; goto
    again;``)."""
    if _goes_back(fn.body, set()):
        return None
    count: dict[str, int] = {}
    for n in ir_nodes(fn.body):
        if type(n) is ir.Call:
            for name in {name for _, name in n.addr_args}:
                count[name] = count.get(name, 0) + 1
    return frozenset(name for name, k in count.items() if k == 1)


def _goes_back(node, seen: set) -> bool:
    """A ``goto`` in ``node`` (statements in order) to a label in ``seen``
    or met before it."""
    t = type(node)
    if t is ir.Block:
        return any(_goes_back(item, seen) for item in node.items)
    if t is ir.Label:
        seen.add(node.name)
        return False
    if t is ir.Jump:
        return node.kind == "goto" and node.label in seen
    if t is ir.If:
        return _goes_back(node.then, seen) or _goes_back(node.orelse, seen)
    if t is ir.Loop:
        return _goes_back(node.body, seen) or _goes_back(node.post, seen)
    if t is ir.Switch:
        return _goes_back(node.pre, seen) or _goes_back(node.body, seen)
    return False


def constant_return(exits) -> str:
    """``zero`` or ``nonzero`` when every return gives it, else ""."""
    kinds = {k for _, k in exits}
    return kinds.pop() if len(kinds) == 1 and kinds <= set(_VALUES) else ""


def flag_outcomes(flow, s, call, callee, summary, site, kind: str, effect) -> list:
    """The states after ``call`` (its callee's ``summary``, the return of
    ``kind``) from ``s``: ``effect`` applied (``flow._apply_effect``), or,
    for an argument ``&local`` whose ``*p`` the callee writes, the effect
    of each value ``local`` may have on entry, with ``local`` set to what
    the callee leaves in it.  Only the first such argument is followed;
    any other one written is forgotten."""
    derefs = summary.deref_effects
    if not call.addr_args and not (derefs and call.forwarded_params):
        return [flow._apply_effect(forwarded_writes(flow, s, call), effect, call, callee, site)]
    if not derefs:
        if lock_free(summary):      # as a callee the scan skips (reaches no lock)
            s = unknown_writes(s, call)
        return [flow._apply_effect(forwarded_writes(flow, s, call), effect, call, callee, site)]
    written = {pos for pos, _ in derefs}
    mine = [(pos, name) for pos, name in call.addr_args if pos in written]
    params = flow.fn.params
    mine += [(pos, params[q] + DEREF) for pos, q in call.forwarded_params
             if pos in written and q < len(params) and params[q]]
    if not mine:
        return [flow._apply_effect(forwarded_writes(flow, s, call), effect, call, callee, site)]
    mine.sort()
    pos, name = mine[0]
    known = next((v for f, v in s.facts if f == name), None) if s.facts else None
    s = forwarded_writes(flow, s, call, name)
    out = []
    for value in ((known,) if known in _VALUES else _VALUES):
        per_kind = derefs.get((pos, value))
        if per_kind is None:        # never returns with that value on entry
            continue
        eff, after = per_kind.get(kind, per_kind["all"])
        split = [per_kind[f"{kind}={v}"] for v in _VALUES if f"{kind}={v}" in per_kind] if after is None else ()
        for eff, after in split or ((eff, after),):
            x = flow._apply_effect(s, eff, call, callee, site)
            for _, other in mine[1:]:
                x = _set(x, other, None)
            out.append(_set(x, name, after))
    return out or [flow._apply_effect(_set(s, name, None), effect, call, callee, site)]


def forwarded_writes(flow, s, call, keep: str = ""):
    """``s`` without what it knew of ``*p`` for the parameters ``p`` given
    whole to ``call`` whose ``*p`` the function reads (the callee may write
    it; the extraction leaves this drop to the walk,
    analysis.call_extract), but ``keep`` (set by :func:`flag_outcomes`)."""
    if not call.forwarded_params or not s.facts:
        return s
    params = flow.fn.params
    mine = _memo(flow.fn, _deref_params)
    for _, q in call.forwarded_params:
        if q < len(params) and params[q] in mine and params[q] + DEREF != keep:
            s = _set(s, params[q] + DEREF, None)
    return s


#: _deref_params of the bodies walked last: id -> (body, names); a body is
#: walked once per round, copy and side walk, and kept with its entry (an id
#: alone could name a freed body's successor).
_DEREF_PARAMS: dict[tuple, tuple] = {}
_MEMO_BOUND = 256
_MEMOISED: set = set()      # the functions _memo was given (a few)


def forget_deref_params(body: ir.Block | None = None) -> None:
    """The walk is over: the bodies the memo keeps go (summaries.analyse);
    with ``body``, only that freed body's entries (walked_bodies)."""
    if body is None:
        _DEREF_PARAMS.clear()
        return
    for of in _MEMOISED:
        found = _DEREF_PARAMS.get((id(body), of))
        if found is not None and found[0] is body:
            del _DEREF_PARAMS[(id(body), of)]


def _memo(fn: ir.FunctionIR, of):
    """``of(fn)``, memoised per body."""
    k = (id(fn.body), of)
    found = _DEREF_PARAMS.get(k)
    if found is None or found[0] is not fn.body:
        if len(_DEREF_PARAMS) >= _MEMO_BOUND:
            _DEREF_PARAMS.clear()
        found = _DEREF_PARAMS[k] = (fn.body, of(fn))
        _MEMOISED.add(of)
    return found[1]


def _deref_params(fn: ir.FunctionIR) -> frozenset[str]:
    """The parameters whose ``*p`` ``fn`` writes or tests."""
    return frozenset(p for _, p in written_derefs(fn))


def _set(s, name: str, value):
    from lockcheck.analysis.branchfacts import set_fact
    return set_fact(s, name, value)


def unknown_writes(s, call):
    """``s`` without the facts of the locals ``call`` is given the address
    of, for a call that reaches no summary."""
    for _, name in call.addr_args:
        s = _set(s, name, None)
    return s


def lock_free(summary) -> bool:
    """Nothing of locks in ``summary``: a function from which no lock is
    reachable, which a scan does not parse unless ``--parse-all``
    (frontend.relevance).  What it returns or writes through a pointer is
    not told its callers, parsed or not, so that skipping it changes
    nothing."""
    return not (summary.acquires or summary.param_edges or summary.not_held or summary.recursions
                or summary.irq_on or summary.release_through or summary.taken_through
                or any(e.held or e.released for e in summary.effects.values()))

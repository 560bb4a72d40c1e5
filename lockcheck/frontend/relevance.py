"""Which functions can matter for lock order, decided from tokens alone.

Parsing is the front end's dominant cost, and most kernel functions never
touch a lock, not even through their callees.  A function whose body names
no lock primitive, no modelled call (static calls, notifier chains, cpuhp
and work registration), calls through none of its parameters, and reaches
no such function through the functions and expandable macros it names,
has an empty lock summary: every caller sees it as if it were external.
Skipping its parse changes no edge, cycle or witness, so a scan parses only
the *relevant* closure.

The test is by name and conservative: every identifier a body mentions
counts (a function used as a value too), functions sharing a name share
relevance, and a member call ``->f(`` (or ``(*p->f)(``) reaches every
function any ops initialiser stores in a field ``f``.
"""

from __future__ import annotations

from collections import defaultdict

from lockcheck.frontend.lexer import C_KEYWORDS, Token
from lockcheck.frontend.typefacts import FUNCTION_TYPE, function_pointer

__all__ = ["function_refs", "relevant_functions", "model_seeds", "declared_struct_vars", "THROUGH_PARAMETER",
           "STORE", "pointer_fields"]

#: Marker ref: the function calls through one of its parameters, so the
#: functions its callers pass in may lock.
THROUGH_PARAMETER = "(*param)"
_MEMBER = "->"
#: Marker ref prefix: the function stores into member ``f`` (``x->f = y``).
#: A store of a function pointer or ops table is a fact indirect call
#: resolution needs (analysis.pointsto), so such a function is parsed.
STORE = "=->"


def function_refs(tokens: tuple[Token, ...]) -> frozenset[str]:
    """Identifiers a function's body names, ``->f`` for each member call,
    and :data:`THROUGH_PARAMETER` when it calls a parameter."""
    body = next((k for k, t in enumerate(tokens) if t.text == "{"), len(tokens))
    params = {t.text for t in tokens[:body] if t.kind == "id"}
    refs: set[str] = set()
    n = len(tokens)
    for k in range(body, n):
        t = tokens[k]
        if t.kind != "id" or t.text in C_KEYWORDS:
            continue
        called = k + 1 < n and tokens[k + 1].text == "("
        if k > 0 and tokens[k - 1].text in ("->", "."):
            if called or _called_parenthesised(tokens, k):
                refs.add(_MEMBER + t.text)
            elif k + 1 < n and tokens[k + 1].text == "=":
                refs.add(STORE + t.text)
            continue
        if t.text in params:
            if called or _called_through_star(tokens, k):
                refs.add(THROUGH_PARAMETER)
            continue
        refs.add(t.text)
    refs |= _member_pointer_calls(tokens, body)
    return frozenset(refs)


def _member_pointer_calls(tokens, body: int) -> set[str]:
    """``->f`` for a call through a local read from member ``f``
    (``cb_t done = tx->complete; ... (*done)(tx, res);``): a member call."""
    loaded: dict[str, str] = {}
    n = len(tokens)
    for k in range(body, n - 4):
        if tokens[k].kind == "id" and tokens[k + 1].text == "=" and tokens[k + 2].kind == "id":
            j = k + 3
            while j + 1 < n and tokens[j].text in ("->", ".") and tokens[j + 1].kind == "id":
                j += 2
            if j < n and tokens[j].text == ";" and j >= k + 5:
                loaded[tokens[k].text] = tokens[j - 1].text
    if not loaded:
        return set()
    out = set()
    for k in range(body, n - 1):
        t = tokens[k]
        if t.kind == "id" and t.text in loaded and \
                (tokens[k + 1].text == "(" or _called_through_star(tokens, k)) and \
                not (k > 0 and tokens[k - 1].text in ("->", ".")):
            out.add(_MEMBER + loaded[t.text])
    return out


def _called_parenthesised(tokens, k: int) -> bool:
    """A member closing a parenthesised callee: ``(*p->f)(args)``,
    ``(p->f)(args)`` (conservative: any ``f)(`` after ``->``/``.``)."""
    return k + 2 < len(tokens) and tokens[k + 1].text == ")" and tokens[k + 2].text == "("


def _called_through_star(tokens, k: int) -> bool:
    """``(*fn)(args)``."""
    return k >= 2 and tokens[k - 1].text == "*" and tokens[k - 2].text == "(" and \
        k + 2 < len(tokens) and tokens[k + 1].text == ")" and tokens[k + 2].text == "("


def model_seeds(catalogue_names: frozenset[str], contexts: dict) -> frozenset[str]:
    """Names that make a function relevant by themselves: lock primitives
    and every call a kernel model gives meaning to."""
    seeds = set(catalogue_names) | {THROUGH_PARAMETER}
    static_calls = contexts.get("static_calls", {})
    seeds |= set(static_calls.get("wrappers", {})) | set(static_calls.get("callers", ()))
    notifiers = contexts.get("notifiers", {})
    for table in ("call_chain", "register", "wrappers"):
        seeds |= set(notifiers.get(table, {}))
    if notifiers.get("block_field"):
        seeds.add(_MEMBER + notifiers["block_field"])
    # where a work item is queued says whether it runs in a softirq
    # (analysis.bh_work): every queueing counts, not only the BH ones
    bh_work = contexts.get("bh_work", {})
    for table in ("queue", "schedule"):
        seeds |= set(bh_work.get(table, {}))
    hrtimer = contexts.get("hrtimer", {})
    seeds |= set(hrtimer.get("init", {})) | set(hrtimer.get("setup", {}))
    for cb in contexts.get("callback", ()):
        seeds |= set(cb.get("register", {}))
        if cb.get("runner"):
            seeds.add(cb["runner"])
    return frozenset(seeds)


def pointer_fields(structs: dict, typedef_targets: dict) -> frozenset[str]:
    """Seeds :data:`STORE` ``+ f`` for every member ``f`` that holds a
    function pointer or a pointer to an ops table (a struct with one)."""
    def fnptr(t) -> bool:
        seen = 0
        while t is not None and t.base != "fnptr" and t.base in typedef_targets and seen < 8:
            target = typedef_targets[t.base]
            if target is not None and target.base == FUNCTION_TYPE:   # `hook *` of `typedef void (hook)(..)`
                return function_pointer(target, t.pointers) is not None
            t, seen = target, seen + 1
        return t is not None and t.base == "fnptr"
    ops_structs = {s for s, fields in structs.items() if any(fnptr(t) for t in fields.values())}
    out = set()
    for fields in structs.values():
        for name, t in fields.items():
            if fnptr(t) or (t.pointers == 1 and t.base in ops_structs):
                out.add(STORE + name)
    return frozenset(out)


def relevant_functions(refs: dict[str, set[str]], macro_refs: dict[str, set[str]],
                       ops: dict[tuple[str, str], list[str]], seeds: frozenset[str]) -> frozenset[str]:
    """Names of the functions that may acquire, release or assert a lock,
    or store a function pointer (:func:`pointer_fields`), directly or
    through what they name: a reverse reachability from the seeds over
    functions, expandable macros and ops fields."""
    users: dict[str, list[str]] = defaultdict(list)   # name -> functions/macros naming it
    for graph in (refs, macro_refs):
        for name, named in graph.items():
            for r in named:
                users[r].append(name)
    for (_, field), targets in ops.items():
        for target in targets:
            users[target].append(_MEMBER + field)
    # a member a function stores into at run time (``tx->complete = cb``):
    # calls through it reach whatever that function stores, so when it
    # matters they matter
    for name, named in refs.items():
        for r in named:
            if r.startswith(STORE):
                users[name].append(_MEMBER + r[len(STORE):])
    stack = list(seeds)
    reached = set(seeds)
    while stack:
        name = stack.pop()
        for user in users.get(name, ()):
            if user not in reached:
                reached.add(user)
                stack.append(user)
    return frozenset(name for name in refs if name in reached)


_DECL_START = frozenset(("(", ",", ";", "{", "}", "const", "static", "volatile"))
_DECL_END = frozenset((",", ")", ";", "=", "["))


def declared_struct_vars(tokens, typedef_targets: dict) -> tuple[tuple[str, str], ...]:
    """``(struct type, variable)`` for each ``struct kvm *kvm`` declared in a
    skipped function: the votes for display names that its extraction would
    have cast (lock names must not depend on which helpers were parsed)."""
    out = []
    n = len(tokens)
    for k, t in enumerate(tokens):
        if t.kind != "id" or (k and tokens[k - 1].text not in _DECL_START):
            continue
        if t.text in ("struct", "union") and k + 1 < n and tokens[k + 1].kind == "id":
            base, pointers, j = f"{t.text} {tokens[k + 1].text}", 0, k + 2
        elif t.text in typedef_targets:
            target = typedef_targets[t.text]
            base, pointers, j = target.base, target.pointers, k + 1
            if not base.startswith(("struct ", "union ")):
                continue
        else:
            continue
        while j < n and tokens[j].text in ("*", "const"):
            pointers += tokens[j].text == "*"
            j += 1
        if j + 1 < n and tokens[j].kind == "id" and tokens[j + 1].text in _DECL_END and pointers <= 1:
            out.append((base, tokens[j].text))
    return tuple(out)

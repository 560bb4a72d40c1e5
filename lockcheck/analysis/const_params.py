"""Constants handed down unchanged through wrappers, to the tests of them.

``conn_request_state(c, mask, val, flags)`` hands ``flags`` on to
``_conn_request_state(c, mask, val, flags)``, which takes a mutex only
when ``!(flags & (CS_LOCAL_ONLY | CS_HARD))``.  The wrapper tests nothing
of ``flags`` itself: its entry facts (``analysis.entry_facts``) say only
``nonzero`` or ``id:CS_HARD``, and the integer a caller passed
(``CS_VERBOSE | CS_HARD``, 3) was lost one call down.

Each parameter gets the tests made of it down the chains of calls that
hand it on unchanged (:func:`downstream_tests`: the ``(operator,
constant, flipped)`` of ``entry_facts``' pair tests, ``()&(flags,#17)``,
to a fixpoint over the forwarding calls; at most MAX_TESTS per parameter,
the others stay undecided).  A call passing a constant into such a
parameter decides each of those tests (:func:`entry_outcomes`), and the
callee's clone (``Program._specialise``) is keyed by the outcomes, not by
the constant: two flag values that decide every test alike share one
clone, so a wrapper called with a hundred constants has at most as many
clones as its tests have outcomes (and ``program.MAX_CLONES`` in any
case).  The clone hands its outcomes on to the calls forwarding the
parameter, unless it assigns the parameter or takes its address
(``analysis.param_escapes``) anywhere: then the value passed on may not
be the one it was given.  Where the outcomes reach the function making
the test, they are its entry facts.
"""

from __future__ import annotations

from lockcheck.analysis.entry_facts import pair_test, passed_constants, test_outcome

__all__ = ["MAX_TESTS", "downstream_tests", "entry_outcomes", "outcome_facts", "outcome_key"]

#: Tests followed per parameter: past it a test is not decided (its
#: branches both stay possible), and clones stay few.
MAX_TESTS = 8

Sig = tuple[str, str, bool]   # (operator, constant, the parameter is the right operand)


def own_tests(tested: tuple[str, ...], params: tuple[str, ...]) -> dict[int, list[Sig]]:
    """Parameter position -> the pair tests the function makes of it."""
    out: dict[int, list[Sig]] = {}
    for name in tested:
        test = pair_test(name, params)
        if test is not None:
            p, const, op, flipped = test
            sigs = out.setdefault(params.index(p), [])
            if (op, const, flipped) not in sigs:
                sigs.append((op, const, flipped))
    return out


def downstream_tests(own: dict[tuple[str, int], list[Sig]], hops) -> dict[tuple[str, int], tuple[Sig, ...]]:
    """(function, parameter position) -> the tests made of it there and
    down every chain of calls handing it on: ``own`` the functions' own
    tests, ``hops`` ((caller, its parameter), (callee, position)) the
    forwarding calls.  Deterministic: tests are added in the order met,
    callers worked in sorted order."""
    out = {k: list(v[:MAX_TESTS]) for k, v in sorted(own.items())}
    callers: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for src, dst in hops:
        if src != dst:
            callers.setdefault(dst, []).append(src)
    todo = sorted(k for k in out if k in callers)
    while todo:
        dst = todo.pop()
        sigs = out[dst]
        for src in callers.get(dst, ()):
            mine = out.setdefault(src, [])
            grew = False
            for sig in sigs:
                if len(mine) >= MAX_TESTS:
                    break
                if sig not in mine:
                    mine.append(sig)
                    grew = True
            if grew and src in callers:
                todo.append(src)
    return {k: tuple(v) for k, v in sorted(out.items()) if v}


def entry_outcomes(params: tuple[str, ...], tests: dict[int, tuple[Sig, ...]], call, caller_params: tuple[str, ...],
                   caller_outcomes: dict[str, tuple], caller_assigned: frozenset[str]) -> dict[str, tuple]:
    """Parameter -> ((test, zero|nonzero), ...) for the tests (``tests``:
    position -> down-stream tests of the callee) a call decides: by the
    constants it passes (``Call.const_args``, ``Call.const_values``, the
    lower bounds of ``Call.known_args``: ``analysis.arg_bounds``), or
    by what its caller's clone knows of a parameter it hands on unchanged."""
    out: dict[str, tuple] = {}
    passed = passed_constants(call.const_args, call.const_values, call.known_args)
    forwarded = dict(call.forwarded_params)
    for pos, sigs in tests.items():
        if pos >= len(params):
            continue
        found = []
        if pos in passed:
            for sig in sigs:
                value = test_outcome(passed[pos], sig[1], sig[0], sig[2])
                if value is not None:
                    found.append((sig, value))
        elif pos in forwarded and caller_outcomes:
            q = forwarded[pos]
            name = caller_params[q] if q < len(caller_params) else None
            known = dict(caller_outcomes.get(name, ())) if name not in caller_assigned else {}
            found = [(sig, known[sig]) for sig in sigs if sig in known]
        if found:
            out[params[pos]] = tuple(found)
    return out


def outcome_facts(tested: tuple[str, ...], params: tuple[str, ...], outcomes: dict[str, tuple]) -> dict[str, str]:
    """The callee's own pair tests the outcomes decide: its entry facts."""
    facts = {}
    for name in tested:
        test = pair_test(name, params)
        if test is not None and test[0] in outcomes:
            value = dict(outcomes[test[0]]).get((test[2], test[1], test[3]))
            if value is not None:
                facts[name] = value
    return facts


def outcome_key(outcomes: dict[str, tuple]) -> str:
    """The part of a clone's key the outcomes make."""
    return "".join(f";{p}{op}{const}{'^' if flipped else ''}={v}"
                   for p, found in sorted(outcomes.items()) for (op, const, flipped), v in found)

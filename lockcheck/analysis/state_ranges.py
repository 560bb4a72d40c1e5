"""Callbacks whose calling context depends on an integer state.

A CPU hotplug callback runs in process context, but one of the
STARTING/DYING section of ``enum cpuhp_state`` (after ``CPUHP_AP_OFFLINE``,
before ``CPUHP_AP_ONLINE``) runs on the hotplugged CPU with interrupts
disabled.  A ``[callback.state_range]`` of ``model/data/contexts.toml``
says so as data: the bounds are enumerator names, their values those the
tree's headers give (``frontend.constants``, ``TreeIndex.integer_macros``),
so a new state needs no new row.

* :func:`range_holds` — a registration call (``cpuhp_setup_state(STATE,
  .., startup, teardown)``) whose state argument is a constant in the range
  adds the range's ``holds`` to its runner's;
* :func:`table_runners` — a static table of the spec's struct initialised
  by index (``cpuhp_hp_states[] = { [CPUHP_AP_HRTIMERS_DYING] = {
  .teardown.single = hrtimers_cpu_dying } }``, stored by the front end as
  ``[INDEX].teardown.single``): each function at an index in the range gets
  a runner holding the range's ``holds``.

What it cannot evaluate (a state in a variable, an enumerator the scan's
headers do not give, a dynamic state) keeps the callback's plain model.
"""

from __future__ import annotations

from lockcheck.analysis import ir

__all__ = ["range_holds", "table_runners", "state_range_names", "table_indices"]


def state_range_names(contexts: dict) -> frozenset[str]:
    """The bounds the ranges of ``contexts`` name: integer constants the
    index phase keeps whatever the scanned functions reference."""
    return frozenset(r[k] for spec in contexts.get("callback", ()) for r in [spec.get("state_range") or {}]
                     for k in ("after", "before") if k in r)


def table_indices(ops: dict) -> set[str]:
    """The ``[INDEX]`` designators of a file's tables of structs (front end
    ``FileFacts.ops`` keys ``[INDEX].member``)."""
    return {member[1:].partition("]")[0] for _, member in ops if member[:1] == "["}


def _bounds(rng: dict, integers: dict[str, int]) -> tuple[int, int] | None:
    lo, hi = integers.get(rng.get("after", "")), integers.get(rng.get("before", ""))
    return None if lo is None or hi is None else (lo, hi)


def _in_range(value: int | None, bounds) -> bool:
    return value is not None and bounds is not None and bounds[0] < value < bounds[1]


def range_holds(spec: dict, call: ir.Call, integers: dict[str, int]) -> list[dict]:
    """The extra holds of ``spec``'s state range for one registration call
    (none when the call's state is no constant in the range)."""
    rng = spec.get("state_range")
    if not rng or call.callee not in rng.get("arg", {}):
        return []
    pos = rng["arg"][call.callee]
    value = next((v for p, v in call.const_values if p == pos), None)
    if not _in_range(value, _bounds(rng, integers)):
        return []
    return [dict(h, why=rng["why"]) for h in rng.get("holds", ())]


def _index_value(text: str, integers: dict[str, int]) -> int | None:
    if text[:1].isdigit():
        try:
            return int(text, 0)
        except ValueError:
            return None
    return integers.get(text)


def table_runners(specs, ops_sites: dict, integers: dict[str, int], pick, model_runner,
                  mark: str) -> list[ir.FunctionIR]:
    """A runner per function a static table stores at an index in a
    spec's state range; ``pick(file, name)``: the function the table's file
    sees (``contexts._field_runners``' binding)."""
    out = []
    done: set[tuple[str, int, str]] = set()
    for spec in specs:
        rng = spec.get("state_range")
        table = (rng or {}).get("table")
        bounds = _bounds(rng, integers) if table else None
        if bounds is None:
            continue
        holds = [(ir.LockRef(f"g:{h['lock']}", h["lock"]), h.get("mode", "exclusive"), h.get("kind", "lock"),
                  f"{mark} {rng['why']}") for h in rng.get("holds", ()) if "lock" in h]
        for (struct, member), sites in sorted(ops_sites.items()):
            if struct != table["struct"] or not member.startswith("["):
                continue
            index, _, field = member[1:].partition("].")
            if field not in table["fields"] or not _in_range(_index_value(index, integers), bounds):
                continue
            for file, cb in sorted(set(sites)):
                fn = pick(file, cb) if cb != "NULL" else None
                if fn is None or (fn.file, fn.line, fn.name) in done:
                    continue
                done.add((fn.file, fn.line, fn.name))
                why = f"{mark} {rng['why']} ({struct} [{index}].{field})"
                out.append(model_runner(f"{spec['runner']}<{cb}>", fn.file, fn.line, cb, spec["name"],
                                        [h[:3] + (why,) for h in holds], why))
    return out

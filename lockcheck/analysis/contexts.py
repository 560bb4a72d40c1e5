"""Calling contexts as data (``model/data/contexts.toml``).

A callback registered with ``cpuhp_setup_state(.., startup, teardown)`` or
``INIT_WORK(&w, fn)`` runs later, in a context that holds locks the code
never shows: the hotplug core holds ``cpu_hotplug_lock``; a work item runs
inside its ``(work_completion)`` map.  For each registration site this
module writes a small synthetic function — *hold the context's locks,
call the callback* — so the ordinary summary machinery finds the edges.
Its steps say ``[model]`` so every report can tell code from assumption.
"""

from __future__ import annotations

from lockcheck.analysis import ir

__all__ = ["callback_functions", "MODEL_MARK"]

MODEL_MARK = "[model]"


def callback_functions(functions: list[ir.FunctionIR], contexts: dict) -> list[ir.FunctionIR]:
    specs = contexts.get("callback", [])
    by_register: dict[str, tuple[dict, list[int]]] = {}
    for spec in specs:
        for name, positions in spec.get("register", {}).items():
            by_register[name] = (spec, positions)
    out: list[ir.FunctionIR] = []
    seen: set[tuple] = set()
    for fn in sorted(functions, key=lambda f: (f.file, f.line, f.name)):
        for call in _calls(fn.body):
            if call.callee not in by_register:
                continue
            spec, positions = by_register[call.callee]
            passed = dict(call.fnptr_args)
            for pos in positions:
                cb = passed.get(pos)
                if cb is None or (fn.file, cb, spec["name"]) in seen:
                    continue
                seen.add((fn.file, cb, spec["name"]))
                synthetic = _runner(spec, cb, call, fn)
                if synthetic is not None:
                    out.append(synthetic)
    return out


def _runner(spec: dict, callback: str, call: ir.Call, registrar: ir.FunctionIR) -> ir.FunctionIR | None:
    line = call.line
    why = f"{MODEL_MARK} {spec['why']} (registered by {registrar.name})"
    acquires, releases = [], []
    for hold in spec.get("holds", []):
        if "lock" in hold:
            ref = ir.LockRef(f"g:{hold['lock']}", hold["lock"])
        else:
            arg = call.args[hold["work_arg"]] if hold["work_arg"] < len(call.args) else None
            if arg is None or arg.is_param:
                return None
            ref = ir.LockRef("w:" + arg.key, arg.path, arg.owner, arg.subclass)
        acquires.append(ir.Acquire(line, ref, why, hold.get("mode", "exclusive"), hold.get("kind", "lock")))
        releases.append(ir.Release(line, ref, why))
    body = ir.Block(tuple(acquires) + (ir.Call(line, callback, model=spec["name"]),) +
                    tuple(reversed(releases)), scope=True)
    return ir.FunctionIR(f"{spec['runner']}<{callback}>", registrar.file, line, True, (), body)


def _calls(node):
    from lockcheck.analysis.summaries import calls_in
    return calls_in(node)

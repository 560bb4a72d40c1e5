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
from lockcheck.analysis.bh_work import bh_only_work
from lockcheck.analysis.guards import common_guards, guard_facts
from lockcheck.analysis.state_ranges import range_holds, table_runners
from lockcheck.analysis.workclass import work_map

__all__ = ["callback_functions", "model_runner", "MODEL_MARK"]

MODEL_MARK = "[model]"


def callback_functions(functions: list[ir.FunctionIR], contexts: dict, ops_sites: dict | None = None,
                       units: dict | None = None, integers: dict | None = None) -> list[ir.FunctionIR]:
    """The runners of registered callbacks; ``ops_sites``: (struct, field)
    -> (file, function) of each initialiser storing one (TreeIndex.ops_sites);
    ``units``: file -> the other files of its translation unit;
    ``integers``: the tree's integer constants (TreeIndex.integer_macros,
    for a spec's ``state_range``: analysis.state_ranges)."""
    specs = contexts.get("callback", [])
    integers = integers or {}
    pick = _binding(functions, units or {})
    out = _field_runners(specs, ops_sites or {}, pick)
    out += table_runners(specs, ops_sites or {}, integers, pick, model_runner, MODEL_MARK)
    by_register: dict[str, tuple[dict, list[int]]] = {}
    for spec in specs:
        for name, positions in spec.get("register", {}).items():
            by_register[name] = (spec, positions)
    seen: set[tuple] = set()
    defined = {f.name for f in functions}
    bh_spec = contexts.get("bh_work", {})
    bh = bh_only_work(functions, bh_spec) if any(s.get("holds") and any("work_arg" in h for h in s["holds"])
                                                 for s in specs) else frozenset()
    returned = _Returned(pick)
    sites: list[tuple[ir.FunctionIR, ir.Call, dict, str]] = []
    guarded: dict[tuple[str, str], list[frozenset]] = {}   # (context, callback) -> each site's guards
    for fn in sorted(functions, key=lambda f: (f.file, f.line, f.name)):
        through_locals = None
        guards = None
        for call in _calls(fn.body):
            if call.callee not in by_register:
                continue
            spec, positions = by_register[call.callee]
            passed = dict(call.fnptr_args)
            if guards is None:
                guards = guard_facts(fn.body)
            for pos in positions:
                if pos in passed:
                    callbacks = [passed[pos]]
                else:   # handler = a_irq; (or = pick_handler(dev);) ... request_irq(irq, handler, ..)
                    if through_locals is None:
                        through_locals = _passed_through_locals(fn.flows, lambda name, f=fn.file: returned(f, name))
                    callbacks = [cb for cb in through_locals.get(f"A:{call.callee}:{pos}", ())
                                 if cb in defined]
                for cb in callbacks:
                    guarded.setdefault((spec["name"], cb), []).append(guards.get(id(call), frozenset()))
                    if (fn.file, cb, spec["name"]) in seen:
                        continue
                    seen.add((fn.file, cb, spec["name"]))
                    sites.append((fn, call, spec, cb))
    for fn, call, spec, cb in sites:
        # every registration of cb under a static key: it runs with the key on (analysis.guards)
        synthetic = _runner(spec, cb, call, fn, bh, bh_spec, integers, common_guards(guarded[(spec["name"], cb)]))
        if synthetic is not None:
            out.append(synthetic)
    return out


def _passed_through_locals(flows, returned=None, slots: str = "A:") -> dict[str, list[str]]:
    """Per argument slot ``A:callee:n`` (or per other slot starting with
    ``slots``) of a function's pointer-flow facts, the functions it can
    receive through the function's locals (``L:x`` slots followed to the
    ``G:`` names stored in them) and, given ``returned(callee)``, through
    what a direct call returns (``R:callee``: xe's ``irq_handler =
    xe_irq_handler(xe)`` picks one of two handlers)."""
    into: dict[str, list[str]] = {}
    for dst, src in flows:
        into.setdefault(dst, []).append(src)
    out: dict[str, list[str]] = {}
    for dst in into:
        if not dst.startswith(slots):
            continue
        found: list[str] = []
        todo, seen = list(into[dst]), set()
        while todo:
            src = todo.pop()
            if src in seen:
                continue
            seen.add(src)
            if src.startswith("G:"):
                found.append(src[2:])
            elif src.startswith("L:"):
                todo.extend(into.get(src, ()))
            elif src.startswith("R:") and returned is not None:
                found.extend(returned(src[2:]))
        out[dst] = sorted(set(found))
    return out


class _Returned:
    """``returned(file, name)``: the functions the function ``name`` (as
    ``file`` binds it: :func:`_binding`) can return, through its locals and
    the functions it calls in its return statements; a function that
    returns through itself (a recursion) adds nothing more.  A class, not a
    closure calling itself: that closure would be a reference cycle, kept
    (with every function ``pick`` binds, bodies included) while a scan has
    the cycle collector paused (lockcheck.cyclic_gc)."""

    def __init__(self, pick) -> None:
        self.pick = pick
        self.memo: dict[tuple[str, int, str], tuple[str, ...]] = {}

    def __call__(self, file: str, name: str) -> tuple[str, ...]:
        fn = self.pick(file, name)
        if fn is None:
            return ()
        key = (fn.file, fn.line, fn.name)
        if key not in self.memo:
            self.memo[key] = ()     # while it is being followed: a recursion adds nothing
            self.memo[key] = tuple(_passed_through_locals(fn.flows, lambda callee: self(fn.file, callee),
                                                          "RET").get("RET", ()))
        return self.memo[key]


def _binding(functions, units: dict):
    """``pick(file, name)``: the function an initialiser in ``file`` stores
    by ``name``, as the linker would bind it: that file's own (or its
    translation unit's) definition, else the global (or a header's)
    definition; a ``static`` namesake elsewhere (r8a66597's host and gadget
    drivers both define ``r8a66597_irq``) is another function."""
    in_file: dict[tuple[str, str], ir.FunctionIR] = {}
    public: dict[str, ir.FunctionIR] = {}
    for fn in sorted(functions, key=lambda f: (f.file.endswith(".h"), f.file, f.line, f.name)):
        in_file.setdefault((fn.file, fn.name), fn)
        if not fn.static or fn.file.endswith(".h"):   # a header's: the .c files including it see it
            public.setdefault(fn.name, fn)

    def pick(file: str, cb: str) -> ir.FunctionIR | None:
        return next((in_file[(f, cb)] for f in (file,) + tuple(units.get(file, ())) if (f, cb) in in_file),
                    public.get(cb))
    return pick


def _field_runners(specs, ops_sites: dict, pick) -> list[ir.FunctionIR]:
    """Callbacks the core calls through an ops field (``fields`` rows:
    ``struct hc_driver`` ``.irq`` runs in hardirq): one runner per function
    an initialiser stores there, at the function's own definition (the one
    the initialiser's file sees: :func:`_binding`)."""
    out = []
    done: set[tuple[str, int, str, str]] = set()
    for spec in specs:
        for struct, member in spec.get("fields", ()):
            for file, cb in sorted(set(ops_sites.get((struct, member), ()))):
                fn = pick(file, cb)
                if fn is None or (fn.file, fn.line, fn.name, spec["name"]) in done:
                    continue
                done.add((fn.file, fn.line, fn.name, spec["name"]))
                why = f"{MODEL_MARK} {spec['why']} (stored in {struct}.{member})"
                holds = [(ir.LockRef(f"g:{h['lock']}", h["lock"]), h.get("mode", "exclusive"), h.get("kind", "lock"), why)
                         for h in spec.get("holds", ()) if "lock" in h]
                out.append(model_runner(f"{spec['runner']}<{cb}>", fn.file, fn.line, cb, spec["name"], holds, why))
    return out


def model_runner(name: str, file: str, line: int, callback: str, model: str, holds, why: str,
                 known: tuple = ()) -> ir.FunctionIR:
    """A synthetic function standing for the core code that runs
    ``callback``: it takes each of ``holds`` (``(LockRef, mode, kind,
    witness text)``, in order), calls the callback, and releases them in
    reverse (``why``: the release steps' text); ``known``: the global
    facts the callback runs with (``Call.held_facts``, analysis.guards)."""
    acquires = tuple(ir.Acquire(line, ref, what, mode, kind) for ref, mode, kind, what in holds)
    releases = tuple(ir.Release(line, ref, why) for ref, *_ in reversed(holds))
    body = ir.Block(acquires + (ir.Call(line, callback, model=model, held_facts=known),) + releases, scope=True)
    return ir.FunctionIR(name, file, line, True, (), body)


def _runner(spec: dict, callback: str, call: ir.Call, registrar: ir.FunctionIR,
            bh: frozenset[str] = frozenset(), bh_spec: dict | None = None,
            integers: dict | None = None, known: tuple = ()) -> ir.FunctionIR | None:
    line = call.line
    why = f"{MODEL_MARK} {spec['why']} (registered by {registrar.name})"
    taken = []
    holds = list(spec.get("holds", [])) + range_holds(spec, call, integers or {})
    for hold in spec.get("holds", []):
        if "work_arg" in hold:
            arg = call.args[hold["work_arg"]] if hold["work_arg"] < len(call.args) else None
            if arg is not None and not arg.is_param and work_map(arg).key in bh:
                # queued only on a BH workqueue (analysis.bh_work): softirq first
                holds = [dict(h, why=bh_spec["why"]) for h in bh_spec.get("holds", ())] + holds
                break
    for hold in holds:
        if "lock" in hold:
            ref = ir.LockRef(f"g:{hold['lock']}", hold["lock"])
        else:
            arg = call.args[hold["work_arg"]] if hold["work_arg"] < len(call.args) else None
            if arg is None or arg.is_param:
                return None
            arg = work_map(arg)
            ref = ir.LockRef("w:" + arg.key, arg.path, arg.owner, arg.subclass)
        what = f"{MODEL_MARK} {hold['why']} (registered by {registrar.name})" if "why" in hold else why
        taken.append((ref, hold.get("mode", "exclusive"), hold.get("kind", "lock"), what))
    return model_runner(f"{spec['runner']}<{callback}>", registrar.file, line, callback, spec["name"], taken, why,
                        known)


def _calls(node):
    from lockcheck.analysis.irwalk import calls_in
    return calls_in(node)

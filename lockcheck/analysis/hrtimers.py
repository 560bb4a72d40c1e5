"""hrtimer callbacks: hardirq or softirq context by the timer's mode.

An hrtimer's callback is a field store (``t.function = cb``, the ``field``
of ``[hrtimer]`` in contexts.toml) next to ``hrtimer_init(&t, clock,
mode)``, or the argument of an ``hrtimer_setup()``-like call that takes
the mode too.  The core runs it in hardirq context unless the mode has the
SOFT bit (kernel/time/hrtimer.c: ``timer->is_soft``), then in the
HRTIMER_SOFTIRQ.  The default configuration is modelled (on PREEMPT_RT
every mode but the HARD ones is soft).

Which mode: the init calls of the function that stores the callback (or
the setup call itself).  All of them naming a known hard mode: hardirq;
all a known soft mode: softirq; anything else (a mode in a variable, no
init call in the function, hard and soft ones mixed) is *unknown*.  An
unknown timer still runs in an interrupt, never in process context with
interrupts on; it is entered as softirq with hardirqs off: every finding
that gives (USED_IN_SOFTIRQ, nothing taken "with hardirqs on" in it) holds
as well if the timer is in fact a hard one, since a lock taken with
softirqs on is taken with hardirqs on too.

Each callback gets a synthetic runner (as analysis.contexts writes them),
so it is no longer a root entered in process context.
"""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.contexts import MODEL_MARK, model_runner
from lockcheck.analysis.irwalk import calls_in

__all__ = ["hrtimer_functions", "timer_context"]


def timer_context(modes: list[str | None], model: dict) -> str:
    """``hard``, ``soft`` or ``unknown`` for the modes (``id:NAME`` const
    arguments, None when not a named constant) of a timer's init calls."""
    soft, hard = set(model.get("soft_modes", ())), set(model.get("hard_modes", ()))
    names = {m[3:] if m and m.startswith("id:") else None for m in modes}
    if not names or None in names:
        return "unknown"
    if names <= soft:
        return "soft"
    if names <= hard:
        return "hard"
    return "unknown"


def hrtimer_functions(functions: list[ir.FunctionIR], contexts: dict) -> list[ir.FunctionIR]:
    model = contexts.get("hrtimer")
    if not model:
        return []
    holds = _holds(model, contexts)
    store = "F:{}:{}".format(*model["field"])
    init: dict[str, int] = model.get("init", {})
    setup: dict[str, list[int]] = model.get("setup", {})
    defined = {f.name for f in functions}
    out, seen = [], set()
    for fn in sorted(functions, key=lambda f: (f.file, f.line, f.name)):
        stored = sorted({src[2:] for dst, src in fn.flows if dst == store and src.startswith("G:")}
                        & defined)
        found: list[tuple[str, str, int]] = []   # (callback, context, line)
        if stored:
            calls = [c for c in calls_in(fn.body) if c.callee in init]
            modes = [dict(c.const_args).get(init[c.callee]) for c in calls]
            line = calls[0].line if calls else fn.line
            found += [(cb, timer_context(modes, model), line) for cb in stored]
        for c in calls_in(fn.body):
            if c.callee in setup:
                cb_pos, mode_pos = setup[c.callee]
                cb = dict(c.fnptr_args).get(cb_pos)
                if cb in defined:
                    found.append((cb, timer_context([dict(c.const_args).get(mode_pos)], model), c.line))
        for cb, context, line in found:
            if (fn.file, cb, context) in seen:
                continue
            seen.add((fn.file, cb, context))
            out.append(_runner(model, holds[context], cb, context, fn, line))
    return out


def _holds(model: dict, contexts: dict) -> dict[str, list[dict]]:
    """Pseudo-locks a runner holds per context: the ``hardirq`` and
    ``softirq`` callbacks' own, and ``unknown_holds``."""
    by_name = {s["name"]: s for s in contexts.get("callback", ())}
    return {"hard": by_name[model["hard"]]["holds"], "soft": by_name[model["soft"]]["holds"],
            "unknown": model["unknown_holds"]}


def _runner(model: dict, holds: list[dict], cb: str, context: str, registrar: ir.FunctionIR,
            line: int) -> ir.FunctionIR:
    why = f"{MODEL_MARK} {model['why'][context]} (set up by {registrar.name})"
    taken = [(ir.LockRef(f"g:{h['lock']}", h["lock"]), h.get("mode", "exclusive"), h.get("kind", "irq"), why)
             for h in holds]
    return model_runner(f"{model['runner']}<{cb}>", registrar.file, line, cb, "hrtimer", taken, why)

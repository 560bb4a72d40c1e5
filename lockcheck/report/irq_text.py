"""The text of the interrupt-safety findings (LC301, LC302), in lockdep's
words: "inconsistent lock state" and "HARDIRQ-safe -> HARDIRQ-unsafe lock
order detected", each usage state with the call chain that made it (where
lockdep prints the stack that registered it), and the ``<Interrupt>``
scenario.  The findings' edges are laid out by
``analysis.to_result._irq_finding``: for irq-unsafe-order the lock-order
edge first; then the usage witnesses, each an edge from its state's label
(``{IN-HARDIRQ-W}``) to the class."""

from __future__ import annotations

from lockcheck.report.rank import score
from lockcheck.result import Edge, Finding

__all__ = ["inconsistent", "unsafe_order"]

IND = " " * 7


def _irq(label: str) -> str:
    """HARDIRQ or SOFTIRQ, from a state label."""
    return "SOFTIRQ" if "SOFTIRQ" in label else "HARDIRQ"


def _usage(w, e: Edge) -> None:
    for s in e.acquire:
        w.line(IND, *w.site(s), f"  {_call(s.what)}")
    w.quote(e.acquire[-1] if e.acquire else None)


def _root(w, e: Edge) -> None:
    """ENABLED states rest on an entry assumed process context."""
    if e.acquire:
        w.line(IND, (f"({e.acquire[0].function}() has no caller in the scan: entered in process "
                     "context, interrupts enabled)", "dim"))


def _call(what: str) -> str:
    return f"{what}()" if what.isidentifier() else what


def _head(w, f: Finding, title: str) -> None:
    w.line(("=" * len(title), "red"))
    w.line((title, "bold red"))
    w.line(("-" * len(title), "red"))
    w.line((f"[{f.id}]", "yellow"), f" score {score(f)}")
    w.line("confidence ", f.confidence, f": {f.reason}")
    w.line("")


def _end(w) -> None:
    w.line("")
    w.line((" *** DEADLOCK ***", "bold red"))
    w.line("")


def inconsistent(w, f: Finding) -> None:
    used, on = f.edges
    lock = f.locks[0]
    _head(w, f, "WARNING: inconsistent lock state")
    w.line(f"inconsistent {used.src} -> {on.src} usage.")
    task = on.acquire[0].function if on.acquire else "task"
    w.line((f"{task}()", "green"), " takes:")
    if on.acquire:
        w.line(" ", w.lock(lock), ", at: ", *w.site(on.acquire[-1]))
    w.line(f"{used.src} state was registered at:")
    _usage(w, used)
    w.line(f"{on.src} state was registered at:")
    _usage(w, on)
    _root(w, on)
    w.line("")
    w.line("other info that might help us debug this:")
    w.line(" Possible unsafe locking scenario:")
    w.line("")
    w.line("       CPU0")
    w.line("       ----")
    w.line(f"  lock({lock});")
    w.line("  <Interrupt>")
    w.line(f"    lock({lock});")
    _end(w)


def unsafe_order(w, f: Finding) -> None:
    dep, used, on = f.edges
    safe, unsafe = f.locks
    irq = _irq(used.src)
    _head(w, f, f"WARNING: {irq}-safe -> {irq}-unsafe lock order detected")
    task = dep.acquire[0].function if dep.acquire else "task"
    w.line((f"{task}()", "green"), " is trying to acquire:")
    if dep.acquire:
        w.line(" ", w.lock(unsafe), ", at: ", *w.site(dep.acquire[-1]))
    w.line("and this task is already holding:")
    if dep.held:
        w.line(" ", w.lock(safe), ", at: ", *w.site(dep.held[-1]))
    w.line("which would create a new lock dependency:")
    w.line(" ", w.lock(safe), " -> ", w.lock(unsafe))
    w.chain(dep)
    w.line("")
    w.line(f"but this new dependency connects a {irq}-irq-safe lock:")
    w.line(" ", w.lock(safe))
    w.line(f"... which became {irq}-irq-safe at ({used.src}):")
    _usage(w, used)
    w.line(f"to a {irq}-irq-unsafe lock:")
    w.line(" ", w.lock(unsafe))
    w.line(f"... which became {irq}-irq-unsafe at ({on.src}):")
    _usage(w, on)
    _root(w, on)
    w.line("")
    w.line("other info that might help us debug this:")
    w.line(" Possible interrupt unsafe locking scenario:")
    w.line("")
    col = max(24, len(unsafe) + 10)
    w.line(f"       {'CPU0':<{col}}CPU1")
    w.line(f"       {'----':<{col}}----")
    pad = " " * (col + 7)
    w.line(f"  lock({unsafe});")
    w.line(pad + ("local_bh_disable();" if irq == "SOFTIRQ" else "local_irq_disable();"))
    w.line(pad + f"lock({safe});")
    w.line(pad + f"lock({unsafe});")
    w.line("  <Interrupt>")
    w.line(f"    lock({safe});")
    _end(w)

"""The text report, in lockdep's words so kernel developers read it at once.

lockdep prints runtime stacks; a static report has none, so each edge block
gives the call chain from where the first lock is taken to where the second
is taken (function, file:line, and the source line of both lock sites), and
the report ends with the edge we suggest breaking.  Layout rules:

* blocks are numbered like lockdep's "(in reverse order)": ``#0`` is the
  lock being acquired (``locks[0]``, shown with the closing acquisition),
  ``#k`` is ``locks[k]`` shown with the edge that took it (``edges[k-1]``),
  so the lock already held is ``#N-1``; printed from ``#N-1`` down to ``#0``
  (:func:`lockcheck.report.scenario.chain_number`);
* one column per CPU in the scenario (see :mod:`lockcheck.report.scenario`);
* nothing time-dependent unless ``show_time`` (the CLI sets it only on a
  terminal), so piped output is byte-for-byte reproducible.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from lockcheck.report import irq_text, scenario as sc
from lockcheck.report.console import make_console
from lockcheck.report.rank import score
from lockcheck.report.screen import Screen, held_back_rows, screenful
from lockcheck.report.source import SourceLines
from lockcheck.result import Edge, Finding, ScanResult, WitnessStep

__all__ = ["render"]

IND = " " * 7
COL = 29          # lockdep's scenario column width


class _Writer:
    def __init__(self, console, src: SourceLines, kinds: dict[str, str]) -> None:
        self.c, self.src, self.kinds = console, src, kinds

    def line(self, *parts) -> None:
        t = Text()
        for p in parts:
            t.append(*(p if isinstance(p, tuple) else (p,)))
        self.c.print(t)

    def lock(self, name: str) -> tuple[str, str]:
        return (f"({name}){{{self.kinds.get(name, 'lock')}}}", "bold")

    def site(self, s: WitnessStep) -> list:
        return [(f"{s.function}()", "green"), " at ", (f"{s.file}:{s.line}", "cyan")]

    def quote(self, s: WitnessStep | None, indent: str = IND) -> None:
        if s is None:
            return
        text = self.src.line(s.file, s.line)
        if text is None:
            return
        room = max(self.c.width - len(indent) - 8, 20)
        body = text.strip()
        body = body if len(body) <= room else body[: room - 1] + "…"
        self.line(indent, (f"{s.line:>5} | {body}", "dim"))

    def chain(self, e: Edge) -> None:
        """Where ``e.src`` is taken, then the calls down to where ``e.dst`` is."""
        if e.held:
            self.line(IND, f"holding {e.src}, taken at:")
            for s in e.held:
                self.line(IND, *self.site(s), f"  {_call(s.what)}")
            self.quote(e.held[-1])
        self.line(IND, f"then, to take {e.dst}:")
        for s in e.acquire:
            self.line(IND, *self.site(s), f"  {_call(s.what)}")
        self.quote(e.acquire[-1] if e.acquire else None)


def _call(what: str) -> str:
    """``mutex_lock()``; model annotations (``f [model: ...]``) as they are."""
    return f"{what}()" if what.isidentifier() else what


_LEVEL_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}


def _confidence(w: _Writer, f: Finding) -> None:
    """The finding's confidence and what its weakest edge rests on."""
    w.line("confidence ", (f.confidence, _LEVEL_STYLE[f.confidence]), f": {f.reason}")


def _others(w: _Writer, g) -> None:
    """The cycles grouped under the one printed (all of them in JSON)."""
    if not g.others:
        return
    n = len(g.others)
    if g.lead.kind == "circular":
        e = g.lead.weakest_edge
        same = f"{e.src} --> {e.dst}" if e.confidence == "high" else f"holding {e.src}, the same doubt"
        w.line((f"{n} other cycle{'s' if n != 1 else ''} through this edge", "bold"),
               f" ({same}); --format json lists them:")
    else:
        w.line((f"{n} other finding{'s' if n != 1 else ''} like this one", "bold"), "; --format json lists them:")
    for f in g.others[:3]:
        w.line("  ", (f"[{f.id}]", "yellow"), f" {' --> '.join(f.locks)}")
    if n > 3:
        w.line(f"  ... and {n - 3} more")
    w.line("")


def _banner(w: _Writer, title: str) -> None:
    w.line(("=" * len(title), "red"))
    w.line((title, "bold red"))
    w.line(("-" * len(title), "red"))


def _acquisition(w: _Writer, f: Finding) -> None:
    e = sc.closing(f)
    task = e.acquire[0].function if e.acquire else "task"
    w.line((f"{task}()", "green"), " is trying to acquire lock:")
    if e.acquire:
        w.line(" ", w.lock(e.dst), ", at: ", *w.site(e.acquire[-1]))
        w.quote(e.acquire[-1])
    w.line("")
    w.line("but task is already holding lock:")
    if e.held:
        w.line(" ", w.lock(e.src), ", at: ", *w.site(e.held[-1]))
        w.quote(e.held[-1])
    w.line("")


def _scenario(w: _Writer, f: Finding) -> None:
    ops = sc.scenario(f)
    col = max(COL, max(len(o.text) for o in ops) + 3)
    n = sc.cpus(f)
    w.line(" Possible unsafe locking scenario:")
    w.line("")
    w.line("".join(f"{'':5}{'CPU%d' % i:<{col - 5}}" for i in range(n)).rstrip())
    w.line("".join(f"{'':5}{'----':<{col - 5}}" for i in range(n)).rstrip())
    for o in ops:
        verb_style = "magenta" if o.verb != "lock" else ""
        w.line("  " + " " * (col * o.cpu), (o.text, verb_style))
    w.line("")
    w.line((" *** DEADLOCK ***", "bold red"))
    w.line("")


def _circular(w: _Writer, f: Finding) -> None:
    n = len(f.edges)
    _banner(w, "WARNING: possible circular locking dependency detected")
    w.line((f"[{f.id}]", "yellow"), f" {n} locks, score {score(f)}")
    _confidence(w, f)
    w.line("")
    _acquisition(w, f)
    w.line("which lock already depends on the new lock.")
    w.line("")
    w.line("")
    w.line("the existing dependency chain (in reverse order) is:")
    for i in sorted(range(n), key=lambda i: -sc.chain_number(i, n)):
        e = f.edges[i]
        w.line("")
        w.line(f"-> #{sc.chain_number(i, n)} ", w.lock(e.dst), ":")
        w.chain(e)
    w.line("")
    w.line("other info that might help us debug this:")
    w.line("")
    if n > 2:
        w.line("Chain exists of:")
        w.line("  ", (" --> ".join(f.locks), "bold"))
        w.line("")
    _scenario(w, f)
    k = sc.edge_to_break(f)
    e = f.edges[k]
    calls = max(len(e.acquire) - 1, 0)
    via = f" through {calls} call{'s' if calls != 1 else ''}" if calls else " directly"
    where = e.acquire[0].function if e.acquire else "?"
    w.line(("suggested fix: ", "bold"), f"break #{sc.chain_number(k, n)} ({e.src} --> {e.dst}):")
    w.line("  ", (f"{where}()", "green"), f" takes {e.dst}{via} while holding {e.src}.")
    if calls:
        w.line("  It is the cycle's longest chain: the most model-dependent edge, and the one where")
        w.line(f"  the hold is furthest from the code that needs it. Release {e.src} before that")
        w.line(f"  call, or take {e.dst} earlier, outside {e.src}.")
    else:
        w.line("  Every edge is direct; keep the order the rest of the code uses and change the")
        w.line(f"  other one: release {e.src} first, or take {e.dst} before it.")
    w.line("")


def _recursive(w: _Writer, f: Finding) -> None:
    e = f.edges[0]
    _banner(w, "WARNING: possible recursive locking detected")
    w.line((f"[{f.id}]", "yellow"), f" score {score(f)}")
    _confidence(w, f)
    w.line("")
    _acquisition(w, f)
    w.line("the call chain is:")
    w.chain(e)
    w.line("")
    w.line("other info that might help us debug this:")
    w.line("")
    _scenario(w, f)
    w.line(" May be due to missing lock nesting notation (mutex_lock_nested() and friends)")
    w.line("")


def _not_held(w: _Writer, f: Finding) -> None:
    e = f.edges[0]
    _banner(w, "WARNING: lock held when entering code that asserts it is not held")
    w.line((f"[{f.id}]", "yellow"), f" score {score(f)}")
    _confidence(w, f)
    w.line("")
    w.line(f"lockdep_assert_not_held({e.dst}) is reached while {e.src} is held;")
    w.line("the call chain is:")
    w.chain(e)
    w.line("")


def _summary(c, result: ScanResult, screen: Screen, show_time: bool, plain: bool) -> None:
    s = result.stats
    table = Table(title="lockcheck summary", show_header=False, box=box.ASCII if plain else box.ROUNDED)
    table.add_column("what")
    table.add_column("count", justify="right")
    lengths: dict[int, int] = {}
    for f in result.findings:
        if f.kind == "circular":
            lengths[len(f.locks)] = lengths.get(len(f.locks), 0) + 1
    for n in sorted(lengths):
        table.add_row(f"cycles of {n} locks", str(lengths[n]))
    table.add_row("cycles", str(s.get("cycles", 0)))
    table.add_row("recursive locking", str(s.get("recursive", 0)))
    if s.get("assert_not_held"):
        table.add_row("held despite assert_not_held", str(s["assert_not_held"]))
    for kind, what in (("irq-inconsistent", "inconsistent irq lock state"),
                       ("irq-unsafe-order", "irq-safe -> irq-unsafe order")):
        n = sum(1 for f in result.findings if f.kind == kind)
        if n:
            table.add_row(what, str(n))
    levels: dict[str, int] = {}
    for f in result.findings:
        levels[f.confidence] = levels.get(f.confidence, 0) + 1
    for lvl in ("high", "medium", "low"):
        if lvl in levels:
            table.add_row(f"findings of {lvl} confidence", str(levels[lvl]))
    at = f">= {screen.min_confidence}" if screen.min_confidence else "--all"
    table.add_row(f"reports shown ({at})", str(len(screen.shown)))
    grouped = sum(len(g.members) for g in screen.shown)
    if grouped > len(screen.shown):
        table.add_row("findings in them", str(grouped))
    if screen.over_limit:
        table.add_row("not shown (--max-cycles)", str(len(screen.over_limit)))
    table.add_row("lock classes", str(s.get("classes", len(result.locks))))
    table.add_row("edges", str(s.get("edges", len(result.edges))))
    fn = s.get("functions", {})
    table.add_row("functions parsed", f"{fn.get('parsed', 0)}/{fn.get('total', 0)}")
    if fn.get("skipped"):
        table.add_row("functions reaching no lock", f"{fn['skipped']} (not parsed)")
    table.add_row("files", str(s.get("files", 0)))
    if show_time and "seconds" in s:
        table.add_row("time", f"{s['seconds']} s")
    c.print(table)
    rows = held_back_rows(screen)
    if rows:
        held = Table(title=f"held back: below confidence {screen.min_confidence} (--all shows them)",
                     box=box.ASCII if plain else box.ROUNDED)
        for col, just in (("confidence", "left"), ("why", "left"), ("reports", "right"), ("findings", "right")):
            held.add_column(col, justify=just)
        for lvl, why, n, m in rows:
            held.add_row(lvl, why, str(n), str(m))
        c.print(held)


def render(result: ScanResult, out, *, color: bool | None = None, width: int | None = None,
           show_time: bool = False, screen: Screen | None = None, **_opts) -> None:
    """Write the report for ``result``: the groups of ``screen`` (default:
    :func:`~lockcheck.report.screen.screenful` of the findings in the order
    given), then the summary and what was held back."""
    console = make_console(out, color, width)
    kinds = {lk.name: lk.kind for lk in result.locks}
    w = _Writer(console, SourceLines(result.source_root), kinds)
    screen = screen if screen is not None else screenful(result.findings)
    for err in result.errors:
        w.line(("lockcheck: warning: ", "yellow"), err)
    if result.errors:
        w.line("")
    for g in screen.shown:
        {"circular": _circular, "assert-not-held": _not_held, "irq-inconsistent": irq_text.inconsistent,
         "irq-unsafe-order": irq_text.unsafe_order}.get(g.lead.kind, _recursive)(w, g.lead)
        _others(w, g)
    _summary(console, result, screen, show_time, plain=console.no_color)

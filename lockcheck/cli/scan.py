"""``lockcheck scan``: the lock-order graph of PATHs and every cycle in it.

Also the helpers the other result-reporting commands (``why``, ``graph``)
share: running the check with a progress bar and one-line errors.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.options import build_options, common_options, confidence_options, shown_level
from lockcheck.errors import InputError

SCAN_FORMATS = ("text", "json", "sarif", "dot")
# what a bad input may raise below the CLI: reported in one line, exit 2
BAD_INPUT = (InputError, OSError, ValueError, UnicodeError, RecursionError)


def set_format_choices(cmd: click.Command, choices) -> click.Command:
    """``common_options`` offers text/json (all ``stats`` has); widen or
    drop (``choices=None``) ``--format`` for one command."""
    for p in list(cmd.params):
        if p.name == "fmt":
            if choices is None:
                cmd.params.remove(p)
            else:
                p.type = click.Choice(list(choices))
    return cmd


def error(msg) -> int:
    if isinstance(msg, OSError) and msg.strerror:
        msg = f"{msg.filename}: {msg.strerror}" if msg.filename else msg.strerror
    click.echo(f"lockcheck: error: {msg}", err=True)
    return exitcodes.USAGE_ERROR


def _run_line(result) -> str:
    """How the result was obtained (never in a report: it differs cold/warm)."""
    info, st = result.run_info, result.stats
    fn = st.get("functions", {})
    how = "whole scan reused from the cache" if info.get("whole_scan_cached") else \
        f"{info.get('files_parsed', 0)} parsed, {info.get('files_cached', 0)} from the cache"
    tree = st.get("tree_callees") or {}
    outside = f"; {tree.get('parsed', 0)} callees outside the scan in {info['tree_seconds']} s" \
        if "tree_seconds" in info and "parsed" in tree else ""
    phases = info.get("phases")
    peaks = info.get("peak_mb", {})
    timed = "\nlockcheck: phases: " + ", ".join(
        f"{k} {v:.1f} s" + (f" (peak {peaks[k]} MB)" if k in peaks else "") for k, v in phases.items()) \
        if phases else ""
    for ident, walks in sorted(info.get("recursion_walks", {}).items()):
        timed += f"\nlockcheck: large recursion {ident}: members walked per pass {walks}"
    from lockcheck import compiled_modules
    stale, broken = compiled_modules.stale(), compiled_modules.failed()
    timed += f"\nlockcheck: {len(compiled_modules.loaded())} modules compiled" + \
        (f", {len(stale)} run as Python (edited since `make setup`, or not built): {', '.join(sorted(stale))}" if stale else "") + \
        (f", {len(broken)} run as Python (their extension would not load; `make setup` builds them again): "
         f"{', '.join(sorted(broken))}" if broken else "")
    return (f"lockcheck: {st.get('files', 0)} files ({how}); {fn.get('parsed', 0)} functions parsed, "
            f"{fn.get('skipped', 0)} reach no lock{outside}; {st.get('seconds', 0)} s{timed}")


def run_check(quiet: bool, **kw):
    """``api.check`` with a progress bar; None when nothing could be analysed."""
    from lockcheck.api import check
    from lockcheck.report.progress import scan_progress
    options = build_options(**kw)
    with scan_progress(quiet) as progress:
        result = check(options, progress=progress)
    if result.run_info.get("cache_not_written"):
        click.echo(f"lockcheck: warning: cannot write to the cache {options.cache_dir} "
                   f"({result.run_info['cache_not_written']}): this run's results are not kept", err=True)
    if result.stats["files"] == len(result.errors) and result.stats["functions"]["total"] == 0:
        for err in result.errors:
            error(err)
        return None
    return result


@click.command()
@common_options
@click.option("--max-cycle-length", default=6, show_default=True, type=click.IntRange(2, 12),
              help="Longest cycle enumerated.")
@click.option("--max-cycles", type=click.IntRange(min=1), default=None, metavar="N",
              help="Report only the N highest-ranked reports (exit code still counts all shown).")
@confidence_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("-v", "--verbose", is_flag=True,
              help="One line on stderr: files parsed this run and reused from the cache, functions skipped.")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Known cycles (lockcheck baseline create): listed, never failing.")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="Suppressions file (default: .lockcheck.toml at the tree root).")
@click.option("--docs", "docs", multiple=True, type=click.Path(dir_okay=False),
              help="Locking document (RST) whose orders join the graph as documented edges.")
def scan(fmt, max_cycle_length, max_cycles, min_confidence, show_all, quiet, verbose, baseline, config, docs,
         **kw):
    """Report every lock-order cycle (possible ABBA deadlock) in PATHs.

    Findings are ranked by confidence, then score (see docs/reports.md);
    text is lockdep's report for the findings at or above --min-confidence
    (cycles sharing their weakest edge as one), then what was held back;
    json follows lockcheck/report/schema/lockcheck-result-v1.json, sarif is
    SARIF 2.1.0 (both carry every finding), dot is the lock graph for Graphviz.

    Exit codes: 0 no finding at or above --min-confidence, 1 such findings,
    2 usage or input error.
    """
    from lockcheck.report import renderer
    from lockcheck.report.rank import rank
    from lockcheck.report.screen import screenful
    from lockcheck.report.text import render as render_text
    from lockcheck.gate.baseline import apply_baseline
    from lockcheck.gate.suppress import apply_suppressions, find_config, load_config
    try:
        cfg = load_config(config) if config else None
        for d in docs:
            if not Path(d).is_file():
                raise InputError(f"{d}: no such file")
        result = run_check(quiet, max_cycle_length=max_cycle_length, docs=tuple(docs), **kw)
        if result is None:
            return exitcodes.USAGE_ERROR
        if cfg is None and (found_cfg := find_config(result.source_root)) is not None:
            cfg = load_config(found_cfg)
        result, suppressed = apply_suppressions(result, cfg) if cfg else (result, [])
        known, stale = [], []
        if baseline:
            result, known, stale = apply_baseline(result, baseline)
        _warn_unparsed(result.stats.get("unparsed", ()))
        if verbose:
            click.echo(_run_line(result), err=True)
        ranked = rank(result.findings)
        screen = screenful(ranked, shown_level(min_confidence, show_all), max_cycles)
        found = bool(screen.shown or screen.over_limit)
        extra = {"suppressed": suppressed, "known": known, "stale": stale}
        if fmt != "text":
            for err in result.errors:
                click.echo(f"lockcheck: warning: {err}", err=True)
            shown = dataclasses.replace(result, findings=ranked[:max_cycles] if max_cycles else ranked)
            renderer(fmt)(shown, sys.stdout, min_confidence=screen.min_confidence, **extra)
        else:
            render_text(dataclasses.replace(result, findings=ranked), sys.stdout, screen=screen,
                        show_time=sys.stdout.isatty())
            _known_lines(**extra)
    except BAD_INPUT as exc:
        return error(exc)
    return exitcodes.FINDINGS if found else exitcodes.CLEAN


MAX_UNPARSED_WARNINGS = 20


def _warn_unparsed(unparsed) -> None:
    """An unparsable function is reported (one line) and skipped."""
    for u in unparsed[:MAX_UNPARSED_WARNINGS]:
        click.echo(f"lockcheck: warning: {u['file']}:{u['line']}: {u['function']}() not parsed, "
                   f"skipped: {u['reason']}", err=True)
    if len(unparsed) > MAX_UNPARSED_WARNINGS:
        click.echo(f"lockcheck: warning: ... and {len(unparsed) - MAX_UNPARSED_WARNINGS} more functions "
                   "not parsed (lockcheck stats lists them)", err=True)


def _known_lines(suppressed, known, stale) -> None:
    """What the gate kept quiet, so nothing disappears silently."""
    for f, reason in suppressed:
        click.echo(f"suppressed [{f.id}] {' -> '.join(f.locks)}: {reason}")
    for f in known:
        click.echo(f"known (baseline) [{f.id}] {' -> '.join(f.locks)}")
    for e in stale:
        click.echo(f"stale baseline entry [{e.id}] {' -> '.join(e.locks)}: the cycle is gone")


set_format_choices(scan, SCAN_FORMATS)

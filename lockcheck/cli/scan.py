"""``lockcheck scan``: the lock-order graph of PATHs and every cycle in it.

Also the helpers the other result-reporting commands (``why``, ``graph``)
share: running the check with a progress bar and one-line errors.
"""

from __future__ import annotations

import dataclasses
import sys

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.options import build_options, common_options
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


def run_check(quiet: bool, **kw):
    """``api.check`` with a progress bar; None when nothing could be analysed."""
    from lockcheck.api import check
    from lockcheck.report.progress import scan_progress
    options = build_options(**kw)
    with scan_progress(options.paths, quiet) as progress:
        result = check(options, progress=progress)
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
              help="Report only the N highest-ranked findings (exit code still counts all).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def scan(fmt, max_cycle_length, max_cycles, quiet, **kw):
    """Report every lock-order cycle (possible ABBA deadlock) in PATHs.

    Findings are ranked (see docs/reports.md); text is lockdep's report,
    json follows lockcheck/report/schema/lockcheck-result-v1.json, sarif is
    SARIF 2.1.0, dot is the lock graph for Graphviz.

    Exit codes: 0 no findings, 1 findings, 2 usage or input error.
    """
    from lockcheck.report import renderer
    from lockcheck.report.rank import rank
    from lockcheck.report.text import render as render_text
    try:
        result = run_check(quiet, max_cycle_length=max_cycle_length, **kw)
        if result is None:
            return exitcodes.USAGE_ERROR
        found = bool(result.findings)
        shown = dataclasses.replace(result, findings=rank(result.findings, max_cycles))
        if fmt != "text":
            for err in result.errors:
                click.echo(f"lockcheck: warning: {err}", err=True)
            renderer(fmt)(shown, sys.stdout)
        else:
            render_text(shown, sys.stdout, show_time=sys.stdout.isatty())
    except BAD_INPUT as exc:
        return error(exc)
    return exitcodes.FINDINGS if found else exitcodes.CLEAN


set_format_choices(scan, SCAN_FORMATS)

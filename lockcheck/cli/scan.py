"""``lockcheck scan``: the lock-order graph of PATHs and every cycle in it."""

from __future__ import annotations

import sys

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.options import build_options, common_options
from lockcheck.errors import InputError


@click.command()
@common_options
@click.option("--max-cycle-length", default=6, show_default=True, type=click.IntRange(2, 12),
              help="Longest cycle enumerated.")
def scan(fmt, max_cycle_length, **kw):
    """Report every lock-order cycle (possible ABBA deadlock) in PATHs.

    Exit codes: 0 no findings, 1 findings, 2 usage or input error.
    """
    from lockcheck.api import check
    try:
        result = check(build_options(max_cycle_length=max_cycle_length, **kw))
    except InputError as exc:
        click.echo(f"lockcheck: error: {exc}", err=True)
        return exitcodes.USAGE_ERROR
    if fmt == "json":
        from lockcheck.report.json_report import render
        for err in result.errors:
            click.echo(f"lockcheck: warning: {err}", err=True)
    else:
        from lockcheck.report.text import render
    render(result, sys.stdout)
    if result.stats["files"] == len(result.errors) and result.stats["functions"]["total"] == 0:
        return exitcodes.USAGE_ERROR
    return exitcodes.FINDINGS if result.findings else exitcodes.CLEAN

"""``lockcheck stats``: how much of the given code the front end parsed."""

from __future__ import annotations

import dataclasses
import sys

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.options import build_options, common_options
from lockcheck.errors import InputError


@click.command()
@common_options
@click.option("--top", default=10, show_default=True, help="Failure reasons to list.")
def stats(fmt, top, **kw):
    """Files, functions, parse outcomes, top failure reasons, lines/s, unresolved lock expressions."""
    from lockcheck.driver import run_frontend
    from lockcheck.report.stats import render_stats_json, render_stats_text, summarize
    try:
        # every function, extracted too: the unresolved lock expressions are listed
        options = dataclasses.replace(build_options(**kw), parse_all=True)
        run = run_frontend(options, extract=True, headers_too=True)
    except InputError as exc:
        click.echo(f"lockcheck: error: {exc}", err=True)
        return exitcodes.USAGE_ERROR
    for err in run.errors:
        click.echo(f"lockcheck: warning: {err}", err=True)
    summary = summarize(run)
    if fmt == "json":
        sys.stdout.write(render_stats_json(summary))
    else:
        render_stats_text(summary, top)
    if not any(f.error is None for f in run.files):
        click.echo("lockcheck: error: no input file could be read", err=True)
        return exitcodes.USAGE_ERROR
    return exitcodes.CLEAN

"""``lockcheck baseline create|update FILE PATH...``: record today's cycles.

The logic is in :mod:`lockcheck.gate.baseline`; this only scans and writes.
"""

from __future__ import annotations

from pathlib import Path

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.diff import scan_options
from lockcheck.cli.options import build_options, confidence_options, shown_level


@click.group()
def baseline():
    """Record the cycles of a tree so gates list them as known, not failing.

    The file is TOML, or JSON when FILE ends in .json.  Fill in each
    entry's reason; `update` keeps reasons and drops cycles that are gone.
    """


def _scan(paths, max_cycle_length, kw):
    from lockcheck.api import check
    return check(build_options(paths=paths, max_cycle_length=max_cycle_length, **kw))


def _shown(findings, level):
    from lockcheck.report.screen import at_least
    return [f for f in findings if at_least(f, level)]


def _common(f):
    f = confidence_options(f)
    f = click.option("--max-cycle-length", default=6, show_default=True, type=click.IntRange(2, 12))(f)
    f = scan_options(f)
    f = click.argument("paths", nargs=-1, required=True)(f)
    return click.argument("file", type=click.Path(dir_okay=False))(f)


@baseline.command()
@_common
@click.option("--force", is_flag=True, help="Overwrite an existing FILE (its reasons are lost).")
def create(file, paths, max_cycle_length, force, min_confidence, show_all, **kw):
    """Write FILE with every cycle found in PATHs at or above --min-confidence."""
    from lockcheck.errors import InputError
    from lockcheck.gate import baseline as bl
    if Path(file).exists() and not force:
        click.echo(f"lockcheck: error: {file} exists; use `lockcheck baseline update` (keeps reasons)",
                   err=True)
        return exitcodes.USAGE_ERROR
    try:
        result = _scan(paths, max_cycle_length, kw)
    except InputError as exc:
        click.echo(f"lockcheck: error: {exc}", err=True)
        return exitcodes.USAGE_ERROR
    level = shown_level(min_confidence, show_all)
    entries = bl.entries_for(_shown(result.findings, level))
    bl.save(file, entries)
    click.echo(f"{file}: {len(entries)} cycles recorded at confidence >= {level or 'low'}; fill in each reason")
    return exitcodes.CLEAN


@baseline.command()
@_common
def update(file, paths, max_cycle_length, min_confidence, show_all, **kw):
    """Rewrite FILE with today's cycles at or above --min-confidence, keeping
    the reasons of those still present."""
    from lockcheck.errors import InputError
    from lockcheck.gate import baseline as bl
    try:
        old = bl.load(file) if Path(file).exists() else []
        result = _scan(paths, max_cycle_length, kw)
    except InputError as exc:
        click.echo(f"lockcheck: error: {exc}", err=True)
        return exitcodes.USAGE_ERROR
    findings = _shown(result.findings, shown_level(min_confidence, show_all))
    _, known, stale = bl.match(findings, old)
    entries = bl.entries_for(findings, old)
    bl.save(file, entries)
    for e in stale:
        click.echo(f"dropped (cycle gone): [{e.id}] {' -> '.join(e.locks)}")
    click.echo(f"{file}: {len(entries)} cycles ({len(entries) - len(known)} new, "
               f"{len(stale)} dropped)")
    return exitcodes.CLEAN

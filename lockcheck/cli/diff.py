"""``lockcheck diff BASE HEAD [PATH...]``: the cycles a change introduced."""

from __future__ import annotations

import sys

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.options import build_options, common_options, confidence_options, shown_level


def scan_options(f):
    """``scan``'s analysis options (-I, -D, --cache-dir, ...), taken from
    :func:`common_options` so they are defined once; its PATHS argument and
    ``--format`` are left out (the gate's positionals and formats differ)."""
    shared = common_options(lambda **kw: None).__click_params__
    f.__click_params__ = getattr(f, "__click_params__", []) + \
        [p for p in shared if p.name not in ("paths", "fmt")]
    return f


def gate_options(f):
    """Options every gate command has: output format, baseline, config."""
    for d in reversed([
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     show_default=True),
        click.option("--baseline", type=click.Path(dir_okay=False),
                     help="Cycles recorded by `lockcheck baseline`: listed as known, never failing."),
        click.option("--config", type=click.Path(dir_okay=False),
                     help="Suppressions file (default: .lockcheck.toml at HEAD's root)."),
        click.option("--max-cycle-length", default=6, show_default=True, type=click.IntRange(2, 12),
                     help="Longest cycle enumerated."),
    ]):
        f = d(f)
    return confidence_options(scan_options(f))


def emit(steps, net, fmt: str) -> int:
    """Print the comparison(s); the exit code follows the net effect."""
    from lockcheck.gate import report
    for cmp in (net.base, net.head):
        for err in cmp.errors:
            click.echo(f"lockcheck: warning: {err}", err=True)
    if fmt == "json":
        import json
        doc = {"version": 1, **report.document(net)}
        if steps:
            doc["steps"] = [{"patch": s.name, **report.document(s.comparison)} for s in steps]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        for s in steps:
            report.render_text(s.comparison, sys.stdout, title=f"patch {s.name}")
            sys.stdout.write("\n")
        report.render_text(net, sys.stdout, title="net effect of the series" if steps else "")
    sys.stdout.flush()
    return exitcodes.FINDINGS if net.introduced else exitcodes.CLEAN


def run_gate(make, fmt: str) -> int:
    """Run ``make()`` (a gate context manager) and emit; one-line errors."""
    from lockcheck.errors import InputError
    try:
        with make() as out:
            steps, net = out if isinstance(out, tuple) else ([], out)
            return emit(steps, net, fmt)
    except InputError as exc:
        click.echo(f"lockcheck: error: {exc}", err=True)
        return exitcodes.USAGE_ERROR


@click.command()
@click.argument("base")
@click.argument("head")
@click.argument("paths", nargs=-1)
@click.option("--repo", type=click.Path(file_okay=False),
              help="BASE and HEAD are revisions of this git repository (read with git archive).")
@gate_options
def diff(base, head, paths, repo, fmt, baseline, config, max_cycle_length, min_confidence, show_all, **kw):
    """Compare the cycles of BASE and HEAD (directories, or revisions with --repo).

    Only PATHs (relative to the tree root) are scanned when given.  Prints
    the cycles introduced in full, the cycles resolved with the edge the
    change removed, and "N introduced, M resolved, K unchanged at confidence
    >= high"; cycles introduced below --min-confidence are listed, not failing.

    Exit codes: 0 nothing introduced, 1 a cycle introduced, 2 usage or input error.
    """
    from lockcheck.gate.run import Policy, diff_trees
    options = build_options(paths=(), max_cycle_length=max_cycle_length, **kw)
    policy = Policy(baseline, config, shown_level(min_confidence, show_all))
    return run_gate(lambda: diff_trees(base, head, tuple(paths), options, repo, policy), fmt)

"""``lockcheck docs RST PATH...``: check documented lock orders against code.

Only option parsing and exit codes live here; the rules are read by
:mod:`lockcheck.docs.extract` / :mod:`lockcheck.docs.config` and checked by
:func:`lockcheck.docs.check.review`.  The document and config are read
*before* the scan, so a bad input fails in a second, not after minutes.
"""

from __future__ import annotations

import sys

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.options import common_options
from lockcheck.cli.scan import BAD_INPUT, error, run_check


@click.command()
@click.argument("rst")
@common_options
@click.option("--config", "config", default=None, metavar="FILE",
              help="Declared orders/leaves (default: .lockcheck.toml at the tree root, if any).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def docs(rst, fmt, config, quiet, **kw):
    """Check the lock orders documented in RST against the code in PATHs.

    Reads rules like "kvm->lock is taken outside vcpu->mutex", synchronize_srcu
    and read-side rules, "Everything else is a leaf" and :Type: fields (plus
    [[order]]/leaf in .lockcheck.toml), prints each with its parsed form and
    every sentence not parsed, then reports code contradicting them.

    Exit codes: 0 no violation, 1 violations, 2 usage or input error.
    """
    from lockcheck.docs.check import review
    from lockcheck.docs.config import find_config, read_config
    from lockcheck.docs.extract import read_rules
    from lockcheck.docs.render import render_json, render_text
    try:
        doc = read_rules(rst)
        cfg = config or find_config(kw["paths"])
        if cfg:
            doc.extend(read_config(cfg))
        result = run_check(quiet, **kw)
        if result is None:
            return exitcodes.USAGE_ERROR
        rev = review(result, doc.rules, doc.aliases, tuple(doc.reference))
        for err in result.errors:
            click.echo(f"lockcheck: warning: {err}", err=True)
        (render_json if fmt == "json" else render_text)(doc, rev, sys.stdout)
    except BAD_INPUT as exc:
        return error(exc)
    return exitcodes.FINDINGS if rev.violations else exitcodes.CLEAN

"""``lockcheck why A B PATH...``: why does lock class A come before B?

Exit codes: 1 a path exists (like ``scan``, "there is something to look
at"), 0 no path, 2 usage or input error (including an unknown class).
"""

from __future__ import annotations

import sys

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.options import common_options
from lockcheck.cli.scan import BAD_INPUT, error, run_check


@click.command()
@click.argument("a")
@click.argument("b")
@common_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--through", "through_fn", default=None, metavar="FUNCTION",
              help="Prefer, for each edge, a witness that passes through FUNCTION.")
def why(a, b, fmt, quiet, through_fn, **kw):
    """Shortest chain of lock dependencies from class A to class B in PATHs.

    A and B are lockdep-style names as the reports print them
    (kvm_lock, &kvm->slots_lock) or class keys from --format json.

    Exit codes: 1 a path exists, 0 no path, 2 usage or input error.
    """
    from lockcheck.report.why import find_path, render, through
    try:
        result = run_check(quiet, **kw)
        if result is None:
            return exitcodes.USAGE_ERROR
        path = find_path(result, a, b)
        if path and through_fn:
            path = through(path, through_fn)
        render(result, sys.stdout, a=a, b=b, path=path, fmt=fmt)
    except BAD_INPUT as exc:
        return error(exc)
    return exitcodes.FINDINGS if path else exitcodes.CLEAN

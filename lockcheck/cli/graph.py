"""``lockcheck graph PATH... -o FILE``: draw the lock-class graph.

The output kind follows FILE's suffix: ``.dot`` (DOT text), ``.svg`` and
``.png`` (rendered by Graphviz ``dot``), ``.html`` (a self-contained page
drawn without Graphviz).  Without ``-o`` the DOT text goes to stdout.

Exit codes: 0 written, 2 usage or input error (also: Graphviz missing).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.options import common_options
from lockcheck.cli.scan import BAD_INPUT, error, run_check, set_format_choices

SUFFIXES = (".dot", ".gv", ".svg", ".png", ".html")


@click.command()
@common_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (.dot .svg .png .html); default: DOT on stdout.")
@click.option("--cycles-only", is_flag=True, help="Only edges on a reported cycle.")
@click.option("--around", metavar="CLASS", default=None,
              help="Only CLASS, its direct neighbours, and the edges among them.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def graph(output, cycles_only, around, quiet, **kw):
    """Draw the lock-order graph of PATHs; cycle edges in red, edges
    labelled with the function that creates them."""
    suffix = Path(output).suffix.lower() if output else ".dot"
    if suffix not in SUFFIXES:
        return error(f"{output}: unknown output kind {suffix or '(none)'}; use one of {' '.join(SUFFIXES)}")
    dot = shutil.which("dot")
    if suffix in (".svg", ".png") and dot is None:
        return error(f"Graphviz 'dot' not found (apt-get install graphviz); or write {Path(output).stem}.html")
    from lockcheck.report import renderer
    try:
        result = run_check(quiet, **kw)
        if result is None:
            return exitcodes.USAGE_ERROR
        buf = io.StringIO()
        renderer("html" if suffix == ".html" else "dot")(result, buf, cycles_only=cycles_only, around=around)
        if output is None:
            sys.stdout.write(buf.getvalue())
        elif suffix in (".svg", ".png"):
            proc = subprocess.run([dot, f"-T{suffix[1:]}", "-o", output], input=buf.getvalue().encode(),
                                  capture_output=True, timeout=600)
            if proc.returncode != 0:
                msg = proc.stderr.decode(errors="replace").strip().splitlines()
                return error(f"dot failed: {msg[0] if msg else 'exit ' + str(proc.returncode)}")
        else:
            Path(output).write_text(buf.getvalue(), encoding="utf-8")
    except (subprocess.TimeoutExpired, *BAD_INPUT) as exc:
        return error(exc)
    return exitcodes.CLEAN


set_format_choices(graph, None)

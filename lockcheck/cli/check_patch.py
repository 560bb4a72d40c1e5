"""``lockcheck check-patch PATCH... --tree DIR``: the cycles a series adds."""

from __future__ import annotations

import click

from lockcheck.cli.diff import gate_options, run_gate
from lockcheck.cli.options import build_options, shown_level


@click.command("check-patch")
@click.argument("patches", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--tree", required=True, type=click.Path(file_okay=False),
              help="Tree the series applies to (never modified: patches go to a temporary copy).")
@click.option("--path", "paths", multiple=True,
              help="Scan only this sub-path of the tree (repeatable; default: the whole tree).")
@click.option("--each", is_flag=True, help="Also show the effect of each patch in turn.")
@click.option("-p", "strip", type=int, default=1, show_default=True,
              help="Leading path components to strip (git apply -p).")
@gate_options
def check_patch(patches, tree, paths, each, strip, fmt, baseline, config, max_cycle_length, min_confidence,
                show_all, **kw):
    """Apply PATCHes (unified diffs, or mboxes from git format-patch / b4) in
    order to a copy of DIR and report the cycles they introduce and resolve.

    Only cycles at or above --min-confidence fail (the summary line says
    which); those below are listed.

    Exit codes: 0 nothing introduced by the series, 1 a cycle introduced,
    2 usage or input error (including a patch that does not apply).
    """
    from lockcheck.gate.run import Policy, patch_steps
    options = build_options(paths=(), max_cycle_length=max_cycle_length, **kw)
    policy = Policy(baseline, config, shown_level(min_confidence, show_all))
    return run_gate(lambda: patch_steps(tree, patches, tuple(paths), options, each, strip, policy), fmt)

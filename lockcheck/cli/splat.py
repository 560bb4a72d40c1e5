"""``lockcheck splat REPORT [PATH...]``: a lockdep report's dependencies in
the source, the other static paths making them, and whether a fix closes
them all (``--patch`` / ``--after``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from lockcheck.cli import exitcodes
from lockcheck.cli.diff import scan_options
from lockcheck.cli.scan import BAD_INPUT, error


def _read(report: str) -> str:
    if report == "-":
        return sys.stdin.read()
    return Path(report).read_text(encoding="utf-8", errors="replace")


def _tree(paths, tree: str | None) -> Path:
    """The tree a change applies to: ``--tree``, else the kernel tree holding
    the PATHs, else the one directory given, else their common directory."""
    from lockcheck.frontend.tree import find_tree_root
    if tree:
        return Path(tree).resolve()
    root = find_tree_root(Path(paths[0]))
    if root is not None:
        return Path(root).resolve()
    dirs = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]
    return Path(os.path.commonpath(dirs))


@click.command()
@click.argument("report")
@click.argument("paths", nargs=-1)
@click.option("--patch", "patches", multiple=True, type=click.Path(dir_okay=False),
              help="Check a fix: apply this patch (repeatable; an mbox series too) to a copy of the tree.")
@click.option("--after", "after_dir", type=click.Path(file_okay=False),
              help="Check a fix: the same tree after the change (a directory).")
@click.option("--tree", type=click.Path(file_okay=False),
              help="Root the patch applies to (default: the kernel tree holding the PATHs, or their directory).")
@click.option("-p", "strip", type=int, default=1, show_default=True, help="Leading path components to strip.")
@click.option("--max-cycle-length", default=6, show_default=True, type=click.IntRange(2, 12),
              help="Longest cycle enumerated.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@scan_options
def splat(report, paths, patches, after_dir, tree, strip, max_cycle_length, fmt, quiet, **kw):
    """Map a lockdep REPORT (a file, or - for stdin) onto the code in PATHs
    (default: the current directory).

    REPORT may be raw dmesg (timestamps, syslog prefixes), quoted in a
    commit message or an e-mail, with or without stack traces, and hold
    several reports.  For each dependency lockdep printed: the static
    witness sharing the most functions with its stack, the other static
    paths making it, or why none was found; then the static cycles through
    the report's classes.  With --patch or --after: per dependency and per
    path, gone or still there.

    Exit codes: 1 a static cycle through a report's classes exists (after
    the change, with --patch/--after), 0 none, 2 usage or input error
    (including a report that cannot be read).
    """
    if patches and after_dir:
        return error("give --patch or --after, not both")
    paths = paths or (".",)
    try:
        from lockcheck.splat.read import read_reports
        reports = read_reports(_read(report), "stdin" if report == "-" else report)
        if patches or after_dir:
            return _with_change(reports, report, paths, patches, after_dir, tree, strip, max_cycle_length, fmt, kw)
        from lockcheck.cli.scan import run_check
        result = run_check(quiet, paths=paths, max_cycle_length=max_cycle_length, **kw)
        if result is None:
            return exitcodes.USAGE_ERROR
        return _emit(reports, report, result, None, paths, Path("."), fmt, kw)
    except BAD_INPUT as exc:        # InputError among them: one line, exit 2
        return error(exc)


def _with_change(reports, source, paths, patches, after_dir, tree, strip, max_cycle_length, fmt, kw) -> int:
    from lockcheck.cli.options import build_options
    from lockcheck.errors import InputError
    from lockcheck.gate.run import diff_trees, patch_steps
    root = _tree(paths, tree)
    rel = []
    for p in paths:
        r = os.path.relpath(Path(p).resolve(), root)
        if r.startswith(".."):
            raise InputError(f"{p}: not inside the tree {root}")
        rel.append(r)
    options = build_options(paths=(), max_cycle_length=max_cycle_length, **kw)
    if patches:
        label = "patch " + ", ".join(Path(p).name for p in patches)
        make = patch_steps(str(root), patches, tuple(rel), options, False, strip)
    else:
        label = f"tree {after_dir}"
        make = diff_trees(str(root), after_dir, tuple(rel), options)
    with make as out:
        net = out[1] if isinstance(out, tuple) else out
        return _emit(reports, source, net.base, net.head, [root / r for r in rel], root, fmt, kw, label)


def _emit(reports, source, result, after, scanned, root: Path, fmt, kw, label: str = "") -> int:
    from lockcheck.discovery import discover
    from lockcheck.splat.after import after_change
    from lockcheck.splat.diagnose import Definitions
    from lockcheck.splat.match import internal_frames, match_report
    from lockcheck.splat import report as out
    model = tuple(kw.get("model_files") or ())
    for err in result.errors:
        click.echo(f"lockcheck: warning: {err}", err=True)
    files, _, _ = discover(tuple(str(p) for p in scanned), headers_too=True)
    defs = Definitions(files)
    internal = internal_frames(model)
    matches = [match_report(r, result, defs, internal, model) for r in reports]
    afters = [after_change(m, after, label) for m in matches] if after is not None else None
    if fmt == "json":
        import json
        sys.stdout.write(json.dumps(out.document(matches, afters), indent=2) + "\n")
    else:
        kinds = {lk.name: lk.kind for lk in result.locks}
        out.render_text(matches, afters, sys.stdout, source="stdin" if source == "-" else source,
                        root=result.source_root, kinds=kinds)
    sys.stdout.flush()
    left = [a.cycles for a in afters] if afters is not None else [m.cycles for m in matches]
    return exitcodes.FINDINGS if any(left) else exitcodes.CLEAN

"""Options shared by the commands, defined once and stacked."""

from __future__ import annotations

import os
from pathlib import Path

import click

from lockcheck.options import Options, default_cache_dir


def common_options(f):
    decorators = [
        click.argument("paths", nargs=-1, required=True),
        click.option("-I", "include_dirs", multiple=True, type=click.Path(file_okay=False),
                     help="Extra header directory (repeatable)."),
        click.option("-D", "--define", "defines", multiple=True, metavar="CONFIG_X",
                     help="Treat symbol as defined in #if tests (repeatable)."),
        click.option("-U", "--undef", "undefines", multiple=True, metavar="CONFIG_X",
                     help="Treat symbol as undefined in #if tests (repeatable)."),
        click.option("--model", "model_files", multiple=True, type=click.Path(dir_okay=False),
                     help="Extra kernel model TOML merged into the shipped one (repeatable)."),
        click.option("--arch", default="x86", show_default=True, help="Architecture whose headers are used."),
        click.option("-j", "--jobs", type=int, default=0, help="Worker processes (default: all cores)."),
        click.option("--executor", default="local", show_default=True, callback=_check_executor,
                     metavar="local|dask://HOST:PORT",
                     help="Where files are parsed: local processes (-j), or a Dask scheduler's workers."),
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                     help=f"Cache directory (default: {default_cache_dir()})."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option("--parse-all", is_flag=True,
                     help="Parse every function, also those no lock can reach (same findings, slower)."),
        click.option("--include-novalidate", is_flag=True,
                     help="Also report dependencies through locks lockdep does not validate "
                          "(lockdep_set_novalidate_class, e.g. device_lock)."),
        click.option("--follow-symlinks", is_flag=True,
                     help="Also scan files behind symbolic links that leave the scanned tree "
                          "(default: skipped with one line each; docs/security.md)."),
        click.option("--no-tree-callees", "no_tree_callees", is_flag=True,
                     help="Do not look for called functions in the rest of the kernel tree "
                          "(default: those from which a lock is reachable are parsed; tree_callees)."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     show_default=True),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def _check_executor(ctx, param, value):
    from lockcheck.executors import parse_executor
    try:
        return parse_executor(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def build_options(paths, include_dirs, defines, undefines, model_files, arch, jobs, cache_dir,
                  no_cache, executor="local", parse_all=False, include_novalidate=False,
                  follow_symlinks=False, no_tree_callees=False, **extra) -> Options:
    cache = None if no_cache else (Path(cache_dir) if cache_dir else default_cache_dir())
    return Options(paths=tuple(paths), include_dirs=tuple(include_dirs), defines=frozenset(defines),
                   undefines=frozenset(undefines), model_files=tuple(model_files), arch=arch,
                   jobs=jobs or os.cpu_count() or 1, executor=executor, cache_dir=cache,
                   parse_all=parse_all, include_novalidate=include_novalidate,
                   follow_symlinks=follow_symlinks, tree_callees=not no_tree_callees, **extra)


#: Confidence levels, best first (lockcheck.result.LEVELS; not imported so
#: that ``--help`` stays quick).
LEVELS = ("high", "medium", "low")
DEFAULT_MIN_CONFIDENCE = "high"


def confidence_options(f):
    """``--min-confidence`` and ``--all``: which findings are shown, fail
    the exit code and the gate (docs/reports.md, Confidence)."""
    f = click.option("--all", "show_all", is_flag=True,
                     help="Show findings of every confidence (same as --min-confidence low).")(f)
    return click.option("--min-confidence", type=click.Choice(LEVELS), default=DEFAULT_MIN_CONFIDENCE,
                        show_default=True,
                        help="Show (and fail on) findings at or above this confidence; "
                             "JSON and SARIF still carry every finding.")(f)


def shown_level(min_confidence: str, show_all: bool) -> str | None:
    """The threshold to apply: None shows everything."""
    return None if show_all or min_confidence == LEVELS[-1] else min_confidence

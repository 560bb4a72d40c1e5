"""``lockcheck cache info|clear``: what the on-disk cache holds, and emptying it.

The cache (:mod:`lockcheck.cache`) keeps one pickle per entry under
``DIR/<kind>/<2 hex>/<key>.pickle``; the kinds are ``lex`` (per-file
declaration facts for the tree index), ``file`` (per-file parse and
extraction outcomes), ``header`` (inline functions of headers) and ``run``
(whole scan results, valid while every input file is byte-identical).
``clear`` removes only files of that shape (and the ``lexed-*`` directories
of lexed files a killed scan left), never anything else a mistyped
``--cache-dir`` might point at: both are :func:`lockcheck.cache.usage` and
:func:`lockcheck.cache.clear`; this module only parses options and renders.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lockcheck.cache import clear as clear_cache
from lockcheck.cache import usage as cache_usage
from lockcheck.cli import exitcodes
from lockcheck.options import default_cache_dir

def _human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- commands

def _options(f):
    for d in reversed([
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                     help=f"Cache directory (default: {default_cache_dir()})."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     show_default=True),
    ]):
        f = d(f)
    return f


def _root(cache_dir) -> Path:
    return Path(cache_dir) if cache_dir else default_cache_dir()


@click.group()
def cache():
    """The on-disk cache of lexed, parsed and extracted files."""


@cache.command()
@_options
def info(cache_dir, fmt):
    """Location, entries and size per kind (lex, file, header, run)."""
    usage = cache_usage(_root(cache_dir))
    if fmt == "json":
        sys.stdout.write(json.dumps(usage, indent=2, sort_keys=True) + "\n")
        return exitcodes.CLEAN
    click.echo(f"cache: {usage['location']}" + ("" if usage["exists"] else " (does not exist)"))
    for kind, k in usage["kinds"].items():
        click.echo(f"  {kind:<7}{k['entries']:>9} entries {_human(k['bytes']):>12}")
    click.echo(f"  {'total':<7}{usage['entries']:>9} entries {_human(usage['bytes']):>12}")
    return exitcodes.CLEAN


@cache.command()
@_options
def clear(cache_dir, fmt):
    """Remove every entry (other files in the directory are left alone)."""
    removed = clear_cache(_root(cache_dir))
    if fmt == "json":
        doc = {"location": removed["location"], "removed": {"entries": removed["entries"],
                                                            "bytes": removed["bytes"]}}
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    else:
        click.echo(f"removed {removed['entries']} entries ({_human(removed['bytes'])}) "
                   f"from {removed['location']}")
    return exitcodes.CLEAN

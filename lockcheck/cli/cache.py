"""``lockcheck cache info|clear``: what the on-disk cache holds, and emptying it.

The cache (:mod:`lockcheck.cache`) keeps one pickle per entry under
``DIR/<kind>/<2 hex>/<key>.pickle``; the kinds are ``lex`` (per-file
declaration facts for the tree index), ``file`` (per-file parse and
extraction outcomes), ``header`` (inline functions of headers) and ``run``
(whole scan results, valid while every input file is byte-identical).
``clear`` removes only files of that shape (and the ``lexed-*`` directories
of lexed files a killed scan left, see :mod:`lockcheck.frontend.lexed_store`),
never anything else a mistyped ``--cache-dir`` might point at.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lockcheck.cli import exitcodes
from lockcheck.frontend import lexed_store
from lockcheck.options import default_cache_dir

#: Entry kinds, in the order the driver makes them.
KINDS = ("lex", "file", "header", "run")


# ---------------------------------------------------------------- logic (no printing)

def _entries(root: Path, kind: str):
    """Cache files of one kind: finished entries and leftover temporaries."""
    base = root / kind
    if not base.is_dir():
        return
    for sub in sorted(base.iterdir()):
        if sub.is_dir() and len(sub.name) == 2:
            for f in sorted(sub.iterdir()):
                if f.is_file() and f.suffix in (".pickle", ".tmp"):
                    yield f


def cache_usage(root: Path) -> dict:
    """Entries and bytes per kind, and the totals."""
    kinds = {}
    for kind in KINDS:
        n = size = 0
        for f in _entries(root, kind):
            try:
                size += f.stat().st_size
            except FileNotFoundError:   # removed by a concurrent run
                continue
            n += f.suffix == ".pickle"
        kinds[kind] = {"entries": n, "bytes": size}
    return {"location": str(root), "exists": root.is_dir(), "kinds": kinds,
            "entries": sum(k["entries"] for k in kinds.values()),
            "bytes": sum(k["bytes"] for k in kinds.values())}


def clear_cache(root: Path) -> dict:
    """Delete every entry (and emptied shard directory); what was removed."""
    before = cache_usage(root)
    for kind in KINDS:
        for f in _entries(root, kind):
            f.unlink(missing_ok=True)
        base = root / kind
        if base.is_dir():
            for sub in base.iterdir():
                if sub.is_dir() and len(sub.name) == 2:
                    _rmdir_if_empty(sub)
            _rmdir_if_empty(base)
    lexed_store.sweep_stale(root, older_than=0)   # lexed files a killed scan left
    return before


def _rmdir_if_empty(d: Path) -> None:
    try:
        d.rmdir()
    except OSError:   # not empty (a concurrent run wrote meanwhile) or gone
        pass


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

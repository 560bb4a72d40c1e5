"""``lockcheck`` entry point: a table of commands, imported lazily."""

from __future__ import annotations

import importlib
import sys

import click

from lockcheck import __version__
from lockcheck.cli import exitcodes

COMMANDS = {
    "scan": ("lockcheck.cli.scan", "scan", "Build the lock-order graph and report every cycle."),
    "stats": ("lockcheck.cli.stats", "stats", "Front-end coverage: how much of the code was parsed."),
    "diff": ("lockcheck.cli.diff", "diff", "Cycles introduced and resolved between two trees or revisions."),
    "check-patch": ("lockcheck.cli.check_patch", "check_patch", "Cycles a patch series would introduce."),
    "baseline": ("lockcheck.cli.baseline", "baseline", "Record today's cycles as known."),
    "why": ("lockcheck.cli.why", "why", "Shortest chain of lock dependencies from class A to class B."),
    "graph": ("lockcheck.cli.graph", "graph", "Draw the lock-order graph (DOT, SVG, PNG, HTML)."),
    "rules": ("lockcheck.cli.rules", "rules", "Documentation of each finding kind (LC101, LC102)."),
    "cache": ("lockcheck.cli.cache", "cache", "Show (info) or empty (clear) the on-disk cache."),
    "docs": ("lockcheck.cli.docs", "docs", "Check lock orders documented in an RST file against the code."),
    "splat": ("lockcheck.cli.splat", "splat", "A lockdep report's dependencies in the source; does a fix close them."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lockcheck")
def cli():
    """lockcheck: lockdep's lock-order checks, statically, on kernel source.

    Exit codes: 0 clean, 1 findings, 2 usage or input error.
    """


# click < 8.2 names it NoArgsIsHelp, later versions NoArgsIsHelpError
_NO_ARGS_IS_HELP = tuple(getattr(click.exceptions, n) for n in ("NoArgsIsHelp", "NoArgsIsHelpError")
                         if hasattr(click.exceptions, n))


def main(argv=None) -> None:
    try:
        rv = cli.main(args=argv, prog_name="lockcheck", standalone_mode=False)
    except _NO_ARGS_IS_HELP as exc:   # bare ``lockcheck`` / ``lockcheck scan``: show the help
        exc.show()
        sys.exit(exitcodes.USAGE_ERROR)
    except click.ClickException as exc:   # one line, no usage banner, no traceback
        click.echo(f"lockcheck: error: {exc.format_message()}", err=True)
        sys.exit(exitcodes.USAGE_ERROR)
    except click.exceptions.Abort:
        sys.exit(exitcodes.USAGE_ERROR)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(exitcodes.CLEAN)
    sys.exit(rv or 0)

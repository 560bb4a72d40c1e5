"""``lockcheck rules [CODE]``: the documentation of each finding kind."""

from __future__ import annotations

import click

from lockcheck.cli import exitcodes


@click.command()
@click.argument("code", required=False)
def rules(code):
    """List the rules, or print the docs of rule CODE (e.g. LC101)."""
    from lockcheck.rules import RULES, by_code
    if code is None:
        for r in RULES:
            click.echo(f"{r.code}  {r.name:<28} {r.summary}")
        return exitcodes.CLEAN
    rule = by_code(code)
    if rule is None:
        click.echo(f"lockcheck: error: unknown rule {code!r}; known: {', '.join(r.code for r in RULES)}",
                   err=True)
        return exitcodes.USAGE_ERROR
    click.echo(rule.help_text(), nl=False)
    return exitcodes.CLEAN

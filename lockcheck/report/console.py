"""One place that decides colour and width for the human-readable reports.

Colour only on a terminal, never with ``NO_COLOR`` set or ``TERM=dumb``
(https://no-color.org); when piped the width is fixed (not taken from
``COLUMNS``) so the same input always gives the same bytes.
"""

from __future__ import annotations

import os

from rich.console import Console

__all__ = ["make_console", "wants_color", "PLAIN_WIDTH"]

PLAIN_WIDTH = 100


def _isatty(out) -> bool:
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False


def wants_color(out) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return _isatty(out)


def make_console(out, color: bool | None = None, width: int | None = None) -> Console:
    color = wants_color(out) if color is None else color
    if color:
        return Console(file=out, force_terminal=True, width=width, highlight=False, emoji=False,
                       markup=False, soft_wrap=True)
    return Console(file=out, force_terminal=False, no_color=True, color_system=None,
                   width=width or PLAIN_WIDTH, highlight=False, emoji=False, markup=False,
                   soft_wrap=True, force_jupyter=False, legacy_windows=False)

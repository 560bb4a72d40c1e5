"""A progress bar on stderr while files are parsed.

Only on a terminal, only without ``--quiet``, and only for scans of more
than :data:`MIN_FILES` files: a two-file fixture finishes before a bar would
be readable, and CI logs must not fill with redraws.  ``api.check`` calls
the callback once per file outcome; the analysis that follows has no
per-step callback, so the bar then says "analysing".
"""

from __future__ import annotations

import sys

__all__ = ["scan_progress", "MIN_FILES"]

MIN_FILES = 8


class _Bar:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self.total = total
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(file=sys.stderr), transient=True)
        self.task = self.progress.add_task("parsing", total=total)
        self.done = 0

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def __call__(self, outcome) -> None:
        self.done += 1
        desc = "analysing" if self.done >= self.total else f"parsing {getattr(outcome, 'path', '')}"[:60]
        self.progress.update(self.task, advance=1, description=desc)


class _Silent:
    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        return None


def scan_progress(paths, quiet: bool = False, stream=None):
    """A context manager yielding a ``progress`` callback for ``check``, or
    None when no bar should be shown."""
    stream = stream or sys.stderr
    if quiet or not getattr(stream, "isatty", lambda: False)():
        return _Silent()
    from lockcheck.driver import discover   # counting only; discover() has no side effects
    files, _, _ = discover(tuple(paths))
    if len(files) <= MIN_FILES:
        return _Silent()
    return _Bar(len(files))

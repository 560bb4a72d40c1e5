"""A progress bar on stderr while files are parsed.

Only on a terminal, only without ``--quiet``, and only for scans of more
than :data:`MIN_FILES` files: a two-file fixture finishes before a bar would
be readable, and CI logs must not fill with redraws.  The bar finds no files
itself: ``api.check`` tells it how many it will parse (:meth:`_Bar.start`,
once, after its own file walk) and calls it once per file outcome; the
analysis that follows has no per-step callback, so the bar then says
"analysing".  A scan reused whole from the cache starts no bar.
"""

from __future__ import annotations

import sys

__all__ = ["scan_progress", "MIN_FILES"]

MIN_FILES = 8


class _Bar:
    def __init__(self, stream) -> None:
        self.stream = stream
        self.progress = None
        self.task = None
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        """Show the bar for ``total`` files, when there are enough of them."""
        if self.progress is not None or total <= MIN_FILES:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self.total = total
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(file=self.stream), transient=True)
        self.task = self.progress.add_task("parsing", total=total)
        self.progress.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, outcome) -> None:
        if self.progress is None:
            return
        self.done += 1
        desc = "analysing" if self.done >= self.total else f"parsing {getattr(outcome, 'path', '')}"[:60]
        self.progress.update(self.task, advance=1, description=desc)


class _Silent:
    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        return None


def scan_progress(quiet: bool = False, stream=None):
    """A context manager yielding a ``progress`` callback for ``check``, or
    None when no bar can be shown (``--quiet``, or not a terminal)."""
    stream = stream or sys.stderr
    if quiet or not getattr(stream, "isatty", lambda: False)():
        return _Silent()
    return _Bar(stream)

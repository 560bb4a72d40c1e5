"""Python's cycle collector, paused while a scan (or one of its tasks) runs.

A scan builds millions of small acyclic objects (tokens, ASTs, IR,
summaries, cache entries); the cycle collector rescans all of them again
and again as they accumulate.  On the whole tree's warm front end it was
most of the time (the process sat in ``gc_collect_main`` for over ten
minutes); in a Dask worker, where nothing else had paused it, it made each
file's parse half as slow again (KVM set: 15 s of parsing per worker
instead of 10 s).  Reference counting still frees everything; the rare
cycle waits until the pause ends.
"""

from __future__ import annotations

import contextlib
import gc

__all__ = ["paused"]


@contextlib.contextmanager
def paused():
    """Collector off inside the block; on again after it if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

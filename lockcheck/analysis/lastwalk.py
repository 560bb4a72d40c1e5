"""Findings from a function's last walk only.

A recursion of the call graph is walked round after round until its
summaries settle (``summaries._walk_component``; the large ones by
``recursions.Recursions.summarise``).  A member walked before a callee in
the same recursion sees no summary of it yet (or the large recursion's
placeholder): a lock that callee releases is missed, and that walk counts
it as still held.  Acquisitions only grow from round to round, so what an
early walk misses a later one adds; releases are the opposite, and the
edges and recursive-locking findings an early walk made from a lock it
wrongly counted as held stayed (``finish_automount()`` → ``unlock_mount()``
→ ``namespace_unlock()``: namespace_sem "held twice").

So a walk that may be incomplete (a callee of the recursion not walked yet)
keeps what it finds in a buffer; walking the function again replaces the
buffer, and it is replayed, in a fixed order, once the function is walked
for the last time.
"""

from __future__ import annotations

__all__ = ["LastWalk", "deferred", "MAX_PENDING"]


#: Findings kept at most (all functions together) before the oldest
#: buffers are reported as they are: a pass over the whole tree's large
#: recursion must not hold every finding it makes (memory); past the
#: bound the early walks' findings stand, as they did before.
MAX_PENDING = 1_000_000


class LastWalk:
    """Per function, the findings of its latest walk not yet reported."""

    def __init__(self, limit: int = MAX_PENDING) -> None:
        self.pending: dict[str, list] = {}
        self.limit = limit
        self.counted = 0      # entries in the buffers when they were last counted

    def begin(self, key: str, buffered: bool = True) -> list | None:
        """A new walk of ``key``: the findings of the previous one are
        dropped; a buffer for this one when ``buffered`` (None: report at once)."""
        self.pending.pop(key, None)
        if len(self.pending) % 256 == 0:
            self.counted = sum(map(len, self.pending.values()))
            if self.counted > self.limit:
                self.flush(list(self.pending))   # in the order buffered
                self.counted = 0
        if not buffered:
            return None
        sink = self.pending[key] = []
        return sink

    def flush(self, keys=None) -> None:
        """Report the buffered findings of ``keys`` (all, in order, if None)."""
        for key in (sorted(self.pending) if keys is None else keys):
            for fn, args in self.pending.pop(key, ()):
                fn(*args)


def deferred(sink: list | None, *callbacks):
    """``callbacks`` (None stays None) as functions that append their calls
    to ``sink`` instead of running them; unchanged when ``sink`` is None."""
    if sink is None:
        return callbacks

    def wrap(fn):
        if fn is None:
            return None
        return lambda *args: sink.append((fn, args))
    return tuple(wrap(fn) for fn in callbacks)

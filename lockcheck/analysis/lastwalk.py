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

The buffers are bounded (:data:`MAX_PENDING` findings, all functions
together: the whole tree's large recursion makes several million).  Past
the bound they are *dropped*, never reported as they are: an early walk's
findings are the false ones this module exists to keep out, and on the
whole tree the bound was passed within the first pass over the large
recursion, so nearly every member's first walk was reported
(``ipoib_remove_one()``, ``finish_automount()``, ``shrink_dentry_list()``
stayed).  The functions whose findings were dropped are listed
(:meth:`LastWalk.redo`); the owner walks them once more when the rounds
end, reporting at once, with the summaries the rounds settled on.
"""

from __future__ import annotations

__all__ = ["LastWalk", "deferred", "MAX_PENDING", "COUNT_EVERY"]


#: Findings kept at most (all functions together) before the buffers are
#: dropped (their functions walked again at the end): a pass over the
#: whole tree's large recursion must not hold every finding it makes.
MAX_PENDING = 1_000_000
#: Walks begun between two counts of the buffered findings.
COUNT_EVERY = 256


class LastWalk:
    """Per function, the findings of its latest walk not yet reported."""

    def __init__(self, limit: int | None = None) -> None:
        self.pending: dict[str, list] = {}
        self.limit = MAX_PENDING if limit is None else limit
        self.begun = 0
        self.dropped: dict[str, None] = {}    # in the order dropped
        # the buffered findings counted as each walk ends (the next begins):
        # summing every buffer at each count was quadratic in the members of
        # the whole tree's large recursion
        self.sizes: dict[str, int] = {}
        self.total = 0
        self.open: str | None = None          # the buffer being filled

    def _close(self) -> None:
        key, self.open = self.open, None
        if key is not None and key in self.pending:
            self.sizes[key] = len(self.pending[key])
            self.total += self.sizes[key]

    def _pop(self, key: str) -> list:
        if key == self.open:
            self.open = None
        self.total -= self.sizes.pop(key, 0)
        return self.pending.pop(key, [])

    def begin(self, key: str, buffered: bool = True) -> list | None:
        """A new walk of ``key``: the findings of the previous one are
        dropped; a buffer for this one when ``buffered`` (None: report at once)."""
        self._close()
        self._pop(key)
        self.dropped.pop(key, None)           # this walk's findings will be had
        self.begun += 1
        if self.begun % COUNT_EVERY == 0 and self.total > self.limit:
            self.dropped.update(dict.fromkeys(self.pending))
            self.pending.clear()
            self.sizes.clear()
            self.total = 0
        if not buffered:
            return None
        sink = self.pending[key] = []
        self.open = key
        return sink

    def redo(self, keys) -> list[str]:
        """Those of ``keys`` (in their order) whose latest walk's findings
        were dropped at the bound: the owner walks them again, unbuffered."""
        return [k for k in keys if k in self.dropped]

    def flush(self, keys=None) -> None:
        """Report the buffered findings of ``keys`` (all, in order, if None)."""
        self._close()
        for key in (sorted(self.pending) if keys is None else keys):
            for fn, args in self._pop(key):
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

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
the bound they are *spilled*: written to a temporary file, in the order
they were made, and read back when they are reported; a function walked
again forgets its spilled findings as it forgets its buffered ones.  So
what is reported does not depend on the bound.  A buffered finding is
kept as its callback's place among the walk's callbacks and its
arguments, plain data; the owner gives, per function, the callbacks to
replay it through (``rebuild``).  Until they were spilled, the buffers
past the bound were dropped and their functions walked once more at the
end: on the whole tree, 476,867 of the large recursion's 563,368 members
(45 % of its walks).
"""

from __future__ import annotations

import pickle
import tempfile
from functools import partial

__all__ = ["LastWalk", "deferred", "MAX_PENDING", "COUNT_EVERY"]


#: Findings kept in memory at most (all functions together) before the
#: buffers are spilled: a pass over the whole tree's large recursion must
#: not hold every finding it makes.  A buffered finding costs some 140
#: bytes of its own (the testbed's 215,000 took 30 MB); one read back from
#: the spill file is a copy (its witness chains no longer share the
#: summaries' steps), so a much lower bound is not free either.
MAX_PENDING = 1_000_000
#: Walks begun between two counts of the buffered findings.
COUNT_EVERY = 256


class _Buffer(list):
    """One walk's findings: ``(slot, args)``, replayed as
    ``rebuild(key)[slot](*args)``; while the walk runs, ``callbacks`` are
    its own (:func:`deferred` sets them; ``assert_climb`` reads them)."""

    __slots__ = ("callbacks",)


class LastWalk:
    """Per function, the findings of its latest walk not yet reported.

    ``rebuild(key)``: the callbacks a walk of ``key`` is given, in the
    order given to :func:`deferred` (its findings are replayed through
    them)."""

    def __init__(self, rebuild, limit: int | None = None) -> None:
        self.pending: dict[str, _Buffer] = {}
        self.limit = MAX_PENDING if limit is None else limit
        self.rebuild = rebuild
        self.begun = 0
        self.spilled: dict[str, int] = {}     # key -> offset of its findings in the spill file
        self._spill = None
        # the buffered findings counted as each walk ends (the next begins):
        # summing every buffer at each count was quadratic in the members of
        # the whole tree's large recursion
        self.sizes: dict[str, int] = {}
        self.total = 0
        self.open: str | None = None          # the buffer being filled

    def _close(self) -> None:
        """The open buffer's walk ended: it keeps no callbacks, and an
        empty one is not kept (each held its walk's four closures: on the
        whole tree, every member walked since the last spill, 390 MB at
        the peak)."""
        key, self.open = self.open, None
        if key is not None and key in self.pending:
            sink = self.pending[key]
            if not sink:
                del self.pending[key]
                return
            sink.callbacks = None
            self.sizes[key] = len(sink)
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
        self.spilled.pop(key, None)
        self.begun += 1
        if self.begun % COUNT_EVERY == 0 and self.total > self.limit:
            self._spill_pending()
            self.pending.clear()
            self.sizes.clear()
            self.total = 0
        if not buffered:
            return None
        sink = self.pending[key] = _Buffer()
        self.open = key
        return sink

    def _spill_pending(self) -> None:
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(prefix="lockcheck-findings-")
        out = self._spill
        out.seek(0, 2)
        for key, sink in self.pending.items():
            if sink:
                self.spilled[key] = out.tell()
                pickle.dump(list(sink), out, pickle.HIGHEST_PROTOCOL)

    def flush(self, keys=None) -> None:
        """Report the buffered findings of ``keys`` (all, in order, if None)."""
        self._close()
        if keys is None:
            keys = sorted(self.pending.keys() | self.spilled.keys())
        for key in keys:
            offset = self.spilled.pop(key, None)
            if offset is not None:
                self._spill.seek(offset)
                sink = pickle.load(self._spill)
            else:
                sink = self._pop(key)
            if sink:
                callbacks = self.rebuild(key)
                for slot, args in sink:
                    callbacks[slot](*args)
        if not self.spilled and self._spill is not None:
            self._spill.close()
            self._spill = None


def deferred(sink: list | None, *callbacks):
    """``callbacks`` (None stays None) as functions that append their calls
    to ``sink`` instead of running them; unchanged when ``sink`` is None."""
    if sink is None:
        return callbacks
    sink.callbacks = callbacks
    return tuple(None if fn is None else partial(_append, sink, slot) for slot, fn in enumerate(callbacks))


def _append(sink: list, slot: int, *args) -> None:
    sink.append((slot, args))

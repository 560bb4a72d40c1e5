"""Wall-clock seconds per stage of a scan, for ``scan -v`` and the benchmarks.

A :class:`PhaseTimes` is passed down the pipeline; each stage calls
:meth:`PhaseTimes.mark` when it ends.  The seconds go to ``run_info``
(never into a report: they differ run to run)."""

from __future__ import annotations

import time

try:
    import resource
except ImportError:   # not on every platform
    resource = None

__all__ = ["PhaseTimes"]


class PhaseTimes:
    """Ordered ``{phase: seconds}``; a phase marked twice adds up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, int] = {}   # this process's peak RSS when the phase ended (MB)
        self._last = time.perf_counter()

    def mark(self, phase: str) -> None:
        """The time since the previous mark (or creation) belongs to ``phase``."""
        now = time.perf_counter()
        self.seconds[phase] = round(self.seconds.get(phase, 0.0) + now - self._last, 2)
        self._last = now
        if resource is not None:   # ru_maxrss is in kilobytes on Linux
            self.peak_mb[phase] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

    def split(self, phase: str, first: str, seconds: float) -> None:
        """``phase`` began with ``seconds`` of ``first``: shown as two phases."""
        rest = self.seconds.pop(phase, 0.0)
        self.seconds[first] = round(min(seconds, rest), 2)
        self.seconds[phase] = round(max(rest - seconds, 0.0), 2)

    def line(self) -> str:
        """``index 12.3 s, parse 45.6 s, …`` in the order first marked."""
        return ", ".join(f"{name} {secs:.1f} s" for name, secs in self.seconds.items())

"""Unpickling a per-file outcome that may come from a machine we do not control.

A Dask worker (:mod:`lockcheck.executors`) answers with a pickled
:class:`~lockcheck.driver.FileOutcome`; the driver unpickles it and seals
it into the cache.  A plain unpickler would call whatever function those
bytes name, so :func:`loads` resolves only the names such an outcome
holds: the outcome and record classes and the IR's per-class restorers
(which only build nodes from their fields).  Anything else is an
:class:`UnsafeOutcome`, reported as that file's error.
"""

from __future__ import annotations

import io
import pickle

__all__ = ["loads", "UnsafeOutcome"]


class UnsafeOutcome(pickle.UnpicklingError):
    """The bytes name something an outcome never holds (or hold no outcome)."""


def _allowed() -> frozenset[tuple[str, str]]:
    from lockcheck.analysis import ir
    restorers = {("lockcheck.analysis.ir", f.__name__) for f in ir._RESTORERS.values()}
    return frozenset(restorers | {("lockcheck.driver", "FileOutcome"), ("lockcheck.driver", "FunctionRecord")})


_ALLOWED: frozenset[tuple[str, str]] | None = None


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise UnsafeOutcome(f"refers to {module}.{name}")
        return super().find_class(module, name)


def loads(blob: bytes):
    """The :class:`~lockcheck.driver.FileOutcome` pickled in ``blob``."""
    global _ALLOWED
    if _ALLOWED is None:
        _ALLOWED = _allowed()
    from lockcheck.driver import FileOutcome
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise UnsafeOutcome(f"a {type(blob).__name__}, not pickled bytes")
    try:
        value = _Unpickler(io.BytesIO(blob)).load()
    except UnsafeOutcome:
        raise
    except Exception as exc:
        raise UnsafeOutcome(f"unreadable ({type(exc).__name__})") from None
    if not isinstance(value, FileOutcome):
        raise UnsafeOutcome(f"a {type(value).__name__}, not a file outcome")
    return value

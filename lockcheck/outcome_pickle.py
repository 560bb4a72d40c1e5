"""Unpickling a per-file outcome that may come from a machine we do not control.

A Dask worker (:mod:`lockcheck.executors`) answers with a pickled
:class:`~lockcheck.driver.FileOutcome`; the driver unpickles it and seals
it into the cache.  A plain unpickler would call whatever function those
bytes name, so :func:`loads` resolves only the names such an outcome
holds: the outcome and record classes, the IR's per-class restorers
(which only build nodes from their fields), and lockcheck's plain data
classes (dataclasses, named tuples, enums).  Anything else is an
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
    from lockcheck.parse_task import FileOutcome, FunctionRecord
    restorers = {(f.__module__, f.__name__) for f in ir._RESTORERS.values()}
    return frozenset(restorers | {(c.__module__, c.__qualname__) for c in (FileOutcome, FunctionRecord)})


def _plain_data_class(module: str, name: str):
    """A lockcheck class that only holds data (a dataclass, a named tuple
    or an enum), which an outcome may come to hold; else None."""
    import dataclasses
    import enum
    import importlib
    import sys
    if not module.startswith("lockcheck.") or module not in sys.modules or "." in name:
        return None   # only modules already loaded: resolving a name imports nothing
    cls = getattr(importlib.import_module(module), name, None)
    if isinstance(cls, type) and (dataclasses.is_dataclass(cls) or issubclass(cls, (tuple, enum.Enum))):
        return cls
    return None


_ALLOWED: frozenset[tuple[str, str]] | None = None


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        cls = _plain_data_class(module, name)
        if cls is None:
            raise UnsafeOutcome(f"refers to {module}.{name}")
        return cls


def loads(blob: bytes):
    """The :class:`~lockcheck.driver.FileOutcome` pickled in ``blob``."""
    global _ALLOWED
    if _ALLOWED is None:
        _ALLOWED = _allowed()
    from lockcheck.parse_task import FileOutcome
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

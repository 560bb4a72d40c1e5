"""Reviewed suppressions from ``.lockcheck.toml``.

A suppression is code review's decision that a cycle cannot happen (the
locks are never taken by both paths at once, say), so each one must say
why: an entry without a ``reason`` is an error, not a silent pass::

    [[suppress]]
    locks = ["&kvm->srcu", "cpu_hotplug_lock"]   # a cycle, any rotation
    reason = "..."

    [[suppress]]
    edge = ["kvm_lock", "&kvm->slots_lock"]     # every cycle through a->b
    reason = "..."
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from lockcheck.errors import InputError
from lockcheck.gate.compare import cycle_key
from lockcheck.result import Finding, ScanResult

__all__ = ["Suppression", "Config", "CONFIG_NAME", "load_config", "find_config", "apply_suppressions"]

CONFIG_NAME = ".lockcheck.toml"
TOP_LEVEL = {"suppress", "order", "leaf", "alias"}        # known tables; a typo is an error, not a no-op


@dataclass(frozen=True)
class Suppression:
    reason: str
    locks: tuple[str, ...] = ()       # a whole cycle
    edge: tuple[str, str] | None = None

    def matches(self, f: Finding) -> bool:
        if self.edge is not None:
            n = len(f.locks)
            return any((f.locks[i], f.locks[(i + 1) % n]) == self.edge for i in range(n))
        return cycle_key("", self.locks)[1] == cycle_key("", f.locks)[1]


@dataclass(frozen=True)
class Config:
    path: str | None = None
    suppress: tuple[Suppression, ...] = ()


def find_config(root) -> Path | None:
    p = Path(root) / CONFIG_NAME
    return p if p.is_file() else None


def load_config(path) -> Config:
    """Parse and check ``path``; any problem is a one-line :class:`InputError`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    unknown = sorted(set(data) - TOP_LEVEL)
    if unknown:
        raise InputError(f"{path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(TOP_LEVEL))})")
    rows = data.get("suppress", [])
    if not isinstance(rows, list):
        raise InputError(f"{path}: 'suppress' must be an array of tables ([[suppress]])")
    return Config(str(path), tuple(_entry(path, n, row) for n, row in enumerate(rows, 1)))


def _entry(path: Path, n: int, row) -> Suppression:
    where = f"{path}: [[suppress]] entry {n}"
    if not isinstance(row, dict):
        raise InputError(f"{where}: must be a table")
    extra = sorted(set(row) - {"locks", "edge", "reason"})
    if extra:
        raise InputError(f"{where}: unknown key {extra[0]!r}")
    reason = row.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError(f"{where}: a non-empty 'reason' is required")
    if ("locks" in row) == ("edge" in row):
        raise InputError(f"{where}: give exactly one of 'locks' or 'edge'")
    names = row.get("locks", row.get("edge"))
    if not (isinstance(names, list) and names and all(isinstance(x, str) and x for x in names)):
        raise InputError(f"{where}: lock names must be a non-empty list of strings")
    if "edge" in row:
        if len(names) != 2:
            raise InputError(f"{where}: 'edge' is two lock names, [held, acquired]")
        return Suppression(reason.strip(), edge=(names[0], names[1]))
    return Suppression(reason.strip(), locks=tuple(names))


def apply_suppressions(result: ScanResult, config: Config
                       ) -> tuple[ScanResult, list[tuple[Finding, str]]]:
    """``(result without suppressed findings, [(finding, reason)])``.

    ``result`` itself is untouched, so a report that shows suppressed
    findings as such (SARIF ``suppressions``) renders the original result
    and marks the findings in the list.
    """
    kept, suppressed = [], []
    for f in result.findings:
        s = next((s for s in config.suppress if s.matches(f)), None)
        if s is None:
            kept.append(f)
        else:
            suppressed.append((f, s.reason))
    stats = dict(result.stats)
    stats["cycles"] = sum(1 for f in kept if f.kind == "circular")
    stats["recursive"] = sum(1 for f in kept if f.kind == "recursive")
    return replace(result, findings=tuple(kept), stats=stats), suppressed

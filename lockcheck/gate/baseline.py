"""Baselines: today's cycles, recorded so a gate fails only on new ones.

A baseline is TOML (or JSON, by the file's suffix) with one entry per
cycle: ``id``, ``kind``, ``locks`` and a ``reason`` left empty for a
person to fill in.  A finding is *known* when an entry has its id, or its
lock cycle (any rotation; see :mod:`lockcheck.gate.compare` for why ids
alone are too brittle).  An entry that matches nothing is *stale*: the
cycle is gone and the entry should go too (``baseline update`` drops it).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from lockcheck.errors import InputError
from lockcheck.gate.compare import cycle_key
from lockcheck.result import Finding, ScanResult

__all__ = ["Entry", "load", "save", "entries_for", "apply_baseline", "match"]

VERSION = 1


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    locks: tuple[str, ...]
    reason: str = ""

    @property
    def key(self):
        return cycle_key(self.kind, self.locks)


def load(path) -> list[Entry]:
    """Entries of the baseline at ``path``; a malformed file is an InputError."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"{path}: cannot read baseline: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: not a valid baseline: {exc}") from None
    rows = data.get("cycle", []) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise InputError(f"{path}: not a valid baseline: 'cycle' must be a list of tables")
    out = []
    for n, row in enumerate(rows, 1):
        try:
            locks = row["locks"]
            if not (isinstance(locks, list) and all(isinstance(x, str) for x in locks)):
                raise TypeError
            out.append(Entry(str(row.get("id", "")), str(row.get("kind", "circular")), tuple(locks),
                             str(row.get("reason", ""))))
        except (KeyError, TypeError, AttributeError):
            raise InputError(f"{path}: baseline entry {n}: needs 'locks', a list of lock names") from None
    return out


def entries_for(findings, old: list[Entry] = ()) -> list[Entry]:
    """One entry per finding, keeping the reason of a matching old entry."""
    known = {e.id: e for e in old}
    by_key = {e.key: e for e in old}
    out = []
    for f in findings:
        prev = known.get(f.id) or by_key.get(cycle_key(f.kind, f.locks))
        out.append(Entry(f.id, f.kind, f.locks, prev.reason if prev else ""))
    return out


def save(path, entries: list[Entry]) -> None:
    path = Path(path)
    rows = [{"id": e.id, "kind": e.kind, "locks": list(e.locks), "reason": e.reason} for e in entries]
    if path.suffix == ".json":
        path.write_text(json.dumps({"version": VERSION, "cycle": rows}, indent=2) + "\n")
        return
    q = json.dumps   # a JSON string is a valid TOML basic string
    lines = ["# lockcheck baseline: known lock-order cycles. Say in each reason why it is",
             "# acceptable (or who is fixing it); `lockcheck baseline update` keeps reasons.",
             f"version = {VERSION}"]
    for r in rows:
        lines += ["", "[[cycle]]", f"id = {q(r['id'])}", f"kind = {q(r['kind'])}",
                  "locks = [" + ", ".join(q(x) for x in r["locks"]) + "]", f"reason = {q(r['reason'])}"]
    path.write_text("\n".join(lines) + "\n")


def match(findings, entries: list[Entry]) -> tuple[list[Finding], list[Finding], list[Entry]]:
    """Split ``findings`` into (new, known); also return the stale entries."""
    by_id = {e.id: e for e in entries if e.id}
    by_key: dict = {}
    for e in entries:
        by_key.setdefault(e.key, []).append(e)
    used: set[int] = set()
    new, known = [], []
    for f in findings:
        e = by_id.get(f.id)
        if e is None or id(e) in used:
            e = next((x for x in by_key.get(cycle_key(f.kind, f.locks), []) if id(x) not in used), None)
        if e is None:
            new.append(f)
        else:
            used.add(id(e))
            known.append(f)
    return new, known, [e for e in entries if id(e) not in used]


def apply_baseline(result: ScanResult, path) -> tuple[ScanResult, list[Finding], list[Entry]]:
    """``(result without known findings, known findings, stale entries)``."""
    new, known, stale = match(result.findings, load(path))
    stats = dict(result.stats)
    stats["cycles"] = sum(1 for f in new if f.kind == "circular")
    stats["recursive"] = sum(1 for f in new if f.kind == "recursive")
    return replace(result, findings=tuple(new), stats=stats), known, stale

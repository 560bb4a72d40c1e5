"""Map lock names as documents spell them to lock classes as scans display them.

Documents write ``kvm->lock``, ``cpus_read_lock()``, ``kvm_arch::tsc_write_lock``
or an outdated path (``kvm->arch.mmu_lock`` is ``kvm->mmu_lock`` in code
since the mmu_lock moved into struct kvm).  Tried in order:

1. an alias (``[alias]`` in .lockcheck.toml, then :data:`ALIASES`);
2. the display name itself (``&kvm->lock`` for a member, ``kvm_lock``);
3. ``type::field`` as the class key ``f:struct type:field``;
4. the last member name, when exactly one class in the scan has it
   (``kvm->arch.hyperv.hv_lock`` is displayed ``&hv->hv_lock``).

A name none of these finds stays *unmapped*: the check still uses its
display form (it may name a lock outside the scanned files) and the
report lists it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ALIASES", "Mapping", "NameMap", "base", "display"]

#: kernel spellings whose class has another name
ALIASES = {
    "cpus_read_lock()": "cpu_hotplug_lock",
    "cpus_write_lock()": "cpu_hotplug_lock",
    "kvm->arch.mmu_lock": "&kvm->mmu_lock",
    "rcu_read_lock()": "rcu_read_lock",
}


def base(lock: str) -> str:
    """A class without its lockdep subclass: ``&kvm->lock/1`` -> ``&kvm->lock``."""
    return re.sub(r"/(?:\d+|\?)$", "", lock)


def display(name: str) -> str:
    """How a scan would display ``name``: members get lockdep's ``&``."""
    name = name.strip()
    if name.startswith("&") or "(" in name:
        return name
    return f"&{name}" if ("->" in name or "." in name) else name


@dataclass(frozen=True)
class Mapping:
    doc: str
    lock: str          # display name used by the checks
    how: str           # alias | exact | struct | field | unmapped


class NameMap:
    def __init__(self, locks, aliases: dict[str, str] | None = None):
        self._locks = {base(l.name): l for l in locks}
        self._keys = {}
        for l in locks:
            self._keys.setdefault(base(l.key), base(l.name))
        self._aliases = {**ALIASES, **(aliases or {})}
        self._cache: dict[str, Mapping] = {}

    def kind(self, lock: str) -> str | None:
        got = self._locks.get(base(lock))
        return got.kind if got else None

    def __contains__(self, lock: str) -> bool:
        return base(lock) in self._locks

    def map(self, doc: str) -> Mapping:
        if doc not in self._cache:
            self._cache[doc] = self._resolve(doc)
        return self._cache[doc]

    def _resolve(self, doc: str) -> Mapping:
        if doc in self._aliases:
            target = self._aliases[doc]
            return Mapping(doc, target, "alias" if target in self._locks else "unmapped")
        shown = display(doc)
        if shown in self._locks:
            return Mapping(doc, shown, "exact")
        if "::" in doc:
            struct, _, member = doc.rpartition("::")
            hit = self._keys.get(f"f:struct {struct}:{member}")
            if hit:
                return Mapping(doc, hit, "struct")
        last = re.split(r"->|\.|::", doc.rstrip("()"))[-1]
        hits = {name for key, name in self._keys.items()
                if key.endswith(f":{last}") or re.search(rf"\b{re.escape(last)}\b", name)}
        if len(hits) == 1:
            return Mapping(doc, hits.pop(), "field")
        return Mapping(doc, shown, "unmapped")

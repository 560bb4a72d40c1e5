"""lockdep's printed class names → lockcheck's class names.

lockdep names a class by the lock expression at its definition or init
site (``kvm_lock``, ``&kvm->slots_lock``), by a key given by name
(``sk_lock-AF_INET``, ``(work_completion)(&(&ent->dwork)->work)``) or by a
``lock_class_key`` variable (``&sb->s_type->i_mutex_key``); it adds ``#N``
when two classes share a name and ``/N`` for a subclass.  lockcheck names a
struct-field class by the variable name code uses most for the struct, so
the two often differ only in the variable.  Mapping, in order:

1. split off ``#N`` (lockdep's tie-breaker; meaningless to lockcheck) and
   ``/N``; apply the rename rows of ``splat.toml`` (name-keyed classes);
2. the same name (with the subclass, then without it);
3. the same global without lockdep's ``&``;
4. the same field path under any variable (``&new->lock`` ↔ ``&foo->lock``),
   then a lock *inside* that field (``&sk->sk_lock`` ↔ ``&sk->sk_lock.slock``),
   inside a ``(work_completion)(...)`` wrapper alike;
5. a class whose key names the ``lock_class_key`` (``i_mutex_key``).

Several candidates are all returned; the matcher keeps the one the
report's edges agree with.  A name with no candidate says why: a pseudo-lock
lockcheck does not model (``splat.toml`` ``[pseudo]``), or a class the scan
never sees, with the closest names.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from lockcheck.model.loader import load_model
from lockcheck.result import ScanResult

__all__ = ["Mapping", "NameMap", "split_name"]

_SUFFIX = re.compile(r"^(?P<base>.+?)(?:#(?P<version>\d+))?(?:/(?P<sub>\d+))?$")
_WRAP = re.compile(r"^(?P<wrap>\([\w-]+\))\((?P<inner>.+)\)$")
_FIELD = re.compile(r"^&\(?&?(?P<var>\w+)->(?P<path>[\w.>\-\[\]]+?)\)?$")


@dataclass(frozen=True)
class Mapping:
    lockdep: str                   # as printed
    candidates: tuple[str, ...]    # lockcheck class names, best first
    how: str = ""                  # how it was mapped (empty: the same name)
    why_not: str = ""              # no candidate: why

    @property
    def name(self) -> str | None:
        return self.candidates[0] if self.candidates else None


def split_name(printed: str) -> tuple[str, str, str]:
    """``(base, "#N" or "", "/N" or "")`` of a printed class name."""
    m = _SUFFIX.match(printed.strip())
    base = m.group("base") if m else printed
    return base, (f"#{m.group('version')}" if m and m.group("version") else ""), \
        (f"/{m.group('sub')}" if m and m.group("sub") else "")


def _parts(name: str) -> tuple[str, str | None, str]:
    """``(wrapper, field path or None, subclass)`` of a name."""
    base, _, sub = split_name(re.sub(r" \[[^\]]*\]$", "", name))   # "name [key]": lockcheck's tie-breaker
    wrap = ""
    m = _WRAP.match(base)
    if m:
        wrap, base = m.group("wrap"), m.group("inner")
    base = re.sub(r"^&\(&(\w+)->([\w.]+)\)->", r"&\1->\2.", base)
    f = _FIELD.match(base)
    return wrap, (f.group("path").replace("->", ".") if f else None), sub


class NameMap:
    """Maps printed names against one scan's classes."""

    def __init__(self, result: ScanResult, model_files: tuple[str, ...] = ()) -> None:
        model = load_model("splat", model_files)
        self.renames = [(re.compile(r["pattern"]), r["name"], r.get("why", "")) for r in model.get("rename", [])]
        self.pseudo = dict(model.get("pseudo", {}))
        self.names = sorted(lk.name for lk in result.locks)
        self.keys = {lk.name: lk.key for lk in result.locks}
        self.by_parts: dict[tuple[str, str], list[str]] = {}
        for n in self.names:
            wrap, path, sub = _parts(n)
            if path:
                self.by_parts.setdefault((wrap, path + sub), []).append(n)

    def map(self, printed: str) -> Mapping:
        base, version, sub = split_name(printed)
        notes = [f"{version} dropped (lockdep's number for a second class of that name)"] if version else []
        for rx, repl, why in self.renames:
            if rx.match(base):
                base = rx.sub(repl, base)
                notes.append(f"read as {base}: {why}")
                break
        found, how = self._find(base, sub)
        if found:
            return Mapping(printed, tuple(found), "; ".join(notes + ([how] if how else [])))
        for prefix, why in self.pseudo.items():
            if base.startswith(prefix):
                return Mapping(printed, (), "; ".join(notes), why_not=why)
        close = difflib.get_close_matches(base + sub, self.names, n=3, cutoff=0.6)
        hint = f" (closest: {', '.join(close)})" if close else ""
        return Mapping(printed, (), "; ".join(notes),
                       why_not=f"no class {base + sub} in the scan: the code defining or taking it is not "
                               f"in the scanned paths{hint}")

    def _find(self, base: str, sub: str) -> tuple[list[str], str]:
        names = set(self.names)
        for cand, how in ((base + sub, ""), (base, f"subclass {sub} is one class here") if sub else (None, ""),
                          (base.lstrip("&") + sub, "a global: lockdep printed its init expression"),
                          (base.lstrip("&"), "a global; subclass not told apart") if sub else (None, "")):
            if cand and cand in names:
                return [cand], how
        wrap, path, _ = _parts(base)
        if path:
            same = self.by_parts.get((wrap, path + sub)) or (self.by_parts.get((wrap, path)) if sub else None)
            if same:
                return sorted(same), f"the field {path}: lockcheck names the variable differently"
            inner = sorted(n for (w, p), ns in self.by_parts.items() if w == wrap and p.startswith(path + ".")
                           for n in ns)
            if inner:
                return inner, f"the lock inside {path} (lockdep's map sits beside it)"
        tail = re.split(r"->|\.", base)[-1]
        if tail and len(tail) > 3:
            keyed = sorted(n for n in self.names if self.keys[n].endswith(":" + tail) or self.keys[n].endswith(tail)
                           and self.keys[n].startswith("k:"))
            if keyed:
                return keyed, f"the class keyed by {tail} (lockdep_set_class)"
        return [], ""

"""The lock primitive catalogue (``data/primitives.toml``) as a lookup table."""

from __future__ import annotations

from dataclasses import dataclass

from lockcheck.errors import InputError
from lockcheck.model.loader import load_model

__all__ = ["Primitive", "Catalogue", "load_catalogue"]

ACTIONS = frozenset(("acquire", "release", "trylock", "acquire_unless_error", "sync",
                     "assert_held", "assert_not_held"))
MODES = frozenset(("exclusive", "shared", "recursive", "irq_recursive"))
#: Calls the front end writes for scoped guards; they act like ``guard``.
SCOPED_GUARD_CALLS = ("__lc_scoped_guard", "__lc_scoped_cond_guard")


@dataclass(frozen=True)
class Primitive:
    name: str
    action: str
    mode: str = "exclusive"
    kind: str = "lock"
    lock_arg: int = 0
    lock: str | None = None          # implicit global lock
    subclass_arg: int | None = None
    class_prefix: str = ""           # "w:": the (work_completion) of the object
    lock_field: str = ""             # the lock is this member of what the argument points to
    trylock_arg: int | None = None   # a lockdep annotation's trylock flag: non-zero adds no dependency
    nest_arg: int | None = None      # the nest lock / acquire context: non-NULL, no recursive locking


@dataclass(frozen=True)
class Catalogue:
    primitives: dict[str, Primitive]
    guards: dict[str, str]           # guard type -> acquiring primitive name

    def names(self) -> frozenset[str]:
        return frozenset(self.primitives) | {"guard", *SCOPED_GUARD_CALLS}

    def get(self, name: str) -> Primitive | None:
        return self.primitives.get(name)

    def guard(self, family: str) -> Primitive | None:
        target = self.guards.get(family)
        return self.primitives.get(target) if target else None


def load_catalogue(user_files: tuple[str, ...] = ()) -> Catalogue:
    data = load_model("primitives", user_files)
    prims: dict[str, Primitive] = {}
    for row in data.get("primitive", []):
        action, mode = row.get("action"), row.get("mode", "exclusive")
        if action not in ACTIONS or mode not in MODES or not row.get("names"):
            raise InputError(f"bad primitive entry {row.get('names')}: action={action!r} mode={mode!r}")
        for name in row["names"]:
            prims[name] = Primitive(name, action, mode, row.get("kind", "lock"),
                                    row.get("lock_arg", 0), row.get("lock"), row.get("subclass_arg"),
                                    row.get("class_prefix", ""), row.get("lock_field", ""),
                                    row.get("trylock_arg"), row.get("nest_arg"))
    return Catalogue(prims, dict(data.get("guards", {})))

"""User-declared lock orders from ``.lockcheck.toml``.

Orders that live only in a maintainer's head (or a commit message) can be
checked like documented ones::

    [[order]]
    outer = "cpu_hotplug_lock"
    inner = ["kvm_lock", "kvm_usage_lock"]

    leaf = ["kvm->mn_invalidate_lock"]

    [alias]                       # document spelling -> displayed class
    "kvm->arch.hyperv.hv_lock" = "&hv->hv_lock"

Other top-level keys belong to other commands and are left alone; a
malformed ``order``/``leaf``/``alias`` is an InputError (exit 2), because a
rule silently ignored would read as a rule that holds.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from lockcheck.docs.rules import DocRules, Rule
from lockcheck.errors import InputError

__all__ = ["CONFIG_NAME", "read_config", "find_config"]

CONFIG_NAME = ".lockcheck.toml"


def find_config(paths) -> Path | None:
    """``.lockcheck.toml`` at the kernel tree root of a PATH (or, outside a
    tree, in the PATH directory itself), if any."""
    from lockcheck.frontend.tree import find_tree_root
    for p in map(Path, paths):
        root = find_tree_root(p) or (p if p.is_dir() else p.parent)
        if (root / CONFIG_NAME).is_file():
            return root / CONFIG_NAME
    return None


def read_config(path: str | Path) -> DocRules:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: bad config: {exc}") from None
    out = DocRules()
    orders = data.get("order", [])
    if not isinstance(orders, list):
        raise InputError(f"{path}: bad config: 'order' must be an array of tables ([[order]])")
    for i, entry in enumerate(orders, 1):
        where = f"{path}: [[order]] #{i}"
        if not isinstance(entry, dict) or set(entry) - {"outer", "inner"} or "outer" not in entry \
                or "inner" not in entry:
            raise InputError(f"{where}: bad config: needs exactly 'outer' and 'inner'")
        outer, inner = entry["outer"], _strings(entry["inner"], f"{where}: 'inner'")
        if not isinstance(outer, str) or not outer:
            raise InputError(f"{where}: bad config: 'outer' must be a lock name")
        out.rules += [Rule("order", outer, b, (), p.name, 0, f"[[order]] outer = {outer!r}, inner {b!r}",
                           "config") for b in inner]
    for name in _strings(data.get("leaf", []), f"{path}: 'leaf'"):
        out.rules.append(Rule("leaf", name, "", (), p.name, 0, f"leaf = {name!r}", "config"))
    aliases = data.get("alias", {})
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        raise InputError(f"{path}: bad config: [alias] maps names to lock names (strings)")
    out.aliases.update(aliases)
    return out


def _strings(value, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{where}: bad config: expected a lock name or a list of lock names")
    return value

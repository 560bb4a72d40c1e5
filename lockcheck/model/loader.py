"""Load the shipped TOML models and merge user extensions into them.

Merging rule: a list is extended (duplicates dropped, order kept), a table is
updated key by key, a scalar is replaced.  A user file therefore only says
what it adds.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lockcheck.errors import InputError

__all__ = ["load_model", "merge"]


def merge(base: dict, extra: dict) -> dict:
    """Return ``base`` extended by ``extra`` (neither is modified)."""
    out = dict(base)
    for key, value in extra.items():
        old = out.get(key)
        if isinstance(old, list) and isinstance(value, list):
            out[key] = old + [v for v in value if v not in old]
        elif isinstance(old, dict) and isinstance(value, dict):
            out[key] = merge(old, value)
        else:
            out[key] = value
    return out


@lru_cache(maxsize=None)
def _shipped(name: str) -> dict:
    text = resources.files("lockcheck.model").joinpath("data", f"{name}.toml").read_text()
    return tomllib.loads(text)


def load_model(name: str, user_files: tuple[str, ...] = ()) -> dict:
    """The shipped model ``name`` merged with the ``[name]`` part of user files.

    A user file may hold several models; each lives under a top-level table
    named like the shipped file (``[frontend]``, ``[primitives]`` ...).
    """
    data = _shipped(name)
    for path in user_files:
        try:
            user = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"model file not found: {path}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"bad model file {path}: {exc}") from None
        if name in user:
            data = merge(data, user[name])
    return data

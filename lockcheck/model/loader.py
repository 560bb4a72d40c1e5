"""Load the shipped TOML models and merge user extensions into them.

Merging rule: a list is extended (duplicates dropped, order kept), a table is
updated key by key, a scalar is replaced.  A user file therefore only says
what it adds.

A user file is untrusted text: what it adds must have the shape of what
it extends (:func:`check_shape`: a table where the shipped model has a
table, a list of strings where it has one, ...), else the file is a
one-line error, never a crash deep in a consumer.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lockcheck.errors import InputError

__all__ = ["load_model", "merge", "check_shape"]


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
            problem = check_shape(data, user[name], name)
            if problem:
                raise InputError(f"bad model file {path}: {problem}")
            data = merge(data, user[name])
    return data


def _kind(v) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    return {str: "a string", list: "a list", dict: "a table"}.get(type(v), type(v).__name__)


def check_shape(shipped, user, where: str) -> str | None:
    """Why ``user`` cannot extend ``shipped`` (None if it can): each value
    has the kind of the shipped value it meets (a list's items, the kind of
    the shipped items; a new key of a table, any kind its siblings have).
    Which keys a table needs is its consumer's to say."""
    if isinstance(shipped, dict):
        if not isinstance(user, dict):
            return f"[{where}] must be a table, not {_kind(user)}"
        siblings = list(shipped.values())
        for key, value in user.items():
            if key in shipped:
                problem = check_shape(shipped[key], value, f"{where}.{key}")
            elif siblings:
                problems = [check_shape(s, value, f"{where}.{key}") for s in siblings]
                problem = None if None in problems else problems[0]
            else:
                problem = None
            if problem:
                return problem
        return None
    if isinstance(shipped, list):
        if not isinstance(user, list):
            return f"{where} must be a list, not {_kind(user)}"
        if not shipped:
            return None
        for k, item in enumerate(user):
            problems = [check_shape(s, item, f"{where}[{k}]") for s in shipped[:8]]
            if None not in problems:
                return problems[0]
        return None
    if _kind(shipped) != _kind(user):
        return f"{where} must be {_kind(shipped)}, not {_kind(user)}"
    return None

"""The integer values of a file's own enumerators, from its lexed items.

``enum { vmw_val_add_flag_none = 0, vmw_val_add_flag_noctx = 1 << 0 };``
gives ``{"vmw_val_add_flag_none": 0, "vmw_val_add_flag_noctx": 1}``: a
constant flag a caller passes (``f(..., vmw_val_add_flag_noctx)``) and the
callee's test of it (``flags & vmw_val_add_flag_noctx``) then compare as
integers (``analysis.entry_facts``), as the file's integer ``#define``s do.
An enumerator whose value is not an integer expression of literals and
earlier enumerators and integer macros (``sizeof``, a cast; read by
``frontend.constants``) has no value here, nor have the
implicit ones after it.
"""

from __future__ import annotations

from lockcheck.frontend.constants import evaluate

__all__ = ["file_enumerators", "enumerator_definitions"]


def file_enumerators(items, known: dict[str, int] | None = None) -> dict[str, int]:
    """Enumerator name -> value for every ``enum { … }`` body in ``items``
    (top-level declarations: a type, a typedef, a variable of it)."""
    out: dict[str, int] = {}
    for entries in _enum_bodies(items):
        _values(entries, out, known or {})
    return out


def enumerator_definitions(items) -> tuple[tuple[str, str], ...]:
    """(name, value text) of the upper-case enumerators of ``items``, an
    implicit value written as the one before plus one: what a header gives
    the tree's integer constants with its ``#define``s
    (``frontend.constants.IntegerMacros``): ``enum ice_vf_reset_flags {
    ICE_VF_RESET_VFLR = 0, ICE_VF_RESET_NOTIFY = BIT(1), … }``."""
    out = []
    for entries in _enum_bodies(items):
        before = None
        for entry in entries:
            if not entry or not entry[0].isidentifier():
                continue
            name = entry[0]
            if len(entry) > 2 and entry[1] == "=":
                text = " ".join(entry[2:])
            else:
                text = "0" if before is None else f"({before}) + 1"
            before = name
            if name.isupper():
                out.append((name, text))
    return tuple(out)


def _enum_bodies(items):
    """The entries (token texts between commas) of each enum body."""
    for item in items:
        if item.kind != "declaration":
            continue
        toks = item.tokens
        for k, t in enumerate(toks):
            if t.text != "enum":
                continue
            j = k + 1
            if j < len(toks) and toks[j].kind == "id":
                j += 1
            if j < len(toks) and toks[j].text == "{":
                yield _entries(toks, j + 1)


def _entries(toks, start: int) -> list[list[str]]:
    entries: list[list] = [[]]
    depth = 0
    for t in toks[start:]:
        if t.text in ("(", "[", "{"):
            depth += 1
        elif t.text in (")", "]", "}"):
            if depth == 0:
                break
            depth -= 1
        if t.text == "," and depth == 0:
            entries.append([])
        else:
            entries[-1].append(t.text)
    return entries


def _values(entries, out: dict[str, int], known: dict[str, int]) -> None:
    following: int | None = 0
    for entry in entries:
        if not entry or not entry[0].isidentifier():
            continue
        name = entry[0]
        if len(entry) > 2 and entry[1] == "=":
            value = evaluate(entry[2:], _Names(out, known))
        else:
            value = following
        if value is None:
            following = None
            continue
        out.setdefault(name, value)
        following = value + 1


class _Names:
    """The file's enumerators so far, then ``known``: no copy of the tree's
    constants per enumerator."""

    __slots__ = ("first", "then")

    def __init__(self, first: dict[str, int], then: dict[str, int]) -> None:
        self.first, self.then = first, then

    def get(self, name: str) -> int | None:
        value = self.first.get(name)
        return self.then.get(name) if value is None else value

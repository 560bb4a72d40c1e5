"""Which definition of a struct tag a file sees, where a tag has several.

Two drivers may each define their own ``struct r8a66597`` (a USB gadget
and a USB host controller) in headers no file includes both of.  The tree
index merges struct definitions by tag, so the two ``lock`` fields would
be one lock class, though they are two objects with two init sites (two
lockdep classes).  For a tag with several distinct layouts that has a lock
field, each file that sees exactly one of the layouts (its own definition
or one reached through its ``#include``s) gets that definition's file as
the tag's *home*; analysis.typing keys the tag's fields with it
(``f:struct r8a66597@drivers/usb/gadget/udc/r8a66597-udc.h:lock``).  The
layout the most files see keeps the plain tag (a kernel header's struct
stays the class the model's rows and every other file name), as does a
file that sees several layouts, or none (an include the scan did not
resolve).
"""

from __future__ import annotations

__all__ = ["struct_homes"]


def struct_homes(structs_by_file: dict[str, dict[str, dict]], includes: dict[str, set[str]],
                 lock_types: frozenset[str]) -> dict[str, dict[str, str]]:
    """``structs_by_file``: file -> tag -> fields (name -> TypeRef) it
    defines; ``includes``: file -> files it includes directly.  Returns
    file -> tag -> the defining file of the one layout the file sees, for
    tags with several layouts and a lock field."""
    layouts: dict[str, dict[tuple, list[str]]] = {}
    for path in sorted(structs_by_file):
        for tag, fields in structs_by_file[path].items():
            if not fields or ".anon" in tag:
                continue
            shape = tuple(sorted((k, v.base, v.pointers) for k, v in fields.items()))
            layouts.setdefault(tag, {}).setdefault(shape, []).append(path)
    ambiguous = {tag: by_shape for tag, by_shape in layouts.items() if len(by_shape) > 1
                 and any(base in lock_types and stars == 0 for shape in by_shape for _, base, stars in shape)}
    if not ambiguous:
        return {}
    included_by: dict[str, set[str]] = {}
    for src, dsts in includes.items():
        for dst in dsts:
            included_by.setdefault(dst, set()).add(src)
    reach_memo: dict[str, frozenset[str]] = {}

    def reaching(path: str) -> frozenset[str]:
        """The files that see what ``path`` defines: itself and every file
        including it, directly or not."""
        if path not in reach_memo:
            seen = {path}
            todo = [path]
            while todo:
                for src in included_by.get(todo.pop(), ()):
                    if src not in seen:
                        seen.add(src)
                        todo.append(src)
            reach_memo[path] = frozenset(seen)
        return reach_memo[path]

    out: dict[str, dict[str, str]] = {}
    for tag in sorted(ambiguous):
        seen_by: dict[str, set[str]] = {}     # file -> homes of the layouts it sees
        reach: dict[str, int] = {}            # home -> how many files see that layout
        for shape, files in sorted(ambiguous[tag].items()):
            home = min(files)
            sees = set().union(*(reaching(f) for f in files))
            reach[home] = len(sees)
            for g in sees:
                seen_by.setdefault(g, set()).add(home)
        # the layout most files see keeps the plain tag (the kernel's own
        # struct, which the model's rows name); only the others get a home
        primary = min(reach, key=lambda h: (-reach[h], h))
        for g, homes in seen_by.items():
            if len(homes) == 1 and primary not in homes:
                out.setdefault(g, {})[tag] = next(iter(homes))
    return out

"""The include graph of a scan's lexed files, for the analysis
(``TreeIndex.includes``, read by :mod:`lockcheck.analysis.header_scope`).

A quoted include is resolved next to the including file
(:class:`lockcheck.frontend.tree.IncludeResolver`); the build may find it
elsewhere through a Makefile's ``-I`` (arch/x86/kvm/Makefile adds
``-I $(srctree)/arch/x86/kvm``: mmu/mmu.c's ``#include "mmu.h"`` is
arch/x86/kvm/mmu.h).  Here, such an include left unresolved reaches the
lexed header of that name nearest the including file (most leading
directories of the display path shared, at least two: ``drivers/net``;
then the first path).  Only this graph gets the edge: what is lexed, and the
front end's own uses of includes, stay as the resolver found them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["include_graph", "macro_clashes", "MIN_SHARED"]

#: Leading directories an unresolved include's header shares with the includer, at least.
MIN_SHARED = 2


def include_graph(includes: dict[Path, set[Path]], unresolved: dict[Path, list[str]],
                  shown: dict[Path, str]) -> dict[str, tuple[str, ...]]:
    """Display path -> the lexed files it includes (sorted), for every
    lexed file (``shown``: lexed path -> display path)."""
    by_tail: dict[str, list[str]] = {}
    for q, display in sorted(shown.items(), key=lambda item: item[1]):
        if display.endswith(".h"):
            by_tail.setdefault(q.name, []).append(display)
    graph: dict[str, tuple[str, ...]] = {}
    for q, display in shown.items():
        reached = {shown[h] for h in includes.get(q, ()) if h in shown}
        for name in unresolved.get(q, ()):
            h = _nearest(display, name, by_tail)
            if h is not None:
                reached.add(h)
        graph[display] = tuple(sorted(reached))
    return graph


def _nearest(including: str, name: str, by_tail: dict[str, list[str]]) -> str | None:
    if name.startswith(("/", ".")):
        return None
    tail = "/" + name
    parts = including.split("/")[:-1]
    best, best_shared = None, MIN_SHARED - 1
    for h in by_tail.get(name.rsplit("/", 1)[-1], ()):
        if not h.endswith(tail):
            continue
        hp = h.split("/")
        shared = 0
        for a, b in zip(parts, hp):
            if a != b:
                break
            shared += 1
        if shared > best_shared:
            best, best_shared = h, shared
    return best


def macro_clashes(lexed: dict[str, tuple]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Names both a function-like macro and a function: name -> (the files
    defining the macro, the files declaring or defining the function), for
    every lexed file (display path -> its lex summary: type facts, macros).
    mt76.h's ``#define mt76_poll(dev, ...) __mt76_poll(..)`` and
    mt7601u's ``bool mt76_poll(struct mt7601u_dev *dev, ..)`` (declared in
    mt7601u.h, defined in core.c).  A file that sees the macro and no
    declaration of the function calls the macro's, never that function
    (:meth:`lockcheck.analysis.header_scope.HeaderScope.macro_wins`); one
    that sees both (``#ifdef CONFIG_X`` a prototype ``#else`` a stub macro)
    is left to the function."""
    macros: dict[str, list[str]] = {}
    for display, summary in lexed.items():
        for d in summary[1]:
            if d.params is not None:
                files = macros.setdefault(d.name, [])
                if not files or files[-1] != display:
                    files.append(display)
    declared: dict[str, list[str]] = {}
    for display, summary in lexed.items():
        for name in summary[0].returns:
            if name in macros:
                declared.setdefault(name, []).append(display)
    return {name: (tuple(sorted(set(macros[name]))), tuple(sorted(declared[name])))
            for name in sorted(declared)}

"""Which headers a call can reach: a function defined in a header is
``static`` (``static inline``) in every file that includes it, so a call
resolves to it only from a file whose include closure reaches that header.

mt792x_dma.c calls ``mt76_rr(dev, ..)``, a macro of mt76.h (an indirect
call through ``dev->mt76.bus``, left as a call by the front end); the only
*function* named ``mt76_rr`` is a ``static inline`` of mt7601u/mt7601u.h,
which mt792x_dma.c never includes.  Resolved by name across the scan, the
call reached mt7601u's USB register read and its mutex, in a tasklet.

The include graph is the front end's (``TreeIndex.includes``: display path
-> the files it ``#include``s that were resolved and lexed).  A file's
closure is kept as a bit mask over the headers that define a function of
the scan (a few thousand on the whole tree), computed once per strongly
connected component of the graph (include guards make cycles).  A call
from a header function is resolved in the context of the ``.c`` files that
include the header: a header the caller's header or any of its includers
reaches (a header often relies on what its includer included before it).
A ``.c`` file another file includes is read the same way: ext.c, included
by kernel/sched/build_policy.c after ``#include "sched.h"``, includes no
sched.h of its own, yet calls its ``task_rq_unlock()``; resolved by its own
closure alone, that call reached nothing and the iterator helper that
unlocks through it released nothing.
A function-like macro a file sees wins over a function of the same name
whose declaration it does not see (mt76.h's macro ``mt76_poll()`` against
mt7601u's global ``mt76_poll()``, declared in mt7601u.h): the preprocessor
has replaced the call.  A file the graph does not know (a function found outside the scan,
:mod:`lockcheck.tree_callees`) keeps the former rule: the first header
defining the name.
"""

from __future__ import annotations

from lockcheck.analysis.callorder import strongly_connected

__all__ = ["HeaderScope"]


class HeaderScope:
    """Include reachability of the scan's files, for header functions."""

    def __init__(self, includes: dict[str, tuple[str, ...]], headers, clashes: dict | None = None) -> None:
        clashes = clashes or {}
        files = set(headers)
        for macro_files, declaring in clashes.values():
            files.update(macro_files, declaring)
        # one bit per header defining a function of the scan, and per file of
        # a macro clash (sorted: deterministic)
        self.bits: dict[str, int] = {h: k for k, h in enumerate(sorted(files))}
        self.masks: dict[str, int] = _closure_masks(includes, {f: 1 << k for f, k in self.bits.items()})
        self._includes = includes
        # .c files another file includes (kernel/sched/build_policy.c: ext.c)
        self._included = frozenset(h for heads in includes.values() for h in heads if not h.endswith(".h"))
        self._contexts: dict[str, int] | None = None
        # name -> (mask of the files defining the macro, of those declaring the function)
        self.clashes: dict[str, tuple[int, int]] = {
            name: (self._mask(macro_files), self._mask(declaring))
            for name, (macro_files, declaring) in clashes.items()}

    def _mask(self, files) -> int:
        mask = 0
        for f in files:
            mask |= 1 << self.bits[f]
        return mask

    def macro_wins(self, name: str, from_file: str) -> bool:
        """Does ``from_file`` see a function-like macro ``name`` and no
        declaration of a function ``name`` (frontend.include_graph.macro_clashes)?
        Its call is the macro's then: no function of that name is its target."""
        clash = self.clashes.get(name)
        if clash is None:
            return False
        mask = self.context(from_file)
        return mask is not None and bool(mask & clash[0]) and not mask & clash[1]

    def context(self, from_file: str) -> int | None:
        """The headers a function of ``from_file`` sees (bit mask), or None
        when the include graph does not hold the file: a header's or an
        included ``.c`` file's with those of its includers."""
        mask = self.masks.get(from_file)
        if mask is None or not (from_file.endswith(".h") or from_file in self._included):
            return mask
        if self._contexts is None:
            self._contexts = self._includer_contexts()
        return mask | self._contexts.get(from_file, 0)

    def visible(self, keys: list[str], name: str, from_file: str) -> str | None:
        """The first of ``keys`` (``header:name`` function keys, in the
        program's order) whose header ``from_file`` reaches; the first of
        them where the graph does not hold ``from_file``."""
        mask = self.context(from_file)
        if mask is None:
            return keys[0] if keys else None
        for key in keys:
            bit = self.bits.get(key[:-len(name) - 1])
            if bit is not None and mask >> bit & 1:
                return key
        return None

    def _includer_contexts(self) -> dict[str, int]:
        """File -> the union of the closures of the ``.c`` files reaching it:
        the same walk over the graph reversed, each ``.c`` file bringing its
        closure."""
        included_by: dict[str, list[str]] = {}
        for f, heads in self._includes.items():
            for h in heads:
                included_by.setdefault(h, []).append(f)
        seeds = {f: m for f, m in self.masks.items() if not f.endswith(".h")}
        return _closure_masks({h: tuple(fs) for h, fs in included_by.items()}, seeds)


def _closure_masks(graph: dict[str, tuple[str, ...]], own: dict[str, int]) -> dict[str, int]:
    """Node -> the union of ``own`` over every node it reaches in ``graph``
    (itself included), for every node of ``graph``: by its strongly
    connected components, which come out after everything they reach."""
    nodes = dict.fromkeys(sorted(graph))
    for children in graph.values():
        nodes.update(dict.fromkeys(children))
    succ = {n: dict.fromkeys(graph.get(n, ())) for n in nodes}
    masks: dict[str, int] = {}
    for component in strongly_connected(succ):
        inside = set(component)
        mask = 0
        for member in component:
            mask |= own.get(member, 0)
            for child in succ[member]:
                if child not in inside:
                    mask |= masks[child]
        for member in component:
            masks[member] = mask
    return masks

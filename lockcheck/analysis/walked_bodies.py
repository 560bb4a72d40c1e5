"""Function bodies freed as the walk goes (``summaries.analyse``)."""

from __future__ import annotations

import dataclasses

from lockcheck.analysis import deref_flags, irwalk, releases
from lockcheck.analysis.ir import Block

__all__ = ["WalkedBodies", "forget"]


class WalkedBodies:
    """Frees a function's IR body once every key that walks it (the function
    and its specialised copies) has been walked.  Its callers need only its
    name and parameters, and the bodies are the largest thing a whole-tree
    scan holds: freeing them as the walk goes keeps its peak down.  The
    memos kept per body go with it (:func:`forget`): each walk asks for
    its body's tested names (``deref_flags.written_derefs``), and the
    memo's entry alone kept every walked body to the end of the scan."""

    def __init__(self, program, graph) -> None:
        self.program = program
        left: dict[int, int] = {}
        keys: dict[int, list[str]] = {}
        for key, fn in program.by_key.items():
            keys.setdefault(id(fn), []).append(key)
            if key in graph:
                left[id(fn)] = left.get(id(fn), 0) + 1
        # only for the functions walked under more than one key (specialised
        # copies): most have one, and the tables are held through the walk
        self.left = {i: n for i, n in left.items() if n > 1}
        self.keys = {i: tuple(k) for i, k in keys.items() if len(k) > 1}

    def done(self, members) -> None:
        for m in members:
            fn = self.program.by_key[m]
            left = self.left.pop(id(fn), 1) - 1
            if left:
                self.left[id(fn)] = left
                continue
            forget(fn.body)
            bare = dataclasses.replace(fn, body=_NO_BODY)
            for key in self.keys.pop(id(fn), (m,)):
                self.program.by_key[key] = bare


def forget(body: Block) -> None:
    """Drop what the per-body memos keep of ``body`` (each entry holds the
    body itself, so that an ``id`` reused by a later body is told apart):
    the calls and tested names (``irwalk``; reached here rather than
    through a function of its own, which would change the front end's
    cache digest), the assigned names (``releases``) and the parameters
    whose ``*p`` it reads (``deref_flags``)."""
    found = irwalk._BODIES.get(id(body))
    if found is not None and found[0] is body:
        del irwalk._BODIES[id(body)]
    releases.forget_assigned(body)
    deref_flags.forget_deref_params(body)


_NO_BODY = Block()

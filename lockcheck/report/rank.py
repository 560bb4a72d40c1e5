"""Ranking findings so the likeliest real deadlocks come first.

Confidence first (high, medium, low: what the weakest edge rests on, see
:mod:`lockcheck.analysis.confidence`), then the score below.

A static cycle is a *possible* deadlock; how much it is worth a kernel
developer's time depends on how many modelling assumptions it rests on.
The score (higher first) is::

    score = 100
            - 15 * (locks in the cycle - 2)     # each extra lock is one more
                                                # coincidence the deadlock needs
            - 10 * per-object classes           # "&obj->lock": the cycle may
                                                # join *different* instances
            -  2 * extra call depth             # steps beyond "take A, take B"
                                                # in the same function
            -  5 * edges resting on a model     # [model] steps: a static call,
                                                # a callback context, a document

where *extra call depth* sums, over the cycle's edges, the witness length
minus two (a direct edge, both locks taken in one function, costs nothing).
Every term is a count, so the score is an integer and ranking is
deterministic; ties are broken by cycle length, then by finding id.
A recursive finding counts as a two-lock cycle.
"""

from __future__ import annotations

from lockcheck.result import LEVELS, Finding

__all__ = ["score", "rank", "rank_key", "is_per_object"]

BASE = 100
PER_EXTRA_LOCK = 15
PER_OBJECT_CLASS = 10
PER_EXTRA_STEP = 2
PER_MODEL_EDGE = 5


def is_per_object(name: str) -> bool:
    """lockdep names a struct-member class ``&kvm->slots_lock``; globals bare."""
    return name.startswith("&")


def score(f: Finding) -> int:
    length = max(len(f.locks), 2)
    per_object = sum(1 for lk in set(f.locks) if is_per_object(lk))
    depth = sum(max(len(e.witness) - 2, 0) for e in f.edges)
    modelled = sum(1 for e in f.edges if e.models)
    return (BASE - PER_EXTRA_LOCK * (length - 2) - PER_OBJECT_CLASS * per_object
            - PER_EXTRA_STEP * depth - PER_MODEL_EDGE * modelled)


def rank_key(f: Finding) -> tuple:
    return (LEVELS.index(f.confidence), -score(f), len(f.locks), f.id)


def rank(findings, limit: int | None = None) -> tuple[Finding, ...]:
    """Findings highest confidence first, then highest score; at most ``limit`` of them."""
    ordered = sorted(findings, key=rank_key)
    return tuple(ordered if limit is None else ordered[:limit])

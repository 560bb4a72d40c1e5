"""Which of two witness chains of one fact to show: the most trustworthy.

A usage state (analysis.irqsafety) is often reached along many paths; the
one kept is the one whose steps are closest to what lockdep would see run:

1. fewest *doubtful* indirect hops: a call through a pointer with more
   than one candidate target (``Step.targets``) that is not its function's
   own choice among named functions (``Step.chosen``), the steps
   analysis.confidence rates below high;
2. then fewest kernel-model steps (``[model`` in the step's text);
3. then the shortest;
4. then the chain itself (a total order: deterministic).

The key is additive over a chain's steps, so a function's best chain
followed by its caller's call site is its caller's best through it.
"""

from __future__ import annotations

__all__ = ["chain_rank", "better", "better_after", "forget_ranks"]


def chain_rank(chain) -> tuple:
    """Smaller is more trustworthy (see the module's docstring)."""
    hops = models = 0
    for s in chain:
        if s.targets > 1 and not s.chosen:
            hops += 1
        if "[model" in s.what:
            models += 1
    return (hops, models, len(chain), chain)


def better(new, old) -> bool:
    """Whether chain ``new`` is to replace the kept ``old``."""
    return chain_rank(new) < chain_rank(old)


#: id(chain) -> its rank, which holds the chain (so an id reused by a later
#: chain is told apart), for :func:`better_after`'s chains: each kept in a
#: summary, compared again at every call site that brings the same fact.
_RANKS: dict[int, tuple] = {}
RANKS_BOUND = 1 << 16


def _kept_rank(chain) -> tuple:
    found = _RANKS.get(id(chain))
    if found is None or found[3] is not chain:
        if len(_RANKS) >= RANKS_BOUND:
            _RANKS.clear()
        found = _RANKS[id(chain)] = chain_rank(chain)
    return found


def better_after(site, chain, old) -> bool:
    """``better((site,) + chain, old)``, without building the new chain
    (the key is additive: ``chain``'s and ``old``'s are remembered)."""
    hops, models, length, _ = _kept_rank(chain)
    new = (hops + (site.targets > 1 and not site.chosen), models + ("[model" in site.what), length + 1)
    kept = _kept_rank(old)
    if new != kept[:3]:
        return new < kept[:3]
    return (site,) + chain < old


def forget_ranks() -> None:
    """The walk is over: the remembered ranks hold their chains."""
    _RANKS.clear()

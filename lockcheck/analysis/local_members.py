"""Members of a function's own struct variables: ``res.found`` of a local
(or a by-value parameter) ``struct walk_result res``.

Reached with ``.`` only from a local whose address the function never
takes, and with no ``&res.sub`` of the way to it taken either, such a
member lives in the function's own frame: nothing but the function's own
assignments changes it, exactly as for a plain local.  A test of it is
learnt as a local's is (``analysis.conditions``) and is *no* read of
memory: a loop does not test it afresh each round (``analysis.branchfacts
.read_facts``), so ``if (!res.found) { res.found = true; lock(); }`` in a
loop takes the lock on one round only.  A member reached through a
pointer anywhere on the way (``res.p->found``) is memory anybody may
write.
"""

from __future__ import annotations

from typing import Callable, Collection

__all__ = ["local_member"]


def local_member(name: str, learnable: Callable[[str], bool], addressed: Collection[str]) -> bool:
    """Is the flag name ``name`` (``res.found``, ``res.sub.found``) a
    member of a learnable struct variable, reached by ``.`` alone, none of
    the ways to it (``res.sub``, ``res.sub.found``) with its address taken?"""
    if "." not in name or "->" in name:
        return False
    parts = name.split(".")
    if not learnable(parts[0]):
        return False
    prefix = parts[0]
    for part in parts[1:]:
        prefix = f"{prefix}.{part}"
        if prefix in addressed:
            return False
    return True

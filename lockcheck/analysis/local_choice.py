"""Indirect calls through a local that the function itself fills with names.

::

    int (*func)(struct dev *, int) = NULL;
    switch (index) {
    case A: func = set_a; break;
    case B: func = set_b; break;
    }
    if (func)
            return func(dev, index);

:mod:`pointsto` resolves ``func(...)`` to every function assigned to the
local (``set_a``, ``set_b``), flow-insensitively.  When *every* value the
local gets is a function named in an assignment (or initialiser) of the
same function -- no field, global pointer, parameter, returned value, other
local, ``void *`` cast or allocation among its sources -- the candidates are
not a guess about what some object may hold: each is the callee the code
picks on one of its own paths, exactly as if each arm called its function
directly.  Such a call is a *local choice*: its witness steps say so
(``Step.chosen``, JSON step ``chosen``) and the call rests on no
indirect-call doubt (:mod:`lockcheck.analysis.confidence`).

Not a local choice: a parameter (its values come from the callers), an
access path (``p->fn`` once stored into), a global pointer, and a local
that any non-name source reaches, even once.  What is given up: a later
assignment that overwrites an earlier one on every path is not seen (flow
insensitivity, as for the candidates themselves), and a write through the
local's address (``pick(&func)``) is not a pointer flow at all.
"""

from __future__ import annotations

__all__ = ["LocalChoices", "chosen_slot"]


class LocalChoices:
    """The solver's local slots (``key|L:name``) filled only by function names
    of their own function's assignments."""

    def __init__(self) -> None:
        self._named: set[str] = set()
        self._mixed: set[str] = set()

    def flow(self, node: str, dst: str, params, value: str | None, is_function: bool) -> None:
        """One flow of a function into ``node`` (its slot ``dst``): ``value``
        the constant it carries (None: another slot's values flow in)."""
        name = dst[2:]
        if dst[:2] != "L:" or not name.isidentifier() or name in params:
            return
        (self._named if value is not None and is_function else self._mixed).add(node)

    def solved(self) -> frozenset[str]:
        return frozenset(self._named - self._mixed)


def chosen_slot(pointer: tuple[str, ...], base_key: str, chosen: frozenset[str]) -> bool:
    """Whether a call through ``pointer`` (``Call.pointer``) in the function
    ``base_key`` is a local choice."""
    return len(pointer) == 1 and f"{base_key}|{pointer[0]}" in chosen

"""A lock a callee takes through its parameter says the argument is not NULL.

``inode_lock(inode)`` is ``down_write(&inode->i_rwsem)``: once it returns
holding ``i_rwsem``, the caller's ``inode`` was dereferenced, so a later
``if (inode) inode_unlock(inode);`` (mm/swapfile.c, ``sys_swapon``'s
``out:``) never leaves the lock held on an "inode is NULL" branch.  The
facts of :mod:`analysis.held_through` and ``conditions.nonnull_bases``
cover a lock taken in the function itself (``spin_lock(p)``,
``&p->f``); this carries it across a call.

The callee's summary keeps ``taken_through``: the class key of a lock
still held on some return -> the positions of the parameters it was taken
through (``ir.Acquire.base``, or an argument given to a callee of its own
whose summary says so), when every acquisition of that class in the
function went through that one parameter, which it never assigns.  The
caller applying that call's effect gives the argument (a learnable
variable, ``ir.Call.arg_vars``) the fact ``^NAME`` of
:mod:`analysis.held_through` for the lock as substituted: the pointer is
non-NULL while the caller holds a lock of that class and has not written
the variable since.
"""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.facts import State
from lockcheck.analysis.held_through import held_through
from lockcheck.analysis.substitute import subst_keys

__all__ = ["TakenThrough"]


class TakenThrough:
    """Mixin of the walk (``analysis.flow.FunctionFlow``): needs ``fn``."""

    def note_acquire_base(self, a: ir.Acquire) -> None:
        """A lock taken here, through a parameter of this function
        (``&inode->i_rwsem``) or not ("")."""
        self._note_taken(a.lock.class_key, a.base if a.base in self.fn.params else "")

    def _note_taken(self, key: str, name: str) -> None:
        self.__dict__.setdefault("_taken", {}).setdefault(key, set()).add(name)

    def taken_through_call(self, states: set[State], call: ir.Call, callee, summary) -> set[State]:
        """``states`` after ``call``, whose callee took locks still held
        through the parameters at ``summary.taken_through``: the argument
        variables given there are non-NULL while such a lock is held."""
        through = summary.taken_through
        texts = dict(call.arg_vars)
        facts = []
        for key in sorted({h.key for e in summary.effects.values() for h in e.held}):
            mine = next(iter(subst_keys(frozenset((key,)), call.args, callee, call)))
            names = sorted({texts[p] for p in through.get(key, ()) if p in texts})
            facts += [(n, mine) for n in names]
            # a parameter of this function: its callers learn it too
            self._note_taken(mine, names[0] if len(names) == 1 and names[0] in self.fn.params else "")
        if not facts:
            return states
        out = set()
        for s in states:
            held = {h.key for h in s.held}
            for n, key in facts:
                if key in held:
                    s = held_through(s, n, key)
            out.add(s)
        return out

    def taken_through_summary(self, exits: list, assigned: frozenset[str]) -> dict[str, frozenset[int]]:
        """The summary's ``taken_through``: of the locks still held on some
        return, those every acquisition of whose class here went through
        one and the same parameter, never assigned here."""
        taken = self.__dict__.get("_taken")
        if not taken:
            return {}
        held = {h.key for st, _ in exits for h in st.held}
        params = {name: k for k, name in enumerate(self.fn.params)}
        out = {}
        for key in sorted(taken):
            names = taken[key]
            if key in held and len(names) == 1:
                (n,) = names
                if n in params and n not in assigned:
                    out[key] = frozenset((params[n],))
        return out

"""Assertions climbing a large recursion without walking its members again.

``lockdep_assert_not_held()`` climbs to every caller (``Summary.not_held``:
a caller keeps, per lock class, the nearest assertion its callees reach,
one call deeper).  In the whole tree's large recursion most members reach
one, and nearly every re-walk of ``recursions.Recursions.summarise`` after
its first pass was a member walked again only because a callee inside
gained an assertion (kernel/ mm/ fs/ net/: 12,307 of the 13,343 walks of
the second pass, 15,308 of the 16,792 of the third).

Such a walk can differ from the member's last one in two things only: its
own ``not_held`` (the callee's assertions one call deeper, the nearest
kept) and a finding where it holds the asserted lock at that call.  So
when every callee inside changed since the member's last walk in
``not_held`` alone (assertions added or nearer: :meth:`AssertClimb.note`),
the member's calls into the recursion are all known (fewer than
``flow.MAX_RECURSION_ENTRIES``), none of those calls is made holding a
lock its callee asserts not held, and no callee's assertion names a
parameter (a substitution per call), the member's summary is patched with
what the walk would find (:meth:`AssertClimb.patched`) instead of walked.
Anything else, and it is walked as before.
"""

from __future__ import annotations

from dataclasses import fields, replace

from lockcheck.analysis.assert_paths import AssertPath
from lockcheck.analysis.element_index import PARAM_INDEX
from lockcheck.analysis.facts import Effect, Summary
from lockcheck.analysis.flow import MAX_RECURSION_ENTRIES
from lockcheck.analysis.substitute import PARAM_SUBCLASS

__all__ = ["AssertClimb"]

_NONE = Effect()


class AssertClimb:
    """Per member of one recursion: the calls its last walk made into the
    recursion and the locks held at them; per member, when its summary
    last changed in more than assertions gained."""

    def __init__(self, ident: str, members: frozenset[str], on_recursion) -> None:
        self.ident = ident
        self.members = members
        self.on_recursion = on_recursion       # the callback whose buffered calls tell the held locks
        # member -> {member called: (the first call's step, class keys held at some call)},
        # None when the walk's summary kept too few of its calls to know them all
        self.calls: dict[str, dict | None] = {}
        # member -> clock of its summary's last change other than assertions added or nearer
        self.other_at: dict[str, int] = {}

    def walked(self, member: str, full: Summary, sink: list | None) -> None:
        """What a walk of ``member`` (its summary before :meth:`_keep`, the
        buffer of its findings) called inside the recursion."""
        entries = {k[1]: v[0] for k, v in full.recursions.items() if k[0] == self.ident}
        if sink is None or len(entries) >= MAX_RECURSION_ENTRIES:
            self.calls[member] = None
            return
        held: dict[str, set] = {}
        callbacks = getattr(sink, "callbacks", ())
        for slot, args in sink:
            if callbacks[slot] == self.on_recursion and args[1] == self.ident:
                held.setdefault(args[3], set()).add(args[0].key)
        self.calls[member] = {t: (chain[0], frozenset(held.get(t, ()))) for t, chain in entries.items()
                              if len(chain) == 1}
        if len(self.calls[member]) != len(entries):
            self.calls[member] = None

    def note(self, member: str, old: Summary, new: Summary, clock: int) -> None:
        """``member``'s summary went from ``old`` to ``new``."""
        if not _same_but_asserts(old, new) or not _grew(old.not_held, new.not_held):
            self.other_at[member] = clock

    def patched(self, member: str, summaries: dict, walked_at: dict, outside_cut: bool) -> Summary | None:
        """The summary a walk of ``member`` would give now, or None when
        only a walk can tell."""
        if outside_cut:
            return None
        calls = self.calls.get(member)
        if not calls:
            return None
        since = walked_at[member]
        other_at = self.other_at
        for t in calls:
            if other_at.get(t, 0) > since:
                return None
        old = summaries[member]
        mine = dict(old.not_held)
        for t, (site, held) in calls.items():
            theirs = summaries[t].not_held
            if not theirs:
                continue
            if held and not held.isdisjoint(theirs):
                return None          # a finding at this call: the walk reports it
            for key, (ref, chain) in theirs.items():
                if ref.key[:2] == "p:" or ref.subclass >= PARAM_SUBCLASS or PARAM_INDEX in ref.key:
                    return None
                cur = mine.get(key)
                longer = AssertPath(site, chain)
                if cur is None or longer < cur[1]:
                    mine[key] = (ref, longer)
        return replace(old, not_held=mine).frozen()


def _effects(summary: Summary) -> dict:
    """The effects a caller applies (a stand-in's missing ones are the neutral ones)."""
    return {k: e for k, e in summary.effects.items() if e != _NONE}


#: every field but the assertions, and the effects (compared without the neutral ones):
#: derived, so a field added to Summary is compared too
_OTHER_FIELDS = tuple(f.name for f in fields(Summary) if f.name not in ("not_held", "effects"))


def _same_but_asserts(a: Summary, b: Summary) -> bool:
    return _effects(a) == _effects(b) and all(getattr(a, n) == getattr(b, n) for n in _OTHER_FIELDS)


def _grew(old: dict, new: dict) -> bool:
    """Every assertion of ``old`` is in ``new``, as near or nearer (a walk
    patched from ``old`` keeps the nearer of both)."""
    for key, (_, chain) in old.items():
        found = new.get(key)
        if found is None:
            return False
        if chain < found[1]:
            return False
    return True

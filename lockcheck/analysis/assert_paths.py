"""The calls from a function to a ``lockdep_assert_not_held()`` it reaches,
kept as one step in front of the callee's path (``Summary.not_held``).

An assertion climbs to every caller, one call deeper each time: a caller
keeps, per lock class, the nearest assertion its callees reach.  Kept as a
flat tuple of steps, every caller held its own copy of the whole chain.
In the large recursions the chains are long (``kernel mm fs net``: 44
steps on average, at most 135, in 250,000 entries), and those copies were
two thirds of the memory all live summaries held.  An
:class:`AssertPath` is one step and the callee's path, shared: one small
object per entry, whatever the length.

Paths order as the flat chains did: the shorter first, then step by step
(``(len(chain), chain)``), so which assertion a caller keeps and the
witness a finding shows (:meth:`AssertPath.steps`) are unchanged.  The
comparisons and pickling walk the path in a loop, never by recursion: a
path can be hundreds of calls long.
"""

from __future__ import annotations

from lockcheck.analysis.facts import Chain, Step

__all__ = ["AssertPath"]


class AssertPath:
    """``step`` then ``rest`` (None at the assertion itself)."""

    __slots__ = ("step", "rest", "length")

    def __init__(self, step: Step, rest: AssertPath | None = None) -> None:
        self.step = step
        self.rest = rest
        self.length = 1 if rest is None else rest.length + 1

    @classmethod
    def of(cls, chain: Chain) -> AssertPath:
        """The path of a flat chain (at least one step)."""
        path = None
        for step in reversed(chain):
            path = cls(step, path)
        return path

    def steps(self) -> Chain:
        """The flat chain, for a witness."""
        out = []
        node = self
        while node is not None:
            out.append(node.step)
            node = node.rest
        return tuple(out)

    def __len__(self) -> int:
        return self.length

    def __lt__(self, other: AssertPath) -> bool:
        if self.length != other.length:
            return self.length < other.length
        a, b = self, other
        while a is not b:
            if a.step != b.step:
                return a.step < b.step
            a, b = a.rest, b.rest
        return False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AssertPath):
            return NotImplemented
        if self.length != other.length:
            return False
        a, b = self, other
        while a is not b:
            if a.step != b.step:
                return False
            a, b = a.rest, b.rest
        return True

    def __hash__(self) -> int:
        return hash((self.length, self.step))

    def __reduce__(self):
        return _of, (self.steps(),)

    def __repr__(self) -> str:
        return f"AssertPath{self.steps()!r}"


def _of(chain: Chain) -> AssertPath:
    return AssertPath.of(chain)

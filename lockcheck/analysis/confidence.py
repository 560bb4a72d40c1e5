"""What an edge rests on, and how far to trust it.

An edge made by code that takes two locks along direct calls is what
lockdep itself would record if those paths ran.  Everything else the
checker adds is a *basis* the edge rests on, each with a level:

* an **indirect call** (an ops-table field, a function pointer) and its
  number of candidate targets (``WitnessStep.targets``): one candidate is
  as good as a direct call; up to ``MEDIUM_TARGETS`` is medium; more is
  low, and more than ``WIDE_TARGETS`` is also called *wide*; but a call
  through a local that its function fills only with function names
  (``WitnessStep.chosen``, :mod:`lockcheck.analysis.local_choice`) is high
  whatever the count: each candidate is the callee the code picks on one of
  its paths, as a switch of direct calls would be;
* a **kernel model** (``[model]`` steps: callback contexts, static calls,
  notifier chains, ``lockdep_assert_held`` entries): high, the kernel does
  this; but a **documented order** (``--docs``) is medium: no code shows it;
* a **large-recursion approximation** (:mod:`lockcheck.analysis.recursions`):
  low, the held set is not followed into the recursion;
* a **class that is an approximation**: a lock named by expression text
  because its type is unknown (``t:`` keys) is low; a subclass computed at
  run time (``/?``, every subclass merged) is medium; a class that stands
  for one lockdep class per instance's key (the socket lock, keyed per
  address family: ``per_instance`` in classes.toml; a field initialised at
  several places, reached where the checker cannot tell which) is low in a cycle that
  takes it in two different files, which may be two families' sockets
  (:func:`lockcheck.analysis.families.family_basis`: by the families of
  the code that takes it where those are known; in one file, the same
  code's socket, it adds nothing);
* a finding **no one architecture builds** whole (witnesses of arm code
  and of s390 code, :mod:`lockcheck.analysis.arch_feasible`): low, lockdep
  sees one build.

An edge's confidence is its weakest basis; a finding's is its weakest edge
(:class:`lockcheck.result.Finding`).  The rules are documented in
docs/reports.md ("Confidence"); change both together.
"""

from __future__ import annotations

import re

from lockcheck.result import Basis, WitnessStep

__all__ = ["edge_basis", "class_basis", "MEDIUM_TARGETS", "WIDE_TARGETS"]

#: Candidate targets of one indirect call still rated medium.
MEDIUM_TARGETS = 4
#: Candidate targets above which an indirect call is *wide*.
WIDE_TARGETS = 32

#: Models rated below high, by name (the text after ``[model:``).
MODEL_LEVELS = {"documented order": "medium"}

RUNNER_MARK = "[model] "
NAMED_MARK = "[model: "
_MODEL_NAME = re.compile(r"\[model: ([^\]]+)\]")
#: The display suffix of a subclass computed at run time (analysis.names).
DYNAMIC_SUFFIX = "/?"


def edge_basis(steps: tuple[WitnessStep, ...], approximation: str = "",
               classes: tuple[tuple[str, str], ...] = ()) -> tuple[Basis, ...]:
    """The bases of one witness (``steps``: held chain then acquire chain),
    the analysis's ``approximation`` of it, and ``classes``: (key, display
    name) of the edge's two locks.  Each distinct basis once, in witness order."""
    out: dict[tuple, Basis] = {}
    # a callback runner's hold step ("[model] why (registered by f)") and its
    # call of the callback ("cb [model: name]") are one model: named once
    named = any(NAMED_MARK in s.what for s in steps)
    for s in steps:
        if named and s.what.startswith(RUNNER_MARK) and "(registered by" in s.what:
            continue
        b = _step_basis(s)
        if b is not None:
            out.setdefault((b.kind, b.detail), b)
    if approximation:
        out.setdefault(("recursion", approximation), Basis(
            "recursion", "low", f"{approximation}: locks released inside it are not followed"))
    for key, name in classes:
        b = class_basis(key, name)
        if b is not None:
            out.setdefault((b.kind, b.detail), b)
    return tuple(out.values())


def _step_basis(s: WitnessStep) -> Basis | None:
    if "[model" in s.what:
        m = _MODEL_NAME.search(s.what) if NAMED_MARK in s.what else None
        name = m.group(1) if m else s.what.split("]", 1)[1].split("(registered", 1)[0].strip()
        kind = "documented" if name == "documented order" else "model"
        return Basis(kind, MODEL_LEVELS.get(name, "high"), f"model: {name}")
    if s.targets <= 0:
        return None
    callee = s.what if s.what.isidentifier() else s.what.split(" ", 1)[0]
    where = f"{s.function}() at {s.file}:{s.line}"
    if s.targets == 1:
        return Basis("indirect", "high", f"{s.function}() calls {callee}() through a pointer with one candidate",
                     s.targets, where)
    if s.chosen:
        return Basis("indirect", "high", f"{where} calls {callee}() through a local pointer, one of"
                     f" {s.targets} functions it assigns to it by name", s.targets, where)
    level = "medium" if s.targets <= MEDIUM_TARGETS else "low"
    wide = " (wide)" if s.targets > WIDE_TARGETS else ""
    return Basis("indirect", level, f"{where} calls {callee}() as one of {s.targets} candidate targets{wide}",
                 s.targets, where)


def class_basis(key: str, name: str) -> Basis | None:
    """A lock class that only approximates lockdep's."""
    if key.startswith("t:"):
        return Basis("class", "low", f"class {name} is named by its expression (its type is unknown)")
    if name.endswith(DYNAMIC_SUFFIX):
        return Basis("class", "medium", f"class {name} merges the subclasses computed at run time")
    return None


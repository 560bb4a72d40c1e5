"""Read lockdep reports as people paste them.

Accepted around each line: a syslog or journal prefix, a dmesg timestamp
(``[   12.345678]``, optionally followed by a caller id ``[  T123]``),
e-mail quoting (``> ``, any depth) and any indentation (commit messages
indent the whole report).  The report itself is read by its key lines,
which lockdep prints in a fixed order (kernel/locking/lockdep.c:
``print_circular_bug_header``, ``print_circular_bug_entry``,
``print_deadlock_bug``):

* ``WARNING: possible circular locking dependency detected`` (or
  ``... recursive locking ...``; the interrupt-state reports are recognised
  and carried as their kind);
* ``<task> is trying to acquire lock:`` then the lock line, ``but task is
  already holding lock:`` then the lock line;
* ``the existing dependency chain (in reverse order) is:`` then one block
  per class, ``-> #N (class){usage}-{w:w}:`` followed by its stack;
* ``stack backtrace:`` then the current stack (the only stack a recursive
  report has).

A stack frame is ``func+0xOFF/0xLEN [module]``, syzbot's ``func file:line
[inline]`` or ``func+0x../0x.. file:line``, or the old ``[<addr>] func+..``;
frames marked ``?`` are unreliable and dropped; ``...`` (a cut stack) is
skipped.  Several reports in one input are read in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lockcheck.errors import InputError

__all__ = ["LockLine", "Block", "Report", "read_reports", "clean_line", "frame_function"]

KINDS = {
    "possible circular locking dependency detected": "circular",
    "possible recursive locking detected": "recursive",
    "inconsistent lock state": "inconsistent",
    "possible irq lock inversion dependency detected": "irq-inversion",
}
_HEADER = re.compile(r"^(?:WARNING|INFO|\[ INFO):\s+(?P<what>.+?)\s*\]?$")
_IRQ_ORDER = re.compile(r"^(?:HARD|SOFT)IRQ-safe -> (?:HARD|SOFT)IRQ-unsafe lock order detected$")

# prefixes a line may carry before the report text, outermost first
_SYSLOG = re.compile(r"^(?:[A-Z][a-z]{2}\s+\d+\s+\d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT[\d:.]+(?:[+-]\d\d:?\d\d|Z)?)"
                     r"\s+\S+\s+kernel:\s?")
_LEVEL = re.compile(r"^<\d>")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_STAMP = re.compile(r"^\s*\[\s*\d+\.\d+\]\s?(?:\[\s*[TC]\d+\]\s?)?")

# ``ffff8880... (name){+.+.}-{3:3}, at: func+0x1/0x2 [mod]``; the address
# and the usage are optional (old kernels, hand-shortened quotes)
_LOCK = re.compile(r"^(?:#\d+:\s*)?(?:[0-9a-f]{8,16}\s+)?\((?P<name>.+?)\)(?P<usage>\{[^}]*\}(?:-\{[^}]*\})?)?"
                   r"(?:,\s*at:\s*(?:\[<[0-9a-f]+>\]\s*)?(?P<at>.*?))?\s*:?$")
_BLOCK = re.compile(r"^->\s*#(?P<n>\d+)\s+\((?P<name>.+?)\)(?:\{[^}]*\}(?:-\{[^}]*\})?)?\s*:?$")
_FRAME = re.compile(r"^(?P<q>\?\s+)?(?:\[<[0-9a-f]+>\]\s*)?(?P<fn>[A-Za-z_][\w.$]*)"
                    r"(?:(?P<off>\+0x[0-9a-fA-F]+/0x[0-9a-fA-F]+)(?:\s+\[[\w-]+\])?(?:\s+[\w./-]+:\d+)?(?:\s+\[inline\])?"
                    r"|\s+(?P<file>[\w./-]+:\d+)(?:\s+\[inline\])?)\s*$")
# stack lines that are not frames: markers and the dump_stack() preamble
_NOT_FRAME = re.compile(r"^(?:<(?:/?TASK|/?IRQ|/?NMI|/?SOFTIRQ|EOI)>|Call Trace:|CPU:|Hardware name:|RIP:|RSP:|"
                        r"RAX:|RDX:|RBP:|R\d+:|Code:|Workqueue:|\.\.\.|…)")


@dataclass(frozen=True)
class LockLine:
    name: str             # as printed: &kvm->slots_lock, &sb->s_type->i_mutex_key#5/1
    usage: str = ""       # {+.+.}-{3:3}
    at: str = ""          # the function the lock line names (func of "at: func+0x..")


@dataclass(frozen=True)
class Block:
    number: int                       # lockdep's #N
    name: str
    frames: tuple[str, ...]           # function names, innermost first


@dataclass(frozen=True)
class Report:
    kind: str                         # circular | recursive | inconsistent | irq-inversion | irq-order
    line: int                         # 1-based line of the WARNING header in the input
    title: str                        # the header text after "WARNING: "
    task: str = ""                    # comm/pid of the task
    acquiring: LockLine | None = None
    holding: LockLine | None = None
    blocks: tuple[Block, ...] = ()    # as printed: highest number first
    chain_exists: tuple[str, ...] = ()
    held: tuple[LockLine, ...] = ()   # "N locks held by"
    backtrace: tuple[str, ...] = ()   # "stack backtrace:" frames, innermost first
    notes: tuple[str, ...] = field(default=())


def clean_line(raw: str) -> str:
    """The report text of one pasted line: prefixes and indentation gone."""
    s = raw.rstrip("\r\n").expandtabs(8)
    s = _LEVEL.sub("", s)
    s = _SYSLOG.sub("", s)
    s = _QUOTE.sub("", s)
    s = _STAMP.sub("", s)
    s = _QUOTE.sub("", s)
    return s.strip()


def frame_function(text: str) -> str | None:
    """The function of a stack frame line (compiler suffixes such as
    ``.constprop.0``, ``.isra.0``, ``.part.0``, ``.cold`` removed), or None
    when the line is not a reliable frame."""
    m = _FRAME.match(text)
    if not m or m.group("q"):
        return None
    return m.group("fn").split(".")[0] or None


def _at(text: str | None) -> str:
    """The function an ``at:`` names (a frame, or a bare name)."""
    if not text:
        return ""
    fn = frame_function(text)
    if fn:
        return fn
    m = re.match(r"[A-Za-z_]\w*", text)
    return m.group(0) if m else ""


def _kind(title: str) -> str | None:
    if title in KINDS:
        return KINDS[title]
    if _IRQ_ORDER.match(title):
        return "irq-order"
    return None


def read_reports(text: str, source: str = "REPORT") -> list[Report]:
    """Every lockdep report in ``text``.  Raises :class:`InputError` (one
    line) when there is none, or when a report lacks what its kind needs."""
    lines = [clean_line(raw) for raw in text.splitlines()]
    starts = []
    for i, s in enumerate(lines):
        m = _HEADER.match(s)
        if m and _kind(m.group("what")):
            starts.append((i, m.group("what")))
    if not starts:
        raise InputError(f"{source}: no lockdep report found (no 'WARNING: possible circular locking dependency "
                         "detected' or 'WARNING: possible recursive locking detected' line)")
    reports = []
    for k, (i, title) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        reports.append(_read_one(lines[i + 1:end], i + 1, title, source))
    return reports


def _read_one(lines: list[str], lineno: int, title: str, source: str) -> Report:
    kind = _kind(title)
    fields: dict = {"acquiring": None, "holding": None, "task": ""}
    blocks: list[Block] = []
    held: list[LockLine] = []
    chain: tuple[str, ...] = ()
    backtrace: list[str] = []
    state, frames, current = "", [], None

    def close_block():
        if current is not None:
            blocks.append(Block(current[0], current[1], tuple(frames)))

    for s in lines:
        if s.endswith("is trying to acquire lock:") or s.endswith("is trying to acquire:") or s.endswith(" takes:"):
            fields["task"] = s.split(" is trying", 1)[0]
            state = "acquiring"
            continue
        if s.startswith("but task is already holding lock:") or s.startswith("and this task is already holding:"):
            state = "holding"
            continue
        if s.startswith("the existing dependency chain"):
            state = "chain"
            continue
        if s.startswith("Chain exists of:"):
            close_block()
            current, state = None, "chain-exists"
            continue
        if s.startswith("other info that might help") or s.startswith("Possible unsafe locking scenario") \
                or s.startswith("Possible interrupt unsafe locking scenario"):
            close_block()
            current, state = None, "other"
            continue
        if re.match(r"^(?:\d+|no) locks? held by ", s):
            close_block()
            current, state = None, "held"
            continue
        if s.startswith("stack backtrace:"):
            close_block()
            current, state = None, "backtrace"
            continue
        if state in ("acquiring", "holding"):
            m = _LOCK.match(s)
            if m:
                fields[state] = LockLine(m.group("name"), m.group("usage") or "", _at(m.group("at")))
                state = ""
            continue
        if state == "chain":
            m = _BLOCK.match(s)
            if m:
                close_block()
                current, frames = (int(m.group("n")), m.group("name")), []
                continue
            if current is not None and s and not _NOT_FRAME.match(s):
                fn = frame_function(s)
                if fn:
                    frames.append(fn)
            continue
        if state == "chain-exists":
            if " --> " in s:
                chain = tuple(p.strip() for p in s.split(" --> "))
                state = "other"
            continue
        if state == "held":
            m = _LOCK.match(s)
            if m:
                held.append(LockLine(m.group("name"), m.group("usage") or "", _at(m.group("at"))))
            continue
        if state == "backtrace" and s and not _NOT_FRAME.match(s):
            fn = frame_function(s)
            if fn:
                backtrace.append(fn)
    close_block()
    where = f"{source}:{lineno}"
    if kind in ("circular", "recursive"):
        if fields["acquiring"] is None or fields["holding"] is None:
            raise InputError(f"{where}: {title}, but the lock lines after 'is trying to acquire lock:' and "
                             "'but task is already holding lock:' are missing or unreadable")
    if kind == "circular" and not blocks:
        raise InputError(f"{where}: {title}, but no '-> #N (class):' block of the existing dependency chain "
                         "could be read")
    notes = []
    if kind == "circular":
        numbers = [b.number for b in blocks]
        if sorted(numbers, reverse=True) != list(range(max(numbers), -1, -1)):
            notes.append(f"dependency chain blocks {', '.join('#%d' % n for n in numbers)} are not "
                         f"#{max(numbers)} down to #0: the report was cut")
    return Report(kind, lineno, title, fields["task"], fields["acquiring"], fields["holding"],
                  tuple(sorted(blocks, key=lambda b: -b.number)), chain, tuple(held), tuple(backtrace),
                  tuple(notes))

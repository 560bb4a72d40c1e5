"""Integer constants without a preprocessor: the one reader of the values
of enumerators and object-like ``#define``s.

``evaluate`` reads an integer constant expression (literals, names of known
value, parentheses, unary ``- + ~ !``, ``| ^ & << >> + - * / %``,
``BIT(n)``/``BIT_ULL(n)``); anything else (a cast, ``sizeof``, a call, a
name of unknown value) has no value: unknown stays unknown, it is never
guessed.

A file's integer ``#define``s (``#define ICE_VF_RESET_LOCK BIT(2)``,
``#define IPS_INTR_ON 1``, ``#define SEM_GLOBAL_LOCK (-1)``) are read from
its own macros (``macro_integers``), and, for the upper-case names a scan's
functions use, from the headers the index phase lexes (``candidates`` per
lexed file, ``resolve`` over the tree: ``TreeIndex.integer_macros``).  A
name defined more than once (under ``#ifdef``, or by two headers) has a
value only when every definition gives the same one.
"""

from __future__ import annotations

import re

from lockcheck.frontend.lexer import tokenize

__all__ = ["evaluate", "literal", "binary_op", "UNARY", "BIT_MACROS", "candidates", "resolve", "macro_integers",
           "body_names", "IntegerMacros"]

_INT = re.compile(r"(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$")
#: one-argument macros that are a bit: ``BIT(3)`` is 8
BIT_MACROS = frozenset(("BIT", "BIT_ULL", "_BITUL", "_BITULL"))
#: what a body may hold to be read as an integer expression at all
_BODY = re.compile(r"[\w\s()|&^~<>+\-*/%!]+$")


def literal(t: str) -> int | None:
    """An integer literal's value (``0x10UL``, ``010``, ``4U``); None if not one."""
    if not _INT.match(t):
        return None
    digits = t.rstrip("uUlL")
    return int(digits, 8 if len(digits) > 1 and digits[0] == "0" and digits[1] not in "xX" else 0)


def evaluate(texts: list[str], names) -> int | None:
    """An integer constant expression of token texts; ``names`` maps a name
    to its value (a dict, or anything with ``get``); None when not one."""
    pos = 0
    n = len(texts)

    def primary() -> int | None:
        nonlocal pos
        if pos >= n:
            return None
        t = texts[pos]
        pos += 1
        if t == "(":
            v = binary(0)
            if pos >= n or texts[pos] != ")":
                return None
            pos += 1
            return v
        if t in ("-", "~", "+", "!"):
            v = primary()
            if v is None:
                return None
            return UNARY[t](v)
        value = literal(t)
        if value is not None:
            return value
        if t in BIT_MACROS and pos < n and texts[pos] == "(":
            pos += 1
            v = binary(0)
            if v is None or pos >= n or texts[pos] != ")" or not 0 <= v < 64:
                return None
            pos += 1
            return 1 << v
        return names.get(t)

    def binary(level: int) -> int | None:
        nonlocal pos
        if level == len(_LEVELS):
            return primary()
        left = binary(level + 1)
        while left is not None and pos < n and texts[pos] in _LEVELS[level]:
            op = texts[pos]
            pos += 1
            left = binary_op(op, left, binary(level + 1))
        return left

    value = binary(0)
    primary = binary = None   # type: ignore[assignment]   # no cycle of closures left for the collector
    return value if pos == n else None


_LEVELS = (("|",), ("^",), ("&",), ("<<", ">>"), ("+", "-"), ("*", "/", "%"))
_OPS = {"|": int.__or__, "^": int.__xor__, "&": int.__and__, "<<": int.__lshift__, ">>": int.__rshift__,
        "+": int.__add__, "-": int.__sub__, "*": int.__mul__,
        "/": lambda a, b: int(a / b), "%": lambda a, b: a - b * int(a / b)}   # C truncates
#: the unary operators read, and what they do
UNARY = {"-": int.__neg__, "+": int.__pos__, "~": int.__invert__, "!": lambda v: int(not v)}


def binary_op(op: str, left: int | None, right: int | None) -> int | None:
    """``left op right`` for the binary operators read; None for an
    unknown operand or operator, a shift out of 0..63, a division by zero."""
    if left is None or right is None or op not in _OPS or (op in ("<<", ">>") and not 0 <= right < 64) \
            or (op in ("/", "%") and right == 0):
        return None
    return _OPS[op](left, right)


def _texts(body: str) -> list[str] | None:
    if not body or len(body) > 200 or not _BODY.match(body):
        return None
    return [t.text for t in tokenize(body)]


def body_names(body: str) -> list[str]:
    """The names an integer body refers to (``BIT`` excluded)."""
    texts = _texts(body) or []
    return [t for t in texts if (t[:1].isalpha() or t[:1] == "_") and t not in BIT_MACROS]


def candidates(macros) -> tuple[tuple[str, str], ...]:
    """(name, body) of the upper-case object-like macros (a lexed file's
    ``MacroDef``s) whose body may be an integer expression: what a lexed
    file gives the tree's ``integer_macros``."""
    out = []
    for m in macros:
        if m.params is None and m.name.isupper() and m.body and len(m.body) <= 200 and _BODY.match(m.body):
            out.append((m.name, m.body))
    return tuple(out)


#: names resolved through more macros than this in one chain have no value:
#: the reader recurses once per link (about fifteen frames each) (a whole tree has chains of thousands,
#: ``#define REG_N (REG_N_1 + 4)``)
MAX_CHAIN = 24


def resolve(defs: dict[str, set[str] | frozenset[str]], known: dict[str, int] | None = None) -> dict[str, int]:
    """Name -> value for every name of ``defs`` (name -> its bodies) whose
    bodies all evaluate, to the same value; names in bodies read ``defs``
    (recursively) or ``known``.  One evaluation follows at most MAX_CHAIN
    names deep; what it could not finish for that is not remembered, and
    is evaluated again after the names its chain reads, deepest first (an
    enum of implicit values is a chain as long as the enum: ``enum
    cpuhp_state`` has ~180, each the one before plus one)."""
    out: dict[str, int] = {}
    state: dict[str, int | None] = {}
    base = known or {}
    busy = object()
    cut = object()      # cut short by the bound: unknown for now
    depth = 0
    truncated = False

    class _Names:
        @staticmethod
        def get(name: str) -> int | None:
            return value(name)

    def value(name: str) -> int | None:
        nonlocal depth, truncated
        if name in state:
            v = state[name]
            if v is cut:
                truncated = True
                return None
            return None if v is busy else v
        bodies = defs.get(name)
        if bodies is not None and name in bodies:   # `#define RTM_NEWADDR RTM_NEWADDR` after
            bodies = [b for b in bodies if b != name]   # its enumerator (uapi headers): says nothing
        if not bodies:
            return base.get(name)
        if depth >= MAX_CHAIN:
            truncated = True
            return None     # a chain of macros this long (register tables): unknown, not a crash
        state[name] = busy   # type: ignore[assignment]   # a macro naming itself
        values = set()
        depth += 1
        outer, truncated = truncated, False
        try:
            for body in sorted(bodies):
                texts = _texts(body)
                try:
                    v = None if texts is None else evaluate(texts, _Names)
                except RecursionError:      # a body nested past the stack: unknown
                    v = None
                values.add(v)
        finally:
            depth -= 1
        result = values.pop() if len(values) == 1 else None
        if truncated and result is None:
            state[name] = cut   # cut short, not unknown: evaluated again below
        else:
            state[name] = result
        truncated = truncated or outer
        return result

    left = []
    for name in sorted(defs):
        truncated = False
        v = value(name)
        if v is not None:
            out[name] = v
        elif state.get(name) is cut:
            left.append(name)
    for name in [n for n, v in state.items() if v is cut]:
        del state[name]
    # cut short by the bound: their chains, deepest names first (an
    # iterative walk, no recursion), so each evaluation finds the names it
    # reads already known
    for name in _deepest_first(left, defs, state):
        truncated = False
        v = value(name)
        if v is not None and name in defs:
            out[name] = v
    return dict(sorted(out.items()))


def _deepest_first(names: list[str], defs, state) -> list[str]:
    """The not yet evaluated names ``names`` read, transitively, each after
    the names its bodies read (post-order; a cycle is cut where met)."""
    order: list[str] = []
    seen: set[str] = set()
    for root in names:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(sorted({n for b in defs[root] for n in body_names(b)})))]
        while stack:
            node, it = stack[-1]
            nxt = next((n for n in it if n in defs and n not in state and n not in seen), None)
            if nxt is None:
                stack.pop()
                order.append(node)
                continue
            seen.add(nxt)
            stack.append((nxt, iter(sorted({n for b in defs[nxt] for n in body_names(b)}))))
    return order


def macro_integers(macros, known: dict[str, int] | None = None) -> dict[str, int]:
    """The object-like macros of one file (``MacroDef``s) that are an
    integer: ``#define SEM_GLOBAL_LOCK (-1)``; names in them read the file's
    other macros, then ``known``."""
    defs: dict[str, set[str]] = {}
    for m in macros:
        if m.params is None:
            defs.setdefault(m.name, set()).add(m.body)
    return resolve(defs, known)


class IntegerMacros:
    """The tree's integer macros a scan needs, gathered while the index
    phase lexes (``driver``): the candidates of every lexed file whose name
    a scanned file's function names (its references, ``frontend.relevance``),
    and the names their bodies use in turn.  A whole tree defines millions
    of integer macros (register tables): only those are kept.

    The scanned files are all lexed in the first wave, so the names they
    use are known before any header they include is; a name used only by
    the body of a macro dropped before (a header reached earlier) stays
    unknown."""

    def __init__(self, scanned: frozenset[str]) -> None:
        self.scanned = scanned
        self.wanted: set[str] = set()
        self.defs: dict[str, set[str]] = {}
        self.pending: list[tuple[str, str]] = []
        self.waves = 0

    def want(self, names) -> None:
        """Names wanted whatever the scanned functions reference: a model's
        (``state_range`` bounds), a scanned table's index designators."""
        self.wanted.update(n for n in names if n.isupper())

    def add(self, path: str, refs, found) -> None:
        """One lexed file: its function references and its candidates."""
        if path in self.scanned:
            for _, names in refs:
                self.wanted.update(n for n in names if n.isupper())
        if self.waves < 2:
            self.pending += found
        else:   # last first: a body names what the file defined before it (an
            #     implicit enumerator its predecessor: `enum cpuhp_state`), one pass
            self._keep(found[::-1])

    def wave_done(self) -> None:
        """A wave of files is lexed (called before the first too)."""
        self.waves += 1
        if self.waves == 2:
            # bodies naming names defined later in the same wave: a worklist
            # over the candidates grouped by name (passes over all of them
            # until nothing changed were a quarter of a whole tree's index phase)
            by_name: dict[str, list[str]] = {}
            for name, body in self.pending:
                by_name.setdefault(name, []).append(body)
            self.pending = []
            todo = [n for n in self.wanted if n in by_name]
            while todo:
                name = todo.pop()
                for body in by_name.pop(name, ()):
                    for n in self._keep_one(name, body):
                        if n in by_name:
                            todo.append(n)

    def _keep(self, found) -> None:
        for name, body in found:
            if name in self.wanted:
                self._keep_one(name, body)

    def _keep_one(self, name: str, body: str) -> list[str]:
        """Keep one wanted body; the names it makes wanted."""
        bodies = self.defs.setdefault(name, set())
        if body in bodies:
            return []
        bodies.add(body)
        new = [n for n in body_names(body) if n not in self.wanted]
        self.wanted.update(new)
        return new

    def values(self) -> dict[str, int]:
        return resolve(self.defs)

"""pycparser, one function at a time, with a retry chain.

Each function is rendered back to text with its tokens on their source lines
(a ``#line`` marker first), so AST coordinates are exact source lines.  When
pycparser fails, the error position is mapped back to a token and the chain
tries, in order:

1. typedef learning — ``name ident`` / ``name *`` / ``(name)`` at the error
   means ``name`` is a type; a harvested typedef name used as a variable or
   label is dropped from the type set;
2. header heuristics — drop unknown annotation-like words from the header,
   then an unknown word between the return type and the name (an attribute
   macro defined in a header the scan did not read: ``static rx_result
   debug_noinline f(..)``);
3. header fallback — replace the header by ``[static] void NAME(void)``: the
   parameters are lost, the name (what callers reach it by) is kept;
4. statement drop — replace the statement holding the error by
   ``__lc_unparsed();``.

The outcome is recorded per function (see :class:`Outcome`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from pycparser import c_ast, c_lexer
from pycparser.c_parser import Coord, CParser, _TokenStream

from lockcheck.frontend.lexer import C_KEYWORDS, Token
from lockcheck.frontend.recovery import statement_span

__all__ = ["Outcome", "ParsedFunction", "KernelCParser", "parse_function"]

MAX_ATTEMPTS = 30


class Outcome(str, Enum):
    CLEAN = "clean"
    HEADER_FALLBACK = "header-fallback"
    STATEMENT_DROPPED = "statement-dropped"
    FAILED = "failed"


@dataclass
class ParsedFunction:
    """A parsed function: ``ast`` is a pycparser ``FuncDef`` (None if failed)."""

    name: str
    file: str
    line: int
    end_line: int
    outcome: Outcome
    ast: c_ast.FuncDef | None
    reason: str = ""
    reason_line: int = 0
    dropped_statements: int = 0
    learned_typedefs: tuple[str, ...] = ()


class KernelCParser(CParser):
    """A ``CParser`` that also consults a set of known typedef names.

    pycparser decides TYPEID vs ID through ``_is_type_in_scope``; names
    declared in the parsed text still win (they shadow), so a harvested
    typedef used as a local variable name is handled correctly.
    """

    def __init__(self) -> None:
        super().__init__()
        self.known_types: frozenset[str] | set[str] = frozenset()

    def _is_type_in_scope(self, name: str) -> bool:  # noqa: D401 - pycparser hook
        for scope in reversed(self._scope_stack):
            if name in scope:
                return scope[name]
        return name in self.known_types

    def _parse_error(self, msg: str, coord) -> None:  # pycparser hook
        """Give every error a line and column.

        Some pycparser errors ("Invalid expression", "Invalid declaration")
        carry only the file name; the retry chain needs a position to learn
        a typedef or drop a statement, so use the token the parser stopped at.
        """
        if not isinstance(coord, Coord) or coord.column is None:
            try:
                tok = self._tokens.peek(1)
            except Exception:  # the lexer itself failed: keep pycparser's coordinate
                tok = None
            if tok is not None:
                coord = self._tok_coord(tok)
        super()._parse_error(msg, coord)

    def parse_tokens(self, toks, path: str) -> c_ast.FileAST:
        """:meth:`parse` fed with already-lexed tokens (see :func:`_pyc_tokens`):
        pycparser's own lexer was 40% of its time, re-lexing what we lexed."""
        self._scope_stack = [{}]
        self._typedef_checked_token = None
        self._tokens = _TokenStream(iter(toks + [None]).__next__)
        ast = self._parse_translation_unit_or_empty()
        tok = self._peek()
        if tok is not None:
            self._parse_error(f"before: {tok.value}", self._tok_coord(tok))
        return ast


_ERROR = re.compile(r':(\d+):(\d+): (.*)$', re.S)
_PYC_TYPES: dict[tuple[str, str], str | None] = {}
_UNKNOWN = object()


def _pyc_type(kind: str, text: str) -> str | None:
    """pycparser's token type for one of our tokens; None where only its
    lexer can tell (the function then goes through the text path)."""
    key = (kind, text)
    if key in _PYC_TYPES:
        return _PYC_TYPES[key]
    typ = None
    if kind == "id":
        typ = c_lexer._keyword_map.get(text, "ID")
    elif kind == "punct":
        typ = next((e.tok_type for e in c_lexer._fixed_tokens_by_first.get(text[0], ())
                    if e.literal == text), None)
    elif kind in ("num", "str", "chr"):
        m = c_lexer._regex_master.fullmatch(text)
        if m is not None and c_lexer._regex_actions[m.lastgroup][0] is c_lexer._RegexAction.TOKEN:
            typ = m.lastgroup
    if len(_PYC_TYPES) < 200_000:
        _PYC_TYPES[key] = typ
    return typ


def _pyc_tokens(toks: list[Token], path: str):
    """pycparser tokens at the line and column :func:`_render` would give
    them (so error positions map back the same way), or None."""
    out = []
    make = c_lexer.Token
    keyword = c_lexer._keyword_map.get
    known = _PYC_TYPES.get
    line, col = toks[0].line, 1
    for kind, text, at in toks:
        # an identifier's type is its keyword's or ID; others are looked up
        # once (this loop runs for every token of every function parsed)
        typ = keyword(text, "ID") if kind == "id" else known((kind, text), _UNKNOWN)
        if typ is _UNKNOWN:
            typ = _pyc_type(kind, text)
        if typ is None:
            return None
        if at > line:
            line, col = at, 1
        out.append(make(typ, text, line, col, path))
        col += len(text) + 1
    return out


def _render(toks: list[Token], path: str) -> tuple[str, dict[tuple[int, int], int]]:
    """Tokens back to text, one source line per line; map (line, col) → index."""
    first = toks[0].line
    parts = [f'#line {first} "{path}"\n']
    posmap: dict[tuple[int, int], int] = {}
    line, col = first, 1
    for idx, t in enumerate(toks):
        if t.line > line:
            parts.append("\n" * (t.line - line))
            line, col = t.line, 1
        posmap[(line, col)] = idx
        parts.append(t.text)
        parts.append(" ")
        col += len(t.text) + 1
    return "".join(parts), posmap


def _error_index(msg: str, posmap) -> tuple[int | None, str]:
    m = _ERROR.search(msg)
    if not m:  # only the file name: "path: At end of input"
        first = msg.strip().splitlines()[0] if msg.strip() else "parse error"
        return None, re.sub(r'^[^:]*: ', '', first)[:80]
    line, col = int(m.group(1)), int(m.group(2))
    idx = posmap.get((line, col))
    # pycparser may split one of our tokens (``1_1`` → ``1`` ``_1``): use the
    # token that starts at or before the column on that line.
    while idx is None and col > 1:
        col -= 1
        idx = posmap.get((line, col))
    return idx, m.group(3).strip()[:80]


def function_name(toks: list[Token]) -> str:
    """The identifier before the first ``(`` at depth 0 of the header."""
    for k, t in enumerate(toks):
        if t.text == "{":
            break
        if t.text == "(" and k > 0 and toks[k - 1].kind == "id" and toks[k - 1].text not in C_KEYWORDS:
            return toks[k - 1].text
    return "?"


def defined_functions(items) -> frozenset[str]:
    """Names a file's function items define, where plainly read (the word
    before the header's first ``(``; not ``T (*f(..))(..)``, where that
    word is the return type).  In that file each is the function, never a
    type: a typedef of the name from a header it does not include (hfi1's
    ``intr_handler`` for winbond-840.c) must not hide it."""
    out = set()
    for item in items:
        if item.kind != "function":
            continue
        toks = list(item.tokens)
        name = function_name(toks)
        k = next((j for j, t in enumerate(toks) if t.text == name), None)
        if name != "?" and k is not None and k + 2 < len(toks) and toks[k + 2].text != "*":
            out.add(name)
    return frozenset(out)


#: header words after which the next word is still the return type
_NOT_TYPES = frozenset(("static", "inline", "extern", "const", "volatile", "register", "auto", "restrict",
                        "struct", "union", "enum"))


class _Attempt:
    """Mutable state of one function's retry chain."""

    def __init__(self, toks: list[Token], typedefs, never_typedefs) -> None:
        self.toks = toks
        self.typedefs = typedefs
        self.added: set[str] = set()
        self.removed: set[str] = set()
        self.never = never_typedefs
        self.header_heuristics = False
        self.word_before_name = False
        self.header_fallback = False
        self.dropped = 0
        self.first_reason: tuple[str, int] | None = None

    @property
    def types(self):
        base = self.typedefs
        if self.added or self.removed:
            return (base | self.added) - self.removed
        return base

    def body_start(self) -> int | None:
        return next((k for k, t in enumerate(self.toks) if t.text == "{"), None)

    def learn_typedef(self, idx: int) -> bool:
        toks = self.toks
        if idx <= 0:
            return False
        p1 = toks[idx - 1]
        p2 = toks[idx - 2] if idx >= 2 else None
        cur = toks[idx]
        cand = None
        if p1.kind == "id" and cur.kind == "id" and p1.text not in C_KEYWORDS:
            cand = p1.text
        elif p1.text == "*" and p2 is not None and p2.kind == "id" and p2.text not in C_KEYWORDS:
            cand = p2.text
        elif cur.text in (")", "*") and p1.kind == "id" and p2 is not None and p2.text == "(":
            cand = p1.text
        elif p1.text == ")" and idx >= 3 and p2.kind == "id" and toks[idx - 3].text == "(" \
                and (cur.kind in ("id", "num") or cur.text in ("(", "*", "&")):
            cand = p2.text  # (vucp) addr: a cast to an unknown type
        if cand and cand not in self.added and cand not in self.never and cand not in self.types \
                and (not cand.isupper() or self._declares(idx, cand)):
            self.added.add(cand)
            return True
        for c in (cur, p1, p2):
            if c is not None and c.kind == "id" and c.text in self.types and c.text not in self.removed:
                self.removed.add(c.text)
                return True
        return False

    def _declares(self, idx: int, cand: str) -> bool:
        """An all-caps name is usually a macro, so only learn it as a type
        where nothing else fits: ``(NAME *)``, ``(NAME)`` or a statement
        ``NAME x =``/``;``/``[``/``,``."""
        toks = self.toks
        k = next((j for j in range(idx - 1, max(idx - 3, -1), -1) if toks[j].text == cand), None)
        if k is None or k == 0:
            return False
        before, after = toks[k - 1].text, toks[k + 1:k + 4]
        if before == "(" and after and after[0].text in (")", "*"):
            return True
        return before in (";", "{", "}") and len(after) >= 2 and after[0].kind == "id" \
            and after[1].text in ("=", ";", "[", ",")

    def drop_header_words(self) -> bool:
        body = self.body_start()
        if self.header_heuristics or body is None:
            return False
        self.header_heuristics = True
        known = self.types
        new, depth = [], 0
        toks = self.toks
        for k in range(body):
            t, nxt = toks[k], toks[k + 1]
            depth += (t.text == "(") - (t.text == ")")
            if (t.kind == "id" and depth == 0 and t.text not in known and t.text not in C_KEYWORDS
                    and nxt.kind == "id" and (t.text.isupper() or t.text.startswith("__"))):
                continue
            if t.kind == "id" and t.text not in known and t.text not in C_KEYWORDS and \
                    (nxt.kind == "id" or nxt.text == "*") and nxt.text not in C_KEYWORDS:
                self.added.add(t.text)
            new.append(t)
        self.toks = new + toks[body:]
        return True

    def drop_word_before_name(self, name: str) -> bool:
        """``T attr NAME(``: the unknown word right before the function's
        name is an attribute macro when a type still precedes it (a type
        word, a typedef or struct tag, or ``*``), not only ``static`` or
        ``inline``.  Tried once."""
        body = self.body_start()
        if self.word_before_name or body is None:
            return False
        self.word_before_name = True
        toks = self.toks
        k = next((j for j in range(2, body) if toks[j].text == name and toks[j + 1].text == "("), None)
        if k is None or k < 2:
            return False
        word, before = toks[k - 1], toks[k - 2]
        if word.kind != "id" or word.text in C_KEYWORDS or word.text in self.typedefs:
            return False
        if before.text != "*" and (before.kind != "id" or before.text in _NOT_TYPES):
            return False
        self.toks = toks[:k - 1] + toks[k:]
        tag = k >= 3 and toks[k - 3].text in ("struct", "union", "enum")
        if before.kind == "id" and before.text not in C_KEYWORDS and not tag:   # the return type, even if unlearned
            self.removed.discard(before.text)
            if before.text not in self.typedefs:
                self.added.add(before.text)
        return True

    def fallback_header(self, name: str) -> bool:
        body = self.body_start()
        if self.header_fallback or body is None:
            return False
        self.header_fallback = True
        ref = self.toks[0]
        static = [Token("id", "static", ref.line)] if any(t.text == "static" for t in self.toks[:body]) else []
        hdr = static + [Token("id", "void", ref.line), Token("id", name, ref.line),
                        Token("punct", "(", ref.line), Token("id", "void", ref.line), Token("punct", ")", ref.line)]
        self.toks = hdr + self.toks[body:]
        return True

    def drop_statement(self, idx: int) -> bool:
        body = self.body_start() or 0
        if idx <= body:
            return False
        toks = self.toks
        a, b = statement_span(toks, idx, body)
        if b <= a:
            return False
        line = toks[a].line
        marker = [Token("id", "__lc_unparsed", line), Token("punct", "(", line),
                  Token("punct", ")", line), Token("punct", ";", line)]
        self.toks = toks[:a] + marker + toks[b:]
        self.dropped += 1
        return True


def parse_function(toks: list[Token], path: str, parser: KernelCParser,
                   typedefs, never_typedefs) -> ParsedFunction:
    """Parse one normalised function with the retry chain."""
    name = function_name(toks)
    state = _Attempt(toks, typedefs, never_typedefs)
    for _ in range(MAX_ATTEMPTS):
        parser.known_types = state.types
        fed = _pyc_tokens(state.toks, path)
        try:
            if fed is not None:
                ast = parser.parse_tokens(fed, path)
            else:
                ast = parser.parse(_render(state.toks, path)[0], path)
        except Exception as exc:  # pycparser ParseError, or its internal errors on odd input
            idx, reason = _error_index(str(exc), _render(state.toks, path)[1])
            line = state.toks[idx].line if idx is not None else toks[0].line
            if state.first_reason is None:
                state.first_reason = (reason, line)
            if _recover(state, idx, name):
                continue
            break
        funcdef = next((e for e in ast.ext if isinstance(e, c_ast.FuncDef)), None)
        if funcdef is None:
            state.first_reason = state.first_reason or ("no function definition", toks[0].line)
            break
        return _result(name, path, toks, state, funcdef)
    reason, line = state.first_reason or ("parse error", toks[0].line)
    return ParsedFunction(name, path, toks[0].line, toks[-1].line, Outcome.FAILED, None,
                          reason, line, state.dropped)


def _recover(state: _Attempt, idx: int | None, name: str) -> bool:
    body = state.body_start()
    if idx is not None and state.learn_typedef(idx):
        return True
    in_header = body is not None and (idx is None or idx <= body)
    if in_header:
        return state.drop_header_words() or state.drop_word_before_name(name) or state.fallback_header(name)
    return idx is not None and state.drop_statement(idx)


def _result(name, path, toks, state: _Attempt, funcdef) -> ParsedFunction:
    if state.dropped:
        outcome = Outcome.STATEMENT_DROPPED
    elif state.header_fallback:
        outcome = Outcome.HEADER_FALLBACK
    else:
        outcome = Outcome.CLEAN
    reason, line = state.first_reason or ("", 0)
    if outcome is Outcome.CLEAN:
        reason, line = "", 0
    return ParsedFunction(name, path, toks[0].line, toks[-1].line, outcome, funcdef,
                          reason, line, state.dropped, tuple(sorted(state.added)))

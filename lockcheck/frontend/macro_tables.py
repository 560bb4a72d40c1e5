"""Objects defined at file scope by a declaration macro.

A file-scope declaration may be a macro call that expands to the
declarator of an object, its initialiser written after the call::

    #define DEFINE_SCHED_CLASS(name) \\
    const struct sched_class name##_sched_class \\
        __aligned(__alignof__(struct sched_class)) __section("__" #name "_sched_class")

    DEFINE_SCHED_CLASS(dl) = { .set_cpus_allowed = set_cpus_allowed_dl, .. };

or the whole definition, initialiser included
(``DEFINE_FOO_OPS(name, fn)`` → ``static const struct foo_ops
name##_ops = { .fire = fn }``).  Read as written, such a table is no
table: its members look stored nowhere, and a function only such a table
holds is taken for a root entered with interrupts on.

The macro is usually another file's (a header's), so a file's lexing,
cached by its content alone, cannot expand it: :mod:`typefacts` keeps such
items aside (``FileFacts.macro_decls``: ``[static] NAME(args) [= {..}] [;]``)
and :func:`resolve_macro_declarations`, once every file of the scan is
lexed, expands them with the tree's macros (``#`` and ``##`` applied,
``frontend.key_macros.paste``) and reads what they expand to as the file's
own declarations: object definitions with an initialiser list only
(``= {``), its attributes dropped as any declaration's are, function-like
macros in its declarator (``const struct c __my_section(dl) dl_c``)
expanded too.  The definition of a macro a file uses is the file's own,
else (where the tree's differ) that of a file it includes directly, else
the first of the scan's in path order: deterministic, and cheap (a whole
include closure per file was not).  A ``NAME(args);`` is expanded only
when the text of its definition can yield ``= {`` outside braces
(:meth:`_Definitions.may_define`): ``EXPORT_SYMBOL(f);`` and the macros
defining functions (``DEFINE_GUARD``) are most of them.
"""

from __future__ import annotations

import re

from lockcheck.frontend import normalize as norm
from lockcheck.frontend.items import split_items
from lockcheck.frontend.key_macros import paste
from lockcheck.frontend.lexer import Token, match_close, tokenize
from lockcheck.frontend.typefacts import head_index as _head, is_macro_declaration, read_declaration

__all__ = ["resolve_macro_declarations"]

#: Expansions of expansions followed, at most.
MAX_DEPTH = 4
#: Longest expansion read (tokens): a macro defining whole functions is
#: no table's and not worth splitting.
MAX_EXPANSION_TOKENS = 3000

class _Definitions:
    """The function-like macros a file sees: its own, else (where they
    differ) one of the files it includes, else the scan's first."""

    def __init__(self, files, includes) -> None:
        self.by_name: dict[str, dict] = {}      # name -> {file: first definition there}
        self.words: dict[str, str] = {}         # object-like, words only: the first
        for path, _, macros in files:
            key = str(path)
            for m in macros:
                if m.params is not None:
                    where = self.by_name.get(m.name)
                    if where is None:
                        self.by_name[m.name] = {key: m}
                    elif key not in where:
                        where[key] = m
                elif m.name not in self.words:
                    self.words[m.name] = m.body
        self.includes = includes
        self._differ: dict[str, bool] = {}     # name -> are its definitions not all one?
        self._bodies: dict[int, tuple[Token, ...]] = {}
        self._defines: dict[int, bool] = {}
        self._words: dict[str, tuple[Token, ...] | None] = {}

    def word(self, name: str) -> tuple[Token, ...] | None:
        """The tokens of object-like macro ``name`` when it is words alone
        (``#define __moduleparam_const const``), else None."""
        if name not in self._words:
            text = self.words.get(name)
            self._words[name] = tuple(tokenize(text)) if text and _WORDS.fullmatch(text.strip()) else None
        return self._words[name]

    def lookup(self, name: str, path, key: str):
        where = self.by_name.get(name)
        if where is None:
            return None
        if key in where:
            return where[key]
        first = next(iter(where.values()))
        if name not in self._differ:
            self._differ[name] = any((m.params, m.body) != (first.params, first.body) for m in where.values())
        if self._differ[name]:
            for q in sorted(map(str, self.includes.get(path, ()))):   # a direct include's
                if q in where:
                    return where[q]
        return first

    def body(self, macro) -> tuple[Token, ...]:
        """A definition's tokens (tokenized once)."""
        key = id(macro)
        if key not in self._bodies:
            self._bodies[key] = tuple(tokenize(macro.body))
        return self._bodies[key]

    def may_define(self, macro, depth: int = MAX_DEPTH) -> bool:
        """Can a call of ``macro`` (a definition) expand to an initialised
        object: a body with ``= {`` outside braces, or calling there a
        macro any definition of which can?  A test on the text, before any
        expansion: most file-scope macro calls (``EXPORT_SYMBOL(f);``,
        ``DEFINE_GUARD(..)``, whose ``= {`` are in the functions they
        define) cannot."""
        key = id(macro)
        if key not in self._defines:
            self._defines[key] = False       # recursion guard
            outside = _outside_braces(macro.body)
            self._defines[key] = bool(_INITIALISER.search(outside)) or depth > 0 and any(
                any(self.may_define(m, depth - 1) for m in self.by_name[c].values())
                for c in dict.fromkeys(_CALLED.findall(outside)) if c in self.by_name)
        return self._defines[key]


def _outside_braces(text: str) -> str:
    """``text`` less what is inside ``{ }`` (an opening brace kept)."""
    if "{" not in text:
        return text
    out, depth = [], 0
    for part in re.split(r"([{}])", text):
        if part == "{":
            if depth == 0:
                out.append(part)
            depth += 1
        elif part == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(part)
    return "".join(out)


_INITIALISER = re.compile(r"=\s*\{")
_WORDS = re.compile(r"[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*")
_CALLED = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


class _Lookup:
    """A file's view of the macros: ``lookup(name)``, ``lookup.body(m)``."""

    def __init__(self, defs: _Definitions, path) -> None:
        self.defs, self.path, self.key = defs, path, str(path)

    def __call__(self, name: str):
        return self.defs.lookup(name, self.path, self.key)

    def body(self, macro) -> tuple[Token, ...]:
        return self.defs.body(macro)


def _expand_calls(toks: list[Token], lookup, depth: int) -> list[Token]:
    """``toks`` with each call of a known function-like macro expanded
    (and what that yields, ``depth`` times over), and each object-like
    macro the index keeps that is words alone (``#define
    __moduleparam_const const``: no declarator's name)."""
    out: list[Token] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        macro = lookup(t.text) if t.kind == "id" and i + 1 < len(toks) and toks[i + 1].text == "(" else None
        if macro is None:
            word = lookup.defs.word(t.text) if t.kind == "id" else None
            out += [Token(w.kind, w.text, t.line) for w in word] if word is not None else [t]
            i += 1
            continue
        close = match_close(toks, i + 1)
        expanded = paste(macro.params, lookup.body(macro), toks[i + 2:close], t.line)
        if depth > 0 and len(expanded) <= MAX_EXPANSION_TOKENS:
            expanded = _expand_calls(expanded, lookup, depth - 1)
        out += expanded
        i = close + 1
    return out


def _object_definitions(toks: list[Token], lookup, depth: int):
    """The file-scope items a macro declaration expands to that define an
    object with an initialiser list, their declarators' macros expanded."""
    k = _head(toks)
    macro = lookup(toks[k].text)
    if macro is None or depth < 0 or _initialiser(toks) is None and not lookup.defs.may_define(macro):
        return     # `NAME(args);` that cannot define an initialised object
    close = match_close(toks, k + 1)
    expanded = paste(macro.params, lookup.body(macro), toks[k + 2:close], toks[k].line)
    if len(expanded) > MAX_EXPANSION_TOKENS:
        return
    rest = list(toks[close + 1:])
    if not rest or rest[-1].text != ";":
        rest.append(Token("punct", ";", toks[k].line))
    for item in split_items(list(toks[:k]) + expanded + rest):
        if item.kind != "declaration":
            continue
        part = list(item.tokens)
        if is_macro_declaration(part):
            yield from _object_definitions(part, lookup, depth - 1)
            continue
        eq = _initialiser(part)
        if eq is not None:
            yield _expand_calls(part[:eq], lookup, depth) + part[eq:]


def _initialiser(toks: list[Token]) -> int | None:
    """Index of the ``=`` of ``declarator = {``, outside brackets."""
    depth = 0
    for j, t in enumerate(toks[:-1]):
        if t.text in "([":
            depth += 1
        elif t.text in ")]":
            depth -= 1
        elif t.text == "{":
            return None
        elif t.text == "=" and depth == 0:
            return j if toks[j + 1].text == "{" else None
    return None


def resolve_macro_declarations(files, includes, model: norm.FrontendModel, definitions: dict) -> int:
    """Read each file's macro declarations (``FileFacts.macro_decls``) into
    its facts; ``files`` is ``(path, facts, macros)`` per lexed file, in
    scan order, ``includes`` path -> the paths it includes.  Returns the
    number of object definitions read."""
    pending = [(path, facts) for path, facts, _ in files if facts.macro_decls]
    if not pending:
        return 0
    defs = _Definitions(files, includes)
    ctx = norm._Ctx(model)
    found = 0
    for path, facts in pending:
        lookup = _Lookup(defs, path)
        for toks in facts.macro_decls:
            for part in _object_definitions(list(toks), lookup, MAX_DEPTH):
                cleaned = norm.gnu_expressions(norm.drop_annotations(part, ctx), ctx)
                if read_declaration(cleaned, facts, definitions):
                    found += 1
        facts.macro_decls = []      # read once (the facts are this scan's copy)
    return found

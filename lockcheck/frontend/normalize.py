"""Token passes that turn one function of kernel C into C pycparser parses.

Each pass is a small function ``tokens -> tokens`` with its own test; the
order is :data:`PASSES`.  Kernel knowledge (annotation names, header macros,
scoped guards) comes from ``model/data/frontend.toml`` through
:class:`FrontendModel`; nothing kernel-specific is spelled out here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lockcheck.frontend.lexer import C_KEYWORDS, Token, match_close, split_top, token_at
from lockcheck.frontend.statement_macros import statement_macros

__all__ = ["FrontendModel", "normalize_function", "PASSES"]

_TYPE_WORDS = frozenset("""const volatile restrict signed unsigned short long int char void
float double _Bool _Complex""".split())
_STATEMENT_STARTERS = frozenset(("return", "goto", "break", "continue", "do", "if"))
_ALLCAPS = re.compile(r'^[A-Z][A-Z0-9_]+$')


@dataclass(frozen=True)
class FrontendModel:
    """The front end's slice of the kernel model (see frontend.toml)."""

    annotations: frozenset[str]
    annotations_with_args: frozenset[str]
    renames: dict[str, str]
    builtin_typedefs: frozenset[str]
    never_typedefs: frozenset[str]
    header_macros: tuple[tuple[re.Pattern, str, str], ...]
    scoped_guards: dict[str, str]
    not_iterators: frozenset[str]
    release_annotations: frozenset[str] = frozenset()
    # calls that only check (frontend.predicates)
    check_calls: frozenset[str] = frozenset()
    # guard-class definition macros -> their shape (frontend.guard_classes)
    guard_classes: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> "FrontendModel":
        """The model from its (shape-checked, lockcheck.model.loader) dict;
        an invalid header-macro pattern is a one-line InputError."""
        from lockcheck.errors import InputError
        for h in d["function_header_macros"]:
            missing = [key for key in ("pattern", "prefix", "returns") if not isinstance(h.get(key), str)]
            if missing:
                raise InputError(f"bad model: a frontend.function_header_macros entry needs "
                                 f"{', '.join(repr(m) for m in missing)} (strings)")
            try:
                re.compile(h["pattern"])
            except re.error as exc:
                raise InputError(f"bad model: function_header_macros pattern {h['pattern']!r}: {exc}") from None
        return cls(
            annotations=frozenset(d["annotations"]),
            annotations_with_args=frozenset(d["annotations_with_args"]),
            renames=dict(d["renames"]),
            builtin_typedefs=frozenset(d["parsing"]["builtin_typedefs"]),
            never_typedefs=frozenset(d["parsing"]["never_typedefs"]),
            header_macros=tuple((re.compile(h["pattern"]), h["prefix"], h["returns"])
                                for h in d["function_header_macros"]),
            scoped_guards=dict(d["scoped_guards"]),
            not_iterators=frozenset(d["not_iterators"]),
            release_annotations=frozenset(d.get("release_annotations", ())),
            check_calls=frozenset(d.get("check_calls", ())),
            guard_classes=dict(d.get("guard_classes", {})),
        )


@dataclass
class _Ctx:
    model: FrontendModel
    typedefs: frozenset[str] | set[str] = field(default_factory=set)


#: What a release annotation of the header becomes: the body's first
#: statements, ``__lc_releases(x);`` (analysis.declared).
RELEASES_MARK = "__lc_releases"


def drop_annotations(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """Remove ``__user``-like words, ``__attribute__((..))``-like calls,
    apply spelling renames, drop stray ``\\`` and ``__label__`` lines.  A
    release annotation of the header (``__releases(c->journal.lock)``)
    becomes ``__lc_releases(c->journal.lock);`` first in the body."""
    m = ctx.model
    out: list[Token] = []
    declared: list[list[Token]] = []
    header = True
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if header and t.text == "{":
            header = False
            out.append(t)
            for args in declared:
                out += [Token("id", RELEASES_MARK, t.line), Token("punct", "(", t.line), *args,
                        Token("punct", ")", t.line), Token("punct", ";", t.line)]
            i += 1
            continue
        if t.kind == "id":
            if header and t.text in m.release_annotations and i + 1 < n and toks[i + 1].text == "(":
                close = match_close(toks, i + 1)
                if close > i + 2:
                    declared.append(toks[i + 2:close])
                i = close + 1
                continue
            new = m.renames.get(t.text)
            if new is not None:
                if not new:
                    i += 1
                    continue
                t = Token("id", new, t.line)
            if t.text in m.annotations:
                i += 1
                continue
            if t.text in m.annotations_with_args:
                i = match_close(toks, i + 1) + 1 if i + 1 < n and toks[i + 1].text == "(" else i + 1
                continue
            if t.text == "__label__":
                while i < n and toks[i].text != ";":
                    i += 1
                i += 1
                continue
        elif t.text == "\\":
            i += 1
            continue
        out.append(t)
        i += 1
    return out


def asm_statements(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """``asm volatile goto (...)`` → ``__lc_asm()`` (a call, in any position);
    an asm label after a declarator (``register void *r asm("r0") = x;``)
    is dropped, as a call there would not parse."""
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.text == "asm" and t.kind == "id":
            j = i + 1
            while j < n and toks[j].text in ("volatile", "goto", "inline"):
                j += 1
            if j < n and toks[j].text == "(":
                close = match_close(toks, j)
                label = out and out[-1].kind == "id" and out[-1].text not in C_KEYWORDS and \
                    close + 1 < n and toks[close + 1].text in ("=", ";", ",")
                if not label:
                    out += [token_at("__lc_asm", t), token_at("(", t), token_at(")", t)]
                i = close + 1
                continue
        out.append(t)
        i += 1
    return out


def gnu_expressions(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """``a ?: b`` → ``a ? __lc_elvis : b``; case ranges ``case A ... B:`` and
    designator ranges ``[A ... B] =`` keep their first bound; ``typeof(x)``
    becomes the opaque type ``__lc_typeof_t``; a label address ``&&here``
    becomes the plain name ``__lc_label_addr``."""
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.text == "?" and i + 1 < n and toks[i + 1].text == ":":
            out += [t, token_at("__lc_elvis", t)]
        elif t.text == "&&" and i + 1 < n and toks[i + 1].kind == "id" and _unary_position(out, ctx):
            out.append(token_at("__lc_label_addr", t, "id"))
            i += 1
        elif t.text == "..." and any(x.text in ("case", "[") for x in out[-6:]):
            i = _skip_to_range_end(toks, i + 1)
            continue
        elif t.text == "typeof" and i + 1 < n and toks[i + 1].text == "(":
            out.append(token_at("__lc_typeof_t", t, "id"))
            i = match_close(toks, i + 1) + 1
            continue
        else:
            out.append(t)
        i += 1
    return out


_BEFORE_OPERAND = frozenset(("(", ",", "=", "return", "?", ":", "[", "{"))


def _unary_position(out: list[Token], ctx: _Ctx) -> bool:
    """Does an operand start here (so ``&&`` is unary)?  After ``(``, ``,``,
    ``=`` …, or after a cast ``(type)``."""
    if not out:
        return False
    if out[-1].text in _BEFORE_OPERAND:
        return True
    if out[-1].text != ")":
        return False
    k = len(out) - 2
    while k >= 0 and out[k].text != "(":
        k -= 1
    return k >= 0 and _is_type_name(out[k + 1:-1], ctx.typedefs)


def _skip_to_range_end(toks: list[Token], j: int) -> int:
    depth = 0
    while j < len(toks) and not (depth == 0 and toks[j].text in (":", "]")):
        if toks[j].text in "([":
            depth += 1
        elif toks[j].text in ")]":
            depth -= 1
        j += 1
    return j


_C_NUMBER = re.compile(r'^(?:0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*(?:[pP][+-]?[0-9]+)?'
                       r'|0[bB][01]+|[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]+)?)[uUlLfF]*$')


def pp_numbers(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """Preprocessing numbers that are not C constants (``1_1``, ``3DNOW``),
    only meant to be pasted by ``##`` in a macro argument, become ``0``:
    pycparser would split them and fail on the whole statement."""
    return [Token("num", "0", t.line) if t.kind == "num" and not _C_NUMBER.match(t.text) else t
            for t in toks]


def string_glue(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """Drop macros glued to string literals: ``KERN_INFO "x"``, ``"%" PRIx64``,
    also runs of them (``KERN_INFO DRV_NAME ": x"``): C never puts an
    identifier next to a string literal."""
    out: list[Token] = []
    before_string = _before_string(toks)
    for i, t in enumerate(toks):
        if t.kind == "id" and t.text not in C_KEYWORDS and (
                before_string[i + 1] or (i > 0 and toks[i - 1].kind == "str")):
            continue
        out.append(t)
    return out


def _before_string(toks: list[Token]) -> list[bool]:
    """Per position (and one past the end): does a string literal start
    there, maybe after more glue identifiers?  One pass from the end: a
    scan forward from every identifier was quadratic in a long run of them
    (a macro pasting its argument many times made one of 65,000)."""
    out = [False] * (len(toks) + 1)
    for j in range(len(toks) - 1, -1, -1):
        t = toks[j]
        if t.kind == "str":
            out[j] = True
        elif t.kind == "id" and t.text not in C_KEYWORDS:
            out[j] = out[j + 1]
    return out


def function_header_macros(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """``SYSCALL_DEFINE2(name, T1, a1, T2, a2)`` → ``long sys_name(T1 a1, T2 a2)``."""
    if not toks or toks[0].kind != "id" or len(toks) < 3 or toks[1].text != "(":
        return toks
    for pattern, prefix, returns in ctx.model.header_macros:
        if pattern.match(toks[0].text):
            break
    else:
        return toks
    close = match_close(toks, 1)
    args = _split_args(toks[2:close])
    if not args or not args[0]:
        return toks
    ref = toks[0]
    header = [token_at(returns, ref, "id"), token_at(prefix + args[0][0].text, ref, "id"), token_at("(", ref)]
    params = args[1:]
    if not params:
        header.append(token_at("void", ref, "id"))
    for j in range(0, len(params) - 1, 2):
        if j:
            header.append(token_at(",", ref))
        header += params[j] + params[j + 1]
    header.append(token_at(")", ref))
    return header + toks[close + 1:]


def _split_args(toks: list[Token]) -> list[list[Token]]:
    return split_top(toks, ",")


def case_label_runs(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """``case A: case B: case C: stmt`` → ``case C: stmt``.

    pycparser nests each label around the next one recursively, so register
    tables with thousands of labels in a row exceed Python's recursion limit;
    which constant selects a branch does not matter to lock analysis."""
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        if toks[i].text == "case":
            colon = _case_colon(toks, i + 1)
            if colon + 1 < n and toks[colon + 1].text in ("case", "default"):
                i = colon + 1
                continue
        out.append(toks[i])
        i += 1
    return out


def _case_colon(toks: list[Token], j: int) -> int:
    """Index of the ``:`` ending a case label (skipping ``?:`` and brackets)."""
    depth = pending = 0
    while j < len(toks):
        v = toks[j].text
        if v in "([{":
            depth += 1
        elif v in ")]}":
            depth -= 1
        elif v == "?":
            pending += 1
        elif v == ":" and depth == 0:
            if not pending:
                return j
            pending -= 1
        if depth < 0 or v == ";":
            return len(toks)
        j += 1
    return j


def static_macro_declarations(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """``static DEFINE_MUTEX(x);`` inside a body → ``DEFINE_MUTEX(x);``."""
    out: list[Token] = []
    n = len(toks)
    for i, t in enumerate(toks):
        if (t.text == "static" and i + 2 < n and _ALLCAPS.match(toks[i + 1].text)
                and toks[i + 2].text == "(" and out and out[-1].text in (";", "{", "}")):
            continue
        out.append(t)
    return out


_NOT_CALLS = frozenset(("__lc_typeof_t", "__builtin_types_compatible_p", "offsetof",
                        "__builtin_offsetof", "_Static_assert", "static_assert"))


def macro_arguments(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """Inside the body, a call argument that is a type name becomes
    ``sizeof(type)`` (``container_of(p, struct kvm, m)`` keeps its type for
    later stages); a statement-like argument (``return -EINTR``), an empty
    one (``asm_safe("x", , y)``) or an asm operand list (``[fx] "+m" (v)``)
    becomes 0.  Parameter lists of local prototypes are not call arguments."""
    body = next((k for k, t in enumerate(toks) if t.text == "{"), len(toks))
    out = list(toks[:body])
    stack: list[list] = []  # per open paren: [is_call, arg start index in out, saw comma]
    for t in toks[body:]:
        if t.text == "(":
            out.append(t)
            stack.append([_opens_call(out, ctx), len(out), False])
            continue
        if t.text in (",", ")") and stack:
            is_call, start, comma = stack[-1]
            if is_call:
                _rewrite_argument(out, start, ctx, comma or t.text == ",")
            out.append(t)
            if t.text == ",":
                stack[-1][1:] = [len(out), True]
            else:
                stack.pop()
            continue
        out.append(t)
    return out


def _opens_call(out: list[Token], ctx: _Ctx) -> bool:
    """Is the ``(`` just appended a call's?  ``extern void f(void);`` is a
    declarator: its name follows a type word or a typedef name."""
    if len(out) < 2:
        return False
    prev = out[-2]
    if prev.kind != "id" or prev.text in C_KEYWORDS or prev.text in _NOT_CALLS:
        return False
    before = out[-3] if len(out) >= 3 else None
    return before is None or not (before.text in _TYPE_WORDS or before.text in ctx.typedefs)


def _rewrite_argument(out: list[Token], start: int, ctx: _Ctx, listed: bool) -> None:
    arg = out[start:]
    if not arg:
        if listed:  # f(a, , b): an argument left empty on purpose
            out.append(Token("num", "0", out[-1].line))
        return
    if _is_type_name(arg, ctx.typedefs):
        out[start:] = [token_at("sizeof", arg[0]), token_at("(", arg[0])] + arg + [token_at(")", arg[0])]
    elif arg[0].text in _STATEMENT_STARTERS or _is_asm_operands(arg):
        out[start:] = [Token("num", "0", arg[0].line)]


def _is_asm_operands(arg: list[Token]) -> bool:
    """``"=r" (x)`` or ``[name] "m" (y)``: inline-asm operands passed to a macro."""
    return any(a.kind == "str" and b.text == "(" for a, b in zip(arg, arg[1:]))


def _is_type_name(ts: list[Token], typedefs) -> bool:
    """Does ``ts`` read as a C type-name (specifiers + abstract declarator)?"""
    i, n, saw, named = 0, len(ts), False, False
    while i < n:
        v = ts[i].text
        if v in _TYPE_WORDS or v == "__lc_typeof_t":
            saw = True
            i += 1
        elif v in ("struct", "union", "enum"):
            if i + 1 < n and ts[i + 1].kind == "id":
                i += 2
                saw = named = True
            else:
                return False
        elif ts[i].kind == "id" and v in typedefs and not named:
            saw = named = True
            i += 1
        else:
            break
    if not saw:
        return False
    while i < n and ts[i].text in ("*", "const", "volatile", "restrict"):
        i += 1
    while i < n and ts[i].text == "[":
        while i < n and ts[i].text != "]":
            i += 1
        i += 1
    return i == n


PASSES = (drop_annotations, asm_statements, gnu_expressions, pp_numbers, string_glue,
          function_header_macros, case_label_runs, static_macro_declarations, statement_macros,
          macro_arguments)


def normalize_function(toks: list[Token], model: FrontendModel, typedefs) -> list[Token]:
    ctx = _Ctx(model, typedefs)
    for p in PASSES:
        toks = p(toks, ctx)
    return toks

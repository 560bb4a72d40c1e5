"""Token passes that turn one function of kernel C into C pycparser parses.

Each pass is a small function ``tokens -> tokens`` with its own test; the
order is :data:`PASSES`.  Kernel knowledge (annotation names, header macros,
scoped guards) comes from ``model/data/frontend.toml`` through
:class:`FrontendModel`; nothing kernel-specific is spelled out here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lockcheck.frontend.lexer import Token, match_close

__all__ = ["FrontendModel", "normalize_function", "PASSES"]

C_KEYWORDS = frozenset("""auto break case char const continue default do double else enum
extern float for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Bool _Complex _Static_assert
typeof""".split())
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

    @classmethod
    def from_dict(cls, d: dict) -> "FrontendModel":
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
        )


@dataclass
class _Ctx:
    model: FrontendModel
    typedefs: frozenset[str] | set[str] = field(default_factory=set)


def _tok(text: str, ref: Token, kind: str | None = None) -> Token:
    if kind is None:
        kind = "id" if (text[:1].isalpha() or text[:1] == "_") else "punct"
    return Token(kind, text, ref.line)


def drop_annotations(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """Remove ``__user``-like words, ``__attribute__((..))``-like calls,
    apply spelling renames, drop stray ``\\`` and ``__label__`` lines."""
    m = ctx.model
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "id":
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
    """``asm volatile goto (...)`` → ``__lc_asm()`` (a call, in any position)."""
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.text == "asm" and t.kind == "id":
            j = i + 1
            while j < n and toks[j].text in ("volatile", "goto", "inline"):
                j += 1
            if j < n and toks[j].text == "(":
                out += [_tok("__lc_asm", t), _tok("(", t), _tok(")", t)]
                i = match_close(toks, j) + 1
                continue
        out.append(t)
        i += 1
    return out


def gnu_expressions(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """``a ?: b`` → ``a ? __lc_elvis : b``; case ranges ``case A ... B:`` and
    designator ranges ``[A ... B] =`` keep their first bound; ``typeof(x)``
    becomes the opaque type ``__lc_typeof_t``."""
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.text == "?" and i + 1 < n and toks[i + 1].text == ":":
            out += [t, _tok("__lc_elvis", t)]
        elif t.text == "..." and any(x.text in ("case", "[") for x in out[-6:]):
            i = _skip_to_range_end(toks, i + 1)
            continue
        elif t.text == "typeof" and i + 1 < n and toks[i + 1].text == "(":
            out.append(_tok("__lc_typeof_t", t, "id"))
            i = match_close(toks, i + 1) + 1
            continue
        else:
            out.append(t)
        i += 1
    return out


def _skip_to_range_end(toks: list[Token], j: int) -> int:
    depth = 0
    while j < len(toks) and not (depth == 0 and toks[j].text in (":", "]")):
        if toks[j].text in "([":
            depth += 1
        elif toks[j].text in ")]":
            depth -= 1
        j += 1
    return j


def string_glue(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """Drop macros glued to string literals: ``KERN_INFO "x"``, ``"%" PRIx64``."""
    out: list[Token] = []
    n = len(toks)
    for i, t in enumerate(toks):
        if t.kind == "id" and t.text not in C_KEYWORDS and (
                (i + 1 < n and toks[i + 1].kind == "str") or (i > 0 and toks[i - 1].kind == "str")):
            continue
        out.append(t)
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
    header = [_tok(returns, ref, "id"), _tok(prefix + args[0][0].text, ref, "id"), _tok("(", ref)]
    params = args[1:]
    if not params:
        header.append(_tok("void", ref, "id"))
    for j in range(0, len(params) - 1, 2):
        if j:
            header.append(_tok(",", ref))
        header += params[j] + params[j + 1]
    header.append(_tok(")", ref))
    return header + toks[close + 1:]


def _split_args(toks: list[Token]) -> list[list[Token]]:
    args: list[list[Token]] = [[]]
    depth = 0
    for t in toks:
        if t.text in "([{":
            depth += 1
        elif t.text in ")]}":
            depth -= 1
        if t.text == "," and depth == 0:
            args.append([])
        else:
            args[-1].append(t)
    return args


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


def macro_arguments(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """Inside the body, a call argument that is a type name becomes
    ``sizeof(type)`` (``container_of(p, struct kvm, m)`` keeps its type for
    later stages); a statement-like argument (``return -EINTR``) becomes 0."""
    body = next((k for k, t in enumerate(toks) if t.text == "{"), len(toks))
    out = list(toks[:body])
    stack: list[list] = []  # per open paren: [is_call, arg start index in out]
    for t in toks[body:]:
        if t.text == "(":
            prev = out[-1] if out else None
            is_call = bool(prev) and prev.kind == "id" and prev.text not in C_KEYWORDS and \
                prev.text not in ("__lc_typeof_t", "__builtin_types_compatible_p", "offsetof",
                                  "__builtin_offsetof", "_Static_assert", "static_assert")
            out.append(t)
            stack.append([is_call, len(out)])
            continue
        if t.text in (",", ")") and stack:
            is_call, start = stack[-1]
            if is_call:
                _rewrite_argument(out, start, ctx)
            out.append(t)
            if t.text == ",":
                stack[-1][1] = len(out)
            else:
                stack.pop()
            continue
        out.append(t)
    return out


def _rewrite_argument(out: list[Token], start: int, ctx: _Ctx) -> None:
    arg = out[start:]
    if not arg:
        return
    if _is_type_name(arg, ctx.typedefs):
        out[start:] = [_tok("sizeof", arg[0]), _tok("(", arg[0])] + arg + [_tok(")", arg[0])]
    elif arg[0].text in _STATEMENT_STARTERS:
        out[start:] = [Token("num", "0", arg[0].line)]


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


_STMT_PREV = frozenset((";", "{", "}", "else", ":"))


def statement_macros(toks: list[Token], ctx: _Ctx) -> list[Token]:
    """Macros in statement position followed by a body, not by ``;``.

    * scoped guards: ``scoped_guard(T, a) BODY`` →
      ``{ __lc_scoped_guard(T, a); BODY }`` — a scope holding the lock;
      ``scoped_cond_guard(T, fail, a) BODY`` →
      ``{ if (!__lc_scoped_cond_guard(T, a)) fail; BODY }``;
    * iterators: ``list_for_each_entry(p, h, m) BODY`` →
      ``while (list_for_each_entry(p, h, m)) BODY`` — a loop whose body is
      parsed and whose macro call stays visible;
    * ``do {..} while_each_thread(a, b);`` → ``do {..} while (while_each_thread(a, b));``.
    """
    body = next((k for k, t in enumerate(toks) if t.text == "{"), len(toks))
    out = list(toks[:body])
    i, n = body, len(toks)
    pending_closers: list[list] = []  # [token index in source where the scope ends, ref]
    while i < n:
        t = toks[i]
        if (t.kind == "id" and t.text not in C_KEYWORDS and t.text not in ctx.model.not_iterators
                and i + 1 < n and toks[i + 1].text == "(" and out and out[-1].text in _STMT_PREV
                | {")"} and _prev_allows_statement(out)):
            close = match_close(toks, i + 1)
            nxt = toks[close + 1] if close + 1 < n else None
            if nxt is not None and (nxt.text == "{" or (nxt.kind == "id" and nxt.text not in _NOT_STMT_START)):
                end = _statement_end(toks, close + 1)
                kind = ctx.model.scoped_guards.get(t.text)
                if kind:
                    out += _scoped_guard_head(t, toks[i + 2:close], kind)
                    pending_closers.append([end, t])
                elif out[-1].text == "}" and _closes_do(out):
                    out += [_tok("while", t), _tok("(", t)] + list(toks[i:close + 1]) + [_tok(")", t)]
                else:
                    out += [_tok("while", t), _tok("(", t)] + list(toks[i:close + 1]) + [_tok(")", t)]
                i = close + 1
                continue
            if out[-1].text == "}" and nxt is not None and nxt.text == ";" and _closes_do(out):
                out += [_tok("while", t), _tok("(", t)] + list(toks[i:close + 1]) + [_tok(")", t)]
                i = close + 1
                continue
        out.append(t)
        while pending_closers and pending_closers[-1][0] == i:
            out.append(_tok("}", pending_closers.pop()[1]))
        i += 1
    return out


_NOT_STMT_START = frozenset(("else", "const", "volatile"))


def _prev_allows_statement(out: list[Token]) -> bool:
    """A ``)`` before the macro only counts if it ends a control head
    (``if (..) MACRO(..) {``); otherwise ``f(x) g(y)`` is not a statement."""
    if out[-1].text != ")":
        return True
    depth = 0
    for k in range(len(out) - 1, -1, -1):
        if out[k].text == ")":
            depth += 1
        elif out[k].text == "(":
            depth -= 1
            if depth == 0:
                return k > 0 and out[k - 1].text in ("if", "while", "for", "switch")
    return False


def _closes_do(out: list[Token]) -> bool:
    depth = 0
    for k in range(len(out) - 1, -1, -1):
        if out[k].text == "}":
            depth += 1
        elif out[k].text == "{":
            depth -= 1
            if depth == 0:
                return k > 0 and out[k - 1].text == "do"
    return False


def _statement_end(toks: list[Token], i: int) -> int:
    """Index of the last token of the statement starting at ``toks[i]``."""
    n = len(toks)
    if i >= n:
        return n - 1
    if toks[i].text == "{":
        return match_close(toks, i)
    head = toks[i].text
    if head in ("if", "while", "for", "switch") and i + 1 < n and toks[i + 1].text == "(":
        end = _statement_end(toks, match_close(toks, i + 1) + 1)
        if head == "if" and end + 1 < n and toks[end + 1].text == "else":
            end = _statement_end(toks, end + 2)
        return end
    if toks[i].kind == "id" and i + 1 < n and toks[i + 1].text == "(" and head not in C_KEYWORDS:
        close = match_close(toks, i + 1)
        if close + 1 < n and (toks[close + 1].text == "{" or (toks[close + 1].kind == "id"
                                                             and toks[close + 1].text not in _NOT_STMT_START)):
            return _statement_end(toks, close + 1)  # nested iterator
    depth = 0
    for j in range(i, n):
        v = toks[j].text
        if v in "([{":
            depth += 1
        elif v in ")]}":
            depth -= 1
            if depth < 0:
                return j - 1
        elif v == ";" and depth == 0:
            return j
    return n - 1


def _scoped_guard_head(name: Token, args: list[Token], kind: str) -> list[Token]:
    parts = _split_args(args)
    if kind == "cond" and len(parts) >= 2:
        fail = parts[1]
        call_args = [parts[0]] + parts[2:]
        call = _call(name, "__lc_scoped_cond_guard", call_args)
        return ([_tok("{", name), _tok("if", name), _tok("(", name), _tok("!", name)] + call +
                [_tok(")", name), _tok("{", name)] + fail + [_tok(";", name), _tok("}", name)])
    return [_tok("{", name)] + _call(name, "__lc_scoped_guard", parts) + [_tok(";", name)]


def _call(ref: Token, fname: str, args: list[list[Token]]) -> list[Token]:
    out = [_tok(fname, ref, "id"), _tok("(", ref)]
    for k, a in enumerate(args):
        if k:
            out.append(_tok(",", ref))
        out += a
    return out + [_tok(")", ref)]


PASSES = (drop_annotations, asm_statements, gnu_expressions, string_glue,
          function_header_macros, static_macro_declarations, statement_macros,
          macro_arguments)


def normalize_function(toks: list[Token], model: FrontendModel, typedefs) -> list[Token]:
    ctx = _Ctx(model, typedefs)
    for p in PASSES:
        toks = p(toks, ctx)
    return toks

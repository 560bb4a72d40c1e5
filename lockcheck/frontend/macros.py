"""Seeing through macros that hide locks or calls.

A function-like macro is *expanded* in function bodies when its body
(after expanding such macros in it, transitively) is

* something naming a lock primitive of the catalogue (``KVM_MMU_LOCK(kvm)``
  → ``write_lock(&(kvm)->mmu_lock)``), or
* a forwarding call: one call to a plain function, possibly inside
  ``do { } while (0)`` or parentheses (``static_branch_inc(x)`` →
  ``static_key_slow_inc(&(x)->key)``), its result maybe stored in a
  parameter (``raw_spin_rq_lock_irqsave(rq, flags)`` → ``do { flags =
  _raw_spin_rq_lock_irqsave(rq); } while (0)``), also after statements
  that are compile-time checks (``typecheck(unsigned long, flags);``,
  dropped: ALSA's ``snd_pcm_stream_lock_irqsave(s, flags)``), or
* a statement expression yielding one call's result through a local
  (``({ T *v; __cond_lock(&v->lock, v = __find(id, flags)); v; })``),
  expanded to that call alone (:func:`_yielded_call`).

A macro that runs one of its arguments as a statement (a *command*
parameter: ``__SLEEP_COND(wq, cond, lock_cmd, unlock_cmd)`` runs
``unlock_cmd; io_schedule(); lock_cmd;`` in a loop) is expanded where the
argument given for a command names a lock primitive or a macro expanded
for one: read as a call, its arguments would run once each, in the order
written.

Everything else (``min()``, ``container_of()``, ``pr_info()``) is left as a
call the parser accepts.  A macro left so whose body is several
comma-separated expressions (drbd's ``NS(conn, C_TIMEOUT)``: a mask and a
value, two arguments of ``conn_request_state(c, NS(..), CS_HARD)``) keeps
its call and is followed by one placeholder argument per further part
(``SPREAD_ARG``), so the arguments after it keep their positions.  A macro whose body is a statement with its own
``;`` (``#define INIT_STATUS(s) s = PENDING;``), written without one
(``INIT_STATUS(x) if (..)``), is ended there (``terminate_statements``):
left bare, the call followed by a statement reads as an iterator macro's
loop around it (``frontend.statement_macros``).  Lock primitives themselves are never expanded:
the catalogue defines their meaning.  Bodies using ``#``/``##`` are left
alone, but for init macros with a lock class key of their own
(``frontend.key_macros``).  Expanded tokens keep the line of the macro call.
"""

from __future__ import annotations

import re

from lockcheck.frontend.bounds import MAX_FUNCTION_TOKENS, TooLarge
from lockcheck.frontend.key_macros import key_macro_names, paste
from lockcheck.frontend.lexer import C_KEYWORDS, Token, bind_arguments, match_close, split_top, token_at, tokenize

__all__ = ["MacroIndex", "expand_macros", "terminate_statements"]

MAX_DEPTH = 8


class _Macro:
    """A function-like macro; its body is tokenized only when looked at."""

    __slots__ = ("name", "params", "text", "_body")

    def __init__(self, name: str, params: tuple[str, ...], text: str) -> None:
        self.name, self.params, self.text, self._body = name, params, text, None

    @property
    def body(self) -> tuple[Token, ...]:
        if self._body is None:
            self._body = tuple(tokenize(self.text))
        return self._body

    def __getstate__(self):
        return (self.name, self.params, self.text, self._body)

    def __setstate__(self, state):
        self.name, self.params, self.text, self._body = state


class MacroIndex:
    """The function-like macros of a tree worth expanding (first definition wins)."""

    def __init__(self, defs, lock_primitives: frozenset[str], functions: frozenset[str] = frozenset(),
                 key_annotations: frozenset[str] = frozenset(), key_never: frozenset[str] = frozenset()) -> None:
        self.all: dict[str, _Macro] = {}
        #: every function-like macro name, also those never expanded (``#``)
        self.names: set[str] = set()
        #: macro -> the number of comma-separated expressions its body is, where more than one
        self.spread: dict[str, int] = {}
        ends: dict[str, bool] = {}
        for d in defs:
            if d.params is None or d.name in functions:
                continue
            self.names.add(d.name)
            if "," in d.body and d.name not in self.spread:
                parts = _top_level_parts(d.body)
                if parts > 1:
                    self.spread[d.name] = parts
            ends[d.name] = ends.get(d.name, True) and d.body.rstrip().endswith(";")
            if d.name in self.all or "#" in d.body:
                continue
            self.all[d.name] = _Macro(d.name, d.params, d.body)
        #: macros every definition of which ends with its own ``;``
        self.terminated = frozenset(name for name, ok in ends.items() if ok)
        self.primitives = lock_primitives
        self.expandable: frozenset[str] = self._select()
        # init macros with a key of their own (frontend.key_macros), `#`/`##` applied
        keyed = key_macro_names([d for d in defs if d.name not in functions], key_annotations,
                                key_never | lock_primitives | self.expandable)
        for name, d in sorted(keyed.items()):
            self.all[name] = _Macro(d.name, d.params, d.body)
        self.expandable |= frozenset(keyed)
        #: the expandable macros whose bodies use `#`/`##`
        self.pasting: frozenset[str] = frozenset(keyed)
        #: macro -> positions of its command parameters (used as a statement)
        self.commands: dict[str, frozenset[int]] = self._commands()

    def _select(self) -> frozenset[str]:
        memo: dict[str, bool] = {}
        for name in sorted(self.all):
            self._qualifies(name, memo, 0)
        for name, macro in self.all.items():   # tokens only where expansion needs them:
            if not memo.get(name):              # the rest would fill every worker's copy
                macro._body = None
        return frozenset(n for n, ok in memo.items() if ok)

    def _commands(self) -> dict[str, frozenset[int]]:
        out: dict[str, frozenset[int]] = {}
        memo: dict[str, frozenset[int]] = {}
        for name in sorted(self.all):
            found = self._command_params(name, memo, 0)
            if found:
                out[name] = found
        return out

    def _command_params(self, name: str, memo: dict[str, frozenset[int]], depth: int) -> frozenset[int]:
        """Positions of the parameters macro ``name`` runs as statements:
        written as one (``unlock_cmd;``, ``, cmd1; schedule(); cmd2)`` in
        the statement list given to another macro), or passed whole to a
        command parameter of another macro (``wait_event_cmd(wq, c, cmd1,
        cmd2)`` → ``__wait_event_cmd(wq, c, cmd1, cmd2)``)."""
        if name in memo:
            return memo[name]
        memo[name] = frozenset()   # recursion guard
        macro = self.all[name]
        if name in self.expandable or name in self.primitives or len(macro.text) > MAX_COMMAND_CHARS \
                or depth > MAX_DEPTH:
            return memo[name]
        named = [k for k, p in enumerate(macro.params) if p.isidentifier() and
                 re.search(r"\b%s\s*[;),]" % re.escape(p), macro.text)]
        if not named:
            return memo[name]   # cheap reject before tokenizing
        body = macro.body
        texts = [t.text for t in body]
        if any(t in ("return", "goto", "static") for t in texts) or \
                any(a == "(" and b == "{" for a, b in zip(texts, texts[1:])):
            macro._body = None
            return memo[name]
        found = {k for k in named if _as_statement(texts, macro.params[k])}
        rest = [k for k in named if k not in found]
        if rest:
            for callee, args in _macro_calls(body, self.all):
                inner = self._command_params(callee, memo, depth + 1)
                for pos in inner:
                    if pos < len(args) and len(args[pos]) == 1:
                        found |= {k for k in rest if macro.params[k] == args[pos][0]}
        if not found:
            macro._body = None
        memo[name] = frozenset(found)
        return memo[name]

    def runs_lock_command(self, name: str, arg_toks: list[Token]) -> bool:
        """Is a lock primitive (or a macro expanded for one) given to a
        command parameter of macro ``name``?"""
        positions = self.commands.get(name)
        if not positions:
            return False
        args = split_top(arg_toks)
        return any(k < len(args) and any(t.kind == "id" and (t.text in self.primitives or t.text in self.expandable)
                                         for t in args[k]) for k in positions)

    def _qualifies(self, name: str, memo: dict[str, bool], depth: int) -> bool:
        if name in memo:
            return memo[name]
        memo[name] = False  # recursion guard
        if name in self.primitives or depth > MAX_DEPTH:
            return False
        text = self.all[name].text
        if "(" not in text or len(text) > MAX_BODY_CHARS:
            return False  # cheap reject before tokenizing: no call, or too long to be simple
        body = self.all[name].body
        call = _yielded_call(body)
        if call is not None and call[0].text not in self.names and call[0].text not in C_KEYWORDS:
            # ({ T v; __cond_lock(x, v = f(a)); v; }): the call's value is the macro's
            macro = self.all[name]
            self.all[name] = _Macro(name, macro.params, " ".join(t.text for t in call))
            memo[name] = True
            return True
        checked = self._without_checks(body)
        if checked is not None:
            # do { typecheck(unsigned long, flags); flags = f(x); } while (0):
            # the compile-time checks go, the rest is the macro's
            macro = self.all[name]
            self.all[name] = _Macro(name, macro.params, " ".join(t.text for t in checked))
            body = self.all[name].body
        if not _is_simple(body):
            return False
        called = [body[k].text for k in range(len(body) - 1)
                  if body[k].kind == "id" and body[k + 1].text == "(" and body[k].text not in C_KEYWORDS]
        ok = any(c in self.primitives for c in called) or \
            any(c in self.all and self._qualifies(c, memo, depth + 1) for c in called)
        # Forward only to a real function: a call to a macro we never expand
        # (drm_WARN, built with ``#``) would leave half-expanded text.
        if not ok and _is_forwarding_call(body, self.all[name].params) and called and called[0] not in self.names:
            ok = not called[0].startswith("__")
        memo[name] = ok
        return ok

    def _without_checks(self, body: tuple[Token, ...]) -> list[Token] | None:
        """A ``do { .. } while (0)`` body less its statements that are
        compile-time checks (:meth:`_is_check`: ``typecheck(unsigned long,
        flags);``), where it has any and something else; else None."""
        toks = list(body)
        close = _do_while_zero(toks)
        if close is None:
            return None
        stmts = split_top(toks[2:close], ";")
        kept = [st for st in stmts if st and not self._is_check(st)]
        if len(kept) == len([st for st in stmts if st]) or not kept:
            return None
        out = toks[:2]
        for st in kept:
            out += st + [token_at(";", st[-1])]
        return out + toks[close:]

    def _is_check(self, stmt: list[Token]) -> bool:
        """``NAME(args)`` of a macro whose body calls nothing but the
        compiler's own operators (``typecheck()``: ``({ type __dummy;
        typeof(x) __dummy2; (void)(&__dummy == &__dummy2); 1; })``), its
        arguments calling nothing either."""
        if len(stmt) < 3 or stmt[0].kind != "id" or stmt[1].text != "(" or match_close(stmt, 1) != len(stmt) - 1:
            return False
        macro = self.all.get(stmt[0].text)
        if macro is None or stmt[0].text in self.primitives or len(macro.text) > MAX_BODY_CHARS:
            return False
        for part in (macro.body, stmt[2:-1]):
            if any(part[k].kind == "id" and part[k + 1].text == "(" and part[k].text not in _COMPILER_OPS
                   for k in range(len(part) - 1)):
                return False
        return True


#: what a compile-time check may call: operators of the compiler, not functions
_COMPILER_OPS = frozenset(("typeof", "__typeof__", "__typeof", "sizeof", "_Static_assert",
                           "__builtin_types_compatible_p", "__alignof__", "_Alignof"))


#: The placeholder argument standing for a further part of a spread macro.
SPREAD_ARG = "__lc_spread_arg"


def _top_level_parts(body: str) -> int:
    """How many comma-separated expressions a macro body is (commas outside
    brackets, strings and character constants); 1 for a statement."""
    depth, parts, quote, k, n = 0, 1, "", 0, len(body)
    while k < n:
        c = body[k]
        if quote:
            if c == "\\":
                k += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == ";" and depth == 0:
            return 1
        elif c == "," and depth == 0:
            parts += 1
        k += 1
    return parts if depth == 0 else 1


MAX_BODY_TOKENS = 48
MAX_BODY_CHARS = 400
#: Longest body of a macro expanded for the commands it runs.
MAX_COMMAND_CHARS = 1200


def _as_statement(texts: list[str], param: str) -> bool:
    """Does ``param`` stand alone as a statement in a macro body (``;
    unlock_cmd;``, ``{ cmd; }``, ``else cmd;``), or in a statement list
    given as an argument (``___wait_event(.., cmd1; schedule(); cmd2)``)?"""
    for k, t in enumerate(texts):
        if t != param or k + 1 >= len(texts):
            continue
        prev = texts[k - 1] if k else ";"
        if texts[k + 1] == ";" and prev in (";", "{", "}", ")", "else", "do", ":", ","):
            return True
        if texts[k + 1] == ")" and prev == ";":
            return True
    return False


def _macro_calls(body: tuple[Token, ...], macros: dict) -> list[tuple[str, list[list[str]]]]:
    """The calls of other macros in a body: (name, argument texts)."""
    out = []
    for k in range(len(body) - 1):
        t = body[k]
        if t.kind == "id" and t.text in macros and body[k + 1].text == "(":
            close = match_close(list(body), k + 1)
            out.append((t.text, [[a.text for a in arg] for arg in split_top(list(body[k + 2:close]))]))
    return out


def _is_simple(body: tuple[Token, ...]) -> bool:
    """Short, no statement expression, no declarations: safe to paste."""
    if len(body) > MAX_BODY_TOKENS:
        return False
    texts = [t.text for t in body]
    if "static" in texts or any(a == "(" and b == "{" for a, b in zip(texts, texts[1:])):
        return False
    return not any(t in ("return", "goto", "typeof", "__lc_typeof_t") for t in texts)


def _yielded_call(body: tuple[Token, ...]) -> list[Token] | None:
    """``({ T *v; [wrap(x,] v = f(args)[)]; v; })``: a statement expression
    declaring one local, storing one call's result in it (maybe inside an
    annotation such as ``__cond_lock(&v->lock, v = f(args))``, whose other
    arguments call nothing) and yielding it: the tokens of ``f(args)``,
    else None (posix-timers' ``lock_timer()`` around ``__lock_timer()``)."""
    toks = list(body)
    if len(toks) < 12 or [t.text for t in toks[:2]] != ["(", "{"] or [t.text for t in toks[-2:]] != ["}", ")"]:
        return None
    stmts = split_top(toks[2:-2], ";")
    if len(stmts) != 4 or stmts[3] or len(stmts[2]) != 1:
        return None
    decl, store, value = stmts[0], stmts[1], stmts[2][0]
    if value.kind != "id" or len(decl) < 2 or decl[-1].text != value.text \
            or any(t.text in ("=", "(", "[", ",") for t in decl):
        return None
    at = [k for k, t in enumerate(store) if t.text == value.text and k + 3 < len(store)
          and store[k + 1].text == "=" and store[k + 2].kind == "id" and store[k + 3].text == "("]
    if len(at) != 1:
        return None
    k = at[0] + 2
    close = match_close(store, k + 1)
    if close < 0:
        return None
    rest = store[:at[0]] + store[close + 1:]
    # around it: annotation calls whose arguments call nothing, and parentheses
    calls = [j for j in range(len(rest) - 1) if rest[j].kind == "id" and rest[j + 1].text == "("]
    if len(calls) > 1 or (calls and calls[0] != 0) or any(t.text in ("=", "{", "}") for t in rest):
        return None
    return store[k:close + 1]


def _is_forwarding_call(body: tuple[Token, ...], params: tuple[str, ...] = ()) -> bool:
    """``f(...)`` alone, maybe in parentheses or ``do { f(...); } while (0)``;
    also its result stored in a parameter, ``P = f(...)`` (sched's
    ``raw_spin_rq_lock_irqsave(rq, flags)``: ``do { flags =
    _raw_spin_rq_lock_irqsave(rq); } while (0)``): left unexpanded, the
    call's effects (a lock held, interrupts off at its return) were lost."""
    toks = list(body)
    while toks and toks[0].text == "(" and match_close(toks, 0) == len(toks) - 1:
        toks = toks[1:-1]
    close = _do_while_zero(toks)
    if close is not None:
        toks = toks[2:close]
        if toks and toks[-1].text == ";":
            toks = toks[:-1]
    toks = _stored_call(toks, params)
    if len(toks) < 3 or toks[0].kind != "id" or toks[1].text != "(":
        return False
    return match_close(toks, 1) == len(toks) - 1


def _do_while_zero(toks: list[Token]) -> int | None:
    """Where the block of ``do { .. } while (0)`` (a ``;`` after it or
    not) closes; None for any other body."""
    if len(toks) < 7 or toks[0].text != "do" or toks[1].text != "{":
        return None
    close = match_close(toks, 1)
    if close < 0 or [t.text for t in toks[close + 1:]] not in (["while", "(", "0", ")"], ["while", "(", "0", ")", ";"]):
        return None
    return close


def _stored_call(toks: list[Token], params: tuple[str, ...]) -> list[Token]:
    """The call of ``P = f(...)`` / ``(P) = f(...)`` where ``P`` is one of
    ``params``; ``toks`` itself otherwise."""
    k = 0
    while k < len(toks) and toks[k].text == "(":
        k += 1
    if not params or k >= len(toks) or toks[k].text not in params or toks[k].kind != "id":
        return toks
    end = k + 1
    for _ in range(k):
        if end >= len(toks) or toks[end].text != ")":
            return toks
        end += 1
    return toks[end + 1:] if end < len(toks) and toks[end].text == "=" else toks


def expand_macros(toks: list[Token], index: MacroIndex | None, depth: int = 0,
                  budget: int = MAX_FUNCTION_TOKENS) -> list[Token]:
    """``toks`` with the expandable macros expanded; :class:`TooLarge`
    once the result outgrows ``budget`` tokens (a macro whose arguments
    are pasted several times grows geometrically with its depth)."""
    spread = getattr(index, "spread", None)
    if depth == 0 and spread:
        toks = _spread(toks, index, spread)
    if index is None or not (index.expandable or index.commands) or depth > MAX_DEPTH:
        return toks
    out: list[Token] = []
    i, n = 0, len(toks)
    changed = False
    while i < n:
        t = toks[i]
        if t.kind == "id" and i + 1 < n and toks[i + 1].text == "(" and \
                (t.text in index.expandable or (t.text in index.commands and
                                                index.runs_lock_command(t.text, toks[i + 2:match_close(toks, i + 1)]))) \
                and not (out and out[-1].text in (".", "->")):
            close = match_close(toks, i + 1)
            macro = index.all[t.text]
            if t.text in getattr(index, "pasting", ()):
                out += paste(macro.params, macro.body, toks[i + 2:close], t.line)
            else:
                out += _substitute(macro, toks[i + 2:close], t.line)
            if len(out) > budget:
                raise TooLarge(f"skipped: macro expansion grows past {budget} tokens")
            i = close + 1
            changed = True
            continue
        out.append(t)
        i += 1
    return expand_macros(out, index, depth + 1, budget) if changed else out


def _spread(toks: list[Token], index: MacroIndex, spread: dict[str, int]) -> list[Token]:
    """A call of a spread macro, never expanded, directly in an argument list
    (after ``(`` or ``,``, before ``)`` or ``,``): followed by a placeholder
    argument for each further part of its body."""
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "id" and t.text in spread and i + 1 < n and toks[i + 1].text == "(" and out \
                and out[-1].text in ("(", ",") and t.text not in index.expandable and t.text not in index.primitives:
            close = match_close(toks, i + 1)
            if 0 < close < n - 1 and toks[close + 1].text in (")", ","):
                out += toks[i:close + 1]
                for _ in range(spread[t.text] - 1):
                    out += [Token("punct", ",", t.line), Token("id", SPREAD_ARG, t.line)]
                i = close + 1
                continue
        out.append(t)
        i += 1
    return out


def terminate_statements(toks: list[Token], index: MacroIndex | None) -> list[Token]:
    """``toks`` with a ``;`` after each call, in statement position and
    followed by another statement, of a macro whose body ends with its own
    (``MacroIndex.terminated``)."""
    if index is None or not index.terminated:
        return toks
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "id" and t.text in index.terminated and i + 1 < n and toks[i + 1].text == "(" \
                and out and out[-1].text in _STATEMENT_BEFORE:
            close = match_close(toks, i + 1)
            nxt = toks[close + 1] if close + 1 < n else None
            if nxt is not None and (nxt.text == "{" or (nxt.kind == "id" and nxt.text != "else")):
                out += toks[i:close + 1]
                out.append(Token("punct", ";", toks[close].line))
                i = close + 1
                continue
        out.append(t)
        i += 1
    return out


_STATEMENT_BEFORE = frozenset((";", "{", "}", "else"))


def _substitute(macro: _Macro, arg_toks: list[Token], line: int) -> list[Token]:
    binding = bind_arguments(macro.params, arg_toks, line)
    out: list[Token] = []
    for t in macro.body:
        if t.kind == "id" and t.text in binding:
            out += [Token(a.kind, a.text, line) for a in binding[t.text]]
        else:
            out.append(Token(t.kind, t.text, line))
    return out

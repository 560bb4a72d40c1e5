"""Preprocessor directives without a preprocessor.

Policy for ``#if`` chains (documented in the README):

* ``#if 0`` branches are dropped; an ``#if 1`` branch is the only one kept;
* ``#ifdef``/``#ifndef``/``defined()``/``IS_ENABLED()`` of a symbol the user
  gave with ``--define``/``--undef`` are decided;
* every other chain keeps **all** branches (more code is seen, measured by
  the front-end spike), unless a branch leaves braces or parentheses
  unbalanced — then only the first live branch is kept;
* a chain testing whether a plain symbol is defined (``#ifdef COMP_IN_WQ``,
  not a ``CONFIG_`` option nor a reserved ``_X`` name) keeps its branches
  here, but records which lines are dead should the symbol be defined
  nowhere (:attr:`Preprocessed.guarded`): that is known only once the
  scan's files are all lexed (``frontend.pipeline.drop_undefined``);
* directive lines become blank lines so every token keeps its source line.

``#define`` and ``#include`` lines are harvested on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["MacroDef", "Preprocessed", "preprocess"]


@dataclass(frozen=True)
class MacroDef:
    """A ``#define``: ``params`` is None for an object-like macro."""

    name: str
    params: tuple[str, ...] | None
    body: str
    line: int


@dataclass(frozen=True)
class Preprocessed:
    text: str
    macros: tuple[MacroDef, ...]
    includes: tuple[tuple[str, str], ...]  # ('<' or '"', path)
    # (symbol, ((first, last line), ...)): the lines (1-based) dead if
    # the plain symbol is defined nowhere
    guarded: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()


@dataclass
class _Branch:
    kind: str
    cond: str
    body: list = field(default_factory=list)


@dataclass
class _Chain:
    branches: list[_Branch]


_DIRECTIVE = re.compile(r'\s*#\s*(\w*)\s*(.*)', re.S)
_DEFINE = re.compile(r'(\w+)(\(([^)]*)\))?\s*(.*)', re.S)
_INCLUDE = re.compile(r'\s*([<"])([^>"]+)[>"]')
_SYMBOL_TEST = re.compile(
    r'^(!)?\s*(?:defined\s*\(?\s*(\w+)\s*\)?|IS_ENABLED\s*\(\s*(\w+)\s*\)|IS_BUILTIN\s*\(\s*(\w+)\s*\))$')


def preprocess(text: str, defined: frozenset[str] = frozenset(),
               undefined: frozenset[str] = frozenset()) -> Preprocessed:
    """Apply the ``#if`` policy to comment-free ``text``."""
    lines = text.split("\n")
    root, macros, includes = _build_tree(lines)
    out = [""] * len(lines)
    guarded: list = []
    _emit(root, lines, out, defined, undefined, guarded)
    return Preprocessed("\n".join(out), tuple(macros), tuple(includes), tuple(guarded))


def _build_tree(lines: list[str]):
    """Group lines into nested conditional chains; harvest defines/includes."""
    root: list = []
    stack: list[tuple[_Chain, list]] = []
    current = root
    macros: list[MacroDef] = []
    includes: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i]) if "#" in lines[i] else None
        if not m or not lines[i].lstrip().startswith("#"):
            current.append(i)
            i += 1
            continue
        full, n = _join_continuations(lines, i)
        m = _DIRECTIVE.match(full)
        kw, rest = m.group(1), m.group(2).strip()
        if kw in ("if", "ifdef", "ifndef"):
            chain = _Chain([_Branch(kw, rest)])
            current.append(chain)
            stack.append((chain, current))
            current = chain.branches[-1].body
        elif kw in ("elif", "else", "elifdef", "elifndef") and stack:
            chain = stack[-1][0]
            chain.branches.append(_Branch(kw, rest))
            current = chain.branches[-1].body
        elif kw == "endif" and stack:
            current = stack.pop()[1]
        elif kw == "define":
            d = _DEFINE.match(rest)
            if d:
                params = tuple(p.strip() for p in d.group(3).split(",") if p.strip()) \
                    if d.group(2) is not None else None
                macros.append(MacroDef(d.group(1), params, d.group(4).strip(), i + 1))
        elif kw == "include":
            inc = _INCLUDE.match(rest)
            if inc:
                includes.append((inc.group(1), inc.group(2)))
        i += n
    return root, macros, includes


def _join_continuations(lines: list[str], i: int) -> tuple[str, int]:
    full, n = lines[i], 1
    while full.endswith("\\") and i + n < len(lines):
        full = full[:-1] + " " + lines[i + n]
        n += 1
    return full, n


def _emit(nodes: list, lines: list[str], out: list[str],
          defined: frozenset[str], undefined: frozenset[str], guarded: list) -> None:
    for node in nodes:
        if isinstance(node, int):
            out[node] = lines[node]
        else:
            kept = _kept_branches(node, lines, defined, undefined)
            guarded += _guards(node, kept, lines, defined, undefined)
            for branch in kept:
                _emit(branch.body, lines, out, defined, undefined, guarded)


def _guards(chain: _Chain, kept: list[_Branch], lines, defined, undefined) -> list:
    """Per plain symbol the chain tests, the lines of the kept branches
    that the chain drops when the symbol is not defined (only when it
    then keeps a subset of what it keeps now)."""
    out = []
    for symbol in dict.fromkeys(_symbol(b)[0] for b in chain.branches):
        if not symbol or not _plain(symbol) or symbol in defined or symbol in undefined:
            continue
        alt = _kept_branches(chain, lines, defined, undefined | {symbol})
        if not all(any(a is k for k in kept) for a in alt):
            continue
        dead = sorted(i + 1 for b in kept if not any(b is a for a in alt) for i in _flat_lines(b.body))
        if dead:
            out.append((symbol, _ranges(dead)))
    return out


def _plain(symbol: str) -> bool:
    """A symbol only a ``#define`` or a ``-D`` of the build defines: not a
    Kconfig option, not a name reserved for the compiler."""
    return not symbol.startswith(("CONFIG_", "_")) and symbol.isidentifier()


def _ranges(numbers: list[int]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for n in numbers:
        if out and out[-1][1] + 1 == n:
            out[-1][1] = n
        else:
            out.append([n, n])
    return tuple((a, b) for a, b in out)


def _kept_branches(chain: _Chain, lines, defined, undefined) -> list[_Branch]:
    live: list[_Branch] = []
    for branch in chain.branches:
        verdict = _decide(branch, defined, undefined)
        if verdict is True:
            return live[:1] if live else [branch]
        if verdict is None:
            live.append(branch)
    if len(live) > 1 and not all(_balanced(b, lines) for b in live):
        return live[:1]
    return live


def _decide(branch: _Branch, defined, undefined) -> bool | None:
    """True: certainly taken; False: certainly not; None: unknown (keep)."""
    if branch.kind == "else":
        return None
    cond = branch.cond.strip()
    if branch.kind in ("if", "elif") and cond in ("0", "(0)"):
        return False
    if branch.kind in ("if", "elif") and cond in ("1", "(1)"):
        return True
    symbol, negate = _symbol(branch)
    if not symbol:
        return None
    if symbol in defined:
        return not negate
    if symbol in undefined:
        return negate
    return None


def _symbol(branch: _Branch) -> tuple[str, bool]:
    """The symbol a branch tests for being defined ("" for none) and
    whether the branch is taken when it is not."""
    cond = branch.cond.strip()
    if branch.kind == "else":
        return "", False
    negate = branch.kind in ("ifndef", "elifndef")
    if branch.kind in ("ifdef", "ifndef", "elifdef", "elifndef"):
        return (cond.split()[0] if cond else ""), negate
    m = _SYMBOL_TEST.match(cond)
    if not m:
        return "", False
    return (m.group(2) or m.group(3) or m.group(4)), negate ^ bool(m.group(1))


def _balanced(branch: _Branch, lines: list[str]) -> bool:
    depth_brace = depth_paren = 0
    for idx in _flat_lines(branch.body):
        line = lines[idx]
        depth_brace += line.count("{") - line.count("}")
        depth_paren += line.count("(") - line.count(")")
    return depth_brace == 0 and depth_paren == 0


def _flat_lines(nodes: list):
    for node in nodes:
        if isinstance(node, int):
            yield node
        else:
            for b in node.branches:
                yield from _flat_lines(b.body)

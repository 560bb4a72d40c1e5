"""The front end as two steps the scan driver runs over a file set.

1. :func:`lex_file` — comments, ``#if`` policy, tokens, top-level items,
   defines and includes of one file (cheap; done for headers too);
2. :func:`parse_file` — every function of a ``.c`` (or a header's static
   inline functions on demand) expanded, normalised and parsed, with the
   :class:`TreeIndex` built from all lexed files supplying typedef names
   and lock-relevant macros.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lockcheck.frontend import normalize as norm
from lockcheck.frontend.bounds import TooLarge, over_limit
from lockcheck.frontend.conditionals import MacroDef, preprocess
from lockcheck.frontend.guard_classes import guard_class_items
from lockcheck.frontend.items import Item, split_items
from lockcheck.frontend.lexer import splice_lines, strip_comments, tokenize
from lockcheck.frontend.local_tables import local_static_tables
from lockcheck.frontend.macro_types import cast_macro_types
from lockcheck.frontend.macros import MacroIndex, expand_macros, terminate_statements
from lockcheck.frontend.parse import (KernelCParser, Outcome, ParsedFunction, defined_functions, function_name,
                                      parse_function)
from lockcheck.frontend.out_bits import merge_out_bits, out_bits
from lockcheck.frontend.predicates import merge_predicates, predicate_aliases
from lockcheck.frontend.typefacts import FileFacts, TypeRef, compound_literal_ops, harvest_facts
from lockcheck.frontend.value_uses import value_uses

__all__ = ["LexedFile", "TreeIndex", "lex_file", "build_index", "share_unit_statics", "parse_items",
           "drop_undefined"]


@dataclass(frozen=True)
class LexedFile:
    path: str
    items: tuple[Item, ...]
    macros: tuple[MacroDef, ...]
    includes: tuple[tuple[str, str], ...]
    lines: int
    # lines dead when a plain symbol is defined nowhere (frontend.conditionals)
    guarded: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()


def lex_file(path: str, text: str, defined=frozenset(), undefined=frozenset(),
             guard_classes: dict | None = None) -> LexedFile:
    """``guard_classes``: the shapes of guard-class definitions whose lock
    functions join the items (frontend.guard_classes)."""
    pre = preprocess(strip_comments(splice_lines(text)), defined, undefined)
    items = guard_class_items(split_items(tokenize(pre.text)), guard_classes or {})
    return LexedFile(path, tuple(items), pre.macros, pre.includes, text.count("\n") + 1, pre.guarded)


def drop_undefined(items, guarded, never_defined: frozenset[str]) -> list[Item]:
    """``items`` less the lines of ``#ifdef X`` branches (``#else`` of
    ``#ifndef X``…) dead because ``X`` is in ``never_defined``: a plain
    symbol that no lexed file ``#define``s and the build does not pass
    (``TreeIndex.never_defined``).  An item left without tokens is dropped."""
    dead = [r for symbol, ranges in guarded if symbol in never_defined for r in ranges]
    if not dead:
        return list(items)
    lines = {n for a, b in dead for n in range(a, b + 1)}
    out = []
    for item in items:
        if lines.isdisjoint(t.line for t in item.tokens):
            out.append(item)
            continue
        toks = tuple(t for t in item.tokens if t.line not in lines)
        if toks:
            out.append(Item(item.kind, toks))
    return out


def declaration_facts(lexed: LexedFile, model: norm.FrontendModel, definitions: dict) -> FileFacts:
    """Type facts of one file, read from its annotation-free declarations."""
    ctx = norm._Ctx(model)
    cleaned = []
    for item in lexed.items:
        toks = list(item.tokens)
        if item.kind == "function":
            # only the declarator is read: cleaning the body first was most
            # of this step's time, for tokens thrown away
            toks = toks[:_body_start(toks) + 1]
        toks = norm.gnu_expressions(norm.drop_annotations(toks, ctx), ctx)
        if item.kind == "function":
            body = next((k for k, t in enumerate(toks) if t.text == "{"), len(toks))
            toks = toks[:body + 1]
        cleaned.append(Item(item.kind, tuple(toks)))
    facts = harvest_facts(cleaned, definitions)
    def clean(toks):
        return norm.gnu_expressions(norm.drop_annotations(toks, ctx), ctx)
    for item in lexed.items:     # the bodies, for the tables filled by compound literals
        if item.kind == "function":      # and by function-local static initialisers
            compound_literal_ops(item.tokens, facts)
            local_static_tables(item.tokens, facts, clean)
    facts.value_uses = value_uses(item.tokens for item in lexed.items)
    facts.predicates = predicate_aliases(lexed.items, model.check_calls)
    facts.out_bits = out_bits(lexed.items)
    return facts


def _body_start(toks) -> int:
    """Index of a function item's opening brace: the first ``{`` outside
    parentheses (an annotation's arguments never hold one there)."""
    depth = 0
    for k, t in enumerate(toks):
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif t.text == "{" and depth <= 0:
            return k
    return len(toks)


@dataclass
class TreeIndex:
    """Merged facts of every lexed file: what parsing and extraction consult."""

    typedefs: frozenset[str] = frozenset()
    typedef_targets: dict[str, TypeRef] = field(default_factory=dict)
    structs: dict[str, dict[str, TypeRef]] = field(default_factory=dict)
    globals: dict[str, TypeRef] = field(default_factory=dict)
    # .c file (display path) -> the file-scope static objects its
    # translation unit sees (its own, then those of the .c files it is one
    # unit with: included_c): what `globals` holds of no file, since a
    # static is its unit's alone (TypeEnv.lookup reads these first)
    file_globals: dict[str, dict[str, TypeRef]] = field(default_factory=dict)
    returns: dict[str, TypeRef] = field(default_factory=dict)
    ops: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    ops_vars: dict[str, str] = field(default_factory=dict)
    var_fields: dict[tuple[str, str], str] = field(default_factory=dict)
    # global variable -> the members its designated initialiser names
    # (FileFacts.table_members): for the analysis only
    table_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    macros: MacroIndex | None = None
    # header path -> names of the functions it defines (parsed on demand)
    header_files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # file (display path) -> struct tag -> the file defining the layout of
    # the tag it sees, for tags with several (frontend.struct_homes)
    struct_homes: dict[str, dict[str, str]] = field(default_factory=dict)
    # object-like macros any lexed file defines (those the index keeps: a
    # type, a word, or 1), and the names the build passes with -D
    # (frontend.build_symbols): what IS_ENABLED(X) of a non-Kconfig X reads
    object_macros: frozenset[str] = frozenset()
    build_defines: frozenset[str] = frozenset()
    # plain symbols an #ifdef of a lexed file tests that no lexed file
    # defines and the build does not pass (frontend.build_symbols)
    never_defined: frozenset[str] = frozenset()
    # for the analysis only (parsing never reads them): (struct type, field)
    # -> (file, function) of every initialiser storing one there, so a
    # static function is the one of the file that stores it; and .c file ->
    # the .c files it #includes (one translation unit: ehci-hcd.c and its
    # ehci-q.c share their statics)
    ops_sites: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    included_c: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # every lexed file (display path) -> the lexed files it #includes: whose
    # header functions a call can reach (analysis.header_scope); analysis only
    includes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # name of a function-like macro and a function -> (files defining the
    # macro, files declaring the function): frontend.include_graph.macro_clashes
    macro_clashes: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    # (file, array) -> the functions a file-scope array of function pointers
    # holds (FileFacts.fn_arrays): a call by index reaches each
    fn_arrays: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # lexed file (display path) -> the member stores and other value uses of
    # the names it stores into members (frontend.value_uses); analysis only
    value_uses: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # as ops_sites, for the initialisers ops leaves out (an array of
    # structs' elements, a typedef'd table: FileFacts.element_stores)
    table_sites: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    # upper-case object-like macros with an integer value (every definition
    # agreeing) that the scanned files' functions name (frontend.constants)
    integer_macros: dict[str, int] = field(default_factory=dict)
    # a predicate that is another call under a new name -> (that call,
    # argument templates): frontend.predicates, read by analysis.pred_keys
    predicates: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # a function writing back a flag word through a pointer -> the bits it
    # rejects on entry and those it may set: frontend.out_bits, read by analysis.known_bits
    out_bits: dict[str, tuple] = field(default_factory=dict)


def build_index(facts: list[FileFacts], macro_defs: list[MacroDef], model: norm.FrontendModel,
                lock_primitives: frozenset[str], key_annotations: frozenset[str] = frozenset(),
                key_never: frozenset[str] = frozenset(), units: list[str | None] | None = None) -> TreeIndex:
    """Merge per-file facts; earlier files win on conflicts (deterministic order).
    ``units``, one per fact: the .c file (display path) that owns that
    file's ``static`` objects (they go to ``file_globals``), or None (a
    header: its statics are every includer's, merged as globals)."""
    idx = TreeIndex()
    owners = units if units is not None else [None] * len(facts)
    typedefs = set(model.builtin_typedefs)
    shared: dict[TypeRef, TypeRef] = {}   # one object per distinct type (each file's facts
    one = shared.setdefault               # arrive with their own copies)
    for f, owner in zip(facts, owners, strict=True):
        for name, target in f.typedefs.items():
            typedefs.add(name)
            if target is not None and name not in idx.typedef_targets:
                idx.typedef_targets[name] = one(target, target)
        for s, fields in f.structs.items():
            merged = idx.structs.setdefault(s, {})
            for k, v in fields.items():
                if k not in merged:
                    merged[k] = one(v, v)
        for k, v in f.globals.items():
            if owner is not None and k in f.statics:
                idx.file_globals.setdefault(owner, {})[k] = one(v, v)
            elif k not in idx.globals:
                idx.globals[k] = one(v, v)
        for k, v in f.returns.items():
            if k not in idx.returns:
                idx.returns[k] = one(v, v)
        for k, v in f.ops.items():
            lst = idx.ops.setdefault(k, [])
            lst.extend(x for x in v if x not in lst)
        for k, v in f.ops_vars.items():
            idx.ops_vars.setdefault(k, v)
        for k, v in f.var_fields.items():
            idx.var_fields.setdefault(k, v)
        for k, v in f.table_members.items():
            idx.table_members.setdefault(k, v)
    idx.predicates = merge_predicates(f.predicates for f in facts)
    idx.out_bits = merge_out_bits(f.out_bits for f in facts)
    typedefs |= type_alias_macros(macro_defs, typedefs)
    idx.typedefs = frozenset(typedefs - model.never_typedefs)
    # A macro that stands for a real function in another configuration
    # (`#else #define f(x) g(x)`) must not hide that function.
    idx.macros = MacroIndex(macro_defs, lock_primitives, frozenset(idx.returns), key_annotations, key_never)
    # a macro that is a cast types its calls as a function returning the type would
    for name, ref in sorted(cast_macro_types(macro_defs, idx.typedefs, idx.returns).items()):
        idx.returns[name] = one(ref, ref)
    idx.object_macros = frozenset(d.name for d in macro_defs if d.params is None)
    call_macro_globals(macro_defs, idx.globals, idx.returns)
    return idx


def share_unit_statics(file_globals: dict[str, dict[str, TypeRef]],
                       units: dict[str, tuple[str, ...]]) -> None:
    """A .c file sees the statics of the .c files it is one translation unit
    with (``units``: analysis.program.translation_units of ``included_c``;
    ehci-hcd.c and its ehci-q.c): its own first, then theirs in order."""
    merged = {}
    for f, others in units.items():
        seen = dict(file_globals.get(f, {}))
        for g in others:
            for k, v in file_globals.get(g, {}).items():
                seen.setdefault(k, v)
        if seen:
            merged[f] = seen
    file_globals.update(merged)


CALL_BODY = re.compile(r"\(\s*([A-Za-z_]\w*)\s*\(\s*\)\s*\)|([A-Za-z_]\w*)\s*\(\s*\)")


def call_macro_globals(macro_defs: list[MacroDef], globals_: dict[str, TypeRef],
                       returns: dict[str, TypeRef]) -> None:
    """An object-like macro that is a call without arguments of a function
    whose type is known (``#define current get_current()``) reads as a
    global of that type: ``&current->sighand->siglock`` is the siglock of a
    ``struct sighand_struct``, the class the same lock has through a local
    (``sighand = current->sighand``).  The first definition wins."""
    for d in macro_defs:
        if d.params is None and d.name not in globals_:
            m = CALL_BODY.fullmatch(d.body.strip())
            callee = m and (m.group(1) or m.group(2))
            if callee in returns:
                globals_[d.name] = returns[callee]


def type_alias_macros(macro_defs: list[MacroDef], typedefs: set[str]) -> set[str]:
    """Object-like macros that stand for a type (``#define Elf_Ehdr
    Elf64_Ehdr``, ``#define ULL unsigned long long``) are type names too:
    without a preprocessor they appear where pycparser expects a type."""
    out: set[str] = set()
    for d in macro_defs:
        if d.params is None and d.body and d.name not in typedefs:
            body = tokenize(d.body)
            if body and norm._is_type_name(body, typedefs) and body[-1].text != "*" and \
                    any(t.text not in _QUALIFIERS for t in body):
                out.add(d.name)
    return out


_QUALIFIERS = frozenset(("const", "volatile", "restrict"))
_PARSER: KernelCParser | None = None


def _parser() -> KernelCParser:
    global _PARSER
    if _PARSER is None:
        _PARSER = KernelCParser()
    return _PARSER


def parse_items(path: str, items, index: TreeIndex, model: norm.FrontendModel,
                local_typedefs: frozenset[str] = frozenset(),
                functions: frozenset[str] | None = None) -> list[ParsedFunction]:
    """Parse each function item of one file; one over the bounds of
    :mod:`lockcheck.frontend.bounds` is a failed function with the reason.
    ``functions``: the names the file defines as functions (default: those
    of ``items``), none of them a type name in it (parse.defined_functions)."""
    typedefs = index.typedefs | local_typedefs if local_typedefs else index.typedefs
    shadowed = typedefs & (defined_functions(items) if functions is None else functions)
    if shadowed:
        typedefs = typedefs - shadowed
    out = []
    for item in items:
        if item.kind != "function":
            continue
        toks = list(item.tokens)
        try:
            reason = over_limit(toks)
            if reason is None:
                toks = terminate_statements(expand_macros(toks, index.macros), index.macros)
                reason = over_limit(toks, " after macro expansion")
        except TooLarge as exc:
            reason = str(exc)
        if reason is not None:
            out.append(_skipped(path, item.tokens, reason))
            continue
        toks = norm.normalize_function(toks, model, typedefs)
        if not toks:
            continue
        try:
            out.append(parse_function(toks, path, _parser(), typedefs, model.never_typedefs))
        except RecursionError:   # below the nesting bound, yet too deep for this stack
            out.append(_skipped(path, item.tokens, "skipped: nesting too deep to parse"))
    return out


def _skipped(path: str, toks, reason: str) -> ParsedFunction:
    return ParsedFunction(function_name(list(toks)), path, toks[0].line, toks[-1].line, Outcome.FAILED, None,
                          reason, toks[0].line)

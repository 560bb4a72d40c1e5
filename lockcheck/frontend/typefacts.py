"""Type facts read at token level from declarations: typedefs, struct
fields, typed globals, function return types, ops-table initialisers.

Token level (not pycparser) on purpose: struct bodies and file-scope
declarations are full of macros (``DECLARE_BITMAP``, ``struct_group``,
``____cacheline_aligned``) that would fail a parse, while the facts the
lock analysis needs — *field F of struct S has type T* — survive a simple
scan.  What cannot be read is skipped, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lockcheck.frontend.items import Item
from lockcheck.frontend.lexer import C_KEYWORDS, Token, match_close, split_top

__all__ = ["TypeRef", "FUNCTION_TYPE", "function_pointer", "FileFacts", "harvest_facts", "compound_literal_ops", "local_static_initialiser",
           "read_declaration", "head_index", "is_macro_declaration"]

_TAGS = ("struct", "union", "enum")
_QUALIFIERS = frozenset("""const volatile static extern inline register auto restrict signed
unsigned short long int char void float double _Bool""".split())
_PRIMITIVE = frozenset("signed unsigned short long int char void float double _Bool".split())


@dataclass(frozen=True, order=True, slots=True, repr=False)
class TypeRef:
    """A type as the analysis needs it: ``base`` is ``struct kvm``,
    ``spinlock_t``, ``int`` or ``fnptr``; ``pointers`` counts ``*``.
    Slotted, and shared per value in the tree index: a whole tree has
    over a million of them but only tens of thousands of distinct ones."""

    base: str
    pointers: int = 0

    def __reduce__(self):
        # not the slotted dataclass's __getstate__/__setstate__ pair: every
        # file's lex summary pickles its types, two Python calls each
        return TypeRef, (self.base, self.pointers)

    def __repr__(self) -> str:
        # the dataclass default, without its recursion guard: the tree
        # index's digest reprs over a million of these
        return f"TypeRef(base={self.base!r}, pointers={self.pointers!r})"

    def deref(self) -> "TypeRef":
        return TypeRef(self.base, max(self.pointers - 1, 0))

    def addr(self) -> "TypeRef":
        return TypeRef(self.base, self.pointers + 1)


#: The base of a function type's typedef (``typedef void (hook)(int);``):
#: a ``hook *`` is a function pointer (:func:`function_pointer`).
FUNCTION_TYPE = "fntype"


def function_pointer(target: TypeRef, pointers: int) -> TypeRef | None:
    """A typedef's ``target`` used with ``pointers`` more stars: the
    function pointer it makes when the target is a function type and one
    star is given (a plain ``fnptr`` for ``hook *``), else None."""
    if target.base == FUNCTION_TYPE and target.pointers + pointers >= 1:
        return TypeRef("fnptr", target.pointers + pointers - 1)
    return None


@dataclass
class FileFacts:
    """Facts from one file (a header or a ``.c``), merged later per tree."""

    typedefs: dict[str, TypeRef | None] = field(default_factory=dict)
    structs: dict[str, dict[str, TypeRef]] = field(default_factory=dict)
    globals: dict[str, TypeRef] = field(default_factory=dict)
    returns: dict[str, TypeRef] = field(default_factory=dict)
    # (struct type, field) -> function names stored there by initialisers
    ops: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # global variable -> its struct type, for tables initialised by name
    ops_vars: dict[str, str] = field(default_factory=dict)
    # (global variable, field) -> function stored there by its initialiser
    var_fields: dict[tuple[str, str], str] = field(default_factory=dict)
    # a file-scope array of function pointers -> the functions its
    # initialiser lists (``static void (*handlers[])(..) = { a, b }``)
    fn_arrays: dict[str, list[str]] = field(default_factory=dict)
    # global variable -> the line of its initialiser (analysis.ops_sequences)
    table_lines: dict[str, int] = field(default_factory=dict)
    # global variable -> every member its initialiser names, whatever the
    # value, when that initialiser is designated only ("= { .a = f, .b =
    # NULL }"): a member it does not name is NULL (analysis.pointsto)
    table_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the names in ``globals`` declared ``static``: in a .c file they are
    # its translation unit's alone (TreeIndex.file_globals), never another
    # file's (hpet.c's `static rtc_irq_handler irq_handler;` is no
    # ohci.c's irq_handler)
    statics: set[str] = field(default_factory=set)
    # file-scope items that are a macro call, alone or before an
    # initialiser (``DEFINE_SCHED_CLASS(dl) = { .. }``): read once the
    # scan's macros are known (frontend.macro_tables)
    macro_decls: list[tuple[Token, ...]] = field(default_factory=list)
    # name -> the members it is stored into, OTHER first when it has other
    # value uses too (frontend.value_uses; for the analysis only)
    value_uses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (struct or typedef name, field) -> function names stored there by the
    # initialisers ``ops`` leaves out (_element_stores; analysis only)
    element_stores: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # predicate -> (the call it returns, argument templates): frontend.predicates
    predicates: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # flag words written back through a pointer: frontend.out_bits
    out_bits: dict[str, tuple] = field(default_factory=dict)


def harvest_facts(items: list[Item], definitions: dict) -> FileFacts:
    facts = FileFacts()
    for item in items:
        toks = list(item.tokens)
        if not toks:
            continue
        if item.kind == "function":
            _function_return(toks, facts)
        elif toks[0].text == "typedef":
            _typedef(toks, facts)
        else:
            _declaration(toks, facts, definitions)
    return facts


def _split_top(toks: list[Token], sep: str) -> list[list[Token]]:
    return [p for p in split_top(toks, sep) if p]

def _base_type(toks: list[Token], facts: FileFacts, anon_name: str) -> tuple[str | None, int]:
    """Read the specifiers; return (base, index after specifiers).  A tag
    with a body has its fields recorded (anonymous ones under ``anon_name``).
    An integer type is ``int``, or ``unsigned int`` with ``unsigned`` among
    the specifiers (``unsigned char``, ``long unsigned``): the sign is all
    the analysis asks of it (``typing.unsigned_ref``)."""
    base, i = _specifiers(toks, facts, anon_name)
    if base == "int":
        depth = 0           # not a token of an enum's body
        for t in toks[:i]:
            depth += (t.text == "{") - (t.text == "}")
            if depth == 0 and t.text == "unsigned":
                return "unsigned int", i
    return base, i


def _specifiers(toks: list[Token], facts: FileFacts, anon_name: str) -> tuple[str | None, int]:
    i, n = 0, len(toks)
    base = None
    while i < n:
        t = toks[i]
        if t.text in _TAGS:
            tag = t.text
            i += 1
            name = None
            if i < n and toks[i].kind == "id":
                name = toks[i].text
                i += 1
            if i < n and toks[i].text == "{":
                close = match_close(toks, i)
                struct_name = f"{tag} {name or anon_name}"
                if tag != "enum":
                    _struct_body(toks[i + 1:close], struct_name, facts)
                i = close + 1
                base = struct_name if tag != "enum" else "int"
            else:
                base = f"{tag} {name}" if name else None
            continue
        if t.text in _QUALIFIERS:
            if t.text in _PRIMITIVE and base is None:
                base = "int" if t.text not in ("void", "char") else t.text
            i += 1
            continue
        if t.kind == "id" and base is None and t.text not in C_KEYWORDS:
            # a typedef name, unless it is the declarator itself
            nxt = toks[i + 1].text if i + 1 < n else ";"
            if nxt in ("*", "(") or (i + 1 < n and toks[i + 1].kind == "id"):
                base = t.text
                i += 1
                continue
            if nxt in (";", ",", "[", "=", ":") and i > 0:
                return base, i
            base = t.text
            i += 1
            continue
        break
    return base, i


def _declarators(toks: list[Token], base: str) -> list[tuple[str, TypeRef]]:
    out = []
    for part in _split_top(toks, ","):
        stars, name, fnptr = 0, None, False
        k = 0
        while k < len(part):
            t = part[k]
            if t.text == "*":
                stars += 1
            elif t.text == "(" and k + 1 < len(part) and part[k + 1].text == "*":
                # (*name)(...) or (*name[N])(...)
                fnptr = True
                j = k + 1
                while j < len(part) and part[j].text == "*":
                    j += 1
                if j < len(part) and part[j].kind == "id":
                    name = part[j].text
                break
            elif t.kind == "id" and t.text not in C_KEYWORDS:
                name = t.text
                if k + 1 < len(part) and part[k + 1].text == "(":
                    break  # a prototype: name(params)
                break
            elif t.text in ("[", ":", "=", "("):
                break
            k += 1
        if name:
            out.append((name, TypeRef("fnptr", 0) if fnptr else TypeRef(base, stars)))
    return out


def _struct_body(toks: list[Token], struct_name: str, facts: FileFacts) -> None:
    fields = facts.structs.setdefault(struct_name, {})
    for member in _split_top(toks, ";"):
        if member[0].kind == "id" and len(member) > 1 and member[1].text == "(" and \
                member[0].text not in C_KEYWORDS and member[0].text.isupper():
            continue  # DECLARE_BITMAP(x, n) and friends
        anon = f"{struct_name.split()[-1]}.anon{member[0].line}"
        base, i = _base_type(member, facts, anon)
        if base is None:
            continue
        decls = _declarators(member[i:], base)
        if not decls and base.endswith(anon):
            # anonymous struct/union member: its fields belong to the parent
            fields.update(facts.structs.get(base, {}))
        for name, ref in decls:
            fields[name] = ref


def _typedef(toks: list[Token], facts: FileFacts) -> None:
    body = toks[1:-1] if toks[-1].text == ";" else toks[1:]
    if not body:
        return
    # typedef T (*name)(...);: a function pointer; typedef T (name)(...);: a
    # function type, `name *p` a function pointer (hp_sdc's `typedef void
    # (hp_sdc_irqhook)(..)`, `hp_sdc_irqhook *hil`); not a function-pointer
    # member of `typedef struct s { int (*open)(..); } s_t;`
    depth = 0
    for k, a in enumerate(body[:-2]):
        if a.text == "{":
            depth += 1
        elif a.text == "}":
            depth -= 1
        elif depth == 0 and a.text == "(":
            b, c = body[k + 1], body[k + 2]
            if b.text == "*" and c.kind == "id":
                facts.typedefs[c.text] = TypeRef("fnptr")
                return
            if b.kind == "id" and c.text == ")" and k + 3 < len(body) and body[k + 3].text == "(":
                facts.typedefs[b.text] = TypeRef(FUNCTION_TYPE)
                return
    base, i = _base_type(body, facts, _typedef_anon_name(body, toks[0].line))
    names = _declarators(body[i:], base or "int")
    if not names and i > 0 and body[i - 1].kind == "id":
        facts.typedefs[body[i - 1].text] = None
    for name, ref in names:
        facts.typedefs[name] = ref


def _typedef_anon_name(body: list[Token], line: int) -> str:
    """The name of an anonymous struct a typedef introduces: the typedef's
    own (``typedef struct { ... } seqlock_t;`` is ``struct seqlock_t``), so
    two headers' anonymous structs on the same line are not one type (and
    its lock not one class); ``anon<line>`` where the name is not plain."""
    if len(body) >= 2 and body[-1].kind == "id" and body[-2].text == "}":
        return body[-1].text
    return f"anon{line}"


def read_declaration(toks: list[Token], facts: FileFacts, definitions: dict) -> bool:
    """A declaration a macro expanded to (frontend.macro_tables), read as a
    file-scope one; did it define an object?"""
    return _declaration(toks, facts, definitions, pend=False)


def _declaration(toks: list[Token], facts: FileFacts, definitions: dict, pend: bool = True) -> bool:
    head = toks[0]
    k = 0
    while k < len(toks) and toks[k].text in ("static", "extern", "const"):
        k += 1
    static = any(t.text == "static" for t in toks[:k])
    if k < len(toks) and toks[k].text in definitions and k + 1 < len(toks) and toks[k + 1].text == "(":
        name = _definition_macro(toks[k:], facts, definitions[toks[k].text])
        if name is not None:
            (facts.statics.add if static else facts.statics.discard)(name)
        return name is not None
    if pend and is_macro_declaration(toks):
        facts.macro_decls.append(tuple(toks))
        return False
    eq = next((j for j, t in enumerate(toks) if t.text == "="), None)
    decl = toks[:eq] if eq is not None else toks[:-1] if toks[-1].text == ";" else toks
    base, i = _base_type(decl, facts, f"anon{head.line}")
    if base is None:
        return False
    defined = False
    for name, ref in _declarators(decl[i:], base):
        rest = decl[i:]
        if _is_prototype(rest, name):
            facts.returns.setdefault(name, ref)
        else:
            facts.globals[name] = ref
            defined = True
            if static or any(t.text == "static" for t in decl[:i]):
                facts.statics.add(name)
            else:
                facts.statics.discard(name)    # `static T x; ... T x;`: the last one read
            if eq is not None and base.startswith("struct "):
                _ops_initialiser(toks[eq + 1:], base, name, facts)
            elif eq is not None and ref.base == "fnptr" and _is_array(rest, name):
                _array_initialiser(toks[eq + 1:], name, facts)
            if eq is not None and ref.base != "fnptr":
                _element_stores(toks[eq + 1:], base, facts)
    return defined


def _element_stores(toks: list[Token], base: str, facts: FileFacts) -> None:
    """What ``ops`` leaves out: the elements of an array of structs (``= {
    { .func = f }, { .. } }``) and a table whose type is a typedef name
    (``kdbtab_t``), under that name (TreeIndex.table_sites resolves it):
    member -> function, for analysis.table_entries only."""
    if not toks or toks[0].text != "{":
        return
    scratch = FileFacts()
    if len(toks) > 1 and toks[1].text in ("{", "["):
        for part in _split_top(toks[1:match_close(toks, 0)], ","):
            if part[0].text == "[":
                eq = next((j for j, t in enumerate(part) if t.text == "="), len(part) - 1)
                part = part[eq + 1:]
            _ops_initialiser(part, base, None, scratch)
    elif not base.startswith(("struct ", "union ")):
        _ops_initialiser(toks, base, None, scratch)
    for k, names in scratch.ops.items():
        facts.element_stores.setdefault(k, []).extend(names)


def _is_array(rest: list[Token], name: str) -> bool:
    """``(*name[N])``: the declarator is an array (of function pointers)."""
    return any(a.text == name and b.text == "[" for a, b in zip(rest, rest[1:]))


def _array_initialiser(toks: list[Token], name: str, facts: FileFacts) -> None:
    """``= { a, &b, [IDX] = c, NULL }``: the functions an array of function
    pointers holds (any element: a call by index reaches each)."""
    if not toks or toks[0].text != "{":
        return
    close = match_close(toks, 0)
    found: list[str] = []
    for part in _split_top(toks[1:close], ","):
        if part and part[0].text == "[":      # a designator: [IDX] = value
            eq = next((j for j, t in enumerate(part) if t.text == "="), None)
            part = part[eq + 1:] if eq is not None else []
        if part and part[0].text == "&":
            part = part[1:]
        if len(part) == 1 and part[0].kind == "id" and part[0].text != "NULL" and part[0].text not in found:
            found.append(part[0].text)
    if found:
        facts.fn_arrays[name] = found


def _is_prototype(rest: list[Token], name: str) -> bool:
    for a, b in zip(rest, rest[1:]):
        if a.text == name and b.text == "(":
            return True
    return False


def _definition_macro(toks: list[Token], facts: FileFacts, spec: dict) -> str | None:
    """``DEFINE_MUTEX(m)``, ``DEFINE_PER_CPU(T, v)``: the global it defines
    (its name, or None when none is read)."""
    close = match_close(toks, 1)
    args = _split_top(toks[2:close], ",")
    try:
        name_tok = args[spec["name_arg"]]
    except IndexError:
        return None
    name = name_tok[-1].text if name_tok else None
    if not name:
        return None
    if "type" in spec:
        facts.globals[name] = TypeRef(spec["type"])
        return name
    tparts = args[spec["type_arg"]]
    base, _ = _base_type(tparts, facts, "anon")
    stars = sum(1 for t in tparts if t.text == "*")
    if base:
        facts.globals[name] = TypeRef(base, stars)
        return name
    return None


def _ops_initialiser(toks: list[Token], struct_type: str, var: str | None, facts: FileFacts,
                     prefix: str = "") -> None:
    """``= { .set_msr = vmx_set_msr, .x = &y, ... }``: field → function.  A
    member struct's own initialiser (``.callbacks = { .gro_receive = f }``)
    stores under the dotted member (``callbacks.gro_receive``); ``var`` is
    None for a compound literal (``(struct net_protocol) { .handler = f }``)."""
    if not toks or toks[0].text != "{":
        return
    if var is not None and not prefix:
        facts.ops_vars[var] = struct_type
        facts.table_lines[var] = toks[0].line
    close = match_close(toks, 0)
    named: list[str] = []
    designated = True
    for part in _split_top(toks[1:close], ","):
        if not part:
            continue
        if var is not None and not prefix and len(part) >= 5 and part[0].text == "[" \
                and part[2].text == "]" and part[3].text == "=" and part[4].text == "{" \
                and part[1].kind in ("id", "num"):
            # an element of an array of structs: `[CPUHP_AP_HRTIMERS_DYING] = { .. }`
            # stores under `[INDEX].member` (analysis.state_ranges reads the index)
            designated = False
            _ops_initialiser(part[4:], struct_type, None, facts, f"[{part[1].text}].")
            continue
        k = 0
        while k + 2 < len(part) and part[k].text == "." and part[k + 1].kind == "id":
            k += 2     # `.teardown.single = f`: a member of a member, dotted
        if not (k and len(part) > k + 1 and part[k].text == "="):
            designated = False
        else:
            member = prefix + ".".join(part[j].text for j in range(1, k, 2))
            named.append(member)
            value = part[k + 1:]
            if value[0].text == "{":
                _ops_initialiser(value, struct_type, var, facts, member + ".")
                continue
            if value[0].text == "&":
                value = value[1:]
            if len(value) == 3 and value[0].text == "(" and value[2].text == ")":
                value = value[1:2]     # a macro's parenthesised argument: `.function = (_function)`
            if len(value) == 1 and value[0].kind == "id":
                facts.ops.setdefault((struct_type, member), []).append(value[0].text)
                if var is not None:
                    facts.var_fields[(var, member)] = value[0].text
    if var is not None and not prefix and designated:
        facts.table_members[var] = tuple(named)


def compound_literal_ops(toks, facts: FileFacts) -> None:
    """``x = (struct net_protocol) { .handler = tcp_v4_rcv, .. }`` in a
    function body fills an ops table as an initialiser does."""
    for j in range(4, len(toks)):
        if toks[j].text == "{" and toks[j - 1].text == ")" and toks[j - 4].text == "(" \
                and toks[j - 3].text in ("struct", "union") and toks[j - 2].kind == "id":
            _ops_initialiser(list(toks[j:]), f"{toks[j - 3].text} {toks[j - 2].text}", None, facts)


def local_static_initialiser(toks: list[Token], facts: FileFacts) -> None:
    """``static const struct net_device_ops o = { .ndo_open = f };`` in a
    function body (cleaned tokens, frontend.local_tables) fills the ops
    table as a file-scope initialiser does, under no variable: the name
    is the function's, no global's."""
    eq = next((j for j, t in enumerate(toks) if t.text == "="), None)
    if eq is None:
        return
    decl = toks[:eq]
    base, i = _base_type(decl, FileFacts(), "anon")   # a local struct body is no tree fact
    if base is None or not base.startswith("struct "):
        return
    names = _declarators(decl[i:], base)
    if len(names) == 1 and not _is_prototype(decl[i:], names[0][0]):
        _ops_initialiser(toks[eq + 1:], base, None, facts)


_STORAGE = ("static", "extern", "const")


def head_index(toks) -> int:
    k = 0
    while k < len(toks) and toks[k].text in _STORAGE:
        k += 1
    return k


def is_macro_declaration(toks) -> bool:
    """``[static] NAME(args) [= {..}] [;]``: a file-scope item that is a
    macro call, alone or followed by an initialiser list."""
    k = head_index(toks)
    if k + 2 >= len(toks) or toks[k].kind != "id" or toks[k].text in C_KEYWORDS \
            or toks[k + 1].text != "(" or toks[k + 2].text == "*":
        return False     # `T (*fn)(..)`: a function pointer of a typedef'd type
    close = match_close(toks, k + 1)
    rest = [t.text for t in toks[close + 1:]]
    return rest in ([], [";"]) or rest[:2] == ["=", "{"]


def _function_return(toks: list[Token], facts: FileFacts) -> None:
    paren = next((k for k, t in enumerate(toks) if t.text == "("), None)
    if paren is None or paren == 0 or toks[paren - 1].kind != "id":
        return
    name = toks[paren - 1].text
    head = [t for t in toks[:paren - 1] if t.text not in ("static", "inline", "extern")]
    if not head:
        return
    base, i = _base_type(head, facts, "anon")
    if base:
        stars = sum(1 for t in head[i:] if t.text == "*")
        facts.returns.setdefault(name, TypeRef(base, stars))

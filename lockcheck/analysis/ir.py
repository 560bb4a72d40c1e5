"""The lock IR: what extraction keeps of a function, as plain frozen data.

A function becomes a tree of statements that matter for locking —
acquisitions, releases, calls, branches, loops, jumps — and nothing else.
It is small, picklable and cacheable; the AST is dropped right after.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

__all__ = ["base_variable",
    "LockRef", "Acquire", "Release", "Absent", "Assert", "Call", "Assign", "Block", "If", "Loop",
    "Switch", "CaseLabel", "Jump", "Label", "Return", "CondEffect", "CondCall", "CondVar",
    "CondNot", "CondAnd", "CondOr", "CondOpaque", "CondConst", "CondRunning", "FunctionIR", "EffectAssign", "forget_shared",
    "forget_loaded_tuples",
]


class _Compact:
    """Unpickles sharing what a whole tree repeats.

    A scan's IR reaches the parent file by file (from the workers and the
    cache), each file bringing its own copies of the same names: 153k
    strings with 23k distinct values in 189 files measured.  Strings are
    interned on the way in, and nodes that are pure values (lock
    references, jumps, labels, empty blocks) are shared.
    """

    __slots__ = ()

    def __reduce__(self):
        return _RESTORERS[type(self)], tuple([getattr(self, n) for n in self.__slots__])


_SHARED: dict = {}
_intern = sys.intern
#: Equal tuple fields (call arguments, forwarded parameters, constants,
#: parameter lists ...) share one tuple, its strings interned: the
#: ``fs net`` subset's IR held 1.25 million copies of tuples already held
#: (64 MiB of its 289), and 683 thousand copies of strings.
_TUPLES: dict = {}


def _share_tuple(value):
    """The one instance of a tuple field's value (see ``_TUPLES``)."""
    if not value or value.__class__ is not tuple:
        return value
    found = _TUPLES.get(value)
    if found is None:
        found = tuple([_intern(x) if x.__class__ is str else _share_tuple(x) if x.__class__ is tuple else x
                       for x in value])
        _TUPLES[found] = found
    return found


def forget_shared() -> None:
    """Drop the table of shared value nodes: a scan's IR keeps its own
    references; a long-lived process must not keep every past scan's."""
    _SHARED.clear()
    _TUPLES.clear()


def forget_loaded_tuples() -> None:
    """Drop the tables of shared tuples and value nodes once every IR is
    loaded (they only matter while IR is unpickled, and on a whole tree
    they are large; kept, they also keep alive every value node of the
    bodies the analysis frees once walked: ``kernel mm fs net``, 31 MB at
    the end of its large recursion)."""
    _TUPLES.clear()
    _SHARED.clear()


@dataclass(frozen=True, order=True, slots=True)
class LockRef(_Compact):
    """A lock class as written at one site.

    ``key`` identifies the class: ``g:NAME`` (a global or implicit lock),
    ``f:STRUCT:PATH`` (a struct field, whatever the path to it),
    ``p:N`` (the function's N-th parameter, resolved by callers),
    ``u:FILE:FUNCTION:TEXT`` (an expression that names no class once
    locals are resolved: one per function, never joined to another),
    ``k:KEY`` (the static key a ``lockdep_set_class`` gives); a
    file-scope static is ``g:NAME@FILE``.  ``owner``/``path``
    build the displayed name (``&kvm->slots_lock``) once variable names
    across the whole scan are known.
    """

    key: str
    path: str = ""
    owner: str = ""        # struct whose conventional variable name prefixes the path
    subclass: int = 0

    @property
    def class_key(self) -> str:
        return f"{self.key}/{self.subclass}" if self.subclass else self.key

    @property
    def is_param(self) -> bool:
        return self.key.startswith("p:")


@dataclass(frozen=True, slots=True)
class Acquire(_Compact):
    line: int
    lock: LockRef
    primitive: str
    mode: str          # exclusive | shared | recursive
    kind: str          # mutex, spinlock, ...
    action: str = "acquire"   # acquire | trylock | sync
    scoped: bool = False      # guard(): released at the end of the enclosing block
    # the pointer the lock is taken through, as a condition names it
    # (``pvmw->ptl`` in ``spin_lock(pvmw->ptl)``) when the walk sees every
    # write of it: non-NULL while the lock is held (analysis.held_through)
    through: str = ""
    # the learnable variable the lock is reached through (``inode`` in
    # ``&inode->i_rwsem``): a parameter, its callers' argument is non-NULL
    # while the lock is held on return (analysis.taken_through)
    base: str = ""


@dataclass(frozen=True, slots=True)
class Release(_Compact):
    line: int
    lock: LockRef
    primitive: str
    # the variable the lock is reached through (`bid` in `&bid->busid_lock`,
    # `lock` in `spin_unlock(lock)`): a NULL one holds no lock (analysis.releases)
    base: str = ""


@dataclass(frozen=True, slots=True)
class Absent(_Compact):
    """The branch where the test of a release's own array index fails:
    that index names no lock, so the caller's lock of the class the other
    branch releases is not held either (analysis.bounded_release); or
    where a test of the lock's state (``!mutex_is_locked(&l)``) is true:
    the caller holds no lock of its class (analysis.held_tests)."""
    line: int
    lock: LockRef


@dataclass(frozen=True, slots=True)
class Assert(_Compact):
    line: int
    lock: LockRef
    held: bool
    mode: str = "exclusive"


@dataclass(frozen=True, slots=True)
class Call(_Compact):
    line: int
    callee: str | None                       # direct callee name
    args: tuple[LockRef | None, ...] = ()    # lock classes of the arguments
    field: tuple[str, str] | None = None     # indirect: (struct type, field)
    var: str | None = None                   # result assigned to this variable
    fnptr_args: tuple[tuple[int, str], ...] = ()   # (position, function name) passed
    via_param: int | None = None             # call through the N-th parameter (a function pointer)
    forwarded_params: tuple[tuple[int, int], ...] = ()  # (position, caller's parameter index) passed on
    const_args: tuple[tuple[int, str], ...] = ()  # (position, zero | nonzero | id:NAME) constants passed
    model: str = ""                          # why a model resolves this call (static_call ...)
    # indirect: where the object holding the pointer came from / where the
    # pointer itself came from (pointer_flows slots; analysis.pointsto)
    origin: tuple[str, ...] = ()
    pointer: tuple[str, ...] = ()
    # (position, name) of arguments that are a learnable variable or a
    # field read through one (``iter->locked``), as conditions name them
    arg_vars: tuple[tuple[int, str], ...] = ()
    # (position, value) of constant arguments named by a symbol whose integer
    # value the file sees (``ICE_VF_RESET_NOTIFY``, ``A | B``; const_args
    # keeps ``id:NAME`` for the symbol itself: frontend.constants)
    const_values: tuple[tuple[int, int], ...] = ()
    # what is known of the callee's state on the way in: (position, field
    # path, value) of a constant stored into a field of the object an
    # argument points to (``io->in_bh = true; f(io)``: (0, "->in_bh",
    # "nonzero"), analysis.field_stores), or (-1, global fact, value) for
    # a fact of global state a model runner knows (analysis.guards)
    held_facts: tuple[tuple[int, str, str], ...] = ()
    # (position, "nonzero" | ">0" | "+Q" | ">=N") of arguments known on every
    # path to the call: a pointer dereferenced or tested, an integer counted
    # up (analysis.known_args), a sum with a lower bound (analysis.arg_bounds)
    known_args: tuple[tuple[int, str], ...] = ()
    # (position, name) of arguments that are the address of a plain local
    # (``&locked``): a callee writing ``*locked`` writes the caller's local
    # (analysis.deref_flags)
    addr_args: tuple[tuple[int, str], ...] = ()
    # guard() of a class the file defines (frontend.guard_classes): what
    # the call leaves held ends with the enclosing scope
    scoped: bool = False


@dataclass(frozen=True, slots=True)
class Assign(_Compact):
    """``var = <constant>`` (``value`` zero/nonzero), a copy of a learnable
    variable or read (``=NAME``: ``function = hdr->Function``) or anything
    else (None)."""

    var: str
    value: str | None


@dataclass(frozen=True, slots=True)
class CondEffect(_Compact):
    """An acquisition that depends on a call's return value."""

    acquire: Acquire
    on: str             # "nonzero" (trylock) or "zero" (_killable/_interruptible)
    blocking: bool      # False for trylock: adds no dependency


@dataclass(frozen=True, slots=True)
class CondCall(_Compact):
    """A condition that is (a negation-free) call: lock primitive or function."""

    pre: "Block"
    effect: CondEffect | None = None
    call: Call | None = None
    key: str | None = None   # "f(a,b)": the same call, arguments unchanged, tests the same way


@dataclass(frozen=True, slots=True)
class CondVar(_Compact):
    var: str
    test: str           # "nonzero" or "zero": which value makes the condition true
    learn: bool = False  # a local/parameter only assignments change: the test is a fact after it
    # a read of memory (a global, a field through an unchanged pointer):
    # learnt like a local, but tested again each round of a loop that
    # tests it (analysis.branchfacts.read_facts)
    read: bool = False


@dataclass(frozen=True, slots=True)
class CondNot(_Compact):
    cond: object


@dataclass(frozen=True, slots=True)
class CondAnd(_Compact):
    left: object
    right: object


@dataclass(frozen=True, slots=True)
class CondOr(_Compact):
    left: object
    right: object


@dataclass(frozen=True, slots=True)
class CondOpaque(_Compact):
    pre: "Block"


@dataclass(frozen=True, slots=True)
class CondConst(_Compact):
    """A constant condition (``while (0)``, ``if (1)``): only one way is taken.
    A ``do { … } while (0)`` body thus runs exactly once."""

    value: str          # "zero" or "nonzero"


@dataclass(frozen=True, slots=True)
class CondRunning(_Compact):
    """``current_work() == &w``: the task runs work item ``w``'s function.
    ``work`` is the class of ``w``'s (work_completion) map (``w:`` key,
    as ``flush_work(&w)`` names it); where the test is false, the task is
    not inside that map (``analysis.branchfacts``)."""

    work: LockRef


@dataclass(frozen=True, slots=True)
class Block(_Compact):
    items: tuple = ()
    scope: bool = False


@dataclass(frozen=True, slots=True)
class If(_Compact):
    cond: object
    then: Block
    orelse: Block


@dataclass(frozen=True, slots=True)
class Loop(_Compact):
    cond: object | None
    body: Block
    post: Block = Block()
    test_first: bool = True


@dataclass(frozen=True, slots=True)
class Switch(_Compact):
    pre: Block
    body: Block
    var: str | None = None        # the switched-on variable, when it is one


@dataclass(frozen=True, slots=True)
class CaseLabel(_Compact):
    default: bool = False
    value: str | None = None      # "id:NAME" for an enumerator / macro label
    number: int | None = None     # its integer value, where known (``case 0:``, ``case RTM_NEWADDR:``)


@dataclass(frozen=True, slots=True)
class Jump(_Compact):
    kind: str            # break | continue | goto
    label: str = ""


@dataclass(frozen=True, slots=True)
class Label(_Compact):
    name: str


@dataclass(frozen=True, slots=True)
class Return(_Compact):
    line: int
    value: str           # zero | nonzero | unknown | var:NAME | cond
    effect: CondEffect | None = None
    call: Call | None = None


@dataclass(frozen=True, slots=True)
class FunctionIR(_Compact):
    name: str
    file: str
    line: int
    static: bool
    params: tuple[str, ...]
    body: Block
    # (struct type, variable name) pairs declared here: votes for display names
    var_names: tuple[tuple[str, str], ...] = ()
    # textual form of each lock class key seen here, for unresolved classes
    texts: tuple[tuple[str, str], ...] = field(default=())
    unresolved_locks: int = 0
    # (to, from) pointer-flow facts (analysis.pointer_flows)
    flows: tuple[tuple[str, str], ...] = ()
    # (line, text) of each lock expression that names no class
    unresolved_sites: tuple[tuple[int, str], ...] = ()
    # lockdep class annotations made here (analysis.classes): (kind, class key, detail)
    class_notes: tuple[tuple[str, str, str], ...] = ()
    # the caller's locks it declares released on every return (analysis.declared)
    declared_releases: tuple[LockRef, ...] = ()
    # (local, parameter position, tag): locals that view a parameter (analysis.param_views)
    views: tuple[tuple[str, int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class EffectAssign(_Compact):
    """``var = mutex_lock_killable(&x)`` / ``mutex_trylock(&x)`` used as a
    value: the lock is held exactly when ``var`` has the effect's value."""

    var: str | None
    effect: CondEffect


#: Classes whose equal instances are interchangeable (no call or line
#: inside, nothing keyed by identity): one shared instance each.
_VALUE_NODES = frozenset((LockRef, Assign, CondVar, CondConst, Jump, Label, CaseLabel))


#: Per IR class, the function unpickling one (see :func:`_make_restorer`).
_RESTORERS: dict[type, object] = {}


def _make_restorer(cls: type):
    """The function pickle calls to rebuild a ``cls`` node from its fields,
    generated per class: fields set through the slots' descriptors (the
    frozen ``__init__`` was a third of the time), the ``str`` fields
    interned, value nodes (and empty blocks) looked up in ``_SHARED``.  The
    parent process unpickles every function's IR of a whole tree while
    the workers parse: this is most of its share of the CPU then."""
    from dataclasses import fields
    names = [f.name for f in fields(cls)]
    assert tuple(names) == cls.__slots__ and not any(n.startswith("_") for n in names), cls
    strings = [f.name for f in fields(cls) if f.type in ("str", "str | None")]
    # tuples of values, not of nodes that calls or bodies are keyed by (Block.items)
    tuples = [f.name for f in fields(cls) if f.type.startswith("tuple[")]
    sets = [f"    _set_{n}(_node, {n})" for n in names]
    params = ", ".join(names)
    lines = [f"def _restore_{cls.__name__}({params}):"]
    lines += [f"    {n} = _intern({n}) if {n}.__class__ is str else {n}" for n in strings]
    lines += [f"    {n} = _share_tuple({n})" for n in tuples]
    build = ["    _node = _new(_cls)", *sets]
    if cls in _VALUE_NODES or cls is Block:
        shared = "not items" if cls is Block else "True"   # a block is a value only when empty
        lines += [f"    if {shared}:", f"        _key = (_cls, {params},)", "        _node = _SHARED.get(_key)",
                  "        if _node is not None:", "            return _node"]
        lines += build + [f"    if {shared}:", "        _SHARED[_key] = _node", "    return _node"]
    else:
        lines += build + ["    return _node"]
    scope = {"_cls": cls, "_new": object.__new__, "_intern": _intern, "_SHARED": _SHARED, "_share_tuple": _share_tuple}
    scope.update({f"_set_{n}": cls.__dict__[n].__set__ for n in names})
    exec("\n".join(lines), scope)
    restore = scope[f"_restore_{cls.__name__}"]
    restore.__module__ = __name__
    restore.__qualname__ = restore.__name__
    globals()[restore.__name__] = restore
    return restore


def base_variable(name: str) -> str:
    """The variable a name is read through (``iter`` of ``iter->locked``, itself if plain)."""
    end = len(name)
    for sep in ("->", "."):
        k = name.find(sep)
        if k != -1:
            end = min(end, k)
    return name[:end]


for _name in __all__:
    if isinstance(globals()[_name], type) and issubclass(globals()[_name], _Compact):
        _RESTORERS[globals()[_name]] = _make_restorer(globals()[_name])
del _name


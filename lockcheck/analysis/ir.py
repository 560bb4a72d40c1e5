"""The lock IR: what extraction keeps of a function, as plain frozen data.

A function becomes a tree of statements that matter for locking —
acquisitions, releases, calls, branches, loops, jumps — and nothing else.
It is small, picklable and cacheable; the AST is dropped right after.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "LockRef", "Acquire", "Release", "Assert", "Call", "Assign", "Block", "If", "Loop",
    "Switch", "CaseLabel", "Jump", "Label", "Return", "CondEffect", "CondCall", "CondVar",
    "CondNot", "CondAnd", "CondOr", "CondOpaque", "FunctionIR", "EffectAssign",
]


@dataclass(frozen=True, order=True)
class LockRef:
    """A lock class as written at one site.

    ``key`` identifies the class: ``g:NAME`` (a global or implicit lock),
    ``f:STRUCT:PATH`` (a struct field, whatever the path to it),
    ``p:N`` (the function's N-th parameter, resolved by callers),
    ``t:TEXT`` (an expression whose type is unknown).  ``owner``/``path``
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


@dataclass(frozen=True)
class Acquire:
    line: int
    lock: LockRef
    primitive: str
    mode: str          # exclusive | shared | recursive
    kind: str          # mutex, spinlock, ...
    action: str = "acquire"   # acquire | trylock | sync
    scoped: bool = False      # guard(): released at the end of the enclosing block


@dataclass(frozen=True)
class Release:
    line: int
    lock: LockRef
    primitive: str


@dataclass(frozen=True)
class Assert:
    line: int
    lock: LockRef
    held: bool
    mode: str = "exclusive"


@dataclass(frozen=True)
class Call:
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


@dataclass(frozen=True)
class Assign:
    """``var = <constant>`` (``value`` zero/nonzero) or anything else (None)."""

    var: str
    value: str | None


@dataclass(frozen=True)
class CondEffect:
    """An acquisition that depends on a call's return value."""

    acquire: Acquire
    on: str             # "nonzero" (trylock) or "zero" (_killable/_interruptible)
    blocking: bool      # False for trylock: adds no dependency


@dataclass(frozen=True)
class CondCall:
    """A condition that is (a negation-free) call: lock primitive or function."""

    pre: "Block"
    effect: CondEffect | None = None
    call: Call | None = None


@dataclass(frozen=True)
class CondVar:
    var: str
    test: str           # "nonzero" or "zero": which value makes the condition true


@dataclass(frozen=True)
class CondNot:
    cond: object


@dataclass(frozen=True)
class CondAnd:
    left: object
    right: object


@dataclass(frozen=True)
class CondOr:
    left: object
    right: object


@dataclass(frozen=True)
class CondOpaque:
    pre: "Block"


@dataclass(frozen=True)
class Block:
    items: tuple = ()
    scope: bool = False


@dataclass(frozen=True)
class If:
    cond: object
    then: Block
    orelse: Block


@dataclass(frozen=True)
class Loop:
    cond: object | None
    body: Block
    post: Block = Block()
    test_first: bool = True


@dataclass(frozen=True)
class Switch:
    pre: Block
    body: Block
    var: str | None = None        # the switched-on variable, when it is one


@dataclass(frozen=True)
class CaseLabel:
    default: bool = False
    value: str | None = None      # "id:NAME" for an enumerator / macro label


@dataclass(frozen=True)
class Jump:
    kind: str            # break | continue | goto
    label: str = ""


@dataclass(frozen=True)
class Label:
    name: str


@dataclass(frozen=True)
class Return:
    line: int
    value: str           # zero | nonzero | unknown | var:NAME | cond
    effect: CondEffect | None = None
    call: Call | None = None


@dataclass(frozen=True)
class FunctionIR:
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


@dataclass(frozen=True)
class EffectAssign:
    """``var = mutex_lock_killable(&x)`` / ``mutex_trylock(&x)`` used as a
    value: the lock is held exactly when ``var`` has the effect's value."""

    var: str | None
    effect: CondEffect

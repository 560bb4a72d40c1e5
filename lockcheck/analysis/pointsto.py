"""Indirect calls resolved by where their pointer came from.

Today's rule resolves ``x->ops->open(...)`` to every function stored into
``.open`` of any ``struct file_operations`` initialiser in the scan: the
character-device multiplexers (``misc_open``, ``dvb_device_open``,
``snd_open``) then "call each other".  Here the pointer is followed back
one layer further, in the spirit of multi-layer type analysis (MLTA,
TypeDive, CCS'19) and Smatch's per-(struct, member) assignment database:
``file->f_op`` in ``misc_open`` holds what ``replace_fops(file, new_fops)``
stored, ``new_fops`` holds ``iter->fops`` of a ``struct miscdevice``, and
``struct miscdevice.fops`` holds only the tables stored into it — by
initialisers (``.fops = &rtc_fops``) and assignments
(``lynx->misc.fops = &nosy_ops``, ``preg->f_ops = f_ops`` with ``f_ops``
bound at each call).  The call reaches the ``.open`` of those tables only.

The facts are :mod:`pointer_flows` pairs ``(to, from)``; this module joins
them over the whole scan (locals per function, parameters bound to
arguments, returns to call values, fields and globals shared) and solves
for the functions and tables each slot may hold.  A slot that an unknown
value reaches (a ``void *`` escape, a call outside the scan, the address
of a local) is unknown, and a call through it keeps today's field rule
(counted as a fallback).

What it gives up: stores made in functions the front end skipped (no lock
reachable from them) are not seen; fields are one slot per (struct, field)
for every object; a table's own fields written at run time
(``ops->open = x``) count for the field slot, not the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lockcheck.analysis.local_choice import LocalChoices, chosen_slot

__all__ = ["PointsTo", "TargetStats", "WIDE_CALL"]

#: A call whose candidate functions after narrowing are more than this is
#: "wide" (counted in ``stats.indirect_targets.wide``).  Every witness step
#: through an indirect call carries its candidate count (``Step.targets``,
#: JSON step ``targets``), which the confidence of a finding reads.  32:
#: past it a call is a dispatcher over a whole subsystem's tables
#: (``f_op->open`` of every char device, ``->fsync`` of every file system),
#: not one object's choice.
WIDE_CALL = 32
#: A slot holding more values than this is treated as unknown (bounds the
#: solver; such a slot would be wide anyway).
MAX_VALUES = 4096
#: Calls through one object choose one table for the whole function
#: (``m->op->start`` then ``m->op->show`` of the same table) when the object
#: may hold at most this many tables: each table is a walk state of its own
#: from the first such call on.
MAX_CORRELATED = WIDE_CALL
#: Rounds of binding indirect calls' arguments to the parameters of the
#: functions their field holds, each followed by propagation (a binding can
#: fill a field another indirect call reads).
BIND_ROUNDS = 3
UNKNOWN = "?"
HEAP = "H"      # an allocated object (pointer_flows)


@dataclass
class TargetStats:
    """Targets per resolved indirect call, and how each was resolved."""

    histogram: dict[int, int] = field(default_factory=dict)   # targets -> calls
    narrowed: int = 0      # resolved from where the pointer came from
    fallback: int = 0      # unknown origin: the field/signature rule
    wide: int = 0

    def add(self, n: int) -> None:
        self.histogram[n] = self.histogram.get(n, 0) + 1
        if n > WIDE_CALL:
            self.wide += 1

    def as_dict(self) -> dict:
        counts = sorted(self.histogram.items())
        resolved = [(n, c) for n, c in counts if n > 0]
        total = sum(c for _, c in resolved)
        out = {"calls": total, "narrowed": self.narrowed, "fallback": self.fallback,
               "wide": self.wide, "wide_threshold": WIDE_CALL}
        if total:
            out["mean"] = round(sum(n * c for n, c in resolved) / total, 2)
            out["median"] = _median(resolved, total)
            out["max"] = resolved[-1][0]
        buckets: dict[str, int] = {}
        for n, c in resolved:
            b = _bucket(n)
            buckets[b] = buckets.get(b, 0) + c
        out["histogram"] = buckets
        return out


def _median(counts: list[tuple[int, int]], total: int) -> int:
    seen = 0
    for n, c in counts:
        seen += c
        if 2 * seen >= total:
            return n
    return 0


def _bucket(n: int) -> str:
    for hi in (1, 2, 4, 8, 16, 32, 64, 128, 256):
        if n <= hi:
            lo = hi // 2 + 1 if hi > 2 else hi
            return str(hi) if lo == hi else f"{lo}-{hi}"
    return ">256"


class PointsTo:
    """The values every slot of the scan may hold, and call targets from them."""

    def __init__(self, program, tables: dict[str, str], table_fields: dict[tuple[str, str], str]) -> None:
        self.program = program
        self.tables = tables                  # global object -> its struct type
        self.table_fields = table_fields      # (object, field) -> function name
        # object -> members its designated initialiser names (_null_member)
        self.table_members: dict[str, tuple[str, ...]] = program.table_members
        self.values: dict[str, set[str]] = {}
        self.stats = TargetStats()
        self.how = ""
        # target -> the table it was read from, for the call just resolved
        # (one object, one table: see flow.FunctionFlow.call)
        self.table_of: dict[str, str] = {}
        self.no_target: tuple[str, ...] = ()
        # candidate functions of the call just resolved, those reaching no
        # lock included: how wide the guess is (WIDE_CALL)
        self.width = 0
        # the call just resolved goes through a local its function fills with
        # function names only (local_choice): each candidate is chosen by the code
        self.chosen = False
        self.local_choices: frozenset[str] = frozenset()
        self._solve()

    # ------------------------------------------------------------ solving
    def _node(self, key: str, fn, slot: str) -> str | None:
        kind = slot[0]
        if kind == "L" or slot == "RET":
            return f"{key}|{slot}"
        if kind == "A":
            _, callee, n = slot.rsplit(":", 2) if slot.count(":") >= 2 else (None, None, None)
            target = self.program.resolve_name(callee, fn.file) if callee else None
            if target is None:
                return None
            params = self.program.by_key[target].params
            k = int(n)
            return f"{target}|L:{params[k]}" if k < len(params) else None
        return slot      # F: / V: shared by the whole scan

    def _value(self, key: str, fn, src: str) -> tuple[str | None, str | None]:
        """(a constant value, or a node whose values flow here)."""
        kind = src[0]
        if kind == "G":
            name = src[2:]
            target = self.program.resolve_name(name, fn.file) or (self.program.by_name.get(name) or [None])[0]
            return (target or src), None
        if src == UNKNOWN or src == HEAP:
            return src, None
        if kind == "R":
            name = src[2:]
            target = self.program.resolve_name(name, fn.file)
            return (UNKNOWN, None) if target is None else (None, f"{target}|RET")
        return None, self._node(key, fn, src)

    def _solve(self) -> None:
        succ: dict[str, set[str]] = {}
        values = self.values
        for (struct, fld), names in sorted(self.program.ops.items()):
            slot = f"F:{struct}:{fld}"
            for n in names:
                k = self.program.globals.get(n) or (self.program.by_name.get(n) or [None])[0]
                values.setdefault(slot, set()).add(k or f"G:{n}")
        skipped = self.program.copies_not_followed
        indirect: list[tuple[str, int, str | None, str | None]] = []
        choices = LocalChoices()
        for key in sorted(self.program.by_key):
            fn = self.program.by_key[key]
            for dst, src in fn.flows:
                if (dst, src) in skipped:
                    continue
                if dst[:2] == "I:":     # an indirect call's argument: bound once the field is solved
                    slot, n = dst[2:].rsplit(":", 1)
                    indirect.append((f"F:{slot}", int(n), *self._value(key, fn, src)))
                    continue
                node = self._node(key, fn, dst)
                if node is None:
                    continue
                const, from_node = self._value(key, fn, src)
                choices.flow(node, dst, fn.params, const, src[:2] == "G:" and self._names_function(const))
                if const is not None:
                    values.setdefault(node, set()).add(const)
                elif from_node is not None:
                    succ.setdefault(from_node, set()).add(node)
        self.local_choices = choices.solved()
        self._propagate(succ, sorted(values))
        bound: set[tuple] = set()
        for _ in range(BIND_ROUNDS):
            work: set[str] = set()
            for slot, n, const, from_node in indirect:
                for target in self._field_functions(slot):
                    params = self.program.by_key[target].params
                    if n >= len(params) or (target, n, const, from_node) in bound:
                        continue
                    bound.add((target, n, const, from_node))
                    node = f"{target}|L:{params[n]}"
                    if const is not None:
                        mine = values.setdefault(node, set())
                        if mine != {UNKNOWN} and const not in mine:
                            mine.add(const)
                            work.add(node)
                    elif from_node is not None:
                        succ.setdefault(from_node, set()).add(node)
                        work.add(from_node)
            if not work:
                break
            self._propagate(succ, sorted(work))

    def _names_function(self, value: str) -> bool:
        """A source's value that is a function (one the front end skipped too)."""
        return value in self.program.by_key or (value[:2] == "G:" and value[2:] in self.program.skipped)

    def _field_functions(self, slot: str) -> list[str]:
        """The functions a field slot holds, when known and not a wide set."""
        vals = self.values.get(slot)
        if not vals or UNKNOWN in vals:
            return []
        keys = sorted(v for v in vals if v in self.program.by_key)
        return keys if len(keys) <= WIDE_CALL else []

    def _propagate(self, succ: dict[str, set[str]], work: list[str]) -> None:
        values = self.values
        while work:
            n = work.pop()
            mine = values.get(n)
            if not mine:
                continue
            for m in sorted(succ.get(n, ())):
                theirs = values.setdefault(m, set())
                if mine <= theirs or theirs == {UNKNOWN}:
                    continue
                if UNKNOWN in mine or len(theirs) + len(mine) > MAX_VALUES:
                    theirs.clear()
                    theirs.add(UNKNOWN)
                else:
                    theirs |= mine
                work.append(m)

    def _of(self, key: str, fn, srcs: tuple[str, ...]) -> set[str] | None:
        """The values the sources may hold, or None if any is unknown."""
        base = key.split("<", 1)[0]
        out: set[str] = set()
        for s in srcs:
            const, node = self._value(base, fn, s)
            vals = {const} if const is not None else self.values.get(node, set()) if node else {UNKNOWN}
            if UNKNOWN in vals:
                return None
            out |= vals
        return out

    # ------------------------------------------------------------ resolving
    def targets(self, call, caller, caller_key: str) -> list[str] | None:
        """Function keys an indirect call reaches, or None to keep the
        field/signature rule.  ``call.pointer``: the pointer itself is known
        here (a local, a global, an access path stored into);
        ``call.origin``: the object it is read from is known to be one of
        some tables, whose field it is."""
        self.table_of = {}
        self.no_target = ()
        self.chosen = False
        if call.pointer:
            vals = self._of(caller_key, caller, call.pointer)
            if vals is not None and vals:
                self.width = len(vals)
                # a function the front end skipped reaches no lock: no target
                vals = {v for v in vals if not (v.startswith("G:") and v[2:] in self.program.skipped)}
                keys = sorted(v for v in vals if v in self.program.by_key)
                if len(keys) == len(vals):
                    self.how = "narrowed"
                    self.chosen = chosen_slot(call.pointer, caller_key.split("<", 1)[0], self.local_choices)
                    return keys
        if call.field is not None and call.origin:
            vals = self._of(caller_key, caller, call.origin)
            if vals is not None and vals and all(v == HEAP or self.tables.get(_name(v)) == call.field[0]
                                                 for v in vals):
                out = []
                tables: dict[str, str] = {}
                shared = False
                names: set[str] = set()
                for v in sorted(vals):
                    if v == HEAP:    # a table filled at run time: what is stored into the field
                        stored = self.values.get(f"F:{call.field[0]}:{call.field[1]}", set())
                        static = {self._function(n) for n in self.program.ops.get(call.field, ())}
                        for k in sorted(k for k in stored - static if k in self.program.by_key):
                            shared = shared or k in tables
                            names.add(k)
                            tables[k] = HEAP
                            if k not in out:
                                out.append(k)
                        # one the front end skipped reaches no lock, but is a candidate all the same
                        names.update(v[2:] for v in stored if v.startswith("G:") and v[2:] in self.program.skipped)
                        continue
                    name = self.table_fields.get((_name(v), call.field[1]))
                    if self._null_member(_name(v), call.field[1]):
                        continue    # no call through a NULL member: not this table
                    k = self._function(name) if name else None
                    if name:
                        names.add(k or name)
                    if k and k in tables:
                        shared = True      # one function in two tables: no table to pin
                    elif k:
                        out.append(k)
                        tables[k] = _name(v)
                self.how = "narrowed"
                self.width = len(names)
                if 2 <= len(vals) <= MAX_CORRELATED and not shared:
                    self.table_of = tables
                    # tables whose field reaches no analysed function: the
                    # call does nothing there, but the object is that table
                    named = {_name(v) if v != HEAP else HEAP for v in vals
                             if v == HEAP or not self._null_member(_name(v), call.field[1])}
                    self.no_target = tuple(sorted(named - set(tables.values())))
                return out
        self.how = "fallback"
        self.table_of = {}
        if call.field is not None:
            # the field/signature rule, plus functions stored into the field at run time
            stored = self.values.get(f"F:{call.field[0]}:{call.field[1]}", set())
            extra = sorted(v for v in stored if v in self.program.by_key)
            skipped = {v[2:] for v in stored if v.startswith("G:") and v[2:] in self.program.skipped}
            self.width = len({self._function(n) or n for n in self.program.ops.get(call.field, ())} | set(extra) | skipped)
            return self._with_field_rule(call, extra) if extra else None
        return None

    def unnamed_object(self, call, caller, caller_key: str) -> bool:
        """May the indirect call read its pointer from an object the
        solution does not name (run-time filled: a list entry, an allocated
        object, or one of unknown origin)?  False when the pointer's own
        values are known functions, or the object is one of named tables
        only (:meth:`targets`)."""
        if call.pointer:
            vals = self._of(caller_key, caller, call.pointer)
            if vals and all(v in self.program.by_key or (v.startswith("G:") and v[2:] in self.program.skipped)
                            for v in vals):
                return False
        if call.field is not None and call.origin:
            vals = self._of(caller_key, caller, call.origin)
            if vals and all(v == HEAP or self.tables.get(_name(v)) == call.field[0] for v in vals):
                return HEAP in vals
        return True

    def _null_member(self, table: str, member: str) -> bool:
        """Does ``table``'s initialiser leave ``member`` NULL (``.f =
        NULL``, or not named at all)?  Only a designated initialiser tells
        of a member it does not name (frontend.typefacts
        ``table_members``): that one is zero.  No call is made through a
        NULL pointer, so such a table is none a call through that member
        is made in (``bdev->bd_holder_ops->freeze(bdev)`` after ``if
        (bdev->bd_holder_ops->freeze)``: bcachefs's empty holder ops are
        not a table where the call does nothing)."""
        value = self.table_fields.get((table, member))
        if value is not None:
            return value == "NULL"
        named = self.table_members.get(table)
        if named is None or member in named:
            return False
        return not any(member.startswith(m + ".") for m in named)

    def release(self) -> None:
        """Drop the solved values once every call is resolved (only the
        statistics are read after): on a large scan they are many sets."""
        self.values = {}
        self.table_of = {}
        self.local_choices = frozenset()

    def record(self, call, found) -> None:
        """Count one indirect call of the scan (not of a specialised copy)."""
        if call.callee is not None:
            return
        if found:
            self.stats.add(max(self.width, len(found)))
            if self.how == "narrowed":
                self.stats.narrowed += 1
            elif self.how == "fallback":
                self.stats.fallback += 1
        self.how = ""

    def _with_field_rule(self, call, extra: list[str]) -> list[str]:
        keys = []
        for n in self.program.ops.get(call.field, []):
            k = self._function(n)
            if k and k not in keys:
                keys.append(k)
        return keys + [k for k in extra if k not in keys]

    def _function(self, name: str) -> str | None:
        return self.program.globals.get(name) or (self.program.by_name.get(name) or [None])[0]


def _name(value: str) -> str:
    return value[2:] if value.startswith("G:") else value.rsplit(":", 1)[-1]

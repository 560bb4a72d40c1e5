"""Facts a call carries into its callee besides its constant arguments:
the value of a field of an object it passes (``analysis.field_stores``)
and the state of a static key (``analysis.guards``), as entry facts of
the specialised callee (``Program._specialise``, ``analysis.entry_facts``).

* A field fact ``(position, "->in_bh", value)`` of ``Call.held_facts``
  becomes the fact ``io->in_bh`` of the callee whose parameter at that
  position is ``io``, kept when the callee tests that field or hands
  ``io`` on (and some function of the scan tests a field of that path).
  Handed on (``Call.forwarded_params``), it goes with the parameter into
  the next callee unless the function handing it on writes a field of
  that name or the parameter itself anywhere in its body, or hands the
  parameter to another function of the scan that writes such a field
  (that function's own callees are not searched; a function outside the
  scan or left unparsed is taken not to write it).
* A static key fact (``(-1, "static_key:K", value)`` of a model runner's
  call, or one its caller was entered with) goes into every callee that
  tests the key, or calls by name (within :data:`MAX_VISITED` functions)
  one that does.

Dropping a fact is always safe (both ways of a test stay possible), so
every bound here only costs precision.
"""

from __future__ import annotations

from lockcheck.analysis.entry_facts import pair_param
from lockcheck.analysis.guards import STATIC_KEY
from lockcheck.analysis.ir import Assign, Call
from lockcheck.analysis.calls_before import calls_before
from lockcheck.analysis.irwalk import calls_in, ir_nodes, tested_names

__all__ = ["HeldFacts", "carried_fact", "numbered", "param_field", "MAX_VISITED"]

#: Functions a search for a static key's test visits at most.
MAX_VISITED = 2000


def _split(name: str) -> tuple[str, str] | None:
    """``io->v->x`` -> (``io``, ``->v->x``); None for a plain name."""
    ends = [k for k in (name.find("->"), name.find(".")) if k > 0]
    if not ends:
        return None
    k = min(ends)
    root = name[:k]
    return (root, name[k:]) if root.isidentifier() else None


def _pair_operands(name: str) -> tuple[str, ...]:
    """The operands of a pair fact that compares with a constant
    (``()==(io->state,#2)``: ``io->state``), none for any other."""
    k = name.find("(", 2)
    if k < 0 or not name.endswith(")"):
        return ()
    a, _, b = name[k + 1:-1].partition(",")
    return tuple(x for x, y in ((a, b), (b, a)) if y.startswith(("#", "id:")))


def param_field(name: str, params) -> bool:
    """A test of a field read through a parameter (``io->in_bh``), alone
    or compared with a constant (``()==(io->state,#2)``)."""
    if name.startswith(STATIC_KEY):
        return False
    if name.startswith("()"):
        k = name.find("(", 2)
        if k < 0 or not name.endswith(")"):
            return False
        a, _, b = name[k + 1:-1].partition(",")
        return any(param_field(x, params) for x in (a, b)) and pair_param(name, params + (a, b)) is not None
    split = _split(name)
    return split is not None and split[0] in params


def carried_fact(name: str) -> bool:
    """An entry fact of a field or a static key (one a clone carries on)."""
    return name.startswith(STATIC_KEY) or ("->" in name or "." in name) and not name.startswith("()")


def _path_fields(path: str) -> list[str]:
    return path.replace("->", ".").split(".")[1:]


def numbered(held, facts: dict[str, str]) -> dict[str, str]:
    """The integers (``#2``) of the carried field facts a clone is entered
    with: its walk knows such a field only as ``nonzero`` (what its own
    tests of the field decide), but a callee it hands the object on to may
    compare the field with a constant (``if (b->reqcmd == CMD_NONE)
    return;`` after ``b->reqcmd = CMD_DISABLE; check(b);`` and ``check()``
    handing ``b`` on), and ``nonzero`` decides no such comparison.  So the
    clone keeps the integer (in its key too: two integers are two clones)
    and hands it on in place of ``nonzero``."""
    return {name: value for name, value in held
            if value.startswith("#") and value != "#0" and facts.get(name) == "nonzero"}


class HeldFacts:
    """The carried facts of one :class:`Program`'s calls (the program is
    passed in, never kept: it would be a cycle, collected late)."""

    def __init__(self, program) -> None:
        self._reach: dict[tuple[str, str], bool] = {}
        self._writes: dict[int, tuple] = {}
        paths = set()
        for key, tested in getattr(program, "tested", {}).items():
            params = program.by_key[key].params
            for n in tested:
                for operand in _pair_operands(n) if n.startswith("()") else (n,):
                    split = _split(operand)
                    if split is not None and split[0] in params:
                        paths.add(split[1])
        self.tested_paths = frozenset(paths)

    # ------------------------------------------------------------ fields
    def fields(self, program, params, call: Call, caller, caller_facts: dict[str, str],
               numbers: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """(callee field name, value) for the fields ``call`` gives known;
        ``numbers``: the integers of the caller's carried field facts
        (:func:`numbered`), handed on in place of their ``nonzero``."""
        out = []
        for pos, path, value in call.held_facts:
            if 0 <= pos < len(params) and path in self.tested_paths:
                out.append((params[pos] + path, value))
        if caller_facts and call.forwarded_params:
            written = None
            for pos, param in call.forwarded_params:
                if pos >= len(params) or param >= len(caller.params):
                    continue
                root = caller.params[param]
                for name, value in caller_facts.items():
                    split = _split(name)
                    if split is None or split[0] != root or name.startswith("()"):
                        continue
                    if written is None:
                        written = self._written(caller)
                    names = _path_fields(split[1])
                    if root in written[1] or any(f in written[0] for f in names) or \
                            self._others_write(program, caller, call, param, names):
                        continue
                    out.append((params[pos] + split[1], numbers.get(name, value) if numbers else value))
        return out

    def _others_write(self, program, caller, call: Call, param: int, names: list[str]) -> bool:
        """Does another call of ``caller`` handed the same parameter, one
        that may run before ``call`` (analysis.calls_before), reach a
        function of the scan that writes a field of one of ``names`` itself?
        (One level: what that function's own callees write is not seen.)"""
        before = calls_before(caller.body, call)
        for c in calls_in(caller.body):
            if c is call or not c.callee or all(p != param for _, p in c.forwarded_params):
                continue
            if before is not None and id(c) not in before:
                continue
            k = program.resolve_name(c.callee, caller.file)
            fn = program.by_key.get(k) if k is not None else None
            if fn is not None and any(f in self._written(fn)[0] for f in names):
                return True
        return False

    def _written(self, fn) -> tuple[frozenset[str], frozenset[str]]:
        """(fields of any name assigned, plain variables assigned) in ``fn``."""
        found = self._writes.get(id(fn.body))
        if found is None or found[0] is not fn.body:
            fields, plain = set(), set()
            for n in ir_nodes(fn.body):
                var = n.var if type(n) is Assign or type(n) is Call else None
                if not var:
                    continue
                split = _split(var)
                if split is None:
                    plain.add(var)
                else:
                    fields.update(_path_fields(split[1]))
            found = self._writes[id(fn.body)] = (fn.body, (frozenset(fields), frozenset(plain)))
        return found[1]

    # ------------------------------------------------------------ static keys
    def globals(self, program, target: str, call: Call, caller_facts: dict[str, str]) -> dict[str, str]:
        """The static key facts ``call`` carries into ``target``."""
        wanted = {name: value for pos, name, value in call.held_facts if pos < 0}
        for name, value in caller_facts.items():
            if name.startswith(STATIC_KEY):
                wanted.setdefault(name, value)
        return {name: value for name, value in sorted(wanted.items()) if self.reaches(program, target, name)}

    def reaches(self, program, key: str, name: str) -> bool:
        """Does ``key`` test ``name``, or call by name a function that does?"""
        found = self._reach.get((key, name))
        if found is not None:
            return found
        by_key = program.by_key
        seen, todo, found = {key}, [key], False
        while todo and not found and len(seen) <= MAX_VISITED:
            k = todo.pop()
            if self._reach.get((k, name)):
                found = True
                break
            fn = by_key.get(k)
            if fn is None:
                continue
            if name in tested_names(fn.body):
                found = True
                break
            for call in calls_in(fn.body):
                if call.callee:
                    c = program.resolve_name(call.callee, fn.file)
                    if c is not None and c not in seen:
                        seen.add(c)
                        todo.append(c)
        self._reach[(key, name)] = found
        return found

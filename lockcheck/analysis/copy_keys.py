"""What a specialised copy's key holds: only what its walk can read.

``Program._specialise`` gives a callee a copy of its own per distinct set
of entry facts and function-pointer bindings a call passes.  Three parts of
that key can make copies whose walks are the same walk:

* **Symbols nobody reads.**  A call passing a named constant
  (``reg_update(map, REG_A, 1, false)``) gives the copy the entry fact
  ``reg = id:REG_A`` (``analysis.entry_facts``) when the callee tests
  ``reg`` or hands it on.  The walk reads such a value in only a few
  ways: a ``switch`` compares it with its case labels
  (``analysis.case_match``), a return of the variable hands it to the
  caller (``Summary.returns``), a comparison or relation names it (kept
  for the calls a symbol keeps apart: :func:`reads_symbols`); a local
  copied from it holds it too.  A zero test cannot read it: an
  enumerator's zero-ness is unknown (``BranchFacts._cond_var``).  So a
  function none of that reads a parameter in, nor any function it hands
  the parameter on to, needs no symbol in the key (:func:`symbol_positions`,
  :func:`without_unread_symbols`).  The whole 6.12 tree had 583,878
  copies keyed by a symbol.
* **Bindings nobody calls.**  A function-pointer argument binds the
  callee's parameter for calls through it (``Program.resolve``); a
  position no call of the callee goes through, nor of the callees it hands
  the parameter on to, binds nothing that is read (:func:`called_positions`,
  :func:`only_called`).  ``true`` or a flag name passed where no
  function is expected is such an argument.

* **Values nobody tests.**  A zero or non-zero value (``locked =
  nonzero``) is read by a test of the parameter, a comparison naming it
  (``()==(ret,#1)`` is false where ``ret`` is zero), a switch or a return,
  of it or of a local copied from it, or by a callee needing its sign
  (``analysis.known_entry``); a parameter only handed on to functions
  that read none of that needs no value in the key (:func:`value_positions`,
  :func:`without_unread_values`).

Each way the calls share one copy (or the function itself), and the
copies a function may have (``program.MAX_CLONES``) go to the arguments
that decide something.
"""

from __future__ import annotations

import re

from lockcheck.analysis import ir
from lockcheck.analysis.irwalk import calls_in, ir_nodes, tested_names
from lockcheck.analysis.known_entry import handed_on_to, hops_back

__all__ = ["reads_symbols", "symbol_positions", "without_unread_symbols", "reads_values", "value_positions",
           "without_unread_values", "called_positions", "read_positions", "only_called", "pointer_hops"]

_SYMBOL = "id:"


def reads_symbols(fn: ir.FunctionIR, nodes: list | None = None) -> bool:
    """Can the walk of ``fn`` tell one symbol value of a parameter from
    another: a switch on it or on a local copied from it, a return of one
    of those, or a comparison or relation naming one.  (A comparison
    ``reason == RESET_FAILOVER`` is a fact of its own, learnt at entry from
    the constant passed; the symbol is kept all the same: calls passing
    symbols that compare alike would share one copy, and where only some of
    them are made inside a recursion that copy joins it, with what the large
    recursion does not follow: ``ibmvnic_reset(adapter, VNIC_RESET_TIMEOUT)``
    in a timer, measured on the whole tree.)  ``nodes``: ``fn``'s IR
    nodes, when the caller walked them already."""
    nodes = list(ir_nodes(fn.body)) if nodes is None else nodes
    holders = _copied_into({p for p in fn.params if p}, _copies(nodes))
    for n in nodes:
        t = type(n)
        if t is ir.Switch:
            if n.var in holders:
                return True
        elif t is ir.Return:
            if n.value[:4] == "var:" and n.value[4:] in holders:
                return True
        elif t is ir.CondVar:
            if n.var[:2] == "()" and _names_one(n.var, holders):
                return True
        elif t is ir.Assign:
            if n.value is not None and n.value[:2] == "()" and _names_one(n.value, holders):
                return True
    return False


def _copies(nodes) -> list[tuple[str, str]]:
    """(local, the variable it is copied from) of every ``local = var``."""
    return [(n.var, n.value[1:]) for n in nodes if type(n) is ir.Assign and n.value and n.value[:1] == "="]


def _copied_into(names: set[str], copies) -> set[str]:
    """``names`` and the locals copied from one of them, or from such a local."""
    holders = set(names)
    grew = bool(copies)
    while grew:
        grew = False
        for var, src in copies:
            if src in holders and var not in holders:
                holders.add(var)
                grew = True
    return holders


def _names_one(fact: str, holders: set[str]) -> bool:
    """Does a comparison or relation fact (``()==(reason,id:RESET_FAILOVER)``)
    name one of ``holders`` as an operand?"""
    k = fact.find("(", 2)
    inner = fact[k + 1:].rstrip(")") if k > 0 else ""
    return any(op.strip("()") in holders for op in inner.split(","))


def reads_values(fn: ir.FunctionIR, nodes: list | None = None) -> frozenset[str]:
    """The parameters of ``fn`` whose value (zero, non-zero, a constant)
    its walk can read: each tested by a condition or switched on, named by
    a comparison tested (``()==(ret,#1)`` is false where ``ret`` is zero),
    or returned, itself or through a local copied from it.  ``nodes`` as
    for :func:`reads_symbols`."""
    params = [p for p in fn.params if p]
    if not params:
        return frozenset()
    tested = tested_names(fn.body)
    nodes = list(ir_nodes(fn.body)) if nodes is None else nodes
    copies = _copies(nodes)
    returned = {n.value[4:] for n in nodes if type(n) is ir.Return and n.value[:4] == "var:"}
    read = set(returned)
    for name in tested:
        if name[:2] == "()":
            read.update(op for op in _OPERANDS.split(name) if op)
        else:
            read.add(name)
    return frozenset(p for p in params if not _copied_into({p}, copies).isdisjoint(read))


_OPERANDS = re.compile(r"[(),=<>&!|^]+")


def value_positions(functions, hops, counted: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """Function key -> the positions of its parameters whose value its walk
    (:func:`reads_values`), the sign its calls need (``counted``,
    ``analysis.known_entry``) or the walk of a function it hands the
    parameter on to may read (``hops`` as for :func:`symbol_positions`)."""
    return read_positions(functions, hops, counted)[1]


def without_unread_values(facts: dict[str, str], params: tuple[str, ...],
                          read: tuple[int, ...]) -> dict[str, str]:
    """``facts`` without the values of the parameters not at a position in
    ``read`` (their fields' facts stay: ``analysis.held_facts``)."""
    drop = [name for pos, name in enumerate(params) if pos not in read and name in facts]
    if not drop:
        return facts
    return {k: v for k, v in facts.items() if k not in drop}


def symbol_positions(functions, hops) -> dict[str, tuple[int, ...]]:
    """Function key -> the positions of its parameters whose symbol value
    its walk, or the walk of a function it hands the parameter on to
    (``hops``: ((caller, its parameter), (callee, position)) of the calls,
    direct and through pointers: :func:`pointer_hops`), may read.
    ``functions``: (key, FunctionIR) pairs."""
    return read_positions(functions, hops, {})[0]


def without_unread_symbols(facts: dict[str, str], params: tuple[str, ...],
                           read: tuple[int, ...]) -> dict[str, str]:
    """``facts`` without the symbol values (``id:NAME``, not the error
    codes ``id:-NAME``, which are non-zero) of the parameters not at a
    position in ``read``."""
    drop = [name for pos, name in enumerate(params)
            if pos not in read and facts.get(name, "")[:3] == _SYMBOL and facts[name][3:4] != "-"]
    if not drop:
        return facts
    return {k: v for k, v in facts.items() if k not in drop}


def called_positions(functions, hops) -> dict[str, tuple[int, ...]]:
    """Function key -> the positions of its parameters that a call goes
    through (``Call.via_param``), in it or down the calls handing the
    parameter on (``hops`` as for :func:`symbol_positions`)."""
    return read_positions(functions, hops, {})[2]


def pointer_hops(program) -> list:
    """((caller, its parameter), (target, position)) of the calls through
    pointers handing a parameter on, their targets as the function itself
    resolves them (a copy's are among them: bindings and tables narrow).
    ``program``: a :class:`lockcheck.analysis.program.Program` whose
    pointers are solved; no copy is made here."""
    hops = []
    for key, fn in program.by_key.items():
        for call in calls_in(fn.body):
            if call.callee is None and call.forwarded_params:
                hops += [((key, param), (target, pos)) for target in _pointer_targets(program, call, fn, key)
                         for pos, param in call.forwarded_params]
    return hops


def _pointer_targets(program, call, fn, key: str) -> list[str]:
    """The functions a call through a pointer reaches, unspecialised
    (``Program.resolve`` without ``_specialise``)."""
    if call.via_param is not None:
        return list(program.bindings.get((key, call.via_param), ()))
    if call.pointer and call.pointer[0][:2] == "T:":
        name = call.pointer[0][2:]
        for f in (fn.file,) + tuple(program.units.get(fn.file, ())):
            held = program.fn_arrays.get((f, name))
            if held is not None:
                return [k for k in (program.resolve_name(n, f) for n in held) if k is not None]
        return []
    found = program.pointsto.targets(call, fn, key) if program.pointsto is not None else None
    if found is not None:
        return list(found)
    if call.field is not None:
        return [k for k in (program.globals.get(n) or (program.by_name.get(n) or [None])[0]
                            for n in program.ops.get(call.field, ())) if k]
    return []


def read_positions(functions, hops, counted: dict[str, tuple[int, ...]]) -> tuple[dict, dict, dict]:
    """(:func:`symbol_positions`, :func:`value_positions`,
    :func:`called_positions`) of the same functions and hops, in one pass:
    each body's nodes walked once, the hops indexed once (the whole tree
    has some half a million functions)."""
    symbols, values, called = set(), set(), set()
    for key, fn in functions:
        if fn.params:
            nodes = list(ir_nodes(fn.body))
            if reads_symbols(fn, nodes):
                symbols.update((key, pos) for pos in range(len(fn.params)))
            read = reads_values(fn, nodes)
            values.update((key, pos) for pos, p in enumerate(fn.params) if p in read)
        called.update((key, call.via_param) for call in calls_in(fn.body) if call.via_param is not None)
    for key, positions in counted.items():
        values.update((key, pos) for pos in positions)
    back = hops_back(hops)
    return handed_on_to(symbols, back=back), handed_on_to(values, back=back), handed_on_to(called, back=back)


def only_called(binding: dict[int, list[str]], called: tuple[int, ...]) -> dict[int, list[str]]:
    """``binding`` (position -> functions) at the ``called`` positions only."""
    if all(pos in called for pos in binding):
        return binding
    return {pos: found for pos, found in binding.items() if pos in called}

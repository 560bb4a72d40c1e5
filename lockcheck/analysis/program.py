"""Every function of a scan, identified like the linker does (a ``static``
function, and every function defined in a header, by ``file:name``, others
by name), and how a call resolves to them: by name, through a function
pointer parameter, a notifier chain, an ops table or the points-to
solution, specialising a callee on the function pointers and constants it
is passed."""

from __future__ import annotations

import dataclasses

from lockcheck.analysis import irqsafety
from lockcheck.analysis import const_params
from lockcheck.analysis.calls_before import forget_orders
from lockcheck.analysis.entry_facts import entry_facts, pair_param
from lockcheck.analysis.pred_keys import entry_tests, param_test
from lockcheck.analysis.known_entry import counted_params, handed_on_to, known_entry, sign_key
from lockcheck.analysis.held_facts import HeldFacts, carried_fact, numbered, param_field
from lockcheck.analysis.copy_keys import (only_called, pointer_hops, read_positions, without_unread_symbols,
                                          without_unread_values)
from lockcheck.analysis.ir import Call, FunctionIR
from lockcheck.analysis.irwalk import calls_in, tested_names
from lockcheck.analysis.pointsto import PointsTo
from lockcheck.analysis.releases import assigned_names

__all__ = ["Program", "MAX_CLONES", "MAX_SMALL_CLONES", "SMALL_CALLS", "translation_units"]

#: Specialised copies of one function for different function-pointer arguments.
MAX_CLONES = 16
#: ... for a small function (an iterator such as device_for_each_child() or
#: list_sort(): at most SMALL_CALLS calls), which the whole tree calls with
#: hundreds of callbacks: past the limit, every call would reach the union.
MAX_SMALL_CLONES = 1024
SMALL_CALLS = 8


def translation_units(included_c: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """A ``.c`` file that ``#include``s other ``.c`` files (ehci-hcd.c:
    ehci-q.c, ehci-timer.c, ...) is one translation unit with them: a static
    function of any of them is called from the others.  File -> the other
    files of its unit (the includer first, then the rest in order); a file
    included by several includers sees each of them."""
    out: dict[str, list[str]] = {}
    for top in sorted(included_c):
        unit, todo = [top], list(included_c[top])
        while todo:     # nested inclusion: the includer's unit grows
            f = todo.pop(0)
            if f not in unit:
                unit.append(f)
                todo.extend(included_c.get(f, ()))
        for f in unit:
            seen = out.setdefault(f, [])
            seen.extend(g for g in unit if g != f and g not in seen)
    return {f: tuple(v) for f, v in sorted(out.items())}


class Program:
    """Every function of the scan, and how calls resolve to them."""

    def __init__(self, functions: list[FunctionIR], ops: dict | None = None, notifiers=None,
                 not_followed: dict[str, str] | None = None, skipped: frozenset[str] = frozenset(),
                 units: dict[str, tuple[str, ...]] | None = None) -> None:
        self.notifiers = notifiers
        # file -> the other .c files of its translation unit (translation_units)
        self.units = units or {}
        # (file, array) -> the functions a file-scope array of function
        # pointers holds (TreeIndex.fn_arrays; api sets it)
        self.fn_arrays: dict[tuple[str, str], tuple[str, ...]] = {}
        # (struct, field) -> (file, function) of each initialiser storing one
        # there, and .c file -> its names' member stores and other value
        # uses (TreeIndex.ops_sites, .value_uses; api sets them): which
        # uncalled functions are entered only through their tables
        # (analysis.table_entries)
        self.ops_sites: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.table_sites: dict[tuple[str, str], list[tuple[str, str]]] = {}   # TreeIndex.table_sites
        # every file the scan lexed, and names -> the tree's files naming
        # them (lockcheck.name_mentions; None without a tree): api sets them
        self.lexed: frozenset[str] = frozenset()
        self.mentions = None
        self.value_uses: dict[str, dict[str, tuple[str, ...]]] = {}
        # (to, from) field slots whose copy points-to does not follow
        # (pointsto.toml copies_not_followed; api sets it)
        self.copies_not_followed: frozenset[tuple[str, str]] = frozenset()
        # functions the front end left unparsed because no lock is reachable
        # from them: calls to them are resolved, to an empty summary
        self.skipped = skipped
        # files of the functions found outside the scan (lockcheck.tree_callees):
        # never roots, their own walks report nothing
        self.outside: frozenset[str] = frozenset()
        # (file, name) of those cut at the depth bound: their summaries keep
        # what they release only
        self.outside_cut: frozenset[tuple[str, str]] = frozenset()
        # which headers a file's calls reach (analysis.header_scope; api sets
        # it): None resolves a call to the first header defining the name
        self.header_scope = None
        self.not_followed = not_followed or {}
        # display path -> the architectures that build it (frontend.arch_dirs)
        self.arch_of = None
        # clone key -> {parameter position: [function keys]}; see _specialise
        self.clone_bindings: dict[str, dict[int, list[str]]] = {}
        self.clone_facts: dict[str, dict[str, str]] = {}   # clone key -> {parameter: constant}
        # clone key -> {parameter: >0 | >=0} (analysis.known_entry), and the
        # parameter positions whose sign a function's calls need
        self.clone_signs: dict[str, dict[str, str]] = {}
        self.counted: dict[str, tuple[int, ...]] = {}
        # parameter positions tested for zero (``if (!p)``), or handed on to one
        self.zero_tested: dict[str, tuple[int, ...]] = {}
        self.symbol_read: dict[str, tuple[int, ...]] = {}
        self.called: dict[str, tuple[int, ...]] = {}
        self.value_read: dict[str, tuple[int, ...]] = {}
        self._copy_hops: list = []
        # clone key -> {parameter: its down-stream tests decided} (analysis.const_params)
        self.clone_outcomes: dict[str, dict[str, tuple]] = {}
        # function -> {parameter position: the tests made of it down the calls handing it on}
        self.downstream: dict[str, dict[int, tuple]] = {}
        self._assigned: dict[int, tuple] = {}
        # clones entered knowing a field's or a static key's value (analysis.held_facts)
        self.clone_carries: set[str] = set()
        # clone key -> {field: #N}: the integer a carried field fact stands
        # for, handed on with it (analysis.held_facts.numbered)
        self.clone_numbers: dict[str, dict[str, str]] = {}
        self.cloned: dict[str, int] = {}
        self.labels: dict[tuple[str, int, str], str] = {}
        # (caller, call, target) -> the ops table the target was read from
        self.table_of: dict[tuple[str, int, str], str] = {}
        # (caller, call) -> candidate functions of an indirect call (pointsto.width)
        self.widths: dict[tuple[str, int], int] = {}
        # (caller, call) whose candidates the caller chose itself (pointsto.chosen)
        self.chosen: set[tuple[str, int]] = set()
        self.no_target: dict[tuple[str, int], tuple[str, ...]] = {}   # tables where that call does nothing
        self.by_key: dict[str, FunctionIR] = {}
        self.globals: dict[str, str] = {}
        self.statics: dict[tuple[str, str], str] = {}
        self.by_name: dict[str, list[str]] = {}
        for fn in sorted(functions, key=lambda f: (f.file.endswith(".h"), f.file, f.line)):
            local = fn.static or fn.file.endswith(".h")
            key = f"{fn.file}:{fn.name}" if local else fn.name
            if key in self.by_key:
                continue  # a second definition (#if/#else variants): keep the first
            self.by_key[key] = fn
            self.by_name.setdefault(fn.name, []).append(key)
            if local:
                self.statics[(fn.file, fn.name)] = key
            else:
                self.globals[fn.name] = key
        self.ops = ops or {}
        # global table -> struct type, (table, field) -> function: see pointsto
        self.tables: tuple[dict, dict] = ({}, {})
        self.table_members: dict[str, tuple[str, ...]] = {}   # object -> members its initialiser names
        self.pointsto: PointsTo | None = None
        self.irq: irqsafety.IrqModel | None = None   # interrupt contexts (api sets it)

    def resolve_name(self, name: str, from_file: str) -> str | None:
        key = self.statics.get((from_file, name))
        if key is not None:
            return key
        for other in self.units.get(from_file, ()):
            key = self.statics.get((other, name))
            if key is not None:
                return key
        if self.header_scope is not None and self.header_scope.macro_wins(name, from_file):
            return None
        if name in self.globals:
            return self.globals[name]
        keys = self.by_name.get(name)
        if keys:
            headers = [k for k in keys if k.split(":")[0].endswith(".h")]
            if self.header_scope is not None:   # only a header the caller's file includes
                return self.header_scope.visible(headers, name, from_file)
            return headers[0] if headers else None
        return None

    def _array_targets(self, call: Call, caller: FunctionIR, caller_key: str) -> list[str]:
        """``handlers[i](..)``: every function the array of the caller's file
        (or translation unit) lists; an array no scanned file initialises
        reaches nothing."""
        name = call.pointer[0][2:]
        for f in (caller.file,) + tuple(self.units.get(caller.file, ())):
            held = self.fn_arrays.get((f, name))
            if held is not None:
                keys: list[str] = []
                for n in held:
                    k = self.resolve_name(n, f)
                    if k is not None and k not in keys:
                        keys.append(self._specialise(k, call, caller, caller_key))
                return keys
        return []

    def resolvable_names(self) -> frozenset[str]:
        """The callee names a direct call can resolve through (:meth:`resolve`
        finds nothing for any other): defined functions and notifier chain
        calls."""
        chains = self.notifiers.call_chain if self.notifiers is not None else ()
        return frozenset(self.by_name).union(chains)

    def bind_function_pointers(self) -> None:
        """Functions passed as arguments: (callee, position) → functions,
        so a call through that parameter inside the callee reaches them."""
        self.bindings: dict[tuple[str, int], list[str]] = {}
        for key in sorted(self.by_key):
            fn = self.by_key[key]
            for call in calls_in(fn.body):
                if not call.fnptr_args or not call.callee:
                    continue
                target = self.resolve_name(call.callee, fn.file)
                if target is None:
                    continue
                for pos, name in call.fnptr_args:
                    k = self.resolve_name(name, fn.file)
                    lst = self.bindings.setdefault((target, pos), [])
                    if k and k not in lst:
                        lst.append(k)
        self._forward_bindings()

    def _forwarding_hops(self) -> list:
        """((caller, its parameter), (callee, position)) of every direct call
        handing a parameter on."""
        hops = []
        for key in sorted(self.by_key):
            fn = self.by_key[key]
            for call in calls_in(fn.body):
                if call.forwarded_params and call.callee:
                    target = self.resolve_name(call.callee, fn.file)
                    if target is not None:
                        hops += [((key, param), (target, pos)) for pos, param in call.forwarded_params]
        return hops

    def _forward_bindings(self) -> None:
        """A function-pointer parameter passed on (``msr_io`` hands ``do_msr``
        to ``__msr_io``) carries its bindings to the next callee; to a fixpoint."""
        self._hops = hops = self._forwarding_hops()
        changed = True
        while changed:
            changed = False
            for src, dst in hops:
                for k in self.bindings.get(src, []):
                    lst = self.bindings.setdefault(dst, [])
                    if k not in lst:
                        lst.append(k)
                        changed = True

    def uses_function_params(self) -> None:
        self.fnptr_users = {k for k, fn in self.by_key.items()
                            if any(c.via_param is not None or c.forwarded_params for c in calls_in(fn.body))}
        # parameters a function tests (if (init_event), switch (reg)) or hands
        # on; only where there are some, as a tuple (an empty frozenset is
        # 216 bytes, and the whole tree has 600k functions, most with a
        # parameter or two at most)
        self.tested: dict[str, tuple[str, ...]] = {}
        zero_tested = set()
        for k, fn in self.by_key.items():
            own = set(tested_names(fn.body))
            zero_tested.update((k, pos) for pos, p in enumerate(fn.params) if p in own)
            names = own | {fn.params[p] for c in calls_in(fn.body) for _, p in c.forwarded_params if p < len(fn.params)}
            viewed = tuple(v for v, _, _ in fn.views) if fn.views else ()   # analysis.param_views
            tested = tuple(sorted(n for n in names if n in fn.params or pair_param(n, fn.params)
                                  or param_field(n, fn.params) or param_test(n, fn.params)
                                  or viewed and param_test(n, viewed)))
            if tested:
                self.tested[k] = tested
        own = {(k, pos): sigs for k, tested in self.tested.items()
               for pos, sigs in const_params.own_tests(tested, self.by_key[k].params).items()}
        hops = getattr(self, "_hops", None)
        hops = self._forwarding_hops() if hops is None else hops
        self.downstream = {}     # per function, ordered by position (read at every call of it)
        for (base, pos), found in sorted(const_params.downstream_tests(own, hops).items()):
            self.downstream.setdefault(base, {})[pos] = found
        self.counted = counted_params(((k, calls_in(fn.body)) for k, fn in self.by_key.items()), hops)
        self.zero_tested = handed_on_to(zero_tested, hops)
        self._copy_hops = hops   # read by copy_positions once the pointers are solved
        self._hops = None
        self.carried = HeldFacts(self)

    def _entry_facts(self, target: str, call: Call, caller: FunctionIR, caller_key: str) -> tuple[dict, dict, dict]:
        """The entry facts of ``target`` called by ``call``, the outcomes
        of the tests down the calls it hands its parameters on to, and the
        signs of its counted parameters (analysis.known_entry); the integers
        of its carried field facts in ``self._numbers``."""
        self._numbers = {}
        tested = self.tested.get(target, ())
        caller_facts = self.clone_facts.get(caller_key, {})
        facts = self.carried.globals(self, target, call, caller_facts)
        base = target.partition("<")[0]
        counted = self.counted.get(base, ())
        if not tested and not counted:
            return facts, {}, {}
        params = self.by_key[target].params
        caller_signs = self.clone_signs.get(caller_key, {})
        forwarded = call.forwarded_params
        assigned = self._assigned_in(caller) if forwarded and (caller_facts or caller_signs) else frozenset()
        if assigned:   # a parameter the caller writes may hand on another value
            forwarded = tuple((p, q) for p, q in forwarded if q >= len(caller.params) or caller.params[q] not in assigned)
        signs = {}
        if call.known_args or counted:
            known, signs = known_entry(params, self.zero_tested.get(base, ()), counted, call, caller.params,
                                       caller_facts, caller_signs, assigned)
            for name, value in known.items():
                facts.setdefault(name, value)
            for name, value in entry_tests(params, tested, call.known_args, self.by_key[target].views).items():
                facts.setdefault(name, value)
        if not tested:
            return facts, {}, signs
        held = self.carried.fields(self, params, call, caller, caller_facts, self.clone_numbers.get(caller_key))
        facts.update(entry_facts(params, tested, call.const_args, forwarded,
                                 caller.params, caller_facts, call.const_values, held, call.known_args))
        self._numbers = numbered(held, facts)
        tests = self.downstream.get(base)
        tests = {pos: found for pos, found in tests.items() if pos < len(params)} if tests else {}
        outcomes = {}
        if tests:
            mine = self.clone_outcomes.get(caller_key, {})
            outcomes = const_params.entry_outcomes(params, tests, call, caller.params, mine,
                                                   self._assigned_in(caller) if mine else frozenset())
            for name, value in const_params.outcome_facts(tested, params, outcomes).items():
                facts.setdefault(name, value)
        return facts, outcomes, signs

    def copy_positions(self) -> None:
        """The parameters whose symbol, value or binding a copy's walk can
        read (analysis.copy_keys), down direct calls and, the pointers
        solved, calls through pointers."""
        hops = self._copy_hops + pointer_hops(self)
        self.symbol_read, self.value_read, self.called = read_positions(self.by_key.items(), hops, self.counted)
        self._copy_hops = []

    def _assigned_in(self, fn: FunctionIR) -> frozenset[str]:
        """The variables ``fn`` assigns or takes the address of (analysis.param_escapes)."""
        found = self._assigned.get(id(fn.body))
        if found is None or found[0] is not fn.body:
            found = self._assigned[id(fn.body)] = (fn.body, assigned_names(fn.body))
        return found[1]

    def _specialise(self, target: str, call: Call, caller: FunctionIR, caller_key: str) -> str:
        """``msr_io(vcpu, argp, do_set_msr, 0)`` calls a copy of ``msr_io`` in
        which ``do_msr`` is ``do_set_msr`` only (not every function any caller
        passes), so witnesses through function pointers stay feasible."""
        fnptr_user = target in getattr(self, "fnptr_users", ())
        if not fnptr_user and not call.held_facts and caller_key not in self.clone_carries and \
                (target not in getattr(self, "tested", {}) and target not in self.counted
                 or not (call.const_args or call.forwarded_params or call.const_values or call.known_args)):
            return target   # most calls: nothing to specialise on (checked first: millions of calls)
        self._numbers = {}
        facts, outcomes, signs = self._entry_facts(target, call, caller, caller_key) \
            if hasattr(self, "tested") else ({}, {}, {})
        if facts:   # a value or symbol no walk reads: no copy of its own (analysis.copy_keys)
            base, params = target.partition("<")[0], self.by_key[target].params
            facts = without_unread_values(facts, params, self.value_read.get(base, ()))
            facts = without_unread_symbols(facts, params, self.symbol_read.get(base, ()))
        if not fnptr_user and not facts and not outcomes and not signs:
            return target
        binding: dict[int, list[str]] = {}
        for pos, name in call.fnptr_args:
            k = self.resolve_name(name, caller.file)
            lst = binding.setdefault(pos, [])   # a callback outside the scan or reaching no
            if k:                               # lock binds to nothing, never to the union
                lst.append(k)
        mine = self.clone_bindings.get(caller_key, {})
        for pos, param in call.forwarded_params:
            if param in mine:
                binding.setdefault(pos, []).extend(mine[param])
        if binding:   # a position no call goes through: nothing read (analysis.copy_keys)
            binding = only_called(binding, self.called.get(target.partition("<")[0], ()))
        if not binding and not facts and not outcomes and not signs:
            return target
        numbers = getattr(self, "_numbers", None) or {}
        clone = target + "<" + ",".join(f"{p}={'|'.join(v)}" for p, v in sorted(binding.items())) \
            + "".join(f";{k}={numbers.get(k, v)}" for k, v in sorted(facts.items())) \
            + const_params.outcome_key(outcomes) \
            + sign_key(signs) + ">"
        if clone not in self.by_key:
            if self.cloned.get(target, 0) >= self._clone_limit(target):
                return target
            self.cloned[target] = self.cloned.get(target, 0) + 1
            self.by_key[clone] = self.by_key[target]
            self.clone_bindings[clone] = binding
            self.clone_facts[clone] = facts
            if outcomes:
                self.clone_outcomes[clone] = outcomes
            if signs:
                self.clone_signs[clone] = signs
            if any(carried_fact(f) for f in facts):
                self.clone_carries.add(clone)
            if numbers:
                self.clone_numbers[clone] = numbers
            if target in self.tested:
                self.tested[clone] = self.tested[target]
            if target in self.fnptr_users:
                self.fnptr_users.add(clone)
        return clone

    def _clone_limit(self, target: str) -> int:
        fn = self.by_key[target]
        return MAX_SMALL_CLONES if len(calls_in(fn.body)) <= SMALL_CALLS else MAX_CLONES

    def resolve(self, call: Call, caller: FunctionIR, caller_key: str = "") -> list[str]:
        if self.pointsto is not None:
            self.pointsto.how = ""
            self.pointsto.width = 0
            self.pointsto.chosen = False
        if call.callee in self.not_followed:
            return []
        if call.via_param is not None:
            if caller_key in self.clone_bindings and call.via_param in self.clone_bindings[caller_key]:
                return list(self.clone_bindings[caller_key][call.via_param])
            return list(getattr(self, "bindings", {}).get((caller_key, call.via_param), []))
        if self.notifiers is not None and self.notifiers.is_dispatch(call):
            return []  # resolved per chain at each *_notifier_call_chain() site
        if call.callee:
            key = self.resolve_name(call.callee, caller.file)
            keys = [self._specialise(key, call, caller, caller_key)] if key else []
            if self.notifiers is not None:
                chain, callbacks = self.notifiers.callbacks(call)
                for cb in callbacks:
                    k = self.resolve_name(cb, caller.file) or (self.by_name.get(cb) or [None])[0]
                    if k and k not in keys:
                        keys.append(k)
                        self.labels[(caller_key, id(call), k)] = f"notifier chain {chain}"
            return keys
        if call.pointer and call.pointer[0][:2] == "T:":
            return self._array_targets(call, caller, caller_key)
        if self.pointsto is not None:
            found = self.pointsto.targets(call, caller, caller_key)
            if found is not None:
                keys = []
                tables = self.pointsto.table_of
                for k in found:
                    spec = self._specialise(k, call, caller, caller_key)
                    if spec not in keys:
                        keys.append(spec)
                        if k in tables:
                            self.table_of[(caller_key, id(call), spec)] = tables[k]
                if self.pointsto.no_target:
                    self.no_target[(caller_key, id(call))] = self.pointsto.no_target
                return keys
        if call.field is not None:
            names = self.ops.get(call.field, [])
            keys = []
            for n in names:
                k = self.globals.get(n) or (self.by_name.get(n) or [None])[0]
                if k:
                    k = self._specialise(k, call, caller, caller_key)
                if k and k not in keys:
                    keys.append(k)
            return keys
        return []

    def strip_ir(self) -> None:
        """Once the pointer flows are solved, the functions keep only what
        the walk reads: the flow facts (on a whole tree hundreds of
        megabytes of uninterned strings), the declared variable names and
        the class notes were read before the analysis (api) or by
        :class:`PointsTo`, and the bare copies a walked function leaves
        (:class:`walked_bodies.WalkedBodies`) would otherwise keep them to the end."""
        copies: dict[int, FunctionIR] = {}
        for key, fn in self.by_key.items():
            if not (fn.flows or fn.var_names or fn.class_notes or fn.unresolved_sites or fn.texts):
                continue
            lean = copies.get(id(fn))
            if lean is None:
                lean = copies[id(fn)] = dataclasses.replace(fn, flows=(), var_names=(), class_notes=(),
                                                            unresolved_sites=(), texts=())
            self.by_key[key] = lean

    def resolved(self) -> None:
        """Every call is resolved (call_graph.resolve_calls): what only
        resolving reads goes before the walk, whose peak it would add to
        (the solved pointer values, the argument bindings, the clones'
        bindings, the tested parameters of every function, the tables
        names resolve through)."""
        self.pointsto.release()
        self.bindings = {}
        self.clone_bindings = {}
        self.tested = {}
        self.downstream = {}
        self.clone_outcomes = {}
        self.clone_signs = {}
        self.counted = {}
        self.zero_tested = {}
        self.symbol_read = {}
        self.value_read = {}
        self.called = {}
        self._assigned = {}
        self.fnptr_users = set()
        self.carried = HeldFacts(self)
        # names resolve no more: the walk reads functions by key (the whole
        # tree's name tables, header scopes and notifier chains are some
        # 230 MB held through its large recursion)
        self.by_name = {}
        self.clone_carries = set()
        self.clone_numbers = {}
        self.header_scope = None
        self.notifiers = None
        self.ops_sites = {}
        self.value_uses = {}
        self.globals, self.statics, self.fn_arrays = {}, {}, {}
        self.tables, self.table_members, self.table_sites = ({}, {}), {}, {}
        self.lexed, self.mentions = frozenset(), None
        forget_orders()

    def skipped_targets(self, call: Call) -> list[str]:
        """Names a call would reach among the skipped functions (for counts only)."""
        if call.callee:
            return [call.callee] if call.callee in self.skipped else []
        if call.field is not None:
            return [n for n in self.ops.get(call.field, ()) if n in self.skipped]
        return []

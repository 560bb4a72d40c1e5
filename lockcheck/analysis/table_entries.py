"""Functions entered only through the tables they are stored in.

A function no scanned code calls is a *root*: entered in process context
with interrupts on (analysis.irqsafety).  That is right for a syscall, an
ioctl or any callback whose caller is not in the scan, and wrong for one
the scan's own code calls through a table the points-to resolution did
not follow back to it: kdb's command functions sit in ``kdbtab_t``
tables, linked on a list, and ``kdb_parse()`` calls ``(*tp->func)(..)``
only with interrupts off (the debugger's entry), yet each command became
a root taking its locks with interrupts on.

Such a function is no root of its own when every way it can be entered is
a call the scan resolved:

* it is defined in a ``.c`` file the scan read and nothing calls it;
  ``static`` (every use of its name is in its translation unit), or every
  file of the tree naming it is one the scan read (lockcheck.name_mentions);
* every use of its name as a value is a store into a member (``.func =
  f`` in an initialiser, ``p->func = f``; frontend.value_uses): no
  argument, macro argument, local, return or positional initialiser, where
  the address could go anywhere;
* each of those members is a (struct, field) slot it is stored in by an
  initialiser the ordinary resolution does not read (an array of structs'
  element, a typedef'd table: TreeIndex.table_sites), and it is stored in
  none the resolution reads (an ops initialiser, a store points-to
  followed: there the resolution decided), and no slot is one the interrupt
  model says the core calls with interrupts off (that entry is modelled:
  IrqModel.entered_off);
* every slot has calls through it in the scan that may read the pointer
  from an object the points-to solution does not name (kdb's list
  entries; a call narrowed to named tables is not one: the table holding
  the function is not among them, so its real caller is elsewhere, as the
  VFS's for a character device multiplexer's ``.open``), and none of them
  is in a function outside the scan (lockcheck.tree_callees: its callers
  are not the scan's).

Its entry is then those calls': it is made one more target of each,
so the walk enters it with their held locks and interrupt state.
Anything less certain keeps today's root.
"""

from __future__ import annotations

from lockcheck.frontend.value_uses import OTHER

__all__ = ["table_entries"]


def table_entries(program, succ: dict, calls: dict) -> dict[str, list[tuple[str, int]]]:
    """Add the calls through their tables as callers of the roots that
    qualify (module docstring): ``succ`` (the call graph) and ``calls``
    (per function, its calls and their targets) are updated in place.
    Returns function key -> the (caller key, call index) it was added to."""
    called = {t for targets in succ.values() for t in targets}
    candidates = _candidates(program, succ, called)
    if not candidates:
        return {}
    slots = _slots(program, candidates)
    sites = _field_sites(program, calls)
    entered_off = program.irq.entered_off if program.irq is not None else {}
    added: dict[str, list[tuple[str, int]]] = {}
    for key in sorted(candidates):
        members = candidates[key]
        mine = slots.get(key, set())
        fields = {f.rsplit(".", 1)[-1] for _, f in mine}   # a nested designator's last member
        if not mine or any(m not in fields for m in members) or program.by_key[key].name in entered_off:
            continue
        found = [sites.get(slot) for slot in sorted(mine)]
        if any(not s or any(not ok for _, _, ok in s) for s in found):
            continue
        at = sorted({(caller, k) for s in found for caller, k, _ in s})
        for caller, k in at:
            _add_target(program, calls, caller, k, key)
            succ[caller][key] = None
        added[key] = at
    return added


def _candidates(program, succ: dict, called: set) -> dict[str, tuple[str, ...]]:
    """Uncalled functions of scanned ``.c`` files whose name's only value
    uses are member stores: key -> those members.  A static function's
    uses are its translation unit's; any other's, every file's, so every
    file of the tree naming it must be one the scan read
    (``program.mentions``: lockcheck.name_mentions; without a tree the
    scan is the whole program)."""
    by_name: dict[str, list[tuple[str, ...]]] = {}
    for f in sorted(program.value_uses):
        for name, uses in program.value_uses[f].items():
            by_name.setdefault(name, []).append(uses)
    out, public = {}, {}
    for key in succ:
        if key in called or "<" in key:
            continue
        fn = program.by_key.get(key)
        if fn is None or not fn.file.endswith(".c") or fn.file in program.outside:
            continue
        if fn.static:
            uses = [program.value_uses.get(f, {}).get(fn.name)
                    for f in (fn.file,) + tuple(program.units.get(fn.file, ()))]
            uses = [u for u in uses if u is not None]
        else:
            uses = by_name.get(fn.name, [])
        if not uses or any(OTHER in u for u in uses):
            continue
        (out if fn.static else public)[key] = tuple(sorted({m for u in uses for m in u}))
    if public and program.mentions is not None:
        named = program.mentions(sorted({program.by_key[k].name for k in public}))
        public = {k: v for k, v in public.items() if named.get(program.by_key[k].name, frozenset()) <= program.lexed}
    out.update(public)
    return out


def _slots(program, candidates: dict) -> dict[str, set[tuple[str, str]]]:
    """Per candidate, the (struct, field) slots it is stored in by the
    initialisers only this module reads (an array of structs' elements, a
    typedef'd table: TreeIndex.table_sites; bound as the linker would).  A
    candidate also stored where the ordinary resolution sees it is left
    out: that resolution (the field rule, points-to) already decided
    which calls reach it, and the tables it sees are often registered
    with an API the core calls (notifier blocks, pmu ops) from contexts
    the scan's calls through the field do not show."""
    names = {program.by_key[k].name for k in candidates}
    out: dict[str, set[tuple[str, str]]] = {}
    for slot, sites in program.table_sites.items():
        for f, name in sites:
            if name in names:
                key = program.resolve_name(name, f)
                if key in candidates:
                    out.setdefault(key, set()).add(tuple(slot))
    # stored where the ordinary resolution sees it (an ops initialiser, a
    # store points-to followed: notifier blocks, pmu and hrtimer ops): it
    # decided, keep its answer
    seen = set()
    for slot, sites in program.ops_sites.items():
        for f, name in sites:
            if name in names and program.resolve_name(name, f) in candidates:
                seen.add(program.resolve_name(name, f))
    values = program.pointsto.values if program.pointsto is not None else {}
    keys = set(candidates)
    for node, held in values.items():
        if node[:2] == "F:":
            seen.update(keys.intersection(held))
    return {k: v for k, v in out.items() if k not in seen}


def _field_sites(program, calls: dict) -> dict[tuple[str, str], list[tuple[str, int, bool]]]:
    """The indirect calls through each (struct, field) slot that may read
    it from an object the points-to solution does not name (a list entry,
    a run-time filled object: PointsTo.unnamed_object): (caller key, its
    index among the caller's calls, known?).  A call narrowed to named
    tables, or to known functions, is left out: the function is in none of
    them.  Known whatever it resolved to (the functions it reaches may all
    be ones reaching no lock); a call in a function outside the scan is
    not (its function's callers are not the scan's, lockcheck.tree_callees)."""
    out: dict[tuple[str, str], list[tuple[str, int, bool]]] = {}
    pt = program.pointsto
    for caller in sorted(calls):
        mine, found = calls[caller]
        fn = program.by_key[caller]
        outside = fn.file in program.outside
        for k, call in enumerate(mine):
            if call.callee is None and call.field is not None and call.via_param is None:
                if outside:
                    out.setdefault(call.field, []).append((caller, k, False))
                elif pt is None or pt.unnamed_object(call, fn, caller):
                    out.setdefault(call.field, []).append((caller, k, True))
    return out


def _add_target(program, calls: dict, caller: str, k: int, key: str) -> None:
    """``key`` one more target of the caller's call ``k``; the call's
    candidate count (the points-to width, which counts the candidates the
    front end skipped too) grows by one with it, so a scan that parses
    every function counts the same."""
    mine, found = calls[caller]
    if key in found[k]:
        return
    width = program.widths.get((caller, id(mine[k])))
    if width:
        program.widths[(caller, id(mine[k]))] = width + 1
    calls[caller] = (mine, found[:k] + (found[k] + (key,),) + found[k + 1:])

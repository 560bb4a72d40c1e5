"""Roots whose own code says they are entered with interrupts off.

A function no scanned code calls is entered in process context with
interrupts on (:mod:`lockcheck.analysis.irqsafety`).  Some roots are
called only by code outside the scan that has interrupts off: the arch
code bringing a CPU up calls ``notify_cpu_starting()`` before it enables
them, an arch or demultiplexing interrupt handler calls a flow handler
such as ``handle_untracked_irq()``.  Nothing at such a root says so, but
its body does: on its main line, before anything could disable hardirqs
itself, it makes a call that runs only with hardirqs off:

* an assertion (``lockdep_assert_irqs_disabled()``: ``[irq]
  asserted_hardirqs_off`` in contexts.toml): lockdep warns at every
  caller that has them on, and a correct kernel has none;
* a call through a field the model says the core calls only in hardirq
  (``action->handler()``: ``[irq] called_in_hardirq``);
* a call of a function that is itself such a function, by this same
  rule (a fixed point over the direct calls: ``notify_cpu_starting()``
  calls ``rcutree_report_cpu_starting()``, which asserts;
  ``handle_untracked_irq()`` calls ``__handle_irq_event_percpu()``, which
  calls ``action->handler()``).  A name with several definitions (static
  namesakes) counts only when every one of them is such a function.

Had the function been entered with hardirqs on, that call would run with
them on.  So a root of this kind is entered with hardirqs (and so
softirqs) off, as a root stored in an ``entered_hardirqs_off`` ops field
(:meth:`IrqModel.learn_entries`): what it takes is no ``ENABLED_*`` usage.
It claims no interrupt *use* either (no ``IN-HARDIRQ``): a flow handler
may also run with interrupts merely disabled (``generic_handle_irq_safe()``).

The main line: the function's top-level statements, the bodies of
top-level loops (a loop repeats what the function does; its test chooses
how often, not in which context) and the first operand of their
conditions (``if (action->handler(..) == IRQ_WAKE_THREAD)``), not a
branch of an ``if`` or ``switch`` nor what follows ``&&``/``||`` (an
assertion under a test says nothing of the other way).  An early exit
before the call (``if (!irq_may_run(desc)) goto out;``) does not count
against it: a caller does not choose the context by the data.  "Before
anything could disable hardirqs": no acquisition disabling them
(``local_irq_save()``, ``spin_lock_irqsave()``, in any nesting) precedes
the call, nor a call of a function that may return with them disabled
(:func:`_leaving_off`: ``local_irq_disable_exit_to_user()`` before
``exit_to_user_mode_prepare()`` asserts, in
``syscall_exit_to_user_mode()``, entered with them on).

Limits: a function the relevance filter skips (it reaches no lock,
frontend.relevance) is not in the IR and gives no evidence; a call
through a pointer is not followed; a root entered with hardirqs off has
every ``ENABLED_*`` usage dropped, those after its own enable too (as for
the ``entered_hardirqs_off`` ops fields).

A function some scanned code calls keeps its callers' state: the
requirement is checked there, not believed.  Two passes over each body
(the whole of it for the functions that may return with hardirqs off,
its main line) and a worklist over the calls found: linear in the IR.
"""

from __future__ import annotations

from lockcheck.analysis import ir

__all__ = ["asserted_irqs_off"]

#: hardirqs off implies softirqs off (lockdep: SOFTIRQ-ON only while hardirqs are on)
_OFF = frozenset(("HARDIRQ", "SOFTIRQ"))
#: pseudo-lock keys an acquisition of which disables hardirqs (analysis.irqsafety)
_HARD_KEYS = frozenset(("g:irq:hardirqs_off", "g:irq:in_hardirq"))


def asserted_irqs_off(functions, asserts, hardirq_fields=(), disables=None,
                      enables=None) -> dict[str, frozenset[str]]:
    """Function name -> the interrupts its entry has off, for each function
    whose main line requires hardirqs off (module docstring): ``asserts``,
    the assertion calls; ``hardirq_fields``, the (struct, field) pairs
    called only in hardirq; ``disables`` / ``enables``: primitive -> the
    pseudo-lock refs it pushes / pops (IrqModel.disables, .enables)."""
    names = frozenset(asserts)
    fields = frozenset(tuple(f) for f in hardirq_fields)
    if not names and not fields:
        return {}
    fns = list(functions)
    disabling = _hard(disables)
    scan = _MainLine(names, fields, disabling, _leaving_off(fns, disabling, _hard(enables)))
    defs: dict[str, int] = {}
    users: dict[str, list[int]] = {}    # callee name -> the functions whose main line calls it
    todo: list[int] = []
    for i, fn in enumerate(fns):
        defs[fn.name] = defs.get(fn.name, 0) + 1
        direct, callees = scan.entry(fn.body)
        if direct:
            todo.append(i)
        else:
            for c in callees:
                users.setdefault(c, []).append(i)
    done: set[int] = set()
    marked: dict[str, int] = {}
    required: set[str] = set()
    while todo:
        i = todo.pop()
        if i in done:
            continue
        done.add(i)
        name = fns[i].name
        marked[name] = marked.get(name, 0) + 1
        if marked[name] == defs[name]:
            required.add(name)
            todo.extend(users.pop(name, ()))
    return {name: _OFF for name in sorted(required)}


def _hard(table) -> frozenset[str]:
    """The primitives of ``table`` (primitive -> pseudo-lock refs) that
    act on hardirqs."""
    return frozenset(p for p, refs in (table or {}).items() if any(r.key in _HARD_KEYS for r in refs))


def _leaving_off(fns, disabling: frozenset, enabling: frozenset) -> frozenset[str]:
    """Names of the functions that may return with hardirqs disabled: more
    disabling acquisitions than enabling releases in the body (a
    ``guard()`` ends with its scope: not counted), a call of such a
    function counting as one and a call of one with more enabling than
    disabling ones as one enable (``local_irq_disable_exit_to_user()``,
    and ``__syscall_exit_to_user_mode_work()`` calling it; a wrapper
    taking a lock with ``spin_lock_irqsave()`` and its caller releasing it
    through the matching wrapper balance).  Two levels, not a fixed point:
    a caller of a function whose callee unbalances it is not followed.
    Some definition of the name suffices."""
    own: list[int] = []
    calls: list[list[str]] = []
    for fn in fns:
        n = 0
        called = []
        for node in _nodes(fn.body.items):
            t = type(node)
            if t is ir.Acquire:
                n += not node.scoped and (node.primitive in disabling or node.lock.key in _HARD_KEYS)
            elif t is ir.Release:
                n -= node.primitive in enabling or node.lock.key in _HARD_KEYS
            elif node.callee:
                called.append(node.callee)
        own.append(n)
        calls.append(called)
    leaves = {fn.name for fn, n in zip(fns, own) if n > 0}
    restores = {fn.name for fn, n in zip(fns, own) if n < 0} - leaves
    out = set(leaves)
    for fn, n, called in zip(fns, own, calls):
        if called and n + sum((c in leaves) - (c in restores) for c in called) > 0:
            out.add(fn.name)
    return frozenset(out)


def _nodes(items):
    """Every acquisition, release and call in ``items``, at any depth
    (conditions and returns too)."""
    for it in items:
        t = type(it)
        if t is ir.Acquire or t is ir.Release or t is ir.Call:
            yield it
        elif t is ir.Block:
            yield from _nodes(it.items)
        elif t is ir.If:
            yield from _cond_nodes(it.cond)
            yield from _nodes(it.then.items)
            yield from _nodes(it.orelse.items)
        elif t is ir.Loop:
            yield from _cond_nodes(it.cond)
            yield from _nodes(it.body.items)
            yield from _nodes(it.post.items)
        elif t is ir.Switch:
            yield from _nodes(it.pre.items)
            yield from _nodes(it.body.items)
        elif t is ir.EffectAssign:
            yield it.effect.acquire
        elif t is ir.Return:
            if it.effect is not None:
                yield it.effect.acquire
            if it.call is not None:
                yield it.call


def _cond_nodes(cond):
    t = type(cond)
    if t is ir.CondCall or t is ir.CondOpaque:
        yield from _nodes(cond.pre.items)
        if getattr(cond, "call", None) is not None:
            yield cond.call
        if getattr(cond, "effect", None) is not None:
            yield cond.effect.acquire
    elif t is ir.CondNot:
        yield from _cond_nodes(cond.cond)
    elif t is ir.CondAnd or t is ir.CondOr:
        yield from _cond_nodes(cond.left)
        yield from _cond_nodes(cond.right)


class _MainLine:
    """What a body's main line calls before anything disables hardirqs."""

    def __init__(self, asserts: frozenset, fields: frozenset, disabling: frozenset, leaving: frozenset) -> None:
        self.asserts = asserts
        self.fields = fields
        self.disabling = disabling
        self.leaving = leaving   # functions that may return with hardirqs off

    def entry(self, body: ir.Block) -> tuple[bool, tuple[str, ...]]:
        """(a call requiring hardirqs off is made there itself, the names
        of the functions called there, each once, in order)."""
        callees: dict[str, None] = {}
        stop = self._items(body.items, True, callees)
        return stop == "required", tuple(callees)

    def _items(self, items, main: bool, callees: dict) -> str | None:
        for it in items:
            stop = self._item(it, main, callees)
            if stop:
                return stop
        return None

    def _item(self, it, main: bool, callees: dict) -> str | None:
        t = type(it)
        if t is ir.Call:
            return self._call(it, main, callees)
        if t is ir.Acquire:
            return "disabled" if self._disables(it) else None
        if t is ir.Block:
            return self._items(it.items, main, callees)
        if t is ir.If:
            return self._cond(it.cond, main, callees) or self._items(it.then.items, False, callees) \
                or self._items(it.orelse.items, False, callees)
        if t is ir.Loop:
            first = self._cond(it.cond, main, callees) if it.test_first else None
            return first or self._items(it.body.items, main, callees) or self._items(it.post.items, main, callees) \
                or (None if it.test_first else self._cond(it.cond, main, callees))
        if t is ir.Switch:
            return self._items(it.pre.items, main, callees) or self._items(it.body.items, False, callees)
        if t is ir.EffectAssign:
            return "disabled" if self._disables(it.effect.acquire) else None
        if t is ir.Return:
            if it.effect is not None and self._disables(it.effect.acquire):
                return "disabled"
            return self._call(it.call, main, callees) if it.call is not None else None
        return None

    def _call(self, call: ir.Call, main: bool, callees: dict) -> str | None:
        """A call: the requirement it makes (on the main line), then what
        it may leave disabled (the requirement is the state it is called
        in: one may do both, ``rcutree_report_cpu_starting()``)."""
        if main:
            if call.callee in self.asserts or call.field in self.fields:
                return "required"
            if call.callee:
                callees.setdefault(call.callee, None)
        return "disabled" if call.callee in self.leaving else None

    def _disables(self, a: ir.Acquire) -> bool:
        return a.primitive in self.disabling or a.lock.key in _HARD_KEYS

    def _cond(self, cond, main: bool, callees: dict) -> str | None:
        """A condition's first operand is evaluated whenever the statement
        is (on the main line with it); what follows ``&&``/``||`` only on
        a test's way.  What it acquires may disable."""
        t = type(cond)
        if t is ir.CondCall or t is ir.CondOpaque:
            stop = self._items(cond.pre.items, main, callees)
            if stop:
                return stop
            call = getattr(cond, "call", None)
            stop = self._call(call, main, callees) if call is not None else None
            if stop:
                return stop
            eff = getattr(cond, "effect", None)
            return "disabled" if eff is not None and self._disables(eff.acquire) else None
        if t is ir.CondNot:
            return self._cond(cond.cond, main, callees)
        if t is ir.CondAnd or t is ir.CondOr:
            return self._cond(cond.left, main, callees) or self._cond(cond.right, False, callees)
        return None

"""Extraction of branch conditions (``analysis.extract``'s part for ``if``,
loops and ``?:``): which conditions the walk can decide or correlate.

* constants (``while (0)``, ``if (1)``) become :class:`ir.CondConst`;
* a variable tested (``if (should_lock)``, ``if (!adv)``) becomes a
  :class:`ir.CondVar`; it is *learnable* when it is a local or a parameter
  whose address is never taken in the function, so only assignments
  written in the function change it (``analysis.branchfacts``);
* a variable tested that is a *read* of memory — a file-scope variable
  (``if (use_cpus_read_lock)``) or a field through a learnable pointer or
  a global (``if (apbc->lock)``), none of them with its address taken
  here — is learnable too, until the function writes it (or, for a field,
  any field of that name, or the pointer); a member of a local struct
  (``r.found_memslot``) is no read but a local (``analysis.local_members``);
* a call tested (``if (!f2fs_sb_has_quota_ino(sbi))``,
  ``if (!debug_pagealloc_enabled())``) gets a *key* when its arguments
  are learnable variables or constants, or when it has none: a later test
  of the same call, the arguments unchanged, goes the same way.

What a read or a call returns may change behind the function's back
between two rounds of a loop (a polling loop tests it for that): such a
fact learnt in a loop is tested again each round (``analysis.branchfacts``).
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.compare_facts import pair_name, prefix_stepped
from lockcheck.analysis.guards import static_key_cond
from lockcheck.analysis.local_members import local_member
from lockcheck.analysis.pred_keys import unfold, var_operand
from lockcheck.analysis.typing import lock_ref
from lockcheck.frontend.build_symbols import maybe_defined
from lockcheck.frontend.constants import BIT_MACROS, UNARY, binary_op, literal

#: The class prefix of a work item's (work_completion) map (``flush_work``'s
#: ``class_prefix`` in model/data/primitives.toml).
WORK_PREFIX = "w:"

__all__ = ["ConditionExtraction", "constant_value", "flag_name", "int_literal", "symbolic_constant"]


class ConditionExtraction:
    """Mixed into ``extract.Extractor``: ``self.env``, ``self.call``,
    ``self.expr``, ``self.transparent`` and ``self._assign_var`` come from it;
    ``self.addressed`` is the set of names whose address the function takes."""

    addressed: frozenset[str] = frozenset()
    integers: dict[str, int] = {}
    #: locals that only ever hold constants -> their values (analysis.const_locals)
    const_locals: dict[str, tuple[int, ...]] = {}
    #: calls returning the work item the task runs (``current_work()``)
    running_work: frozenset[str] = frozenset()
    #: IS_ENABLED() and its kin; the object-like macros of the file itself
    config_tests: frozenset[str] = frozenset()
    static_key_tests: frozenset[str] = frozenset()   # analysis.guards
    file_macros: frozenset[str] = frozenset()

    def learnable(self, name: str) -> bool:
        """A plain local or parameter nobody can change behind the code's back."""
        return name.isidentifier() and name not in self.addressed and self.env.lookup(name)[1]

    def read_learnable(self, name: str) -> bool:
        """A read of memory the function does not change behind a pointer
        it takes: a global, or a field of a learnable variable or a
        global, none of them with its address taken here."""
        if name in self.addressed:
            return False
        root = _root(name)
        if root is None or root in self.addressed or root in self.integers:
            return False
        local = self.env.lookup(root)[1]
        return not local if root == name else (not local or self.learnable(root))

    def _var(self, name: str) -> ir.CondVar:
        if self.learnable(name) or local_member(name, self.learnable, self.addressed):
            return ir.CondVar(name, "nonzero", True)
        read = self.read_learnable(name)
        return ir.CondVar(name, "nonzero", read, read)

    def call_key(self, node: c_ast.FuncCall) -> str | None:
        """``f(a,b)`` for a call of a named function whose arguments are all
        learnable variables, fields through one (``&rdp->cblist``) or
        constants, ``f()`` for one without any; a predicate that is another
        call under a new name unfolded (``analysis.pred_keys``)."""
        if not isinstance(node.name, c_ast.ID):
            return None
        parts = [self._operand(a) or var_operand(a, self.learnable) for a in node.args.exprs] if node.args else []
        if None in parts:
            return None
        return unfold(node.name.name, parts, getattr(self.env.index, "predicates", None), self.integers)

    def _operand(self, node) -> str | None:
        """A learnable variable's name, ``#N`` for an integer constant, or
        ``id:NAME`` for a constant named by a symbol whose value the file
        does not give (an enumerator, a header's ``#define``): the form a
        call passes it in (``extract.Extractor._consts``); an integer
        expression of constants (``CS_LOCAL_ONLY | CS_HARD``, ``~FLAG``) as
        ``#N`` where the file or the tree's headers give every name's value."""
        if isinstance(node, c_ast.ID) and self.learnable(node.name):
            return node.name
        if isinstance(node, c_ast.ID) and node.name in self.integers and not self.env.lookup(node.name)[1]:
            return f"#{self.integers[node.name]}"
        if isinstance(node, c_ast.ID) and symbolic_constant(node.name) and not self.env.lookup(node.name)[1]:
            return f"id:{node.name}"
        value = int_literal(node)
        if value is None and (node.__class__ is c_ast.BinaryOp or
                              node.__class__ is c_ast.UnaryOp and node.op == "~"):
            value = self.constant_int(node)    # a mask of constants: flags & (CS_LOCAL_ONLY | CS_HARD)
        return None if value is None else f"#{value}"

    def _compared(self, node) -> tuple[str | None, bool]:
        """An operand of a comparison as a fact name part (``_operand``), or
        a read of memory the function does not change behind a pointer
        (``read_learnable``: ``phba->sli_rev``); and whether it is a read."""
        operand = self._operand(node)
        if operand is not None:
            return operand, False
        if node.__class__ is c_ast.ID and node.name in self.addressed and node.name in self.env.params:
            return node.name, False   # never learnt: entry facts only (analysis.param_escapes)
        if isinstance(node, c_ast.UnaryOp) and node.op == "-" and isinstance(node.expr, c_ast.ID) \
                and constant_value(node) == "nonzero" and not self.env.lookup(node.expr.name)[1]:
            return f"id:-{node.expr.name}", False    # an error code (-ENOENT): a non-zero symbol
        flag = flag_name(node)
        if flag is not None and "," not in flag and self.read_learnable(flag):
            return flag, True
        return None, False

    #: plain variables the function's conditions test; roots of the objects
    #: a field copy was stored into (``analysis.field_copies``)
    tested: frozenset[str] = frozenset()
    copy_roots: set[str] = set()

    #: what the function's calls are given, what it compares (``ast_walk.operand_names``)
    passed: frozenset[str] = frozenset()
    compared: frozenset[str] = frozenset()

    def copied(self, var: str, value) -> str | None:
        """``=NAME`` for ``var = NAME``, a learnable local copied from a
        learnable variable or a field read through a local or parameter
        (``function = hdr->Function``, no cast) that no call of the function
        is given the way to (``hdr``, ``hdr->sub`` for ``hdr->sub->x``):
        the two are one operand for the tests that follow, until either is
        written (``branchfacts.copy_fact``).  A field read again after a
        call given its object (``nsets = b->keys.nsets; write(b); if (nsets
        && !b->keys.nsets)``) is tested for a change."""
        if not self.learnable(var) or var not in self.compared:
            return None
        src, read = self._compared(value)
        if src not in self.compared:
            return None
        if src is None or src == var or src.startswith(("#", "id:")) or src in self.addressed:
            return None
        if read:
            root = _root(src)
            if root is None or root == src or not self.env.lookup(root)[1] or \
                    any(len(p) < len(src) and src.startswith(p) and src[len(p)] in "-." for p in self.passed):
                return None
        return "=" + src

    def negated_call(self, node, out: list):
        """For ``!f(..)`` / ``f(..) == 0`` (an odd number of negations):
        the call's events go to ``out`` and the result is its conditional
        lock effect as the negation sees it (held on the other value), or
        False for a call without one; None when ``node`` is not a negated call."""
        negated = False
        while True:
            if isinstance(node, c_ast.Cast):
                node = node.expr
            elif isinstance(node, c_ast.UnaryOp) and node.op == "!":
                negated, node = not negated, node.expr
            elif isinstance(node, c_ast.BinaryOp) and node.op in ("==", "!=") and constant_value(node.right) == "zero":
                negated, node = negated ^ (node.op == "=="), node.left
            else:
                break
        if not negated or not isinstance(node, c_ast.FuncCall):
            return None
        item = self.call(node, out)
        if isinstance(item, ir.EffectAssign):
            e = item.effect
            return ir.CondEffect(e.acquire, "zero" if e.on == "nonzero" else "nonzero", e.blocking)
        if item is not None:
            out.append(item)
        return False

    def lock_base(self, node) -> str:
        """The learnable variable a lock expression goes through
        (``&bid->busid_lock``, ``lock``, ``&p->a.b``), or ""."""
        while True:
            if isinstance(node, (c_ast.Cast, c_ast.UnaryOp)) and (not isinstance(node, c_ast.UnaryOp) or node.op == "&"):
                node = node.expr
            elif isinstance(node, c_ast.StructRef):
                node = node.name
            else:
                break
        return node.name if isinstance(node, c_ast.ID) and self.learnable(node.name) else ""

    def lock_through(self, node) -> str:
        """The pointer a lock argument is (``pvmw->ptl``, ``lock``; not
        ``&x->lock``), named as a test of it is, when the walk sees every
        write of it (a learnable variable or read), or ""."""
        while isinstance(node, c_ast.Cast):
            node = node.expr
        name = flag_name(node)
        return name if name is not None and self._var(name).learn else ""

    def _consts(self, args) -> tuple[tuple[int, str], ...]:
        """Constant arguments a callee may test: 0/1/true/false/NULL/-EINTR,
        enumerator-like names (``VCPU_EXREG_CR4``), and ``#N`` for a non-zero
        integer (``sem_unlock(sma, -1)`` against ``locknum == -1``)."""
        out = []
        for k, a in enumerate(args):
            value = constant_value(a)
            if value == "nonzero" and int_literal(a) is not None:
                value = f"#{int_literal(a)}"
            if value is None and isinstance(a, c_ast.ID) and a.name in self.integers \
                    and not symbolic_constant(a.name) and not self.env.lookup(a.name)[1]:
                # a lower-case enumerator or #define of the file (an upper-case
                # one stays id:NAME, what `case NAME:` and `== NAME` compare)
                value = "zero" if self.integers[a.name] == 0 else f"#{self.integers[a.name]}"
            if value is None and isinstance(a, c_ast.ID) and symbolic_constant(a.name) and not self.env.lookup(a.name)[1]:
                value = f"id:{a.name}"
            if value is not None:
                out.append((k, value))
        return tuple(out)

    def _const_values(self, args) -> tuple[tuple[int, int], ...]:
        """The integer values of constant arguments given by symbols
        (``ICE_VF_RESET_NOTIFY``, ``IPS_INTR_IORL``, ``A | B``) or made of
        literals (``1 << 2``), where ``_consts`` does not give them as ``#N``;
        for a local that only holds constants, each of its values (a
        position repeated: the call passes one of them)."""
        out = []
        for k, a in enumerate(args):
            if isinstance(a, c_ast.Constant) or (isinstance(a, c_ast.UnaryOp) and isinstance(a.expr, c_ast.Constant)):
                continue   # a literal: _consts says it as #N
            if isinstance(a, c_ast.ID) and a.name in self.const_locals:
                out += [(k, v) for v in self.const_locals[a.name]]   # any of them (analysis.const_locals)
                continue
            value = self.constant_int(a)
            if value is not None:
                out.append((k, value))
        return tuple(out)

    def constant_int(self, node) -> int | None:
        """The value of an integer constant expression of literals, names
        of known value (``self.integers``, not shadowed by a local),
        ``BIT(n)``, unary and binary integer operators; None otherwise:
        ``frontend.constants.evaluate`` on the parsed expression."""
        cls = node.__class__
        if cls is c_ast.Constant:
            return int_literal(node)
        if cls is c_ast.ID:
            name = node.name
            return self.integers.get(name) if name in self.integers and not self.env.lookup(name)[1] else None
        if cls is c_ast.UnaryOp and node.op in UNARY:
            v = self.constant_int(node.expr)
            return None if v is None else UNARY[node.op](v)
        if cls is c_ast.BinaryOp:
            left = self.constant_int(node.left)
            return None if left is None else binary_op(node.op, left, self.constant_int(node.right))
        if cls is c_ast.FuncCall and isinstance(node.name, c_ast.ID) and node.name.name in BIT_MACROS \
                and node.args is not None and len(node.args.exprs) == 1:
            v = self.constant_int(node.args.exprs[0])
            return 1 << v if v is not None and 0 <= v < 64 else None
        return None

    def nonnull_bases(self, args, out: list) -> None:
        """A lock field's address through a pointer (``&lruvec->lru_lock``)
        given to a call: the pointer is not NULL there.  For a learnable
        pointer the function tests (compares, ``if (n)``, ``!n``), ``if
        (!lruvec) unreachable;`` goes before the call, so a copy of it
        (``locked = lruvec``) is known non-NULL too: "if (locked)
        unlock(locked)" then unlocks what the loop's last round locked
        (mm/compaction.c); and a loop that takes ``&n->list_lock`` after
        ``n = get_node(..)`` and drops it at the top of the next round
        under ``if (n)`` never comes round holding it with ``n`` NULL
        (mm/slub.c __slab_free)."""
        for a in args:
            if not (isinstance(a, c_ast.UnaryOp) and a.op == "&" and isinstance(a.expr, c_ast.StructRef)
                    and a.expr.type == "->" and isinstance(a.expr.name, c_ast.ID)):
                continue
            var = a.expr.name.name
            if var not in self.compared and var not in self.tested or not self.learnable(var):
                continue
            typ = self.env._type_of(a.expr)     # before typedefs: spinlock_t
            if typ is not None and not typ.pointers and (typ.base in self.lock_types or
                                                         self.env.resolve_typedef(typ).base in self.lock_types):
                out.append(ir.If(ir.CondVar(var, "nonzero", True), ir.Block(), ir.Block((ir.Jump("noreturn"),))))

    def _arg_vars(self, args) -> tuple[tuple[int, str], ...]:
        """Arguments a condition could test under the same name: a
        parameter or a field read through one (``iter->locked``); a callee
        that releases a lock through it releases nothing when it is NULL
        (analysis.releases).  Parameters and the objects a field copy was
        stored into (``analysis.field_copies``: ``est`` after
        ``est->stats_lock = lock``), and plain learnable locals: a callee
        whose effect depends on a parameter's nullness
        (``unlock_cluster_or_swap_info(si, ci)``, analysis.param_effects)
        takes the effect of the value the caller knows the local has."""
        out = []
        for k, a in enumerate(args):
            name = flag_name(a) if isinstance(a, (c_ast.ID, c_ast.StructRef)) else None
            if name is None:
                continue
            root = _root(name)
            if (root in self.env.params or root in self.copy_roots) and \
                    (self.learnable(name) or self.read_learnable(name)) \
                    or isinstance(a, c_ast.ID) and self.learnable(name):
                out.append((k, name))
        return tuple(out)

    def _forwarded(self, args) -> tuple[tuple[int, int], ...]:
        """Parameters passed on as arguments: a function pointer handed down."""
        out = []
        for k, a in enumerate(args):
            if isinstance(a, c_ast.ID) and a.name in self.env.params:
                out.append((k, self.env.params[a.name]))
        return tuple(out)

    def _never_defined(self, node: c_ast.FuncCall) -> bool:
        """``IS_ENABLED(X)`` of a symbol no build defines (not a ``CONFIG_``
        option, no ``#define`` seen, no ``-DX`` of the build; see
        ``frontend.build_symbols``): false, compile-time dead code."""
        if not (self.config_tests and isinstance(node.name, c_ast.ID) and node.name.name in self.config_tests
                and node.args is not None and len(node.args.exprs) == 1
                and isinstance(node.args.exprs[0], c_ast.ID)):
            return False
        name = node.args.exprs[0].name
        if self.env.lookup(name) != (None, False):
            return False
        index = self.env.index
        seen = (self.file_macros, getattr(index, "object_macros", ()), getattr(index, "build_defines", ()))
        return not any(maybe_defined(n, known) for n in (name, name + "_MODULE") for known in seen)

    def _running(self, call, work) -> ir.CondRunning | None:
        """``current_work() == &w``: a test of which work item runs."""
        if not (isinstance(call, c_ast.FuncCall) and isinstance(call.name, c_ast.ID)
                and call.name.name in self.running_work and not (call.args and call.args.exprs)):
            return None
        if not (isinstance(work, c_ast.UnaryOp) and work.op == "&"):
            return None
        ref, ok = lock_ref(work, self.env)
        if not ok:
            return None
        return ir.CondRunning(ir.LockRef(WORK_PREFIX + ref.key, ref.path, ref.owner, ref.subclass))

    def _unsigned(self, node: c_ast.ID) -> bool:
        typ = self.env.type_of(node)
        if typ is None or typ.pointers:
            return False
        base = typ.base
        return base.startswith("unsigned") or base in ("size_t", "bool", "_Bool") or \
            (base[:1] == "u" and base[1:].isdigit()) or (base[:2] == "__" and base[2:3] == "u" and base[3:].isdigit())

    def cond(self, node):
        if node is None:
            return ir.CondOpaque(ir.Block())
        if isinstance(node, c_ast.UnaryOp) and node.op == "!":
            return ir.CondNot(self.cond(node.expr))
        if isinstance(node, c_ast.BinaryOp) and node.op in ("&&", "||"):
            cls = ir.CondAnd if node.op == "&&" else ir.CondOr
            return cls(self.cond(node.left), self.cond(node.right))
        if node.__class__ is c_ast.UnaryOp or node.__class__ is c_ast.BinaryOp and node.op in COMPARED:
            stepped = prefix_stepped(node)      # ++cnt < max_retries (analysis.compare_facts)
            if stepped is not None:
                pre: list = []
                self.expr(stepped[0], pre)
                done = ir.CondOr(ir.CondOpaque(ir.Block(tuple(pre))), ir.CondConst("nonzero"))
                return ir.CondAnd(done, self.cond(stepped[1]))
        if isinstance(node, c_ast.Constant) or (isinstance(node, c_ast.ID) and node.name in ("true", "false")):
            const = constant_value(node)
            if const is not None:
                return ir.CondConst(const)
        flag = flag_name(node)
        if flag is not None:
            return self._var(flag)
        if isinstance(node, c_ast.BinaryOp) and node.op in ("==", "!=", "<") and constant_value(node.right) == "zero":
            inner = self.cond(node.left)
            return ir.CondNot(inner) if node.op == "==" else inner
        if isinstance(node, c_ast.BinaryOp) and node.op in (">", "!=") and constant_value(node.right) == "zero" \
                and isinstance(node.left, c_ast.ID) and self._unsigned(node.left):
            return self._var(node.left.name)   # u8 instance > 0
        if isinstance(node, c_ast.BinaryOp) and node.op in ("==", "!=") and self.running_work:
            running = self._running(node.left, node.right) or self._running(node.right, node.left)
            if running is not None:
                return running if node.op == "==" else ir.CondNot(running)
        if isinstance(node, c_ast.BinaryOp) and node.op in COMPARED:
            (left, read_l), (right, read_r) = self._compared(node.left), self._compared(node.right)
            if left is not None and right is not None and \
                    any(not k.startswith(("#", "id:")) for k in (left, right)):
                # ptl != pml, phba->sli_rev == LPFC_SLI_REV4, flags & F: a fact
                # of the operands until one is assigned (a read: until written,
                # and tested again each round of a loop testing it)
                name, negated = pair_name(node.op, left, right)   # a >= b: !(a < b)
                read = read_l or read_r
                # an error code (id:-ENOENT) only decides against a zero result
                # (analysis.branchfacts): learnt, its tests would split states
                learn = not (left.startswith("id:-") or right.startswith("id:-")
                             or left in self.addressed or right in self.addressed)
                same = ir.CondVar(name, "nonzero", learn, read and learn)
                return ir.CondNot(same) if negated else same
        if isinstance(node, c_ast.FuncCall):
            if self._never_defined(node):
                return ir.CondConst("zero")
            if (key := static_key_cond(node, self.static_key_tests, self.env)) is not None:
                return key
            if isinstance(node.name, c_ast.ID) and node.name.name in self.transparent and node.args:
                return self.cond(node.args.exprs[0])
            pre: list = []
            item = self.call(node, pre)
            if isinstance(item, ir.EffectAssign):
                return ir.CondCall(ir.Block(tuple(pre)), effect=item.effect)
            if isinstance(item, ir.Call) and item.callee:
                return ir.CondCall(ir.Block(tuple(pre)), call=item, key=self.call_key(node))
            if item is not None:
                pre.append(item)
            return ir.CondOpaque(ir.Block(tuple(pre)))
        if isinstance(node, c_ast.Assignment) and isinstance(node.lvalue, c_ast.ID) and node.op == "=":
            pre = []
            self._assign_var(node.lvalue.name, node.rvalue, pre)
            name = node.lvalue.name
            # the assignment is evaluated, never tested: its part of the
            # condition is true (an opaque one alone would also be false,
            # and `while ((p = next_locked(it)))` left its loop on the
            # states where p is non-NULL and its lock held)
            done = ir.CondOr(ir.CondOpaque(ir.Block(tuple(pre))), ir.CondConst("nonzero"))
            return ir.CondAnd(done, self._var(name))
        pre = []
        self.expr(node, pre)
        return ir.CondOpaque(ir.Block(tuple(pre)))


#: Comparisons whose result, operands unchanged, is the same each time
#: (``!=`` is the negation of ``==``; ``&`` is tested for non-zero).
COMPARED = frozenset(("==", "!=", "<", ">", "<=", ">=", "&"))


def symbolic_constant(name: str) -> bool:
    """An upper-case name (``FBINFO_STATE_RUNNING``, ``VCPU_EXREG_CR4``): an
    enumerator or an object-like macro by kernel convention."""
    return name.isupper()


def int_literal(node) -> int | None:
    """The value of an integer literal, negative ones included (``-1``)."""
    negative = False
    while isinstance(node, c_ast.UnaryOp) and node.op in ("-", "+"):
        negative ^= node.op == "-"
        node = node.expr
    if not (isinstance(node, c_ast.Constant) and node.type in ("int", "unsigned int", "long int",
                                                               "unsigned long int")):
        return None
    value = literal(node.value)
    return None if value is None else -value if negative else value


def _root(name: str) -> str | None:
    """The variable a flag name starts with (``apbc`` of ``apbc->lock``)."""
    end = len(name)
    for sep in ("->", "."):
        k = name.find(sep)
        if k != -1:
            end = min(end, k)
    root = name[:end]
    return root if root.isidentifier() else None


def constant_value(node) -> str | None:
    """``zero``/``nonzero`` for constants, ``-EINTR``, ``true``/``false``/``NULL``."""
    if isinstance(node, c_ast.Constant):
        value = literal(node.value)
        if value is None:
            return "nonzero" if node.type == "string" else None
        return "zero" if value == 0 else "nonzero"
    if isinstance(node, c_ast.ID):
        if node.name in ("true",):
            return "nonzero"
        if node.name in ("false", "NULL"):
            return "zero"
        return None
    if isinstance(node, c_ast.UnaryOp) and node.op == "-":
        inner = node.expr
        if isinstance(inner, c_ast.ID) and inner.name.startswith("E"):
            return "nonzero"
        if isinstance(inner, c_ast.Constant):
            return constant_value(inner)
    if isinstance(node, c_ast.Cast):
        return constant_value(node.expr)
    return None


def flag_name(node) -> str | None:
    """A variable or a member of a variable (``r.found_memslot``,
    ``p->locked``): something that can carry a flag fact."""
    if isinstance(node, c_ast.ID):
        return node.name
    if isinstance(node, c_ast.StructRef) and isinstance(node.field, c_ast.ID):
        base = flag_name(node.name)
        return f"{base}{node.type}{node.field.name}" if base else None
    if isinstance(node, c_ast.UnaryOp) and node.op == "*" and isinstance(node.expr, c_ast.ID):
        return f"{node.expr.name}{DEREF}"   # *locked: the field "*" of the pointer
    return None


#: what ``*p`` is named as, a field of p (``locked->*``): written by ``*q =``
#: through any pointer, dropped with the other fields of p when p is assigned
DEREF = "->*"

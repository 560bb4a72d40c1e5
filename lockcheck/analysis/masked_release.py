"""Releases keyed by a mask of the return value (``[[masked_release]]`` of
``model/data/analysis.toml``).

``handle_mm_fault()`` returns with the caller's ``mmap_lock`` (or the
per-VMA lock) released when its value has ``VM_FAULT_RETRY`` or
``VM_FAULT_COMPLETED`` set, and with it held otherwise.  No single path of
the callee says so (the release is deep in the filemap code, under flags),
so a caller that takes the lock again on the retry branch
(``if (fault & VM_FAULT_RETRY) { mmap_read_lock(mm); goto retry; }``) read
as recursive locking.

For ``var = f(..)`` of such a call, with ``var`` a learnable local, the
extraction writes after the call, in plain IR, a choice the walk cannot
decide (an opaque condition) between:

* the lock still held: every bit of the mask, and every combination of
  them whose value the file knows, is a zero fact of ``var & BIT``;
* for each bit of the mask, that bit set (``var & BIT`` non-zero, and so
  every combination holding it) and the model's locks released (those the
  caller holds; a lock not held is one the caller's caller holds).

The caller's own tests of ``var & BIT`` (``analysis.conditions`` names
them ``()&(var,#N)`` or ``()&(var,id:BIT)``) then pick the states: the
``if (fault & VM_FAULT_RETRY)`` branch never sees the held state, the
other branch keeps it (a re-lock there is still recursive).  A call whose
flags argument names the model's ``keep_flag`` (``FAULT_FLAG_RETRY_NOWAIT``:
the callee keeps the lock) is left alone.
"""

from __future__ import annotations

from itertools import combinations

from pycparser import c_ast

from lockcheck.analysis import ir
from lockcheck.analysis.compare_facts import pair_name
from lockcheck.analysis.typing import lock_ref

__all__ = ["MaskedRelease", "masked_release_table"]

#: Bits of one mask combined at most (the combinations are facts too).
MAX_BITS = 4


def masked_release_table(model: dict) -> dict[str, dict]:
    """Callee name -> its ``[[masked_release]]`` row."""
    out: dict[str, dict] = {}
    for row in model.get("masked_release", ()):
        if row.get("mask") and row.get("locks"):
            for name in row.get("names", ()):
                out[name] = row
    return out


def _names(node) -> set[str]:
    out = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, c_ast.ID):
            out.add(n.name)
        stack.extend(c for _, c in n.children())
    return out


def _path_node(base, path: str):
    """``base->a->b`` for the path ``a->b``."""
    node = base
    for part in path.split("->"):
        node = c_ast.StructRef(node, "->", c_ast.ID(part.strip()))
    return node


class MaskedRelease:
    """Mixed into ``extract.Extractor`` (``env``, ``learnable``, ``_operand``)."""

    masked_releases: dict[str, dict] = {}

    def masked_release(self, call: ir.Call, node: c_ast.FuncCall, var: str) -> ir.If | None:
        """The IR that follows ``var = node`` when the callee is modelled."""
        row = self.masked_releases.get(call.callee or "")
        if row is None or not self.learnable(var):
            return None
        args = list(node.args.exprs) if node.args is not None else []
        keep_arg, keep_flag = row.get("keep_arg"), row.get("keep_flag")
        if keep_flag and keep_arg is not None and len(args) > keep_arg and keep_flag in _names(args[keep_arg]):
            return None
        k = row.get("arg", 0)
        if len(args) <= k:
            return None
        locks = []
        for path in row["locks"]:
            ref, ok = lock_ref(_path_node(args[k], path), self.env)
            if ok and ref.key[:2] in ("f:", "g:", "p:"):
                locks.append(ref)
        if not locks:
            return None
        bits = [b for b in row["mask"][:MAX_BITS] if isinstance(b, str)]
        ops = {b: self._operand(c_ast.ID(b)) for b in bits}
        if None in ops.values():
            return None
        # every combination of bits the file gives a value to: its operand
        combos: dict[frozenset, str] = {frozenset((b,)): op for b, op in ops.items()}
        for n in range(2, len(bits) + 1):
            for group in combinations(bits, n):
                expr = c_ast.ID(group[0])
                for b in group[1:]:
                    expr = c_ast.BinaryOp("|", expr, c_ast.ID(b))
                op = self._operand(expr)
                if op is not None and op[:1] == "#":
                    combos[frozenset(group)] = op

        def facts(which, value: str) -> list:
            out = []
            for op in sorted({op for group, op in combos.items() if which(group)}):
                for left, right in ((var, op), (op, var)):
                    out.append(ir.Assign(pair_name("&", left, right)[0], value))
            return out
        held = ir.Block(tuple(facts(lambda g: True, "zero")))
        line = call.line
        released = [ir.Block(tuple(facts(lambda g, b=b: b in g, "nonzero"))
                             + tuple(ir.Release(line, ref, call.callee) for ref in locks)) for b in bits]
        choice: ir.Block = released[-1]
        for block in reversed(released[:-1]):
            choice = ir.Block((ir.If(ir.CondOpaque(ir.Block()), block, choice),))
        return ir.If(ir.CondOpaque(ir.Block()), held, choice)

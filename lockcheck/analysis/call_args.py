"""What a call's arguments and callee expression say, for
``analysis.extract``'s calls (``ir.Call``): the lock classes of the
arguments, the functions they name (function pointers handed down), and
the ops field a static call goes through.
"""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.typing import lock_ref

__all__ = ["CallArguments"]


class CallArguments:
    """Mixed into ``extract.Extractor``: ``self.env`` and the static-call
    tables ``self.sc_wrappers``, ``self.sc_prefixes``, ``self.sc_callers``
    (``[static_calls]`` of model/data/contexts.toml) come from it."""

    def _static_call_field(self, name) -> tuple[str, str] | None:
        """``kvm_x86_call(set_msr)`` / ``static_call(kvm_x86_set_msr)`` → the ops field."""
        if not (isinstance(name, c_ast.FuncCall) and isinstance(name.name, c_ast.ID) and name.args
                and name.args.exprs and isinstance(name.args.exprs[0], c_ast.ID)):
            return None
        wrapper, arg = name.name.name, name.args.exprs[0].name
        if wrapper in self.sc_wrappers:
            return (self.sc_wrappers[wrapper], arg)
        if wrapper in self.sc_callers:
            for prefix, struct in sorted(self.sc_prefixes.items(), key=lambda kv: -len(kv[0])):
                if arg.startswith(prefix):
                    return (struct, arg[len(prefix):])
        return None

    def _arg_refs(self, args) -> tuple:
        """The lock class of each argument naming an object (a variable, a
        member, an address of one; casts looked through), else None."""
        refs = []
        for a in args:
            bare = a
            while isinstance(bare, c_ast.Cast):
                bare = bare.expr
            if isinstance(bare, (c_ast.ID, c_ast.StructRef)) or (
                    isinstance(bare, c_ast.UnaryOp) and bare.op == "&"):
                ref, ok = lock_ref(a, self.env)
                refs.append(ref if ok else None)
            else:
                refs.append(None)
        return tuple(refs)

    def _fnptr_args(self, args) -> tuple[tuple[int, str], ...]:
        """Arguments that name a function (not a variable in scope)."""
        names = []
        for k, a in enumerate(args):
            bare = a.expr if isinstance(a, c_ast.UnaryOp) and a.op == "&" else a
            if isinstance(bare, c_ast.ID):
                typ, is_local = self.env.lookup(bare.name)
                if not is_local and typ is None and not bare.name.isupper():
                    names.append((k, bare.name))
        return tuple(names)

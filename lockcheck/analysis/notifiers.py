"""Notifier chains resolved by the list a notifier was registered on.

``srcu_notifier_call_chain(&cpufreq_transition_notifier_list, ..)`` runs
the ``.notifier_call`` of every block registered on that list —
``cpufreq_register_notifier(&kvmclock_cpufreq_notifier_block,
CPUFREQ_TRANSITION_NOTIFIER)`` — and nothing else.  Resolving the generic
``nb->notifier_call`` to every notifier in the scan invented most of the
false cycles on real KVM + cpufreq code, so the generic dispatch field is
left unresolved and each chain call site gets its own bound callbacks.
"""

from __future__ import annotations

from lockcheck.analysis.ir import Call, FunctionIR

__all__ = ["NotifierModel"]


class NotifierModel:
    def __init__(self, model: dict, var_fields: dict[tuple[str, str], str]) -> None:
        self.call_chain: dict[str, int] = model.get("call_chain", {})
        self.register: dict[str, list[int]] = model.get("register", {})
        self.wrappers: dict[str, dict] = model.get("wrappers", {})
        field = model.get("dispatch_field")
        self.dispatch_field = tuple(field) if field else None
        self.block_field = model.get("block_field", "notifier_call")
        self.var_fields = var_fields
        self.chains: dict[str, list[str]] = {}   # chain class key -> callback names

    def learn(self, functions: list[FunctionIR], calls_in) -> None:
        """Collect every registration with a resolvable chain and block."""
        for fn in sorted(functions, key=lambda f: (f.file, f.line, f.name)):
            for call in calls_in(fn.body):
                chain, block = self._registration(call)
                if chain is None or block is None:
                    continue
                cb = self.var_fields.get((block[2:], self.block_field))
                if cb is None:
                    continue
                lst = self.chains.setdefault(chain, [])
                if cb not in lst:
                    lst.append(cb)

    def _registration(self, call: Call) -> tuple[str | None, str | None]:
        name = call.callee
        if name in self.register:
            chain_arg, nb_arg = self.register[name]
            return _global(call, chain_arg), _global(call, nb_arg)
        spec = self.wrappers.get(name or "")
        if spec is None:
            return None, None
        block = _global(call, spec["nb_arg"])
        if "chain" in spec:
            return "g:" + spec["chain"], block
        selector = _global(call, spec["chain_by_arg"])
        target = spec.get("chains", {}).get(selector[2:] if selector else "")
        return ("g:" + target if target else None), block

    def callbacks(self, call: Call) -> tuple[str | None, list[str]]:
        """For a chain call site: (chain name, callback names)."""
        if call.callee not in self.call_chain:
            return None, []
        chain = _global(call, self.call_chain[call.callee])
        if chain is None:
            return None, []
        return chain[2:], self.chains.get(chain, [])

    def is_dispatch(self, call: Call) -> bool:
        return call.field is not None and call.field == self.dispatch_field


def _global(call: Call, pos: int) -> str | None:
    """The class key of argument ``pos`` if it names a global object."""
    if pos >= len(call.args) or call.args[pos] is None:
        return None
    key = call.args[pos].key
    key = key.partition("@")[0]    # a file-scope static (g:NAME@FILE): chains match by name
    if not key.startswith("g:"):
        return None
    return key if "." not in key else None

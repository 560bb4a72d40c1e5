"""Callbacks registered at file scope.

Most registrations are calls in a function body (``init_irq_work(&w, f)``,
read by analysis.contexts from the IR).  Some registering macros build an
object's initialiser instead, so they stand in a file-scope declaration
no function contains: ``static DEFINE_IRQ_WORK(w, f);``,
``static DEFINE_PER_CPU(struct irq_work, w) = IRQ_WORK_INIT_LAZY(f);``,
``.csd = CSD_INIT(f, NULL)`` inside a table.  This module reads them from
the declaration's tokens: every ``NAME(args)`` of a registering name
(``[[callback]] register`` rows of contexts.toml, handed over as
``FrontendModel.registers``) whose argument at a registered position is
a plain identifier (``&`` and parentheses dropped).  analysis.contexts
checks that the identifier names a function and gives it its runner, as
for a registration in a body.
"""

from __future__ import annotations

from lockcheck.frontend.lexer import match_close, split_top

__all__ = ["file_registrations"]


def file_registrations(items, registers: dict[str, tuple[int, ...]]) -> tuple[tuple[str, str, int], ...]:
    """(registering name, identifier passed, line) of every registration
    in the file-scope declarations of ``items`` (functions skipped)."""
    if not registers:
        return ()
    out: list[tuple[str, str, int]] = []
    for item in items:
        if item.kind == "function":
            continue
        toks = item.tokens
        for j in range(len(toks) - 1):
            t = toks[j]
            if t.kind != "id" or t.text not in registers or toks[j + 1].text != "(":
                continue
            args = split_top(toks[j + 2:match_close(toks, j + 1)], ",")
            for pos in registers[t.text]:
                name = _identifier(args[pos]) if pos < len(args) else None
                if name is not None:
                    out.append((t.text, name, t.line))
    return tuple(out)


def _identifier(arg) -> str | None:
    toks = [t for t in arg if t.text not in ("&", "(", ")")]
    return toks[0].text if len(toks) == 1 and toks[0].kind == "id" else None

"""Ops tables the core runs as a sequence of calls on one object.

``seq_read_iter()`` runs one ``struct seq_operations`` table as ``->start``,
``->show``, ``->next``, ``->stop``: what ``->start`` takes and leaves held
(``neigh_seq_start()`` returns with ``read_lock_bh(&tbl->lock)`` held and
bottom halves disabled) is held through ``->show`` and ``->next`` until
``->stop`` drops it.  Each function of such a table reached as a root of
its own would be entered in plain process context, with softirqs on.

For every initialised table of a struct type listed under
``[[ops_sequence]]`` in contexts.toml, this module writes one synthetic
runner, ``RUNNER<table>``, that calls the table's fields in the listed
order, so the ordinary walk carries the locks and interrupt state one
call leaves to the next.  The calls say ``[model: NAME]``.

Tables are the variables a file initialises with ``{ .start = .., }``
(``driver.FrontendRun.file_tables``, per file: static tables of two files
often share a name).  A table filled at run time is not seen: its
functions stay roots as before.
"""

from __future__ import annotations

from lockcheck.analysis import ir

__all__ = ["sequence_functions"]


def sequence_functions(functions: list[ir.FunctionIR], contexts: dict,
                       file_tables: dict[str, dict[str, tuple[str, dict[str, str]]]]) -> list[ir.FunctionIR]:
    """One runner per initialised table (``file_tables``: file -> table ->
    (struct type, field -> function), driver.FrontendRun) of each
    ``[[ops_sequence]]`` struct type whose fields name functions of the
    scan; in the table's file (its static functions resolve there), at the
    first of them defined in that file."""
    specs = {spec["struct"]: spec for spec in contexts.get("ops_sequence", [])}
    if not specs or not file_tables:
        return []
    names = {fn.name for fn in functions}
    lines: dict[tuple[str, str], int] = {}
    for fn in functions:
        lines.setdefault((fn.file, fn.name), fn.line)
    out = []
    for file in sorted(file_tables):
        for var, (struct, fields) in sorted(file_tables[file].items()):
            spec = specs.get(struct)
            if spec is None:
                continue
            present = [fields[f] for f in spec["calls"] if fields.get(f) in names]
            if not present:
                continue
            line = next((lines[(file, m)] for m in present if (file, m) in lines), 0)
            body = ir.Block(tuple(ir.Call(line, m, model=spec["name"]) for m in present), scope=True)
            out.append(ir.FunctionIR(f"{spec['runner']}<{var}>", file, line, True, (), body))
    return out

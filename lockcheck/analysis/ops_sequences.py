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
                       file_tables: dict[str, dict[str, tuple[str, int, dict[str, str]]]]) -> list[ir.FunctionIR]:
    """One runner per initialised table (``file_tables``: file -> table ->
    (struct type, line, field -> function), driver.FrontendRun) of each
    ``[[ops_sequence]]`` struct type; in the table's file (its static
    functions resolve there), at the table's line.  Every field is called,
    a function the front end skipped too (an empty summary): the runner
    does not depend on what a scan parses."""
    specs = {spec["struct"]: spec for spec in contexts.get("ops_sequence", [])}
    if not specs or not file_tables:
        return []
    out = []
    for file in sorted(file_tables):
        for var, (struct, line, fields) in sorted(file_tables[file].items()):
            spec = specs.get(struct)
            members = [fields[f] for f in spec["calls"] if f in fields] if spec is not None else []
            if not members:
                continue
            body = ir.Block(tuple(ir.Call(line, m, model=spec["name"]) for m in members), scope=True)
            out.append(ir.FunctionIR(f"{spec['runner']}<{var}>", file, line, True, (), body))
    return out

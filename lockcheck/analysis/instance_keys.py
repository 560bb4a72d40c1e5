"""A static lockdep key set on one instance of a field, not on every one.

``lockdep_set_class(&x->lock, &key)`` changes the class of the lock it is
given.  When the annotation is made where the lock is initialised
(``spin_lock_init(&r->lock); lockdep_set_class(&r->lock, &queue_key)``),
every instance gets the key and the key is the field's class
(analysis.classes renames the field).  When the annotated object is one
instance reached through a pointer or a local (``sched_set_stop_task()``
renames the stop task's ``pi_lock``) and the field is also initialised in
a function that makes no such annotation (``copy_process()``), the
instances initialised there keep the init site's class: the field is not
renamed and stands for several of lockdep's classes (no possible
recursive locking on it; a cycle taking it in two files gets a low class
basis, analysis.families).  A global object's lock (``g:`` key) is its
own class and is renamed as before; so is an annotated path in an
outer struct (``&cpuctx->ctx.lock``: every CPU context's, analysis.classes).
"""

from __future__ import annotations

__all__ = ["instance_keys"]


def instance_keys(notes, static_keys: dict[str, set[str]], site: str) -> dict[str, str]:
    """Fields given a static key on an instance reached through a pointer
    or a local (the class note's detail names its function) that are also
    initialised in a function making no such annotation: lockdep renames
    only the annotated instance, so the key is not the field's class.
    ``site``: the marker before a note's ``function:line`` (classes.INIT_SITE)."""
    init_fns: dict[str, set[str]] = {}
    for kind, key, detail in notes:
        if kind == "init" and detail.startswith(site):
            init_fns.setdefault(key, set()).add(detail[len(site):].rpartition(":")[0])
    out = {}
    for key, details in static_keys.items():
        if "#" in key:
            continue    # a path in an outer struct (`&cpuctx->ctx.lock`): every instance of it
        sites = [d.partition(site)[2] for d in details]
        if not all(sites):
            continue    # a global object's lock, or an annotation not placed
        annotating = {s.rpartition(":")[0] for s in sites}
        elsewhere = sorted(init_fns.get(key.partition("#")[0], set()) - annotating)
        if elsewhere:
            out[key] = (f"a static lockdep key set on one instance in {', '.join(sorted(annotating))}; "
                        f"instances initialised in {', '.join(elsewhere)} keep the init site's class")
    return out

"""The (work_completion) class of a work item wrapped in a bigger work struct.

A ``struct delayed_work`` (or ``struct rcu_work``) embeds the
``work_struct`` whose lockdep map the running item holds and that
``flush_work()``/``cancel_*_sync()`` wait for; lockdep keys that map where
the wrapper is initialised (``INIT_DELAYED_WORK(&ent->dwork, fn)`` expands
to ``INIT_WORK(&(&ent->dwork)->work, fn)``, one key per call site).  So
the map is the wrapper object's: ``&ent->dwork.work`` is
``(work_completion)(&ent->dwork)``, the class ``cancel_delayed_work_sync
(&ent->dwork)`` names, and not one class shared by every delayed work
(``f:struct delayed_work:work``).  Which structs wrap a work item, and
through which member, is data: ``[work_wrappers]`` in classes.toml.
"""

from __future__ import annotations

from functools import lru_cache

from lockcheck.analysis.ir import LockRef
from lockcheck.model.loader import load_model


@lru_cache(maxsize=1)
def _wrappers() -> dict[str, str]:
    return dict(load_model("classes").get("work_wrappers", {}))


def work_map(ref: LockRef) -> LockRef:
    """``ref`` (a work item's object) with a wrapper's embedded member
    resolved to the wrapper: ``f:struct delayed_work:work#struct S:F`` (the
    ``work`` member of the delayed work in field ``F`` of ``S``) becomes
    ``f:S:F``; anything else is returned unchanged."""
    key, sep, outer = ref.key.partition("#")
    if not sep or not key.startswith("f:"):
        return ref
    struct, _, member = key[2:].partition(":")
    if _wrappers().get(struct) != member:
        return ref
    path = ref.path
    if path.endswith("." + member):
        path = path[: -len(member) - 1]
    return LockRef(f"f:{outer}", path, ref.owner, ref.subclass)

"""Work in a forked child process, its result pickled back to this one.

The front end builds the tree index in a child: its garbage, gigabytes on
the whole tree, goes when the child exits.
"""

from __future__ import annotations

import os
import pickle

__all__ = ["in_child"]


def in_child(work):
    """``work()`` in a forked child process, its result pickled back.

    Building the tree index holds every file's lex summary and a map of
    every function's references (2.6 GB on the whole tree) to keep about
    a tenth of it.  Done here, the parse workers would be forked from a
    parent full of freed pages, and as the parent reused them for
    incoming IR every page would be copied: the workers keep the old ones
    (1.9 GB shared-dirty each, measured).  The child's garbage goes when
    it exits; the parent receives the index alone, compact."""
    import traceback
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            os.close(read_end)
            try:
                out = (True, work())
            except BaseException as exc:  # the parent raises it
                out = (False, exc if _picklable(exc) else RuntimeError(traceback.format_exc()))
            with os.fdopen(write_end, "wb") as f:
                pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"the tree index process ended without a result (wait status {status})")
    ok, value = pickle.loads(data)
    if not ok:
        raise value
    return value


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
        return True
    except Exception:
        return False

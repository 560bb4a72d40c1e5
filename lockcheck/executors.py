"""Where the per-file front-end work runs: here (processes) or on a Dask cluster.

Parsing and extracting one file is a pure function of the file's content,
the run's options and the tree index (all in a
:class:`~lockcheck.parse_task.TaskContext`), so it can run anywhere that
function can be called.  An executor takes that context and the files
still to do (cache misses) and yields one
:class:`~lockcheck.parse_task.FileOutcome` per file, **pickled, in input
order**: the driver stores those bytes in the cache as they are and
unpickles them once, instead of unpickling and pickling every file's IR
again in the one process all workers report to.  The driver keeps the
cache and the progress bar, so every executor gives byte-identical results.
This module runs :mod:`lockcheck.parse_task` and knows nothing of the
driver, which calls it.

``local``
    The default: a :class:`~concurrent.futures.ProcessPoolExecutor` of
    ``jobs`` processes, the context handed to each once by the pool's
    initializer; ``jobs == 1`` (or a single file) runs in this process.
``dask://HOST:PORT``
    A running ``distributed`` scheduler (``pip install 'lockcheck[dask]'``).
    The context is scattered to every worker once (``broadcast=True``), each
    task gets it by reference, and the futures are gathered in input order.
    Workers must run the same lockcheck build (checked before any work) and
    read the scanned files at the same absolute paths as the client (every
    path in a job and in the context is absolute; before any work each
    worker reads the first file, and a worker that cannot read a file is
    one error for the run, naming the worker and the path).  A worker that
    reads different bytes than the client reports that file as an error
    instead of caching a wrong result.  Why Dask and not Ray:
    docs/distributed.md.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple, Protocol

from lockcheck import cyclic_gc
from lockcheck.errors import InputError
from lockcheck.frontend.source import content_digest
from lockcheck.parse_task import FileOutcome, TaskContext, init_worker, pickled, process_pickled

__all__ = ["Job", "Executor", "LocalExecutor", "DaskExecutor", "make_executor", "parse_executor",
           "DASK_SCHEME"]

DASK_SCHEME = "dask://"


class Job(NamedTuple):
    """One file to parse: its absolute path, its name in reports, and its
    content digest as the driver read it (the cache key was made from this)."""
    path: str
    display: str
    digest: str


class Executor(Protocol):
    name: str

    def map(self, ctx: TaskContext, jobs: Sequence[Job]) -> Iterator[bytes]:
        """The pickled FileOutcome per job, in the order of ``jobs``."""


# ---------------------------------------------------------------- choosing one

def parse_executor(spec: str) -> str:
    """Check an ``--executor`` value; the normalised spec, or ValueError."""
    spec = spec.strip()
    if spec == "local":
        return spec
    if spec.startswith(DASK_SCHEME):
        host, sep, port = spec[len(DASK_SCHEME):].rpartition(":")
        if sep and host and port.isdigit() and "/" not in host:
            return spec
        raise ValueError(f"{spec!r}: expected dask://HOST:PORT (the scheduler's address)")
    raise ValueError(f"{spec!r}: expected 'local' or dask://HOST:PORT")


def make_executor(spec: str, jobs: int) -> Executor:
    spec = parse_executor(spec)
    if spec == "local":
        return LocalExecutor(jobs)
    return DaskExecutor("tcp://" + spec[len(DASK_SCHEME):])


# ---------------------------------------------------------------- local processes

#: Files per task a local worker is handed at most.  One file per task left
#: each worker waiting for its next one between files: the pool's feeder
#: thread runs in the parent, which is busy unpickling the answers (parse
#: phase of ``fs net``, cold, ``-j 2``: 77-86 s at one file per task,
#: 69-78 s at 4 or 8; benchmarks/RESULTS.md).
MAX_CHUNK = 8
#: Tasks per worker at least before files are grouped: the last tasks of a
#: small scan stay single files, so no worker is left with a long last chunk.
MIN_TASKS_PER_WORKER = 64


def chunk_size(files: int, workers: int) -> int:
    """Files per task for ``files`` spread over ``workers`` processes."""
    return max(1, min(MAX_CHUNK, files // (max(1, workers) * MIN_TASKS_PER_WORKER)))


class LocalExecutor:
    """``jobs`` processes on this machine (in-process for one job or file)."""

    name = "local"

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)

    def map(self, ctx: TaskContext, jobs: Sequence[Job]) -> Iterator[bytes]:
        items = [(j.path, j.display) for j in jobs]
        if self.jobs > 1 and len(items) > 1:
            from concurrent.futures import ProcessPoolExecutor
            workers = min(self.jobs, len(items))
            with ProcessPoolExecutor(max_workers=workers, initializer=init_worker, initargs=(ctx,)) as ex:
                yield from ex.map(process_pickled, items, chunksize=chunk_size(len(items), workers))
        else:
            init_worker(ctx)
            for item in items:
                yield process_pickled(item)


# ---------------------------------------------------------------- dask

#: Serialises the (set context, process) pair inside one worker process:
#: ``parse_task.process`` reads the context from a module global, and a
#: worker with several threads could otherwise interleave two runs'
#: contexts.  The work holds the GIL anyway, so threads gained nothing.
_WORKER_LOCK = threading.Lock()

#: What every worker is told when it cannot read what the client reads.
SAME_TREE = "workers need the tree at the same absolute path as the client (or a shared checkout)"


class WorkerCannotRead(Exception):
    """Raised in a Dask task (and re-raised by the client's ``result()``)
    for a file the client read and the worker cannot."""

    def __init__(self, worker: str, path: str, reason: str) -> None:
        super().__init__(worker, path, reason)
        self.worker, self.path, self.reason = worker, path, reason

    def __str__(self) -> str:
        return cannot_read_message([self.worker], self.path, self.reason)


def cannot_read_message(workers: Sequence[str], path: str, reason: str) -> str:
    who = f"Dask worker {workers[0]}" if len(workers) == 1 else f"Dask workers {', '.join(workers)}"
    return f"{who} cannot read {path} ({reason}), which this client reads: {SAME_TREE}"


def _worker_address() -> str:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return "(unknown)"


def _read_here(path: str) -> tuple[str, str]:
    """("read", content digest) or ("unreadable", why): runs on every worker
    (``client.run``) for one file before any task, and in each task."""
    try:
        return "read", content_digest(Path(path).read_bytes())
    except OSError as exc:
        return "unreadable", exc.strerror or type(exc).__name__


def _dask_process(job: Job, ctx: TaskContext) -> bytes:
    """Runs on a Dask worker: one file, with the scattered context."""
    kind, seen = _read_here(job.path)
    if kind == "unreadable":
        raise WorkerCannotRead(_worker_address(), job.path, seen)
    if seen != job.digest:
        return pickled(FileOutcome(job.display, 0, error=f"{job.display}: the Dask worker reads different "
                                                         f"content than the client (workers must see the same tree)"))
    with _WORKER_LOCK, cyclic_gc.paused():   # as in the client and its forked workers
        init_worker(ctx)
        return process_pickled((job.path, job.display))


def _worker_build() -> str:
    from lockcheck.cache import code_digest
    return code_digest()


class DaskExecutor:
    """Files mapped over a running Dask ``distributed`` scheduler."""

    name = "dask"

    #: seconds to reach the scheduler: 10 s failed a whole-tree scan on a
    #: loaded 2-core machine (load 15) while the scheduler was up
    CONNECT_TIMEOUT = 60.0

    def __init__(self, address: str, timeout: float = CONNECT_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout

    @contextmanager
    def _client(self):
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--executor dask:// needs Dask: pip install 'lockcheck[dask]'") from None
        try:
            client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {self.address} ({exc})") from None
        try:
            yield client
        finally:
            client.close()

    def map(self, ctx: TaskContext, jobs: Sequence[Job]) -> Iterator[bytes]:
        if not jobs:
            return
        relative = [j.path for j in jobs if not os.path.isabs(j.path)]
        if relative:   # a worker would open it against its own working directory
            raise ValueError(f"relative path sent to Dask workers: {relative[0]}")
        from lockcheck.cache import code_digest
        with self._client() as client:
            builds = client.run(_worker_build)
            if not builds:
                raise InputError(f"the Dask scheduler at {self.address} has no workers")
            mine = code_digest()
            other = sorted(w for w, b in builds.items() if b != mine)
            if other:
                raise InputError(f"Dask worker(s) {', '.join(other)} run a different lockcheck build "
                                 f"than this client: install the same version there")
            self._check_tree(client, jobs[0])
            # once per worker, then passed to every task by reference
            [shared] = client.scatter([ctx], broadcast=True, hash=False)
            run = uuid.uuid4().hex[:12]   # keys unique across runs sharing a scheduler
            futures = client.map(_dask_process, list(jobs), ctx=shared, pure=False,
                                 key=[f"lockcheck-{run}-{k}" for k in range(len(jobs))])
            try:
                for fut in futures:   # input order; later files finish meanwhile
                    try:
                        blob = fut.result()
                    except WorkerCannotRead as exc:   # the first one; the rest are cancelled
                        raise InputError(str(exc)) from None
                    yield blob
            finally:
                client.cancel(futures + [shared])

    @staticmethod
    def _check_tree(client, probe: Job) -> None:
        """Before any work: every worker reads the first file, and must read
        what the client read (not the relative path against its own working
        directory, not another checkout at that path)."""
        answers = client.run(_read_here, probe.path)
        unreadable = {w: why for w, (kind, why) in answers.items() if kind == "unreadable"}
        if unreadable:
            workers = sorted(unreadable)
            raise InputError(cannot_read_message(workers, probe.path, unreadable[workers[0]]))
        other = sorted(w for w, (_, digest) in answers.items() if digest != probe.digest)
        if other:
            who = f"Dask worker {other[0]}" if len(other) == 1 else f"Dask workers {', '.join(other)}"
            raise InputError(f"{who} read{'s' if len(other) == 1 else ''} different content at {probe.path} "
                             f"than this client: {SAME_TREE}")

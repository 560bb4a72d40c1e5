"""Where the per-file front-end work runs: here (processes) or on a Dask cluster.

Parsing and extracting one file is a pure function of the file's content,
the run's options and the tree index (all in the driver's ``_Context``), so
it can run anywhere that function can be called.  An executor takes that
context and the files still to do (cache misses) and yields one
:class:`~lockcheck.driver.FileOutcome` per file, **pickled, in input
order**: the driver stores those bytes in the cache as they are and
unpickles them once, instead of unpickling and pickling every file's IR
again in the one process all workers report to.  The driver keeps the
cache and the progress bar, so every executor gives byte-identical results.

``local``
    The default: a :class:`~concurrent.futures.ProcessPoolExecutor` of
    ``jobs`` processes, the context handed to each once by the pool's
    initializer; ``jobs == 1`` (or a single file) runs in this process.
``dask://HOST:PORT``
    A running ``distributed`` scheduler (``pip install 'lockcheck[dask]'``).
    The context is scattered to every worker once (``broadcast=True``), each
    task gets it by reference, and the futures are gathered in input order.
    Workers must run the same lockcheck build (checked before any work) and
    see the scanned files at the same paths (a worker that reads different
    bytes reports the file as an error instead of caching a wrong result).
    Why Dask and not Ray: docs/distributed.md.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple, Protocol

from lockcheck.errors import InputError

__all__ = ["Job", "Executor", "LocalExecutor", "DaskExecutor", "make_executor", "parse_executor",
           "DASK_SCHEME"]

DASK_SCHEME = "dask://"


class Job(NamedTuple):
    """One file to parse: its path, its name in reports, and its content digest
    as the driver read it (the cache key was made from this)."""
    path: str
    display: str
    digest: str


class Executor(Protocol):
    name: str

    def map(self, ctx, jobs: Sequence[Job]) -> Iterator[bytes]:
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

class LocalExecutor:
    """``jobs`` processes on this machine (in-process for one job or file)."""

    name = "local"

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)

    def map(self, ctx, jobs: Sequence[Job]) -> Iterator[bytes]:
        from lockcheck.driver import _init_worker, _process_pickled
        items = [(j.path, j.display) for j in jobs]
        if self.jobs > 1 and len(items) > 1:
            from concurrent.futures import ProcessPoolExecutor
            workers = min(self.jobs, len(items))
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(ctx,)) as ex:
                yield from ex.map(_process_pickled, items, chunksize=1)
        else:
            _init_worker(ctx)
            for item in items:
                yield _process_pickled(item)


# ---------------------------------------------------------------- dask

#: Serialises the (set context, process) pair inside one worker process:
#: ``driver._process`` reads the context from a module global, and a worker
#: with several threads could otherwise interleave two runs' contexts.  The
#: work holds the GIL anyway, so threads gained nothing.
_WORKER_LOCK = threading.Lock()


def _dask_process(job: Job, ctx) -> bytes:
    """Runs on a Dask worker: one file, with the scattered context."""
    from pathlib import Path

    from lockcheck.driver import FileOutcome, _init_worker, _pickled, _process_pickled
    from lockcheck.frontend.source import SourceError, read_source
    try:
        seen = read_source(Path(job.path), job.display).digest
    except SourceError:
        seen = None
    if seen is not None and seen != job.digest:
        return _pickled(FileOutcome(job.display, 0, error=f"{job.display}: the Dask worker reads different "
                                                          f"content than the client (workers must see the same tree)"))
    with _WORKER_LOCK:
        _init_worker(ctx)
        return _process_pickled((job.path, job.display))


def _worker_build() -> str:
    from lockcheck.cache import code_digest
    return code_digest()


class DaskExecutor:
    """Files mapped over a running Dask ``distributed`` scheduler."""

    name = "dask"

    def __init__(self, address: str, timeout: float = 10.0) -> None:
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

    def map(self, ctx, jobs: Sequence[Job]) -> Iterator[bytes]:
        if not jobs:
            return
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
            # once per worker, then passed to every task by reference
            [shared] = client.scatter([ctx], broadcast=True, hash=False)
            run = uuid.uuid4().hex[:12]   # keys unique across runs sharing a scheduler
            futures = client.map(_dask_process, list(jobs), ctx=shared, pure=False,
                                 key=[f"lockcheck-{run}-{k}" for k in range(len(jobs))])
            try:
                for fut in futures:   # input order; later files finish meanwhile
                    yield fut.result()
            finally:
                client.cancel(futures + [shared])

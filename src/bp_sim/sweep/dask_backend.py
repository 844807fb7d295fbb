"""Dask backend: runs as tasks of Dask distributed, on a LocalCluster or an existing scheduler.

Dask schedules, retries and restarts; this module only submits and collects. A worker that
dies has its task moved to another worker by the scheduler (up to Dask's
`distributed.scheduler.allowed-failures`, 3 by default, then the run is recorded as failed);
`retries` covers a task that raises on its worker. Results come back to this process, which
alone writes files: workers need no access to the output folder, and a task that Dask runs
twice (a worker lost after finishing) is written once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from bp_sim.errors import InputError
from bp_sim.sweep.worker import Job, JobResult, execute


@contextlib.contextmanager
def _children_ignore_sigint() -> Iterator[None]:
    """Processes started inside inherit an ignored SIGINT (kept across exec), so Ctrl-C reaches only
    this process, which stops the cluster, instead of printing a traceback from every worker."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _client(workers: int, scheduler: str | None):
    """A client of the given scheduler, or of a new LocalCluster of `workers` one-thread processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise InputError("--backend", "dask", "local, or install Dask: pip install 'dask[distributed]'") from exc
    if scheduler:
        allowed = "the address (tcp://HOST:PORT) or scheduler file (JSON) of a running Dask scheduler"
        try:
            if Path(scheduler).is_file():  # `dask scheduler --scheduler-file F`, as in a Slurm job script
                return Client(scheduler_file=scheduler, timeout="30s"), None
            return Client(scheduler, timeout="30s"), None
        except (OSError, ValueError) as exc:
            raise InputError("--scheduler", scheduler, f"{allowed} ({exc})") from exc
    with _children_ignore_sigint():
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
    return Client(cluster), cluster


def run_dask(jobs: Iterable[Job], workers: int, scheduler: str | None, on_result: Callable[[JobResult], None],
             retries: int = 2) -> None:
    """Run every job as a Dask task, calling on_result in this process as each ends."""
    from distributed import as_completed

    pending: deque[Job] = deque(jobs)
    if not pending:
        return
    client, cluster = _client(max(1, min(workers, len(pending))), scheduler)
    in_flight: dict[str, Job] = {}
    try:
        # A window of tasks keeps the scheduler's queue (and memory) small for big sweeps, and
        # lets Ctrl-C stop quickly; twice the worker threads keeps every worker busy.
        window = max(2, 2 * sum(client.nthreads().values()))
        queue = as_completed()

        def submit() -> None:
            job = pending.popleft()
            fut = client.submit(execute, job, pure=False, retries=retries)
            in_flight[fut.key] = job
            queue.add(fut)

        for _ in range(min(window, len(pending))):
            submit()
        for fut in queue:
            job = in_flight.pop(fut.key)
            if fut.status == "finished":
                res = fut.result()
            else:
                exc = fut.exception()
                res = JobResult(job.run, None, f"{type(exc).__name__}: {exc}", 0.0)
            fut.release()
            on_result(res)
            if pending:
                submit()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

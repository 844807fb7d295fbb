"""Local backend: a pool of spawned worker processes on this machine, no service needed.

Processes are started with 'spawn' (Numba's threading layers are not safe across fork). At most
one run per worker is in flight, so when a worker dies (killed, out of memory) the runs then in
flight are exactly the ones it may have been running: a new pool is started and those runs are
tried again one at a time, so a run that kills its worker is caught alone and recorded as failed
after `retries` more deaths, while the others go on.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from bp_sim.procpool import init_worker as _init_worker
from bp_sim.procpool import stop as _stop
from bp_sim.sweep.worker import Job, JobResult, execute


def _submit(pool: ProcessPoolExecutor, queue: deque[Job], in_flight: dict[Future, Job]) -> bool:
    """Submit the next job of `queue`; False (job left in the queue) if the pool is already broken,
    which happens when a worker dies between the last wait and this submit."""
    job = queue.popleft()
    try:
        in_flight[pool.submit(execute, job)] = job
    except BrokenProcessPool:
        queue.appendleft(job)
        return False
    return True


def run_local(jobs: Iterable[Job], workers: int, on_result: Callable[[JobResult], None], retries: int = 2) -> None:
    """Run every job over `workers` processes, calling on_result in this process as each ends."""
    pending: deque[Job] = deque(jobs)
    suspects: deque[Job] = deque()  # in flight when a worker died: rerun alone
    deaths: Counter[str] = Counter()
    workers = max(1, min(workers, len(pending)))
    while pending or suspects:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                   initializer=_init_worker, initargs=(os.getpid(),))
        in_flight: dict[Future, Job] = {}
        broken = False
        try:
            while pending or suspects or in_flight:
                submitted = True
                if suspects:
                    if not in_flight:
                        submitted = _submit(pool, suspects, in_flight)
                else:
                    while submitted and pending and len(in_flight) < workers:
                        submitted = _submit(pool, pending, in_flight)
                if not submitted and not in_flight:
                    broken = True  # a worker died while idle: start a new pool, nobody's run was lost
                    break
                # once the pool is broken every future in flight ends (with BrokenProcessPool): wait for all
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED if submitted else ALL_COMPLETED)
                lost: list[Job] = []
                for fut in done:
                    job = in_flight.pop(fut)
                    try:
                        res = fut.result()
                    except BrokenProcessPool:
                        lost.append(job)
                        continue
                    except Exception as exc:  # e.g. a result that cannot be sent back
                        res = JobResult(job.run, None, f"{type(exc).__name__}: {exc}", 0.0)
                    on_result(res)
                if lost:
                    lost.extend(in_flight.values())  # the pool is broken: nothing else will finish
                    in_flight.clear()
                    for job in lost:
                        deaths[job.run.run_id] += 1
                        n = deaths[job.run.run_id]
                        if n > retries:
                            on_result(JobResult(job.run, None, f"the worker process died while running it, {n} times "
                                                               "(killed, out of memory, or a crash)", 0.0))
                        else:
                            suspects.append(job)
                    broken = True
                    break
        except BaseException:
            _stop(pool)
            raise
        if broken:
            _stop(pool)
        else:
            pool.shutdown(wait=True)

"""Worker processes that never outlive their command: shared by `compare` and the local sweep backend.

Workers ignore Ctrl-C (the command stops them, so one message is printed, not a traceback per
process) and exit by themselves when the command is killed outright; `stop` terminates them at
once when the command is interrupted (Ctrl-C, SIGTERM, SIGHUP) instead of waiting for the runs
they hold, which `ProcessPoolExecutor.shutdown` would do.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PARENT_CHECK_S = 1.0  # how often a worker looks whether its command still exists


def _watch_parent(parent: int, every_s: float = PARENT_CHECK_S) -> None:
    while os.getppid() == parent:
        time.sleep(every_s)
    os._exit(1)  # the driver was killed: nobody will read this worker's results


def init_worker(parent: int) -> None:
    """Workers leave Ctrl-C to the driver, which stops them (no tracebacks from every process),
    and exit by themselves if the driver is killed outright (they would otherwise wait forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def stop(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's worker processes now (Python 3.11 has no public call for this)."""
    procs = list(getattr(pool, "_processes", {}).values())
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.join(timeout=5)

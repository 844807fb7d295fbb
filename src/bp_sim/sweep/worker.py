"""What a worker process does with one run: build its scenario, run the model, keep horizon totals.

The same function serves the local process pool and Dask workers. A run that raises comes back
as an error text (the same seed would fail the same way, so it is not retried); only a worker
that dies has its run retried, by the backend. Results travel back to the driver, which alone
writes files: one writer, so a lost or duplicated worker never leaves a half-written result.
"""

from __future__ import annotations

import functools
import os
import sys
import time
import traceback
from dataclasses import dataclass
from typing import TextIO

from bp_sim.outcomes import OUTCOME_INDEX, horizon_totals
from bp_sim.scenario import Scenario
from bp_sim.sweep.runs import Run, build_scenario
from bp_sim.sweep.spec import Factor
from bp_sim.targets import Target, simulated_all

# Test hook: when this variable names a file, the first worker to claim it (by deleting it) dies
# at once with os._exit, as a killed or lost worker would. Used by tests/sweep to show that the
# backends retry the run; unset in normal use.
KILL_ONCE_ENV = "BP_SIM_SWEEP_TEST_KILL_ONCE"
KILLED_EXIT_CODE = 70


@dataclass(frozen=True)
class Job:
    """A run and everything a worker needs to do it (picklable)."""

    run: Run
    base: Scenario
    factors: tuple[Factor, ...]
    agents: int | None
    outcomes: tuple[str, ...]
    threads: int | None  # Numba threads for this run (None: the worker's default)
    targets: tuple[Target, ...] = ()  # calibration targets whose simulated values follow the outcomes


@dataclass(frozen=True)
class JobResult:
    """The horizon total of each kept outcome and the value of each target, or the error that stopped the run."""

    run: Run
    totals: tuple[float, ...] | None
    error: str | None
    seconds: float


@functools.lru_cache(maxsize=1)
def _network():
    from bp_sim.network import load_network

    return load_network()


def _maybe_die_for_test() -> None:
    marker = os.environ.get(KILL_ONCE_ENV)
    if not marker:
        return
    try:
        os.unlink(marker)  # only one process can succeed: the claim is atomic
    except FileNotFoundError:
        return
    os._exit(KILLED_EXIT_CODE)


def _set_threads(threads: int | None) -> None:
    if threads is None:
        return
    import numba

    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))


def warm_up(base: Scenario, stream: TextIO | None = sys.stderr) -> None:
    """Compile (or load) the kernels in this process, so that workers started on this machine
    find them in Numba's cache instead of each compiling them; a compile is announced on `stream`."""
    from bp_sim.warmup import warm_up_engine

    warm_up_engine(base, network=_network(), stream=stream)


def execute(job: Job) -> JobResult:
    """Run one job and return its horizon totals (or its error text)."""
    _maybe_die_for_test()
    t0 = time.perf_counter()
    try:
        _set_threads(job.threads)
        from bp_sim.model import SilkRoutesModel

        sc = build_scenario(job.base, job.factors, dict(job.run.values))
        model = SilkRoutesModel(sc, agents=job.agents, seed=job.run.seed, network=_network())
        model.run()
        totals = horizon_totals(model.recorder.outcomes[: model.recorder.steps_done])
        kept = tuple(float(totals[OUTCOME_INDEX[name]]) for name in job.outcomes)
        kept += tuple(float(v) for v in simulated_all(model, list(job.targets)))
        return JobResult(job.run, kept, None, time.perf_counter() - t0)
    except Exception:
        return JobResult(job.run, None, traceback.format_exc(limit=6), time.perf_counter() - t0)

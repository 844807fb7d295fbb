"""The hindcast runs: the hand-tuned baseline's replicates and the posterior's sets, through 2024.

Replicate r runs with seed `seed + r`, and the calibrated model's replicate r with posterior set r
(as `bp-sim compare --posterior`): the two models meet the same random draws, so their difference
is the parameters'. Each run is a sweep job (`bp_sim.sweep.worker`) keeping the value of every
validation figure and fitted target, run on the sweep's backends (local processes or Dask).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

import numpy as np
import pandas as pd

from bp_sim.errors import InputError
from bp_sim.parameters import SPECS
from bp_sim.scenario import Scenario
from bp_sim.sweep.runs import Run
from bp_sim.sweep.spec import Factor
from bp_sim.sweep.worker import Job, JobResult
from bp_sim.targets import Target

MODELS = ("hand_tuned", "calibrated")


@dataclass(frozen=True)
class Hindcast:
    """Every run's value of every target: values[model] is (replicates, targets)."""

    targets: tuple[Target, ...]
    values: dict[str, np.ndarray]
    seconds: float  # the runs' own time, summed
    failed: tuple[str, ...] = ()


def factors(sets: pd.DataFrame) -> tuple[Factor, ...]:
    """The posterior's parameters as sweep factors (their values come from the sets)."""
    return tuple(Factor(name, "parameter", SPECS[name].low, SPECS[name].high) for name in sets.columns)


def jobs(base: Scenario, sets: pd.DataFrame, replicates: int, agents: int | None, seed: int,
         targets: tuple[Target, ...], threads: int | None) -> list[Job]:
    """Hand-tuned replicate r (seed + r), then calibrated replicate r (set r, seed + r)."""
    fs = factors(sets)
    out = []
    for r in range(replicates):
        out.append(Job(Run(f"hand_tuned-{r}", "hand_tuned", (), r, seed + r), base, (), agents, (), threads, targets))
        values = tuple((name, float(sets.iloc[r][name])) for name in sets.columns)
        out.append(Job(Run(f"calibrated-{r}", f"set-{r}", values, r, seed + r), base, fs, agents, (), threads, targets))
    return out


def run_hindcast(base: Scenario, sets: pd.DataFrame, replicates: int, agents: int | None, seed: int,
                 targets: tuple[Target, ...], *, backend: str = "local", workers: int = 1, scheduler: str | None = None,
                 threads: int | None = None, stream: TextIO | None = sys.stderr,
                 progress: Callable[[int, int], None] | None = None) -> Hindcast:
    """Run both models' replicates; a failed run is reported, and leaves NaN in its row."""
    todo = jobs(base, sets, replicates, agents, seed, targets, threads)
    values = {m: np.full((replicates, len(targets)), np.nan) for m in MODELS}
    failed: list[str] = []
    spent = [0.0]

    def on_result(res: JobResult) -> None:
        model = res.run.run_id.split("-")[0]
        spent[0] += res.seconds
        if res.error is None:
            values[model][res.run.replicate] = res.totals
        else:
            failed.append(f"{res.run.run_id}: {res.error.strip().splitlines()[-1]}")
        if progress is not None:
            progress(len(failed) + int(sum(np.isfinite(v).any(axis=1).sum() for v in values.values())), len(todo))

    if scheduler is None:
        from bp_sim.sweep.worker import warm_up

        warm_up(base, stream)
    if backend == "local":
        from bp_sim.sweep.local import run_local

        run_local(todo, workers, on_result)
    elif backend == "dask":
        from bp_sim.sweep.dask_backend import run_dask

        run_dask(todo, workers, scheduler, on_result)
    else:
        raise InputError("--backend", backend, "local, dask")
    return Hindcast(targets, values, spent[0], tuple(failed))

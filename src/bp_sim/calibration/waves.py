"""Waves of runs: each a sweep folder of explicit design points, run (or resumed) by `run_sweep`.

A wave's points are written to its folder (`design.parquet`) before any run, so an interrupted
calibration resumes the same points whatever the emulators would propose now; the sweep store
keeps every finished run and runs only what is missing. Runs keep the targets' simulated values
(and a few outcomes' horizon totals) as the sweep's rows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from bp_sim.calibration.config import CalibrationConfig
from bp_sim.calibration.priors import Prior, units, values
from bp_sim.sweep.driver import SweepReport, run_sweep
from bp_sim.sweep.spec import Experiment, Factor
from bp_sim.sweep.store import DESIGN, Store

KEPT_OUTCOMES = ("irregular_arrivals_europe", "asylum_applications", "deaths_missing", "remittances_formal_usd")


def factors(priors: tuple[Prior, ...]) -> tuple[Factor, ...]:
    """The free parameters as sweep factors (their values come from the wave's points)."""
    return tuple(Factor(p.name, "parameter", p.low, p.high, distribution=p.kind) for p in priors)


def experiment(cfg: CalibrationConfig, name: str, unit: np.ndarray, replicates: int) -> Experiment:
    """The sweep of one wave: the unit-cube points as parameter values, `replicates` runs each."""
    vals = values(list(cfg.priors), unit)
    points = tuple(tuple(float(v) for v in row) for row in vals)
    return Experiment(name=f"{cfg.name}: {name}", description=f"calibration {cfg.name}, {name}", source=cfg.source,
                      scenario=cfg.scenario, factors=factors(cfg.priors), design="points", samples=len(points),
                      design_seed=cfg.seed, levels=4, second_order=False, replicates=replicates, seed=cfg.seed,
                      agents=cfg.agents, outcomes=KEPT_OUTCOMES, points=points, targets=cfg.targets)


def stored_points(folder: Path, cfg: CalibrationConfig) -> np.ndarray | None:
    """The unit-cube points a wave's folder was started with (None if it was not)."""
    if not (folder / DESIGN).exists():
        return None
    design = Store(folder).read_design()
    return units(list(cfg.priors), design[[p.name for p in cfg.priors]].to_numpy(float))


def run_wave(cfg: CalibrationConfig, folder: Path, name: str, unit: np.ndarray, replicates: int, *,
             backend: str = "local", workers: int | None = None, scheduler: str | None = None,
             stream: TextIO | None = sys.stderr) -> SweepReport:
    """Run (or resume) a wave's sweep in `folder`."""
    return run_sweep(experiment(cfg, name, unit, replicates), folder, backend=backend, workers=workers,
                     scheduler=scheduler, stream=stream)


def wave_results(folder: Path, cfg: CalibrationConfig, replicates: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A wave's (unit points, mean of log targets, each run's log targets) for the points whose
    `replicates` runs all finished, in design order: shapes (points, parameters), (points, targets),
    (runs, targets)."""
    from bp_sim.calibration.emulator import log_values

    names = [p.name for p in cfg.priors]
    ids = [t.id for t in cfg.targets]
    df = Store(folder).read_results(tuple(names))
    df = df[df.outcome.isin(ids)]
    if df.empty:
        return np.empty((0, len(names))), np.empty((0, len(ids))), np.empty((0, len(ids)))
    wide = df.pivot_table(index=["point_id", "replicate"], columns="outcome", values="value", aggfunc="first", dropna=False)[ids]
    logs = pd.DataFrame(log_values(wide.to_numpy()), index=wide.index, columns=ids)
    per_point = logs.groupby(level="point_id")
    counts = per_point.size()
    mean = per_point.mean()
    first = df.drop_duplicates("point_id").set_index("point_id")[names]
    design = Store(folder).read_design()
    done = set(counts.index[counts >= replicates])
    point_ids = list(dict.fromkeys(p for p in design.point_id if p in done))  # design order, each point once
    unit = units(list(cfg.priors), first.loc[point_ids, names].to_numpy(float))
    return unit, mean.loc[point_ids].to_numpy(), logs.to_numpy()

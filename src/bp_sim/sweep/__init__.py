"""Scenario sweeps: many runs over lever and parameter values, resumable, local or on Dask.

`spec` reads and validates a sweep file (experiments/*.toml); `designs` makes the design points
(grid, Latin hypercube, Sobol', Morris); `runs` turns them into runs with stable ids; `worker`
runs one; `local` and `dask_backend` run many; `store` writes each result as it ends;
`driver.run_sweep` ties them together (`bp-sim sweep`); `analyse` makes tables, sensitivity
indices and plots (`bp-sim analyse`); `ema_adapter` wraps the model for the EMA Workbench.
"""

from bp_sim.sweep.driver import SweepInterrupted, SweepReport, run_sweep
from bp_sim.sweep.spec import Experiment, load_experiment

__all__ = ["Experiment", "SweepInterrupted", "SweepReport", "load_experiment", "run_sweep"]

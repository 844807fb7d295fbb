"""What the page shows, as data: whole-horizon runs of a scenario and of its baseline, paired by seed.

`compute` fills a `Results` replicate by replicate (seed, seed + 1, ...); every view (charts,
outcome panel, map, exports) reads one `Results` and nothing else, so no view ever sees a run
half done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from bp_sim.outcomes import OUTCOME_INDEX


@dataclass(frozen=True)
class Run:
    """One model run over the whole horizon: weekly outcomes and the map's per-leg series."""

    seed: int
    outcomes: np.ndarray  # (weeks, n_outcomes) float64, persons or USD, columns in OUTCOME_NAMES order
    crossings: np.ndarray  # (weeks, n_edges) float32, persons crossing each leg in the week
    edge_death: np.ndarray  # (weeks, n_edges) float32, chance of death per crossing in force that week
    edge_intercept: np.ndarray  # (weeks, n_edges) float32, chance of interception per crossing in force

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.outcomes, self.crossings, self.edge_death, self.edge_intercept))


@dataclass(frozen=True)
class Mark:
    """A dated thing to mark on the time axis: a scheduled event or the start of a lever setting."""

    week: int
    date: dt.date
    label: str
    kind: str  # "event" or "lever"


@dataclass(frozen=True)
class Results:
    """A scenario's runs beside the baseline's, `scenario[i]` and `baseline[i]` with the same seed."""

    name: str  # the scenario's title (or name)
    start: dt.date  # the date week 0 starts
    weeks: int  # the horizon
    agents: int
    persons_per_agent: float
    scenario: tuple[Run, ...]
    baseline: tuple[Run, ...]
    marks: tuple[Mark, ...]
    replicates_wanted: int

    @property
    def replicates(self) -> int:
        return min(len(self.scenario), len(self.baseline))

    @property
    def complete(self) -> bool:
        return self.replicates >= self.replicates_wanted

    def stacked(self, which: str) -> np.ndarray:
        """(replicates, weeks, outcomes) of "scenario" or "baseline" (paired replicates only)."""
        runs = getattr(self, which)[: self.replicates]
        return np.stack([r.outcomes for r in runs]) if runs else np.zeros((0, self.weeks, len(OUTCOME_INDEX)))

    def dates(self) -> list[dt.date]:
        """The first day of every week of the horizon."""
        return [self.start + dt.timedelta(weeks=k) for k in range(self.weeks)]

"""Directions the evidence gives (shared/data README), with paired intervals excluding zero."""

from __future__ import annotations

import numpy as np

from bp_sim.compare import horizon_totals, run_replicates
from bp_sim.levers.setting import LeverSetting
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.stats import mean_ci

from ..conftest import baseline

REPS = 4


def _paired(levers: dict, outcome: str, agents=60_000, years=2.0, weeks_from=0, weeks_to=None):
    base, moved = baseline(years=years), baseline(years=years)
    moved.levers = levers
    results = run_replicates([base, moved], REPS, agents, 200, jobs=1)
    j = OUTCOME_INDEX[outcome]
    tot = {(r.scenario, r.replicate): horizon_totals(r.series[weeks_from:weeks_to]) for r in results}
    return mean_ci(np.array([tot[(1, i)][j] - tot[(0, i)][j] for i in range(REPS)]))


def test_more_legal_pathways_lower_irregular_departures():
    levers = {"regular_pathways": LeverSetting("regular_pathways", 5.0),
              "labour_mobility": LeverSetting("labour_mobility", 2.0)}
    d, lo, hi = _paired(levers, "irregular_departures")
    assert hi < 0, f"irregular departures {d:+,.0f} (95% CI {lo:,.0f} to {hi:,.0f})"

"""Directions the evidence gives (shared/data README), with paired intervals excluding zero."""

from __future__ import annotations

import numpy as np

from bp_sim.compare import run_replicates
from bp_sim.levers.setting import LeverSetting
from bp_sim.outcomes import OUTCOME_INDEX, horizon_totals
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
    d, lo, hi = _paired(levers, "irregular_departures", agents=200_000)
    assert hi < 0, f"irregular departures {d:+,.0f} (95% CI {lo:,.0f} to {hi:,.0f})"


def test_livelihoods_at_a_low_income_origin_do_not_lower_emigration_at_first():
    # The migration hump (Clemens 2014): more income at a low-income origin first makes moves
    # affordable for households that could not pay the way out, even as the wish to move falls.
    levers = {"livelihoods": LeverSetting("livelihoods", 0.5, where=("AFG",))}
    d, lo, hi = _paired(levers, "irregular_departures", agents=200_000, years=1.0)
    assert lo > 0, f"irregular departures in year 1 {d:+,.0f} (95% CI {lo:,.0f} to {hi:,.0f})"
    d, lo, hi = _paired(levers, "new_aspiring", agents=200_000, years=1.0)
    assert hi < 0, f"new aspiring {d:+,.0f} (95% CI {lo:,.0f} to {hi:,.0f})"

"""Every lever moves its first-order outcome in the direction the evidence gives.

Paired replicates (common random numbers) of the baseline and of the baseline with one lever
set from the start; the 95% interval of the paired difference must exclude zero.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from bp_sim.compare import run_replicates
from bp_sim.levers import LEVERS
from bp_sim.levers.setting import LeverSetting
from bp_sim.outcomes import OUTCOME_INDEX, horizon_totals
from bp_sim.stats import mean_ci

from ..conftest import baseline

REPS = 4
# Outcomes rest on the movers (rows of the default persons_per_mover, 100 persons), not on the
# number of cohorts at home, so a few thousand cohorts do; the people abroad at the start are
# rows of ROW_ABROAD persons (about 20,000 rows instead of 200,000).
AGENTS = 5_000
ROW_ABROAD = 1_000.0  # persons per row abroad at the start
# Regular slots are rationed by last week's applicants, so every applicant's chance moves with
# the lever and pairing helps less: more replicates.
REPS_FOR = {"regular_channel_information": 6}
YEARS = 2.0

# lever, value, outcome, expected sign, extra parameters (to make a rare outcome observable)
CASES = [
    ("remittance_cost", 3.0, "remittances_received_usd", +1, {}),
    ("regular_pathways", 5.0, "regular_departures_europe", +1, {}),
    ("labour_mobility", 2.0, "regular_departures", +1, {}),
    ("student_mobility", 5.0, "regular_departures_europe", +1, {}),
    ("skills_recognition", 1.0, "remittances_sent_usd", +1, {}),
    ("regular_channel_information", 1.0, "regular_departures", +1, {}),
    ("risk_awareness_campaigns", 1.0, "irregular_departures", -1, {}),
    ("border_enforcement", 1.0, "irregular_arrivals_europe", -1, {}),
    ("smuggling_disruption", 0.05, "mean_smuggling_fee_usd", +1, {}),
    ("victim_identification", 1.0, "exploited", -1, {}),
    ("labour_inspection", 1.0, "trafficking_victims", -1, {}),
    ("readmission_cooperation", 1.0, "returns_forced", +1, {}),
    ("reintegration_support", 1.0, "reintegrated", +1, {}),
    ("livelihoods", 0.5, "new_aspiring", -1, {}),
    ("climate_resilience", 1.0, "new_aspiring", -1, {"climate_shock_weekly": 0.05}),
    ("asylum_capacity", 3.0, "asylum_backlog", -1, {}),
    ("reception_conditions", 1.0, "onward_from_first_asylum", -1, {}),
    ("refugee_registration", 1.0, "returns_forced", -1, {}),
    ("resettlement", 100000, "resettled", +1, {}),
    ("integration_support", 1.0, "migrant_employment_rate", +1, {}),
    ("anti_discrimination", 1.0, "migrant_employment_rate", +1, {}),
    ("narrative_campaigns", 1.0, "migrant_employment_rate", +1, {}),
]


def test_every_lever_has_an_effect_test():
    assert {c[0] for c in CASES} | {"search_and_rescue", "forensic_identification"} == set(LEVERS)


def _scenario(params: dict, lever: LeverSetting | None):
    sc = baseline(years=YEARS, persons_per_agent_abroad=ROW_ABROAD)
    sc.parameters = {**sc.parameters, **params}
    if lever is not None:
        sc.levers = {lever.name: lever}
    return sc


@functools.lru_cache(maxsize=16)
def _totals(params_key: tuple, lever: LeverSetting | None, reps: int = REPS) -> np.ndarray:
    results = run_replicates([_scenario(dict(params_key), lever)], reps, AGENTS, 100, jobs=1)
    return np.stack([horizon_totals(r.series) for r in results])


@pytest.mark.parametrize(("lever", "value", "outcome", "sign", "params"), CASES, ids=[c[0] for c in CASES])
def test_lever_moves_its_first_order_outcome(lever, value, outcome, sign, params):
    key = tuple(sorted(params.items()))
    reps = REPS_FOR.get(lever, REPS)
    base = _totals(key, None, reps)
    moved = _totals(key, LeverSetting(lever, float(value)), reps)
    j = OUTCOME_INDEX[outcome]
    diff, lo, hi = mean_ci(moved[:, j] - base[:, j])
    assert sign * lo > 0, f"{lever}: {outcome} difference {diff:.4g} (95% CI {lo:.4g} to {hi:.4g})"


def test_search_and_rescue_cuts_death_risk_on_sea_legs_only():
    from bp_sim import SilkRoutesModel

    base = SilkRoutesModel(baseline(years=0.1), agents=2000, seed=1)
    sc = baseline(years=0.1)
    sc.levers = {"search_and_rescue": LeverSetting("search_and_rescue", 1.0)}
    rescued = SilkRoutesModel(sc, agents=2000, seed=1)
    base.step()
    rescued.step()
    is_sea = (base.net.routes["mode"] == "sea").to_numpy()
    risky = is_sea & (base.world.edge_death > 0)
    assert risky.any()
    ratio = rescued.world.edge_death[risky] / base.world.edge_death[risky]
    assert np.allclose(ratio, 1 - base.p.rescue_effect)
    assert np.array_equal(rescued.world.edge_death[~is_sea], base.world.edge_death[~is_sea])


def test_forensic_identification_identifies_more_of_the_dead():
    # Deaths are rare: make the busy Afghanistan-Iran crossing deadly so that there are many.
    params = {"identification_floor": 0.0, "death_enforcement_slope": 20.0}
    deadly = LeverSetting("border_enforcement", 1.0,
                          where=("AFG_IRN_BORDER->IRN", "PAK_IRN_BORDER->IRN", "AFG_PAK_BORDER->PAK"))
    sc_base = _scenario(params, deadly)
    sc_more = _scenario(params, deadly)
    sc_more.levers["forensic_identification"] = LeverSetting("forensic_identification", 1.0)
    reps = 5
    results = run_replicates([sc_base, sc_more], reps, AGENTS, 100, jobs=1)
    tot = {(r.scenario, r.replicate): horizon_totals(r.series) for r in results}
    deaths, ident = OUTCOME_INDEX["deaths_missing"], OUTCOME_INDEX["missing_identified"]
    assert min(tot[(0, i)][deaths] for i in range(reps)) > 0
    share = [[tot[(k, i)][ident] / tot[(k, i)][deaths] for i in range(reps)] for k in (0, 1)]
    diff, lo, hi = mean_ci(np.array(share[1]) - np.array(share[0]))
    assert lo > 0, f"identified share of the dead: +{diff:.3f} (95% CI {lo:.3f} to {hi:.3f})"

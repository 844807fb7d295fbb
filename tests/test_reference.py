"""The plain-Mesa reference twin (`bp_sim.reference`) against the Numba engine.

The twin draws from `model.rng` and the engine from counter-based keys, so they agree in
distribution, not bit for bit. Each scenario is run REPS times by each (independent seeds) and
every outcome's per-run horizon total (`outcomes.horizon_totals`), plus the mean stock of every
life-cycle state, is compared with a Welch-type tolerance (`agreement`). The check is shown to
be able to fail: a twin with one rule changed is told apart from the engine.

At a few thousand agents the default rates give almost no deaths, asylum decisions,
resettlements or trafficking within a year, so every scenario here is run in a "hot" version:
`HOT_PARAMETERS` raise the rates of rare events and `DEATH_RISK_FACTOR` the death risk of every
leg, and scenario levers act from the first week (the bundled ones start in 2021, past a
one-year horizon). The rules are the same; only how often they fire changes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from dataclasses import dataclass

import numpy as np
import pytest

from bp_sim import SilkRoutesModel, load_scenario
from bp_sim.cli import main
from bp_sim.network import load_network
from bp_sim.outcomes import OUTCOME_NAMES, OUTCOMES, horizon_totals
from bp_sim.reference import Migrant, ReferenceModel
from bp_sim.reference import origin as ref_origin
from bp_sim.reference import trafficking as ref_trafficking
from bp_sim.scenario import Scenario
from bp_sim.states import State

AGENTS = 4000
WEEKS = 52
REPS = 8
ENGINE_SEEDS = tuple(range(1, 1 + REPS))
TWIN_SEEDS = tuple(range(101, 101 + REPS))  # other seeds: the two samples are independent
SCENARIOS = ("baseline", "remittances_sdg", "legal_pathways", "enforcement_surge_aegean",
             "goal1_smuggling_trafficking")

HOT_PARAMETERS = {
    "aspiration_base": 2e-3,  # more people start to wish to move
    "irregular_go_weekly": 0.05,
    "asylum_seek_weekly": 0.08,
    "dest_weight_cost": 0.5,  # more choose (and reach) Europe within the year
    "max_debt_usd": 5000.0,
    "credit_income_weeks": 20.0,
    "init_savings_weeks": 60.0,
    "trafficking_transit_weekly": 0.01,
    "trafficking_irregular_weekly": 0.005,
    "victim_identification_max": 0.2,
    "asylum_capacity_weekly_total": 1e6,  # decisions every week (capacity is per person, ~0 agents by default)
    "resettlement_per_year": 5e6,
    "secondary_movement_weekly": 0.02,
    "onward_weekly": 0.01,
    "stranded_return_weekly": 0.05,
    "rescue_effect": 0.0,
}
DEATH_RISK_FACTOR = 10.0

# Tolerance of |mean(twin) - mean(engine)| per quantity: the largest of
K_SE = 5.0  # ... K_SE Welch standard errors: with REPS = 8 a side (t with ~14 df) a true
#              difference of zero exceeds 5 SE with a chance of about 2e-4, so the ~240
#              comparisons of this file (5 scenarios x 48) raise a false alarm with a chance of
#              a few percent (the runs are seeded, so a given code either passes or fails);
REL_TOL = 0.03  # ... 3% of the engine's mean: the twin keeps money in float64 where the engine
#                 keeps float32, and nothing in the model is calibrated finer than that;
FLOOR_AGENTS = 1.0  # ... one agent's worth of persons for counts: a mean difference of less
#                     than one agent over REPS runs cannot be told from rounding to agents;
FLOOR_SHARE = 0.01  # ... and one percentage point for shares,
FLOOR_WEEKS = 0.5  # ... and half a week for waiting times (USD outcomes have no floor).

# Outcomes that every hot scenario must exercise (a non-zero mean in engine or twin), so that
# agreement is not vacuous. None is left out at AGENTS = 4000: the hot settings make every
# outcome non-zero. Some rest on a few agents a run (deaths_missing, missing_identified,
# detections_wbr, asylum_backlog: 1-10 agents), where the floor decides and agreement is loose.
NOT_EXERCISED_ALLOWED: frozenset[str] = frozenset()

UNITS = {name: unit for name, unit, _ in OUTCOMES}
STATE_NAMES = tuple(f"stock_{s.name.lower()}" for s in State)
QUANTITIES = OUTCOME_NAMES + STATE_NAMES  # every outcome, then the mean stock of every state


@functools.cache
def hot_network():
    net = load_network()
    routes = net.routes.copy()
    routes["death_risk"] = (routes.death_risk * DEATH_RISK_FACTOR).clip(upper=1.0)
    return dataclasses.replace(net, routes=routes)


def hot_scenario(name: str) -> Scenario:
    sc = load_scenario(name, hot_network())
    sc.parameters = {**sc.parameters, **HOT_PARAMETERS}
    sc.levers = {k: dataclasses.replace(s, start=None, ramp_weeks=0) for k, s in sc.levers.items()}
    return sc


@dataclass(frozen=True)
class Runs:
    values: np.ndarray  # (runs, quantities): horizon totals of outcomes, then mean stock by state
    persons_per_agent: float


def simulate(model_cls: type[SilkRoutesModel], scenario: str, seeds: tuple[int, ...], *,
             check_first: bool = False) -> Runs:
    sc = hot_scenario(scenario)
    rows = []
    for k, seed in enumerate(seeds):
        model = model_cls(sc, agents=AGENTS, seed=seed, network=hot_network(), check_invariants=check_first and k == 0)
        model.run(WEEKS)
        rec = model.recorder
        ppa = model.persons_per_agent
        stocks = rec.stocks[:WEEKS].sum(axis=(1, 2)).mean(axis=0) * ppa
        with np.errstate(invalid="ignore"):
            rows.append(np.concatenate([horizon_totals(rec.outcomes[:WEEKS]), stocks]))
    return Runs(np.array(rows), ppa)


@functools.cache
def engine_runs(scenario: str) -> Runs:
    return simulate(SilkRoutesModel, scenario, ENGINE_SEEDS)


@functools.cache
def twin_runs(scenario: str) -> Runs:
    return simulate(ReferenceModel, scenario, TWIN_SEEDS, check_first=True)


@dataclass(frozen=True)
class Check:
    quantity: str
    engine: float  # mean over runs
    twin: float
    allowed: float  # tolerance of |twin - engine|
    exercised: bool  # non-zero in either

    @property
    def ok(self) -> bool:
        if not self.exercised:
            return True
        return abs(self.twin - self.engine) <= self.allowed

    def __str__(self) -> str:
        return f"{self.quantity}: engine {self.engine:.4g}, twin {self.twin:.4g}, allowed ±{self.allowed:.3g}"


def floor_of(quantity: str, ppa: float) -> float:
    unit = UNITS.get(quantity, "persons")
    if unit.startswith(("persons", "detections")):
        return FLOOR_AGENTS * ppa
    if unit == "share":
        return FLOOR_SHARE
    if unit == "weeks":
        return FLOOR_WEEKS
    return 0.0


def agreement(engine: Runs, twin: Runs) -> list[Check]:
    """One check per quantity: means within max(K_SE Welch SE, REL_TOL x engine mean, floor)."""
    checks = []
    for k, name in enumerate(QUANTITIES):
        a, b = engine.values[:, k], twin.values[:, k]
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        if len(a) == 0 and len(b) == 0:
            checks.append(Check(name, math.nan, math.nan, 0.0, False))
            continue
        if len(a) < 2 or len(b) < 2:  # NaN (no event at all) in most runs of one side only
            checks.append(Check(name, float(np.mean(a)) if len(a) else math.nan,
                                float(np.mean(b)) if len(b) else math.nan, -1.0, True))
            continue
        ma, mb = float(a.mean()), float(b.mean())
        se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        allowed = max(K_SE * se, REL_TOL * abs(ma), floor_of(name, engine.persons_per_agent))
        checks.append(Check(name, ma, mb, allowed, ma != 0.0 or mb != 0.0))
    return checks


def disagreements(engine: Runs, twin: Runs) -> list[str]:
    return [c.quantity for c in agreement(engine, twin) if not c.ok]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_twin_agrees_with_engine_on_every_outcome(scenario):
    checks = agreement(engine_runs(scenario), twin_runs(scenario))
    assert [c.quantity for c in checks] == list(QUANTITIES)
    bad = [str(c) for c in checks if not c.ok]
    assert not bad, f"{scenario}: twin and engine disagree on\n" + "\n".join(bad)
    outcome_checks = [c for c in checks if c.quantity in OUTCOME_NAMES]
    not_exercised = {c.quantity for c in outcome_checks if not c.exercised}
    assert not_exercised <= NOT_EXERCISED_ALLOWED, f"{scenario}: outcomes never non-zero: {sorted(not_exercised)}"


def test_agreement_tells_a_changed_rule_apart(monkeypatch):
    """A twin whose people start to wish to migrate 1.5 times as often, or fall into exploitation
    twice as often, disagrees with the engine on the outcomes that rule drives (and not on those
    it does not). Job finding twice as likely moves the employment rate by about the tolerance
    only (~0.06 at this size), too close to the line to make a test that can be trusted."""
    engine = engine_runs("baseline")
    hazard = ref_origin.aspiration_hazard
    monkeypatch.setattr(ref_origin, "aspiration_hazard", lambda *a: min(1.0, 1.5 * hazard(*a)))
    bad = disagreements(engine, simulate(ReferenceModel, "baseline", TWIN_SEEDS))
    assert {"new_aspiring", "irregular_departures", "stock_aspiring", "in_transit"} <= set(bad), bad
    monkeypatch.undo()

    vulnerability = ref_trafficking.debt_vulnerability
    monkeypatch.setattr(ref_trafficking, "debt_vulnerability", lambda p, debt: 2.0 * vulnerability(p, debt))
    bad = disagreements(engine, simulate(ReferenceModel, "baseline", TWIN_SEEDS))
    assert {"trafficking_victims", "trafficking_victims_identified", "exploited"} <= set(bad), bad
    assert not {"new_aspiring", "irregular_departures", "remittances_sent_usd"} & set(bad), bad


def test_agreement_flags_a_shifted_mean_and_passes_identical_samples():
    rng = np.random.default_rng(0)
    values = rng.normal(100.0, 5.0, size=(REPS, len(QUANTITIES)))
    same = Runs(values, 1.0)
    assert disagreements(same, Runs(values.copy(), 1.0)) == []
    shifted = values.copy()
    shifted[:, 3] += 30.0  # 6 SD: far beyond K_SE standard errors and REL_TOL
    assert disagreements(same, Runs(shifted, 1.0)) == [QUANTITIES[3]]


def test_twin_starts_from_the_engine_population_as_mesa_agents():
    sc = hot_scenario("baseline")
    engine = SilkRoutesModel(sc, agents=500, seed=5, network=hot_network())
    twin = ReferenceModel(sc, agents=500, seed=5, network=hot_network())
    assert twin.engine == "reference" and len(twin.migrants) == 500 == len(twin.migrant_rows)
    assert all(isinstance(m, Migrant) for m in twin.migrants)
    for field in engine.pop._fields:
        got = np.array([getattr(m, field) for m in twin.migrant_rows])
        np.testing.assert_array_equal(got, getattr(engine.pop, field), err_msg=field)
    assert twin.tally.ints.shape[0] == 1  # one chunk


def test_invariants_are_checked_on_the_migrants():
    twin = ReferenceModel(hot_scenario("baseline"), agents=1000, seed=2, network=hot_network(), check_invariants=True)
    twin.run(8)
    assert twin.recorder.steps_done == 8
    staying = next(m for m in twin.migrant_rows if m.state == State.STAYING)
    staying.location = next(n for n in range(twin.net.n_nodes) if n != staying.origin)  # at home, but away
    with pytest.raises(AssertionError, match="away from its origin"):
        twin.step()


def test_cli_runs_the_twin_and_writes_run_info(tmp_path):
    out = tmp_path / "ref"
    assert main(["run", "--engine", "reference", "--agents", "2000", "--years", "0.25", "--seed", "4",
                 "--out", str(out), "--quiet"]) == 0
    info = json.loads((out / "run_info.json").read_text())
    assert info["engine"] == "reference" and info["agents"] == 2000 and info["steps"] == 13 and info["threads"] == 1
    for key in ("seconds_simulation", "seconds_total", "agent_steps_per_second", "peak_rss_bytes"):
        assert info[key] > 0, key
    assert info["seconds_total"] >= info["seconds_simulation"]
    assert (out / "timeseries.parquet").exists() and (out / "node_stocks.parquet").exists()

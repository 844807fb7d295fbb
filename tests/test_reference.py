"""The plain-Mesa reference twin (`bp_sim.reference`) against the Numba engine.

The twin draws from `model.rng` and the engine from counter-based keys, so they agree in
distribution, not bit for bit. Each scenario is run REPS times by each (independent seeds) and
every outcome's per-run horizon total (`outcomes.horizon_totals`), plus the mean stock of every
life-cycle state, is compared with a Welch-type tolerance (`agreement`). The check is shown to
be able to fail: a twin with one rule changed is told apart from the engine. Both run the same
two resolutions, coarse enough for the twin to be quick: AGENTS cohorts at home, movers of
PERSONS_PER_MOVER persons and rows abroad of PERSONS_PER_ROW_ABROAD (a few thousand rows a week,
up to ~20,000 by the end of the hot year).

At a few thousand rows the default rates give almost no asylum decisions, resettlements or
trafficking within a year, so every scenario here is run in a "hot" version:
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
from bp_sim import tally as T
from bp_sim.cli import main
from bp_sim.network import load_network
from bp_sim.outcomes import OUTCOME_NAMES, OUTCOMES, horizon_totals
from bp_sim.reference import Cohort, Migrant, ReferenceModel
from bp_sim.reference import borders as ref_borders
from bp_sim.reference import labour as ref_labour
from bp_sim.reference import origin as ref_origin
from bp_sim.reference import trafficking as ref_trafficking
from bp_sim.scenario import Scenario
from bp_sim.states import FLAG_IDENTIFIED, Channel, Legal, State

from .mechanisms.helpers import edge, node, population, scalars, twin_people, twin_week, world

AGENTS = 2000  # cohorts at home (~318,000 persons each)
PERSONS_PER_MOVER = 10_000  # persons in a row of movers: ~20,000 movers leave in the hot year
PERSONS_PER_ROW_ABROAD = 10_000.0  # persons in a row abroad at the start: ~1,900 rows
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
    "asylum_capacity_weekly_total": 1e6,  # decisions every week (few rows are decided a week by default)
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
FLOOR_ROWS = 1.0  # ... one row's worth of persons for counts: a mean difference of less than
#                   one row over REPS runs cannot be told from rounding to rows;
FLOOR_SHARE = 0.01  # ... and one percentage point for shares,
FLOOR_WEEKS = 0.5  # ... and half a week for waiting times (USD outcomes have no floor).

# Outcomes that every hot scenario must exercise (a non-zero mean in engine or twin), so that
# agreement is not vacuous. None is left out at these resolutions: the hot settings make every
# outcome non-zero. Some rest on a few rows a run (detections_wbr, asylum_backlog), where the floor
# decides and agreement is loose; deaths are counted person by person (binomial), so not those.
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
    persons_per_row: float  # the coarser of a mover's and a row abroad's persons (the floor's unit)


def simulate(model_cls: type[SilkRoutesModel], scenario: str, seeds: tuple[int, ...], *,
             check_first: bool = False) -> Runs:
    sc = hot_scenario(scenario)
    rows = []
    for k, seed in enumerate(seeds):
        model = model_cls(sc, agents=AGENTS, seed=seed, network=hot_network(), persons_per_mover=PERSONS_PER_MOVER,
                          persons_per_agent_abroad=PERSONS_PER_ROW_ABROAD, check_invariants=check_first and k == 0)
        model.run(WEEKS)
        rec = model.recorder
        stocks = rec.stocks[:WEEKS].sum(axis=(1, 2)).mean(axis=0)  # persons
        with np.errstate(invalid="ignore"):
            rows.append(np.concatenate([horizon_totals(rec.outcomes[:WEEKS]), stocks]))
    return Runs(np.array(rows), max(float(PERSONS_PER_MOVER), PERSONS_PER_ROW_ABROAD))


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


def floor_of(quantity: str, persons_per_row: float) -> float:
    unit = UNITS.get(quantity, "persons")
    if unit.startswith(("persons", "detections")):
        return FLOOR_ROWS * persons_per_row
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
        allowed = max(K_SE * se, REL_TOL * abs(ma), floor_of(name, engine.persons_per_row))
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
    """A twin whose people start to wish to migrate 1.5 times as often, fall into exploitation
    twice as often, or find jobs twice as often disagrees with the engine on the outcomes that
    rule drives (and not on those it does not). Job finding twice as likely moves the employment
    rate by ~0.09, about five times its tolerance at these resolutions."""
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
    monkeypatch.undo()

    find = ref_labour.job_find_chance
    monkeypatch.setattr(ref_labour, "job_find_chance", lambda m, wk: 2.0 * find(m, wk))
    bad = disagreements(engine, simulate(ReferenceModel, "baseline", TWIN_SEEDS))
    assert {"migrant_employment_rate", "remittances_sent_usd", "remittances_received_usd"} <= set(bad), bad
    assert not {"new_aspiring", "stock_staying"} & set(bad), bad


def test_agreement_flags_a_shifted_mean_and_passes_identical_samples():
    rng = np.random.default_rng(0)
    values = rng.normal(100.0, 5.0, size=(REPS, len(QUANTITIES)))
    same = Runs(values, 1.0)
    assert disagreements(same, Runs(values.copy(), 1.0)) == []
    shifted = values.copy()
    shifted[:, 3] += 30.0  # 6 SD: far beyond K_SE standard errors and REL_TOL
    assert disagreements(same, Runs(shifted, 1.0)) == [QUANTITIES[3]]


def test_the_persons_of_a_row_die_one_by_one_on_a_leg():
    """At the end of a leg each person of a row may die on their own (`rng.binomial`): a row
    with no one left is a row of the dead (identified if any of its dead is), a row with
    survivors crosses with them; every count is in persons, by origin and the leg's start."""
    w = world()
    e = edge("TUR->GRC_EVROS")
    start, dst = int(w.edge_src[e]), int(w.edge_dst[e])
    w.edge_intercept[:] = 0.0
    p = scalars(identification_floor=1.0, identification_max=1.0)
    origin = node("AFG")
    for risk, weight in ((1.0, 3), (0.1, 10_000)):
        w.edge_death[:] = risk
        pop = population(4, state=State.TRANSIT_SMUGGLED, origin=origin, location=start, edge=e, weight=weight)
        people, wk = twin_people(pop, w), twin_week(w, p, seed=1)
        for m in people:
            ref_borders.resolve_crossing(m, wk)
        oi = people[0].origin_index
        died = wk.tally.ints[oi, T.I_DEATHS]
        assert died == 4 * weight - sum(m.weight for m in people) == wk.tally.dead[oi, start]
        assert wk.tally.edge[oi, e, T.E_DEATHS] == died == wk.tally.dead.sum()
        if risk == 1.0:  # everyone dies, and with full identification everyone is identified
            assert all(m.state == State.DEAD_MISSING and m.weight == 0 and m.flags & FLAG_IDENTIFIED for m in people)
            assert wk.tally.ints[oi, T.I_MISSING_IDENTIFIED] == died == 12
        else:  # about one in ten dies; the rest cross
            assert all(m.state == State.TRANSIT_SMUGGLED and m.location == dst and 0 < m.weight < weight
                       for m in people)
            assert abs(died - 4_000) < 5 * math.sqrt(4 * weight * 0.1 * 0.9)
            assert wk.tally.edge[oi, e, T.E_CROSSINGS] == sum(m.weight for m in people)
            assert not any(m.flags & FLAG_IDENTIFIED for m in people)


def test_twin_starts_from_the_engine_population_as_mesa_agents():
    sc = hot_scenario("baseline")
    sizes = {"agents": 500, "persons_per_mover": PERSONS_PER_MOVER, "persons_per_agent_abroad": PERSONS_PER_ROW_ABROAD}
    engine = SilkRoutesModel(sc, seed=5, network=hot_network(), **sizes)
    twin = ReferenceModel(sc, seed=5, network=hot_network(), **sizes)
    assert twin.engine == "reference" and twin.n_cohorts == 500  # home cohorts, then the rejoin cohorts
    assert len(twin.cohort_agents) == len(twin.cohort_rows) == len(engine.cohorts.aspiring) > 500
    assert len(twin.settled_rows) == len(engine.settled.employed)
    assert [g.weight for g in twin.settled_rows] == engine.settled.rows.weight.tolist()
    assert [g.employed for g in twin.settled_rows] == engine.settled.employed.tolist()
    assert len(twin.migrants) == len(twin.migrant_rows) == len(engine.pop.state) > 0
    assert all(isinstance(m, Migrant) for m in twin.migrants)
    assert all(isinstance(c, Cohort) for c in twin.cohort_agents)
    for field in engine.pop._fields:
        got = np.array([getattr(m, field) for m in twin.migrant_rows])
        np.testing.assert_array_equal(got, getattr(engine.pop, field), err_msg=field)
        got = np.array([getattr(c, field) for c in twin.cohort_rows])
        np.testing.assert_array_equal(got, getattr(engine.cohorts.rows, field), err_msg=f"cohort {field}")
    assert [c.aspiring for c in twin.cohort_rows] == engine.cohorts.aspiring.tolist()
    assert twin.tally.ints.shape[0] == 1  # one chunk


def test_movers_become_migrants_and_the_tables_follow():
    """Movers leave the cohorts as migrants of persons_per_mover persons each, in PREPARING at
    home with a destination and a key of their own; `sync_population` writes migrants and cohorts
    back into the engine's tables, which then hold every person (with the dead)."""
    twin = ReferenceModel(hot_scenario("baseline"), agents=500, seed=3, network=hot_network(),
                          persons_per_mover=PERSONS_PER_MOVER, persons_per_agent_abroad=PERSONS_PER_ROW_ABROAD)
    first_keys = {m.key for m in twin.migrant_rows}
    stepped = 0
    for _ in range(6):
        stepped += twin.rows_in_use  # home cohorts, occupied groups and rows, counted as they are stepped
        twin.step()
    twin.sync_population()
    new = [m for m in twin.migrant_rows if m.key not in first_keys]
    assert new and twin.rows.n == len(twin.migrant_rows) == len(twin.migrants)
    assert twin.row_steps == stepped >= 6 * twin.n_cohorts
    assert all(0 <= m.weight <= PERSONS_PER_MOVER for m in new)  # fewer once some died on the way
    preparing = [m for m in new if m.state == State.PREPARING]
    assert preparing and all(m.weight == PERSONS_PER_MOVER and m.location == m.origin and m.destination >= 0
                             and m.legal == Legal.NATIONAL and m.channel != Channel.NONE for m in preparing)
    cohorts = {(c.origin, c.skill, c.awareness, c.flags) for c in twin.cohort_rows}  # a mover is its cohort's
    assert all((m.origin, m.skill, m.awareness, m.flags) in cohorts for m in preparing)
    keys = [m.key for m in twin.migrant_rows] + [c.key for c in twin.cohort_rows]
    assert len(set(keys)) == len(keys)
    np.testing.assert_array_equal(twin.pop.key, [m.key for m in twin.migrant_rows])
    np.testing.assert_array_equal(twin.pop.weight, [m.weight for m in twin.migrant_rows])
    np.testing.assert_array_equal(twin.cohorts.rows.weight, [c.weight for c in twin.cohort_rows])
    np.testing.assert_array_equal(twin.cohorts.aspiring, [c.aspiring for c in twin.cohort_rows])
    held = (int(twin.pop.weight.sum()) + int(twin.cohorts.rows.weight.sum()) + int(twin.cohorts.aspiring.sum())
            + int(twin.settled.rows.weight.sum()))
    assert held + int(twin.dead_total.sum()) == twin.persons_total


def _twin_checked(weeks: int = 8) -> ReferenceModel:
    model = ReferenceModel(hot_scenario("baseline"), agents=1000, seed=2, network=hot_network(), check_invariants=True,
                           persons_per_mover=PERSONS_PER_MOVER, persons_per_agent_abroad=PERSONS_PER_ROW_ABROAD)
    model.run(weeks)
    assert model.recorder.steps_done == weeks
    return model


def test_invariants_are_checked_on_the_migrants_and_cohorts():
    model = _twin_checked()
    resident = next(m for m in model.migrant_rows if m.state == State.IRREGULAR_RESIDENT)
    resident.state = State.REINTEGRATED  # at home, but away (a row STAYING would join a cohort first)
    with pytest.raises(AssertionError, match="away from its origin"):
        model.step()
    model = _twin_checked()
    group = next(g for g in model.settled_rows if g.weight > 0)
    group.employed = 2 * group.weight + 1000  # more at work than it holds, by more than a week's job losses
    with pytest.raises(AssertionError, match="employs"):
        model.step()
    model = _twin_checked()
    cohort = model.cohort_rows[0]
    cohort.location = next(n for n in range(model.net.n_nodes) if n != cohort.origin)
    with pytest.raises(AssertionError, match="a cohort left home"):
        model.step()
    model = _twin_checked()
    model.cohort_rows[0].aspiring += 1  # a person from nowhere
    with pytest.raises(AssertionError, match="persons"):
        model.step()


def test_cli_runs_the_twin_and_writes_run_info(tmp_path):
    out = tmp_path / "ref"
    assert main(["run", "--engine", "reference", "--agents", "2000", "--years", "0.25", "--seed", "4",
                 "--persons-per-mover", str(PERSONS_PER_MOVER), "--persons-per-agent-abroad",
                 str(PERSONS_PER_ROW_ABROAD), "--out", str(out), "--quiet"]) == 0
    info = json.loads((out / "run_info.json").read_text())
    assert info["engine"] == "reference" and info["agents"] == 2000 and info["steps"] == 13 and info["threads"] == 1
    assert info["persons_per_mover"] == PERSONS_PER_MOVER and info["rows_at_end"] > 2000
    for key in ("seconds_simulation", "seconds_total", "agent_steps_per_second", "peak_rss_bytes"):
        assert info[key] > 0, key
    assert info["seconds_total"] >= info["seconds_simulation"]
    assert (out / "timeseries.parquet").exists() and (out / "node_stocks.parquet").exists()

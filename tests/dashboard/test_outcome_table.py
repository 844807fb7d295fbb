"""The outcome panel's numbers: paired differences, intervals, verdicts, and "too few to tell"."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json

import numpy as np
import pytest

from bp_sim.dashboard import outcome_table as ot
from bp_sim.dashboard.results import Results, Run
from bp_sim.dashboard.simulate import marks_of, simulate
from bp_sim.levers.setting import LeverSetting
from bp_sim.outcomes import OUTCOME_INDEX, OUTCOME_NAMES
from bp_sim.scenario import load_scenario
from bp_sim.stats import unpaired_diff_ci
from tests.conftest import network

WEEKS = 10
PPA = 1000.0  # persons per agent in the synthetic runs
FEE = 2000.0  # USD per smuggled leg


def weekly(seed: int) -> np.ndarray:
    """A synthetic baseline run: every headline rests on hundreds of agents; level varies by seed."""
    level = 1.0 + 0.5 * seed  # replicates differ a lot from one another (a shared, seed-driven level)
    o = np.zeros((WEEKS, len(OUTCOME_NAMES)))
    for name in ("irregular_arrivals_europe", "deaths_missing", "irregular_departures", "regular_departures",
                 "trafficking_victims", "asylum_backlog", "returns_forced"):
        o[:, OUTCOME_INDEX[name]] = 100 * level * PPA  # 100 agents a week
    o[:, OUTCOME_INDEX["remittances_received_usd"]] = 1e9 * level
    o[:, OUTCOME_INDEX["mean_smuggling_fee_usd"]] = FEE
    o[:, OUTCOME_INDEX["smuggler_revenue_usd"]] = 50 * level * PPA * FEE  # 50 legs a week
    return o


def run(seed: int, outcomes: np.ndarray) -> Run:
    empty = np.zeros((len(outcomes), 0), np.float32)
    return Run(seed=seed, outcomes=outcomes, crossings=empty, edge_death=empty, edge_intercept=empty)


def results(scenario: list[np.ndarray], baseline: list[np.ndarray], seeds: list[int] | None = None) -> Results:
    seeds = list(range(len(baseline))) if seeds is None else seeds
    return Results(name="test", start=dt.date(2020, 1, 1), weeks=WEEKS, agents=10_000, persons_per_agent=PPA,
                   scenario=tuple(run(s, o) for s, o in zip(seeds, scenario, strict=True)),
                   baseline=tuple(run(s, o) for s, o in zip(seeds, baseline, strict=True)),
                   marks=(), replicates_wanted=len(baseline))


def changed(seed: int, **per_week: float) -> np.ndarray:
    """The baseline run of `seed` with outcomes moved by so much a week (in persons or USD)."""
    o = weekly(seed)
    for name, delta in per_week.items():
        o[:, OUTCOME_INDEX[name]] += delta
    return o


def by_name(rows) -> dict:
    return {r.name: r for r in rows}


def plain(value) -> None:
    """Only JSON's own types: no NumPy scalars, no NaN."""
    if isinstance(value, dict):
        for v in value.values():
            plain(v)
    elif isinstance(value, list | tuple):
        for v in value:
            plain(v)
    else:
        assert value is None or type(value) in (bool, int, float, str), (value, type(value))


def test_identical_runs_are_no_change_for_every_row():
    base = [weekly(s) for s in range(3)]
    rows = ot.outcome_rows(results(base, base))
    assert [r.name for r in rows] == [h.name for h in ot.HEADLINES]
    for r in rows:
        assert r.verdict == "no change" and r.diff == 0.0 and r.diff_text == "no change", r
    assert {t.verdict for t in ot.trade_off(results(base, base))} == {"no change"}


def test_fewer_deaths_by_a_known_amount_is_exact_and_welcome_and_fewer_remittances_unwelcome():
    base = [weekly(s) for s in range(3)]
    scen = [changed(s, deaths_missing=-5 * PPA, remittances_received_usd=-1e8) for s in range(3)]
    rows = by_name(ot.outcome_rows(results(scen, base)))
    deaths = rows["deaths_missing"]
    assert deaths.diff == pytest.approx(-5 * PPA * WEEKS)
    assert deaths.diff_lo == pytest.approx(-5 * PPA * WEEKS) and deaths.diff_hi == pytest.approx(-5 * PPA * WEEKS)
    base_mean = np.mean([100 * (1 + 0.5 * s) * PPA * WEEKS for s in range(3)])
    assert deaths.baseline == pytest.approx(base_mean)
    assert deaths.pct == pytest.approx(-100 * 5 * PPA * WEEKS / base_mean)
    assert deaths.verdict == "welcome" and not deaths.too_few
    assert deaths.diff_text == "-50.0 thousand persons (-3.3%)"
    assert rows["remittances_received_usd"].verdict == "unwelcome"
    assert rows["remittances_received_usd"].diff == pytest.approx(-1e9)
    assert rows["irregular_arrivals_europe"].verdict == "no change"


def test_an_outcome_resting_on_three_agents_is_too_few_to_tell():
    base = [weekly(s) for s in range(3)]
    scen = [weekly(s) for s in range(3)]
    j = OUTCOME_INDEX["trafficking_victims"]
    for b, s in zip(base, scen, strict=True):
        b[:, j] = 0.0
        b[:3, j] = PPA  # 3 agents over the horizon
        s[:, j] = 0.0
        s[:2, j] = PPA  # 2: "-33%"
    r = by_name(ot.outcome_rows(results(scen, base)))["trafficking_victims"]
    assert r.agents == 2.0 and r.too_few
    assert r.pct == pytest.approx(-100 / 3)
    assert r.verdict == "too few simulated people to tell"
    assert "fewer than about 30" in r.note


def test_smuggler_revenue_rests_on_the_smuggled_legs_not_on_the_dollars():
    base = [weekly(s) for s in range(2)]
    scen = [weekly(s) for s in range(2)]
    for o in scen:
        o[:, OUTCOME_INDEX["smuggler_revenue_usd"]] = 0.0
        o[:, OUTCOME_INDEX["mean_smuggling_fee_usd"]] = np.nan  # weeks with no smuggled leg
        o[0, OUTCOME_INDEX["smuggler_revenue_usd"]] = 4 * PPA * 1e6  # 4 legs at a million USD each: 4 bn USD
        o[0, OUTCOME_INDEX["mean_smuggling_fee_usd"]] = 1e6
    assert ot.agent_events("smuggler_revenue_usd", np.stack(scen), PPA) == 4.0
    assert ot.agent_events("smuggler_revenue_usd", base[0], PPA) == 50 * WEEKS
    assert ot.agent_events("remittances_received_usd", base[0], PPA) is None
    r = by_name(ot.outcome_rows(results(scen, base)))["smuggler_revenue_usd"]
    assert r.agents == 4.0 and r.verdict == "too few simulated people to tell"


def test_one_replicate_has_no_interval():
    r = by_name(ot.outcome_rows(results([changed(0, deaths_missing=-5 * PPA)], [weekly(0)])))["deaths_missing"]
    assert r.replicates == 1
    assert r.diff == pytest.approx(-5 * PPA * WEEKS)
    assert (r.diff_lo, r.diff_hi, r.pct_lo, r.pct_hi) == (None, None, None, None)
    assert r.interval_text == "no interval yet: one replicate"
    assert r.verdict == "welcome"


def test_the_paired_interval_is_narrower_than_an_unpaired_one_on_correlated_runs():
    rng = np.random.default_rng(1)
    base = [weekly(s) for s in range(5)]
    scen = [changed(s, irregular_arrivals_europe=-10 * PPA + rng.normal(0, PPA)) for s in range(5)]
    res = results(scen, base)
    r = by_name(ot.outcome_rows(res))["irregular_arrivals_europe"]
    j = OUTCOME_INDEX["irregular_arrivals_europe"]
    _, ulo, uhi = unpaired_diff_ci(res.stacked("scenario")[:, :, j].sum(1), res.stacked("baseline")[:, :, j].sum(1))
    assert ulo < 0 < uhi  # treated as independent, the replicates cannot tell
    assert r.diff_hi - r.diff_lo < (uhi - ulo) / 10
    assert r.diff_hi < 0 and r.verdict == "welcome"


def test_percent_is_none_when_the_baseline_is_zero():
    base = [weekly(s) for s in range(3)]
    scen = [weekly(s) for s in range(3)]
    for o in base:
        o[:, OUTCOME_INDEX["returns_forced"]] = 0.0
    r = by_name(ot.outcome_rows(results(scen, base)))["returns_forced"]
    assert r.baseline == 0.0 and r.diff > 0
    assert (r.pct, r.pct_lo, r.pct_hi) == (None, None, None)
    assert r.diff_text.endswith("(from none)")
    t = by_name(ot.trade_off(results(scen, base)))
    assert set(t) == set(ot.TRADE_OFF)


def test_upto_week_restricts_the_totals():
    base = [weekly(s) for s in range(3)]
    scen = [weekly(s) for s in range(3)]
    j = OUTCOME_INDEX["deaths_missing"]
    for o in scen:
        o[6:, j] -= 20 * PPA  # fewer deaths from week 6 on
    res = results(scen, base)
    early = by_name(ot.outcome_rows(res, upto_week=6))["deaths_missing"]
    assert early.verdict == "no change" and early.baseline == pytest.approx(np.mean([600 * (1 + 0.5 * s) * PPA
                                                                                      for s in range(3)]))
    late = by_name(ot.outcome_rows(res, upto_week=8))["deaths_missing"]
    assert late.diff == pytest.approx(-2 * 20 * PPA)
    whole = by_name(ot.outcome_rows(res))["deaths_missing"]
    assert whole.diff == pytest.approx(-4 * 20 * PPA) and whole.verdict == "welcome"
    with pytest.raises(ValueError, match="upto_week"):
        ot.outcome_rows(res, upto_week=0)


def test_packages_compare_a_and_b_and_the_baseline_paired_by_seed():
    base = [weekly(s) for s in range(3)]
    a = results([changed(s, deaths_missing=-5 * PPA) for s in range(3)], base)
    b = results([changed(s, deaths_missing=-8 * PPA, regular_departures=-PPA) for s in range(3)], base)
    rows = by_name(ot.packages(a, b))
    d = rows["deaths_missing"]
    assert d.a_vs_baseline.diff == pytest.approx(-5 * PPA * WEEKS)
    assert d.b_vs_baseline.diff == pytest.approx(-8 * PPA * WEEKS)
    assert d.b_vs_a.diff == pytest.approx(-3 * PPA * WEEKS) and d.b_vs_a.verdict == "welcome"
    assert d.b_vs_a.pct == pytest.approx(100 * d.b_vs_a.diff / d.a)  # B against A: percent of A
    reg = rows["regular_departures"]
    assert reg.a_vs_baseline.verdict == "no change" and reg.b_vs_a.verdict == "unwelcome"
    plain([dataclasses.asdict(r) for r in rows.values()])


def test_packages_refuse_runs_not_paired_by_the_same_seeds():
    base = [weekly(s) for s in range(2)]
    a = results(base, base, seeds=[0, 1])
    b = results(base, base, seeds=[0, 2])
    with pytest.raises(ValueError, match="seed"):
        ot.packages(a, b)


def test_no_replicates_yet_gives_no_rows():
    res = results([], [])
    assert ot.outcome_rows(res) == [] and ot.trade_off(res) == [] and ot.packages(res, res) == []


def test_free_remittances_in_a_real_small_run_are_welcome():
    net = network()
    sc = copy.copy(load_scenario("goal1_smuggling_trafficking", net))
    sc.years = 1  # its own levers are replaced: the two runs differ only in remittance cost
    base_sc = copy.copy(sc)
    base_sc.levers = {}
    sc.levers = {"remittance_cost": LeverSetting("remittance_cost", 0.0)}
    scen, base = [], []
    for seed in range(3):
        s, ppa = simulate(sc, 5_000, seed, net)
        b, _ = simulate(base_sc, 5_000, seed, net)
        scen.append(s)
        base.append(b)
    res = Results(name=sc.name, start=sc.start_date, weeks=sc.weeks, agents=5_000, persons_per_agent=ppa,
                  scenario=tuple(scen), baseline=tuple(base), marks=marks_of(sc), replicates_wanted=3)
    rows = by_name(ot.outcome_rows(res))
    assert rows["remittances_received_usd"].verdict == "welcome"
    assert rows["remittances_received_usd"].diff_lo > 0
    # Deaths are drawn person by person within the rows of movers: they rest on persons, enough to
    # tell at this size, and the verdict follows the paired interval (more money at home pays for more
    # departures, and more deaths on the way).
    deaths = rows["deaths_missing"]
    assert deaths.verdict != "too few simulated people to tell"
    assert (deaths.verdict == "unwelcome") == (deaths.diff_lo > 0), deaths
    out = [dataclasses.asdict(r) for r in [*rows.values(), *ot.trade_off(res)]]
    plain(out)
    json.dumps(out, allow_nan=False)

"""Two resolutions in one population: cohorts at home, movers at persons_per_mover, stable keys,
common random numbers between scenarios, returns that travel, flows by origin."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest
from numba import njit
from scipy import stats

from bp_sim import SilkRoutesModel
from bp_sim.levers.setting import LeverSetting
from bp_sim.rng import binomial, child_key, seed_key, unit_key
from bp_sim.states import Channel, State

from .conftest import baseline, network

AGENTS = 5_000  # cohorts
MOVER = 200  # persons per mover: a few thousand rows, fast


def model(sc=None, **kw) -> SilkRoutesModel:
    kw = {"agents": AGENTS, "seed": 3, "persons_per_mover": MOVER, **kw}
    return SilkRoutesModel(sc if sc is not None else baseline(), network=network(), **kw)


@njit(cache=True)
def _draws(seed, n, prob, keys):
    out = np.empty(keys.shape[0], np.int64)
    for j in range(keys.shape[0]):
        out[j] = binomial(seed, keys[j], 5, 1, n, prob)
    return out


@pytest.mark.parametrize(("n", "prob"), [(3_000, 0.0004), (40, 0.3), (100_000, 0.002), (1, 0.37)])
def test_binomial_draws_follow_the_binomial_distribution(n, prob):
    draws = _draws(seed_key(1), n, prob, np.arange(20_000, dtype=np.uint64))
    mean, var = n * prob, n * prob * (1 - prob)
    assert abs(draws.mean() - mean) < 4 * np.sqrt(var / len(draws))
    assert abs(draws.var() / var - 1) < 0.06
    if mean < 40:  # exact inversion below: the counts' distribution itself
        ks = np.arange(draws.max() + 1)
        expected = stats.binom.pmf(ks, n, prob) * len(draws)
        keep = expected > 20
        observed = np.bincount(draws, minlength=len(ks))[keep]
        chi2 = ((observed - expected[keep]) ** 2 / expected[keep]).sum()
        assert chi2 < stats.chi2.ppf(0.999, keep.sum() - 1)


def test_binomial_is_monotone_in_the_chance_for_the_same_keys():
    keys = np.arange(5_000, dtype=np.uint64)
    low, high = _draws(seed_key(2), 500, 0.01, keys), _draws(seed_key(2), 500, 0.012, keys)
    assert (high >= low).all() and (high > low).any()  # a lever raising a chance never lowers a count


def test_new_keys_are_distinct_from_initial_keys_and_from_each_other():
    keys = {int(child_key(np.uint64(c), t, j)) for c in range(50) for t in range(20) for j in range(5)}
    keys |= {int(unit_key(np.uint64(c), b, j)) for c in range(50) for b in (1, 2) for j in range(20)}
    assert len(keys) == 50 * 20 * 5 + 50 * 2 * 20
    assert min(keys) >= 1 << 63  # initial rows have small keys


def test_movers_leave_cohorts_as_rows_of_persons_per_mover_and_persons_are_conserved():
    m = model(check_invariants=True)  # verify(): persons, keys, cohorts at home, every week
    m.run(40)
    first = m.cohorts.rows.weight.sum() + m.cohorts.aspiring.sum()
    new = m.pop.key >= np.uint64(1 << 63)
    assert new.sum() > 500
    alive = new & (m.pop.state != State.DEAD_MISSING)
    # rows of MOVER persons, fewer only where some died on the way (deaths are drawn person by person)
    assert (m.pop.weight[alive] <= MOVER).all() and m.pop.weight[alive].mean() > 0.99 * MOVER
    assert m.persons_total == first + m.settled.rows.weight.sum() + m.pop.weight.sum() + m.dead_total.sum()
    # each mover took its cohort's traits: the household link and skill of one of its origin's home
    # cohorts, or (a re-migrant) the origin, flags and skill band of a rejoin cohort, whose means
    # have moved since as others joined it
    c = m.cohorts.rows
    home = np.arange(len(c.state)) < m.n_cohorts
    movers = new & (m.pop.channel != Channel.RETURN)  # not the returners a settled group let go
    household = c.flags[home].max()
    for i in np.flatnonzero(movers)[:200]:
        flags = m.pop.flags[i]
        kin = c.origin == m.pop.origin[i]
        from_home = kin & home & (c.skill == m.pop.skill[i]) & (c.flags == (flags & household))
        # a rejoin cohort's flags are all on the mover (a journey may have added more since)
        rejoin = kin & ~home & (c.skill // 16 == m.pop.skill[i] // 16) & ((c.flags & ~flags) == 0)
        assert from_home.any() or rejoin.any()


def test_a_finer_mover_resolution_makes_more_rows_of_fewer_persons_with_the_same_flows():
    coarse, fine = model(persons_per_mover=400), model(persons_per_mover=50)
    for m in (coarse, fine):
        m.run(52)
    assert fine.rows.n > coarse.rows.n
    for name in (0, 2):  # regular departures, irregular departures (OUTCOME order)
        a, b = coarse.recorder.outcomes[:52, name].sum(), fine.recorder.outcomes[:52, name].sum()
        assert abs(a / b - 1) < 0.25, name


def test_same_seed_same_rows_bit_for_bit():
    a, b = model(), model()
    a.run(30)
    b.run(30)
    for x, y in zip(a.pop, b.pop, strict=True):
        assert np.array_equal(x, y)
    assert np.array_equal(a.recorder.outcomes, b.recorder.outcomes, equal_nan=True)


def test_a_lever_acting_in_2023_leaves_every_outcome_before_2023_identical():
    """Draws are keyed by stable identities, not slots: a lever that changes who leaves from 2023
    on cannot touch anything before (and pairs the two runs person by person after)."""
    base = baseline()
    base.years = 3.5
    lever = copy.deepcopy(base)
    lever.levers = {**lever.levers,
                    "regular_pathways": LeverSetting("regular_pathways", 3.0, start=dt.date(2023, 1, 1))}
    a, b = model(base), model(lever)
    a.run()
    b.run()
    week = base.week_of(dt.date(2023, 1, 1))
    ra, rb = a.recorder, b.recorder
    assert np.array_equal(ra.outcomes[:week], rb.outcomes[:week], equal_nan=True)
    assert np.array_equal(ra.stocks[:week], rb.stocks[:week])
    assert np.array_equal(ra.edges_by_origin[:week], rb.edges_by_origin[:week])
    assert not np.array_equal(ra.outcomes[week:], rb.outcomes[week:], equal_nan=True)  # and it acts
    # people are paired by key after the lever too: most rows of one run are rows of the other
    keys_a, keys_b = set(a.pop.key.tolist()), set(b.pop.key.tolist())
    assert len(keys_a & keys_b) > 0.8 * min(len(keys_a), len(keys_b))


def test_returns_travel_home_leg_by_leg_and_are_counted_by_host_and_origin():
    m = model()
    m.run(40)
    on_way = (m.pop.state == State.TRANSIT_REGULAR) & (m.pop.channel == Channel.RETURN)
    assert on_way.any()
    # mostly still away (a few were sent home from their own country, e.g. giving up stranded there,
    # and are home next week)
    assert (m.pop.location[on_way] != m.pop.origin[on_way]).mean() > 0.8
    assert (m.pop.destination[on_way] == m.pop.origin[on_way]).all()
    net = m.net
    afg, irn = net.origin_index["AFG"], net.node_id["IRN"]
    from_iran = m.recorder.returns[:40, afg, irn].sum()
    assert from_iran > 0
    # every return counted by host and origin is one of the returns outcomes
    from bp_sim.outcomes import OUTCOME_INDEX
    counted = m.recorder.returns[:40].sum()
    outcomes = (np.nansum(m.recorder.outcomes[:40, OUTCOME_INDEX["returns_voluntary"]])
                + np.nansum(m.recorder.outcomes[:40, OUTCOME_INDEX["returns_forced"]]))
    assert counted == outcomes
    # the way home from Iran to Afghanistan is over the border legs
    k = net.origin_index["AFG"]
    first = m.world.home_edge[k, irn]
    assert net.edge_label(first) == "IRN->AFG_IRN_BORDER"


def test_returning_takes_the_legs_travel_time():
    m = model()
    w = m.world
    net = m.net
    k, irn = net.origin_index["AFG"], net.node_id["IRN"]
    legs, node = [], irn
    while w.home_edge[k, node] >= 0:
        e = w.home_edge[k, node]
        legs.append(e)
        node = net.edge_dst[e]
    assert node == net.node_id["AFG"]
    weeks_home = int(sum(w.edge_weeks[e] for e in legs))
    assert weeks_home >= 2  # a return from Iran is not instantaneous


def test_flows_by_origin_add_up_to_the_flows_of_every_leg_and_outcomes_by_origin_to_the_totals():
    m = model()
    m.run(52)
    rec = m.recorder
    assert np.array_equal(rec.edges_by_origin[:52].sum(axis=1), rec.edges[:52])
    from bp_sim.outcomes import IS_FLOW
    by_origin = rec.origin_outcomes[:52].sum(axis=1)
    assert np.allclose(by_origin[:, IS_FLOW], rec.outcomes[:52][:, IS_FLOW])
    afg = m.net.origin_index["AFG"]
    assert rec.edges_by_origin[:52, afg].sum() > 0


def test_compare_reports_one_origin_or_one_route(tmp_path):
    import pandas as pd

    from bp_sim.compare import compare
    from bp_sim.errors import InputError

    kw = {"reps": 2, "years": 0.5, "agents": 500, "persons_per_mover": 2_000}
    whole = compare("baseline", ["package_enforcement_legal"], out=tmp_path / "all", **kw)
    afg = compare("baseline", ["package_enforcement_legal"], out=tmp_path / "afg", origin="AFG", **kw)
    leg = compare("baseline", ["package_enforcement_legal"], out=tmp_path / "leg", route="TUR->GRC_EVROS", **kw)

    def mean(df, outcome):
        return float(df[(df.scenario == "baseline") & (df.outcome == outcome)]["mean"].iloc[0])

    assert 0 < mean(afg, "irregular_departures") < mean(whole, "irregular_departures")
    assert mean(leg, "deaths_missing") <= mean(whole, "deaths_missing")
    assert np.isnan(mean(leg, "remittances_sent_usd"))  # a leg has no remittances
    assert "Outcomes of the people of AFG alone" in (tmp_path / "afg" / "report.md").read_text()
    assert len(pd.read_csv(tmp_path / "leg" / "summary.csv")) == len(whole)
    with pytest.raises(InputError, match="--origin"):
        compare("baseline", ["package_enforcement_legal"], out=tmp_path / "bad", origin="XYZ", **kw)
    with pytest.raises(InputError, match="--route"):
        compare("baseline", ["package_enforcement_legal"], out=tmp_path / "bad", route="TUR->NOWHERE", **kw)

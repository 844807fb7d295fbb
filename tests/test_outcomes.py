"""Outcome definitions: which outcomes are flows, and how a run's weeks become horizon totals."""

from __future__ import annotations

import numpy as np
import pytest

from bp_sim.compare import summarise
from bp_sim.outcomes import FLOW_OUTCOMES, IS_FLOW, OUTCOME_INDEX, OUTCOME_NAMES, OUTCOMES, horizon_totals

from .conftest import run

FLOW_UNITS = {"persons/week", "detections/week", "USD/week"}
AVERAGED_UNITS = {"persons", "share", "USD per leg", "weeks"}  # stocks, rates and means


def _series(flow_weeks, averaged_weeks) -> np.ndarray:
    """(weeks, outcomes): every flow takes `flow_weeks`, every other outcome `averaged_weeks`."""
    flows, averaged = np.array(flow_weeks, float), np.array(averaged_weeks, float)
    return np.stack([flows if f else averaged for f in IS_FLOW], axis=1)


def test_every_outcome_is_exactly_one_of_flow_or_averaged():
    assert len(set(OUTCOME_NAMES)) == len(OUTCOME_NAMES)
    assert IS_FLOW.dtype == bool and IS_FLOW.shape == (len(OUTCOMES),)
    assert tuple(n for n, f in zip(OUTCOME_NAMES, IS_FLOW, strict=True) if f) == FLOW_OUTCOMES
    for name, unit, _ in OUTCOMES:
        # a unit outside both sets (say "persons per week") would silently be averaged
        assert (unit in FLOW_UNITS) != (unit in AVERAGED_UNITS), f"{name}: unit {unit!r} is neither or both"
        assert IS_FLOW[OUTCOME_INDEX[name]] == (unit in FLOW_UNITS), name


@pytest.mark.parametrize("name", ["irregular_departures", "deaths_missing", "smuggler_revenue_usd",
                                  "border_detections", "remittances_received_usd", "asylum_decisions"])
def test_counts_and_money_per_week_are_flows(name):
    assert IS_FLOW[OUTCOME_INDEX[name]] and name in FLOW_OUTCOMES


@pytest.mark.parametrize("name", ["asylum_backlog", "exploited", "in_transit", "stranded_in_transit",
                                  "migrant_employment_rate", "mean_smuggling_fee_usd", "mean_asylum_wait_weeks"])
def test_stocks_rates_and_means_are_not_flows(name):
    assert not IS_FLOW[OUTCOME_INDEX[name]] and name not in FLOW_OUTCOMES


def test_flows_are_summed_and_stocks_averaged_over_the_horizon():
    series = _series([1.0, 2.0, 5.0, 8.0], [10.0, 20.0, 30.0, 60.0])
    totals = horizon_totals(series)
    assert totals.shape == (len(OUTCOME_NAMES),)
    assert np.array_equal(totals, np.where(IS_FLOW, 16.0, 30.0))
    assert totals[OUTCOME_INDEX["irregular_departures"]] == 16.0
    assert totals[OUTCOME_INDEX["asylum_backlog"]] == 30.0  # the weekly mean, not the last week (60)


def test_one_week_gives_that_week_back():
    row = np.arange(len(OUTCOME_NAMES), dtype=float) * 1.5
    assert np.array_equal(horizon_totals(row[None, :]), row)


def test_nan_weeks_are_left_out_of_an_average():
    series = _series([3.0, 4.0, 5.0], [1.0, 2.0, 3.0])
    fee = OUTCOME_INDEX["mean_smuggling_fee_usd"]
    wait = OUTCOME_INDEX["mean_asylum_wait_weeks"]
    series[:, fee] = [np.nan, 100.0, 300.0]  # no smuggled leg in week 0
    series[:, wait] = np.nan  # no claim decided in any week
    before = series.copy()
    totals = horizon_totals(series)
    assert totals[fee] == 200.0  # (100 + 300) / 2 weeks with a value, not / 3
    assert np.isnan(totals[wait])
    others = np.ones(len(OUTCOME_NAMES), bool)
    others[[fee, wait]] = False
    assert np.array_equal(totals[others], np.where(IS_FLOW, 12.0, 2.0)[others])
    assert np.array_equal(series, before, equal_nan=True)  # the input is left as it was


def test_a_slice_of_weeks_totals_only_those_weeks():
    series = _series([1.0, 2.0, 4.0, 8.0], [2.0, 4.0, 6.0, 8.0])
    assert np.array_equal(horizon_totals(series[1:3]), np.where(IS_FLOW, 6.0, 5.0))


@pytest.mark.parametrize("shape", [(3, len(OUTCOME_NAMES) - 1), (3, 1), (len(OUTCOME_NAMES),),
                                   (2, 3, len(OUTCOME_NAMES))])
def test_a_series_not_in_outcome_order_is_refused(shape):
    with pytest.raises(ValueError, match=r"\(weeks, \d+\) array of weekly outcomes.*got shape"):
        horizon_totals(np.ones(shape))


def test_compare_labels_units_by_the_same_classification():
    totals = np.arange(2 * 3 * len(OUTCOME_NAMES), dtype=float).reshape(2, 3, len(OUTCOME_NAMES))
    summary = summarise(["baseline", "other"], totals)
    units = dict(zip(summary.outcome[:len(OUTCOME_NAMES)], summary.unit[:len(OUTCOME_NAMES)], strict=True))
    for (name, unit, _), flow in zip(OUTCOMES, IS_FLOW, strict=True):
        want = unit.replace("/week", " over the horizon") if flow else unit + " (weekly mean)"
        assert units[name] == want


def test_a_model_run_records_every_flow_every_week():
    model = run(agents=2_000, weeks=6, seed=3)
    series = model.recorder.outcomes[: model.recorder.steps_done]
    assert series.shape == (6, len(OUTCOME_NAMES))
    assert not np.isnan(series[:, IS_FLOW]).any()  # a NaN flow would drop out of the sum unseen
    totals = horizon_totals(series)
    assert np.array_equal(totals[IS_FLOW], series[:, IS_FLOW].sum(axis=0))
    stocks = ~IS_FLOW & ~np.isnan(series).any(axis=0)
    assert np.allclose(totals[stocks], series[:, stocks].mean(axis=0), rtol=1e-15, atol=0)

"""The calibration target table: what it holds, what it refuses, and the simulated value of each target."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bp_sim.errors import InputError
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.parameters import SPECS
from bp_sim.targets import FIT_YEARS, METRICS, load_targets, parse_targets, read_table, simulated, week_rows

from ..conftest import baseline, network


def _table() -> pd.DataFrame:
    return read_table()[0]


def test_the_bundled_table_covers_every_kind_of_figure_the_issue_names_within_2020_2023():
    targets = load_targets(network())
    kinds = {t.metric for t in targets}
    assert {"stock", "claims", "detections", "remittances", "fee"} <= kinds
    assert {"leg_deaths", "origin_deaths"} & kinds  # dead and missing by route
    assert kinds <= set(METRICS)
    assert all(FIT_YEARS[0] <= t.start.year and t.end.year <= FIT_YEARS[1] for t in targets)  # 2024 never fitted
    stocks = [t for t in targets if t.metric == "stock"]
    assert {"AFG", "PAK", "BGD", "IRQ", "IRN"} <= {t.origin for t in stocks}  # bilateral stocks of the origins
    assert {(t.origin, t.place, t.end.year) for t in stocks} >= {("AFG", "IRN", 2023), ("AFG", "PAK", 2023)}
    claims = {t.origin for t in targets if t.metric == "claims"}
    assert {"AFG", "BGD"} <= claims  # asylum applications by nationality
    assert {t.place for t in targets if t.metric == "detections"} == {"EMR", "WBR"}
    assert {t.origin for t in targets if t.metric == "remittances"} >= {"PAK", "BGD", "AFG"}


def test_every_row_names_its_source_its_error_and_the_parameters_that_move_it():
    df = _table()
    assert df.id.is_unique
    for row in df.itertuples(index=False):
        assert row.figure_ids.startswith("F") and row.source.strip(), row.id
        assert row.confidence in {"high", "medium", "low"}, row.id
        assert 0 < float(row.error_log_sd) <= 1.0 and len(row.error_why) > 30, row.id
        assert row.mechanism.strip(), row.id
        names = row.parameters.split(";")
        assert names and all(n in SPECS for n in names), (row.id, names)
        share = float(row.observed_share)
        assert 0 < share <= 1
        if share < 1:
            assert row.share_source.startswith("assumption") or "F" in row.share_source, row.id  # a share says why


@pytest.mark.parametrize(("column", "value", "message"), [
    ("period_end", "2024-12-31", "later figures are for validation"),
    ("origin", "SYR", "an origin of the network"),
    ("metric", "stocks", "stock, claims"),
    ("observed_share", "1.5", "at most 1"),
    ("observed", "-3", "a number above 0"),
    ("period_start", "2021-02-30", "a date YYYY-MM-DD"),
])
def test_a_bad_cell_is_one_error_naming_the_target_and_the_column(column, value, message):
    df = _table()
    row = int(np.flatnonzero(df.metric == "claims")[0])
    df.loc[row, column] = value
    net = network()
    with pytest.raises(InputError) as err:
        parse_targets(df, "targets.csv", set(net.origin_index), set(net.node_id), _legs(net))
    text = str(err.value)
    assert f"targets.csv, target {df.id[row]}" in text and column.split("_")[0] in text and message in text


def test_an_unknown_leg_and_a_repeated_id_are_refused():
    net = network()
    df = _table()
    fee = int(np.flatnonzero(df.metric == "fee")[0])
    df.loc[fee, "place"] = "TJK->LBY"
    with pytest.raises(InputError, match="a leg SRC->DST"):
        parse_targets(df, "t.csv", set(net.origin_index), set(net.node_id), _legs(net))
    df = pd.concat([_table(), _table().iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="each target once"):
        parse_targets(df, "t.csv", set(net.origin_index), set(net.node_id), _legs(net))


def _legs(net) -> set[str]:
    ids = net.nodes.node_id.to_numpy()
    return {f"{ids[s]}->{ids[d]}" for s, d in zip(net.edge_src, net.edge_dst, strict=True)}


@pytest.fixture(scope="module")
def short_run():
    """Two years and a week of a coarse baseline: covers 2020 and 2021, not 2022."""
    from bp_sim import SilkRoutesModel

    m = SilkRoutesModel(baseline(), agents=300, seed=11, network=network(), persons_per_mover=2000,
                        persons_per_agent_abroad=20000)
    m.run(2 * 52 + 1)
    return m


def test_simulated_values_are_the_recorded_counts_of_the_period(short_run):
    m = short_run
    targets = {t.id: t for t in load_targets(network())}
    rec, start = m.recorder, m.scenario.start_date
    afg = network().origin_index["AFG"]
    # first-time claims of Afghans in 2021: the weeks that start in 2021
    claims = next(t for t in targets.values() if t.metric == "claims" and t.origin == "AFG")
    t21 = type(claims)(**{**claims.__dict__, "start": dt.date(2021, 1, 1), "end": dt.date(2021, 12, 31)})
    weeks = [k for k in range(rec.steps_done) if (start + dt.timedelta(weeks=k)).year == 2021]
    assert len(weeks) in (52, 53)
    assert simulated(m, t21) == rec.claims[weeks, afg].sum() > 0
    # a stock is the count in the week that holds the date, over every living state
    stock = next(t for t in targets.values() if t.metric == "stock" and t.place == "IRN" and t.end.year == 2020)
    k = m.scenario.week_of(stock.end)
    assert simulated(m, stock) == rec.stocks[k, afg, network().node_id["IRN"], :-1].sum() > 0
    # detections on a route over January-September
    emr = next(t for t in targets.values() if t.metric == "detections" and t.end == dt.date(2021, 9, 30))
    rows = week_rows(start, rec.steps_done, emr.start, emr.end)
    assert len(rows) == 39  # the weeks that start from 1 January to 30 September 2021
    assert simulated(m, emr) == np.nansum(rec.outcomes[rows, OUTCOME_INDEX["detections_emr"]]) > 0


def test_a_run_that_stops_before_the_period_ends_gives_no_value(short_run):
    late = [t for t in load_targets(network()) if t.end.year >= 2022]
    assert late and all(np.isnan(simulated(short_run, t)) for t in late)

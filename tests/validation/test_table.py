"""The validation table (data/validation_targets.csv): 2024 only, never fitted, each row a simulated quantity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bp_sim.errors import InputError
from bp_sim.parameters import SPECS
from bp_sim.targets import (
    FIT_YEARS,
    METRICS,
    VALIDATION_YEARS,
    load_targets,
    load_validation_targets,
    parse_targets,
    read_table,
    simulated,
)

from ..conftest import baseline, network

FIGURES = Path("/work/shared/data/public_figures.csv")  # the shared data the rows are copied from (not in the package)


def _legs(net) -> set[str]:
    ids = net.nodes.node_id.to_numpy()
    return {f"{ids[s]}->{ids[d]}" for s, d in zip(net.edge_src, net.edge_dst, strict=True)}


def test_the_validation_table_holds_only_2024_and_the_target_table_none_of_it():
    val = load_validation_targets(network())
    assert len(val) >= 10 and {t.metric for t in val} <= set(METRICS)
    assert all(t.start.year == t.end.year == VALIDATION_YEARS[0] == 2024 for t in val)
    fitted = load_targets(network())
    assert all(FIT_YEARS[0] <= t.start.year and t.end.year <= FIT_YEARS[1] < 2024 for t in fitted)
    assert not {t.figure_ids for t in val} & {t.figure_ids for t in fitted}  # no figure both fitted and held out
    assert {"stock", "returns", "detections", "claims", "remittances"} <= {t.metric for t in val}


def test_a_2024_row_in_the_target_table_is_refused_and_an_earlier_one_in_the_validation_table():
    net = network()
    names = (set(net.origin_index), set(net.node_id), _legs(net))
    fitted, _ = read_table()
    fitted.loc[0, "period_end"] = "2024-12-31"
    with pytest.raises(InputError, match="later figures are for validation"):
        parse_targets(fitted, "targets.csv", *names)
    val, _ = read_table(bundled="validation_targets.csv")
    val.loc[0, "period_start"] = "2023-12-31"
    with pytest.raises(InputError, match="2024-2024"):
        parse_targets(val, "validation_targets.csv", *names, years=VALIDATION_YEARS)


def test_every_row_copies_its_figure_and_says_its_error_and_share():
    if not FIGURES.exists():
        pytest.skip(f"{FIGURES} is not on this machine")
    df, _ = read_table(bundled="validation_targets.csv")
    figures = pd.read_csv(FIGURES, dtype=str, keep_default_na=False).set_index("id")
    assert df.id.is_unique and df.figure_ids.is_unique
    for row in df.itertuples(index=False):
        fig = figures.loc[row.figure_ids]
        assert fig.year == "2024", row.id
        assert float(fig.value) == float(row.observed) and fig.source == row.source
        assert fig.confidence == row.confidence, row.id
        assert 0 < float(row.error_log_sd) <= 1.0 and len(row.error_why) > 30, row.id
        assert all(n in SPECS for n in row.parameters.split(";")), row.id
        if float(row.observed_share) < 1 or "assumption" in row.share_source:
            assert row.share_source.startswith("assumption"), row.id


def test_every_row_maps_onto_a_value_of_a_run_through_2024():
    from bp_sim import SilkRoutesModel

    val = load_validation_targets(network())
    sc = baseline()
    sc.years = (sc.week_of(max(t.end for t in val)) + 1) / 52
    m = SilkRoutesModel(sc, agents=300, seed=3, network=network(), persons_per_mover=2000,
                        persons_per_agent_abroad=20000)
    m.run()
    values = {t.id: simulated(m, t) for t in val}
    assert all(np.isfinite(v) and v >= 0 for v in values.values()), values
    ret = next(t for t in val if t.metric == "returns" and t.place == "IRN" and t.start.month == 10)
    rows = [k for k in range(m.recorder.steps_done) if ret.start <= sc.start_date + dt.timedelta(weeks=k) <= ret.end]
    afg, irn = network().origin_index["AFG"], network().node_id["IRN"]
    assert values[ret.id] == m.recorder.returns[rows, afg, irn].sum() > 0  # voluntary and forced, the quarter's weeks
    rate = next(t for t in val if t.metric == "recognition")
    assert 0 <= values[rate.id] <= 100

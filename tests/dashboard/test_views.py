"""What the page shows, without a browser: lever groups, summary sentence, charts, map."""

from __future__ import annotations

import numpy as np

from bp_sim.dashboard.charts import chart_png, smoothed
from bp_sim.dashboard.lever_groups import GOAL_TITLES, goal_groups
from bp_sim.dashboard.network_map import map_png
from bp_sim.dashboard.paired import DASHBOARD_AGENTS, PairedModel
from bp_sim.dashboard.server import REQUIRED_ASSETS, missing_assets
from bp_sim.dashboard.summary import NO_CHANGE, sentence
from bp_sim.levers.catalogue import ACTIONS, LEVERS
from bp_sim.outcomes import OUTCOME_INDEX, OUTCOME_NAMES
from tests.conftest import network

PNG = b"\x89PNG\r\n\x1a\n"


def test_every_action_and_lever_appears_under_its_priority_goal():
    groups = goal_groups()
    assert [g.goal for g in groups] == list(GOAL_TITLES) == [1, 2, 3, 4, 5, 6]
    shown = {(aid, g.goal) for g in groups for e in g.entries for aid, _ in e.actions}
    assert {(a.action_id, int(a.priority_goal)) for a in ACTIONS.itertuples()} <= shown
    assert {e.lever.name for g in groups for e in g.entries} == set(LEVERS)
    info = next(e for e in groups[1].entries if e.lever.name == "regular_channel_information")
    assert info.label == "PG2.6 Information on regular channels"


def _series(weeks: int, **values) -> np.ndarray:
    out = np.ones((weeks, len(OUTCOME_NAMES)))
    for name, v in values.items():
        out[:, OUTCOME_INDEX[name]] = v
    return out


def test_summary_says_what_moved_in_plain_words():
    base = _series(4, irregular_arrivals_europe=100.0, deaths_missing=10.0, smuggler_revenue_usd=1000.0)
    scen = _series(4, irregular_arrivals_europe=82.0, deaths_missing=9.1, smuggler_revenue_usd=1120.0)
    text = sentence(scen, base)
    assert text == ("Over 4 weeks: irregular arrivals in Europe -18%, deaths and missing -9.0%, "
                    "smuggler revenue +12% against the baseline.")
    assert sentence(base, base) == NO_CHANGE
    assert sentence(base[:0], base[:0]) == NO_CHANGE


def test_smoothing_is_a_trailing_mean_that_skips_missing_weeks():
    np.testing.assert_allclose(smoothed(np.array([4.0, np.nan, 8.0, 0.0, 4.0]), 2), [4.0, 4.0, 8.0, 4.0, 2.0])
    assert np.isnan(smoothed(np.array([np.nan, np.nan]))).all()


def test_offline_assets_are_installed_and_an_empty_cache_is_reported(tmp_path):
    assert missing_assets() == []
    assert missing_assets(tmp_path) == list(REQUIRED_ASSETS)


def test_a_step_of_the_default_dashboard_draws_charts_map_and_summary():
    # What is drawn, at the dashboard's size; how fast is measured in benchmarks/dashboard_redraw.py.
    m = PairedModel(agents=DASHBOARD_AGENTS, network=network())
    m.set_lever("border_enforcement", 1.0)
    for _ in range(30):
        m.step()
    m.step()
    s, b = m.series()
    assert len(s) == len(b) == 31
    assert chart_png(s, b, m.preset_scenario.start_date).startswith(PNG)
    assert map_png(m.scenario_model, "enforcement").startswith(PNG)
    assert isinstance(sentence(s, b), str) and sentence(s, b)

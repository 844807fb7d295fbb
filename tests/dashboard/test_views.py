"""What the page is built from, without a browser: lever groups, the data's lever values, offline assets."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd

from bp_sim.dashboard.lever_groups import GOAL_TITLES, goal_groups
from bp_sim.dashboard.server import REQUIRED_ASSETS, missing_assets
from bp_sim.dashboard.shared import data_values, preset, preset_names
from bp_sim.levers.catalogue import ACTIONS, LEVERS
from bp_sim.levers.setting import select
from bp_sim.network import load_network


def test_every_action_and_lever_appears_under_its_priority_goal():
    groups = goal_groups()
    assert [g.goal for g in groups] == list(GOAL_TITLES) == [1, 2, 3, 4, 5, 6]
    shown = {(aid, g.goal) for g in groups for e in g.entries for aid, _ in e.actions}
    assert {(a.action_id, int(a.priority_goal)) for a in ACTIONS.itertuples()} <= shown
    assert {e.lever.name for g in groups for e in g.entries} == set(LEVERS)
    info = next(e for e in groups[1].entries if e.lever.name == "regular_channel_information")
    assert info.label == "PG2.6 Information on regular channels"


def test_the_data_value_of_each_lever_is_the_setting_before_any_lever():
    values = data_values()
    assert set(values) == set(LEVERS) and np.isfinite(list(values.values())).all()
    net = load_network()
    legs = select(net, LEVERS["border_enforcement"].targets)
    assert values["border_enforcement"] == np.mean(net.routes.enforcement.to_numpy()[legs])  # routes.csv
    assert values["regular_pathways"] == 1.0  # a multiplier of the data's admissions
    corridors = pd.read_csv(files("bp_sim") / "data" / "corridors.csv")
    assert min(corridors.remittance_cost_pct) <= values["remittance_cost"] <= max(corridors.remittance_cost_pct)


def test_presets_share_the_baselines_start_and_horizon():
    base = preset("baseline")
    assert preset_names()[0] == "baseline"
    for name in preset_names():
        sc = preset(name)
        assert (sc.start_date, sc.weeks) == (base.start_date, base.weeks), name


def test_offline_assets_are_installed_and_an_empty_cache_is_reported(tmp_path):
    assert missing_assets() == []
    assert missing_assets(tmp_path) == list(REQUIRED_ASSETS)


def test_every_preset_runs_with_the_calibrated_parameters_unless_it_sets_its_own():
    """The dashboard's presets carry scenarios/calibrated.toml's fitted parameters (the calibrated
    one is not a preset of its own); a preset's own parameter value is kept."""
    from bp_sim.dashboard.shared import fitted_parameters
    from bp_sim.scenario import load_scenario

    fitted = load_scenario("calibrated").parameters
    assert fitted_parameters() == fitted and "route_choice_scale_usd" in fitted
    assert "calibrated" not in preset_names()
    for name in preset_names():
        own = load_scenario(name).parameters
        got = preset(name).parameters
        assert got == {**fitted, **own}, name

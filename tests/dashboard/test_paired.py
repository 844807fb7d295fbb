"""The paired model behind the dashboard: same seed, live levers, and an export that replays it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bp_sim.dashboard.export import scenario_toml
from bp_sim.dashboard.paired import PairedModel
from bp_sim.errors import InputError
from bp_sim.model import SilkRoutesModel
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.runner import run_scenario, timeseries_frame
from bp_sim.scenario import load_scenario
from tests.conftest import network

AGENTS = 20_000


def paired(preset: str = "baseline", **kw) -> PairedModel:
    return PairedModel(preset, agents=AGENTS, seed=3, network=network(), **kw)


def test_without_levers_the_two_runs_are_identical_and_equal_a_plain_baseline_run():
    m = paired()
    for _ in range(6):
        m.step()
    s, b = m.series()
    np.testing.assert_array_equal(s, b)
    alone = SilkRoutesModel("baseline", agents=AGENTS, seed=3, network=network())
    alone.run(6)
    np.testing.assert_array_equal(b, alone.recorder.outcomes[:6])


def test_a_lever_set_while_running_acts_from_that_week_and_only_on_the_scenario():
    m = paired()
    for _ in range(3):
        m.step()
    setting = m.set_lever("remittance_cost", 0.0)
    assert setting.start == dt.date(2020, 1, 22) and m.revision == 1
    for _ in range(3):
        m.step()
    s, b = m.series()
    j = OUTCOME_INDEX["remittances_received_usd"]
    np.testing.assert_array_equal(s[:3], b[:3])  # the weeks before the change are untouched
    assert np.all(s[3:, j] > b[3:, j])  # free transfers: more arrives at origins every week after


def test_a_preset_lever_starting_later_keeps_its_start_and_ramp():
    m = paired("goal1_smuggling_trafficking")
    m.step()
    setting = m.set_lever("border_enforcement", 0.5)
    assert (setting.value, setting.start, setting.ramp_weeks) == (0.5, dt.date(2021, 1, 1), 26)


def test_clearing_a_lever_ends_it_from_the_current_week():
    m = paired()
    m.set_lever("remittance_cost", 1.0)
    m.step()
    m.clear_lever("remittance_cost")
    assert m.levers["remittance_cost"].until == m.date
    m2 = paired()
    m2.set_lever("remittance_cost", 1.0)
    m2.clear_lever("remittance_cost")  # at week 0: gone
    assert m2.levers == {}


@pytest.mark.parametrize(("name", "value"), [("no_such_lever", 1.0), ("border_enforcement", 1.5),
                                             ("resettlement", -1.0), ("border_enforcement", True)])
def test_bad_lever_values_raise_input_error(name, value):
    with pytest.raises(InputError):
        paired().set_lever(name, value)


def test_reference_values_are_the_data_before_any_lever():
    m = paired()
    assert m.reference_value("regular_pathways") == 1.0  # a multiplier: 1 = as in the data
    assert m.reference_value("resettlement") == 5000.0
    assert 0.3 <= m.reference_value("border_enforcement") <= 0.9  # routes.csv: 0.3-0.9 on EU entry legs


def test_exported_scenario_replays_the_dashboard_run_week_for_week(tmp_path):
    m = paired("goal1_smuggling_trafficking")  # its own levers start in 2021; this one at week 2
    m.step()
    m.step()
    m.set_lever("remittance_cost", 0.5)
    for _ in range(4):
        m.step()
    path = tmp_path / "exported.toml"
    path.write_text(scenario_toml(m))
    sc = load_scenario(path, network())
    assert sc.agents == AGENTS and sc.seed == 3 and sc.levers["remittance_cost"].start == dt.date(2020, 1, 15)
    run_scenario(sc, tmp_path / "run", years=6 / 52)
    replay = SilkRoutesModel(load_scenario(path, network()), network=network())
    replay.run(6)
    np.testing.assert_array_equal(timeseries_frame(replay).iloc[:, 2:].to_numpy(), m.series()[0])


def test_a_preset_with_another_start_date_is_refused(tmp_path):
    other = tmp_path / "late.toml"
    other.write_text('[scenario]\nname = "late"\nstart_date = 2021-01-01\n')
    with pytest.raises(InputError, match="preset"):
        PairedModel(str(other), agents=AGENTS, network=network())


def test_series_read_while_another_thread_steps_are_always_the_same_weeks():
    # The page draws from Solara's thread while Mesa's controller steps from its own (issue 11:
    # "x and y must have same first dimension" when a week was read halfway through a step).
    import threading

    m = PairedModel(agents=2_000, network=network())
    done = threading.Event()

    def play() -> None:
        for _ in range(40):
            m.step()
        done.set()

    player = threading.Thread(target=play)
    player.start()
    lengths = []
    while not done.is_set():
        s, b = m.series()
        assert len(s) == len(b)
        lengths.append(len(s))
    player.join()
    assert lengths == sorted(lengths) and m.week == 40 and len(m.series()[0]) == 40

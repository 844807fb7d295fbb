"""A tab's state: lever moves in order become lever schedules; the address round-trips; bad moves are refused."""

from __future__ import annotations

import datetime as dt

import pytest

from bp_sim.dashboard.state import Move, PageState, apply_move, from_query, lever_schedules, scenario_of, to_query
from bp_sim.errors import InputError
from bp_sim.levers.setting import LeverSetting
from bp_sim.scenario import load_scenario

PRESETS = ["baseline", "goal1_smuggling_trafficking", "goal2_legal_pathways"]


@pytest.fixture(scope="module")
def goal1():
    return load_scenario("goal1_smuggling_trafficking")


def test_a_move_before_a_preset_setting_keeps_its_start_and_ramp(goal1):
    (s,) = apply_move((goal1.levers["border_enforcement"],), Move("border_enforcement", 0.5, 0), goal1)
    assert (s.value, s.start, s.ramp_weeks) == (0.5, dt.date(2021, 1, 1), 26)


def test_a_move_inside_a_setting_ends_it_there_and_starts_a_new_one(goal1):
    old = goal1.levers["border_enforcement"]
    first, second = apply_move((old,), Move("border_enforcement", 0.2, 104), goal1)
    day = goal1.start_date + dt.timedelta(weeks=104)
    assert first == LeverSetting(old.name, old.value, old.start, day, old.ramp_weeks)
    assert (second.value, second.start, second.until, second.ramp_weeks) == (0.2, day, None, 0)


def test_moves_later_replace_what_came_after_them_and_back_to_data_ends_a_lever(goal1):
    st = PageState(preset="goal1_smuggling_trafficking")
    for m in (Move("remittance_cost", 1.0, 0), Move("remittance_cost", 2.0, 52), Move("remittance_cost", 4.0, 156),
              Move("remittance_cost", 3.0, 100), Move("risk_awareness_campaigns", None, 0)):
        st = st.with_move(m)
    sched = lever_schedules(goal1, st.moves)
    assert "risk_awareness_campaigns" not in sched  # back to data from the start: gone
    values = [(s.value, s.start, s.until) for s in sched["remittance_cost"]]
    w = [goal1.start_date + dt.timedelta(weeks=k) for k in (52, 100)]
    assert values == [(1.0, None, w[0]), (2.0, w[0], w[1]), (3.0, w[1], None)]  # the move at 156 was replaced


def test_the_address_round_trips_and_bad_parts_are_dropped():
    st = PageState(preset="goal2_legal_pathways", seed=7, replicates=3, compare_with="goal1_smuggling_trafficking",
                   moves=(Move("border_enforcement", 0.25, 0), Move("remittance_cost", None, 52)))
    back = from_query(to_query(st), PageState(), PRESETS)
    assert back == st
    odd = from_query("preset=nope&seed=x&reps=0&m=border_enforcement:7@0,nolever:1@0,remittance_cost:2@-3,"
                     "remittance_cost:2.5@10", PageState(), PRESETS)
    assert odd.preset == "baseline" and odd.seed == 0 and odd.replicates == PageState().replicates
    assert odd.moves == (Move("remittance_cost", 2.5, 10),)


@pytest.mark.parametrize("move, key", [(Move("nolever", 1.0), "lever"), (Move("border_enforcement", 1.5), "levers."),
                                       (Move("border_enforcement", float("nan")), "levers."),
                                       (Move("border_enforcement", 0.5, -1), "week")])
def test_bad_moves_are_refused_with_the_key(move, key):
    with pytest.raises(InputError, match=key):
        PageState().with_move(move)


def test_scenario_of_a_tab_has_its_seed_population_and_name(goal1):
    st = PageState(preset="goal1_smuggling_trafficking", seed=5, agents=12_345).with_move(
        Move("border_enforcement", 0.3, 10))
    sc = scenario_of(goal1, st)
    assert (sc.seed, sc.agents, sc.persons_per_agent) == (5, 12_345, None)
    assert sc.name == "goal1_smuggling_trafficking_dashboard"
    assert scenario_of(goal1, PageState(preset="goal1_smuggling_trafficking")).name == goal1.name

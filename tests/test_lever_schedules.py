"""A lever set several times, one setting after another: `[[levers.X]]` (an array of tables).

The schedule loads, writes back as it was read, puts each setting in force in its own weeks and
never two at once; a schedule that overlaps, leaves a piece open before the next, is empty or
holds something other than tables is one InputError naming the key (exit 2 from `bp-sim run`).
"""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest
import tomli_w

from bp_sim import SilkRoutesModel
from bp_sim.cli import main
from bp_sim.errors import MISSING, InputError
from bp_sim.levers import setting as lever_setting
from bp_sim.levers.catalogue import LEVERS
from bp_sim.levers.setting import LeverSetting, pieces
from bp_sim.parameters import COMBINED, SumAtMost
from bp_sim.scenario import check_shares_over_time, load_scenario, scenarios_dir

BASELINE = scenarios_dir() / "baseline.toml"
EVROS = "TUR->GRC_EVROS"

# Resettlement (a `param` lever) and border enforcement on one leg (an `edge` lever), each set
# twice: from 2021 to 2022, then from 2022 on (the second starts the day the first ends).
TWO_PIECES = f"""
[[levers.resettlement]]
value = 20000
start = 2021-01-01
until = 2022-01-01

[[levers.resettlement]]
value = 50000
start = 2022-01-01

[[levers.border_enforcement]]
value = 0.95
start = 2021-01-01
until = 2022-01-01
where = ["{EVROS}"]

[[levers.border_enforcement]]
value = 0.2
start = 2022-01-01
where = ["{EVROS}"]
"""


def scenario_file(tmp_path, body: str, name: str = "s.toml"):
    """A scenario extending the bundled baseline (by absolute path) with `body` added."""
    p = tmp_path / name
    p.write_text(f"[scenario]\nextends = '{BASELINE.as_posix()}'\nname = 'schedule'\n{body}", encoding="utf-8")
    return p


def refused(tmp_path, net, body: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(scenario_file(tmp_path, body), net)
    return info.value


# ---------------------------------------------------------------- reading and writing back
def test_a_two_piece_schedule_loads_as_settings_in_date_order(tmp_path, net):
    sc = load_scenario(scenario_file(tmp_path, TWO_PIECES), net)
    assert sc.levers["resettlement"] == (
        LeverSetting("resettlement", 20000.0, dt.date(2021, 1, 1), dt.date(2022, 1, 1)),
        LeverSetting("resettlement", 50000.0, dt.date(2022, 1, 1)),
    )
    first, second = sc.levers["border_enforcement"]
    assert (first.value, first.until, first.where) == (0.95, dt.date(2022, 1, 1), (EVROS,))
    assert (second.value, second.start, second.until) == (0.2, dt.date(2022, 1, 1), None)


def test_a_single_table_stays_one_setting_and_a_one_piece_array_a_tuple(tmp_path, net):
    sc = load_scenario(scenario_file(tmp_path, "[levers.resettlement]\nvalue = 1000\n"
                                               "[[levers.skills_recognition]]\nvalue = 0.7\n"), net)
    assert isinstance(sc.levers["resettlement"], LeverSetting)
    assert sc.levers["skills_recognition"] == (LeverSetting("skills_recognition", 0.7),)
    assert pieces(sc.levers["resettlement"]) == (sc.levers["resettlement"],)


def test_a_schedule_round_trips_through_toml_unchanged(tmp_path, net):
    sc = load_scenario(scenario_file(tmp_path, TWO_PIECES), net)
    written = sc.to_toml_dict()
    assert isinstance(written["levers"]["resettlement"], list) and len(written["levers"]["resettlement"]) == 2
    again_path = tmp_path / "again.toml"
    again_path.write_text(tomli_w.dumps(written), encoding="utf-8")
    again = load_scenario(again_path, net)
    assert again.levers == sc.levers
    assert again.to_toml_dict() == written


# ---------------------------------------------------------------- the policy it makes
def test_each_piece_is_in_force_in_its_own_weeks_param_and_edge(tmp_path, net):
    sc = load_scenario(scenario_file(tmp_path, TWO_PIECES), net)
    policy = SilkRoutesModel(sc, agents=500).policy
    e = net.edge_index(EVROS)
    other = net.edge_index("TUR->BGR_BORDER")
    switch = sc.week_of(dt.date(2022, 1, 1))
    first = sc.week_of(dt.date(2021, 1, 1))

    def resettlement(t):
        return policy.current(t)[1]["resettlement_per_year"]

    def enforcement(t, edge=e):
        return float(policy.current(t)[0]["edge"]["enforcement"][edge])

    before_any = resettlement(first - 1), enforcement(first - 1)
    assert before_any[0] == 5000.0  # the data's value before the first piece
    assert (resettlement(first), resettlement(switch - 1)) == (20000.0, 20000.0)
    assert (resettlement(switch), resettlement(sc.weeks - 1)) == (50000.0, 50000.0)
    assert enforcement(first) == enforcement(switch - 1) == 0.95
    assert enforcement(switch) == enforcement(sc.weeks - 1) == pytest.approx(0.2)
    assert before_any[1] not in (0.95, 0.2)
    assert enforcement(switch, other) == enforcement(first - 1, other)  # other legs untouched


def test_between_two_pieces_the_data_value_is_back(tmp_path, net):
    body = ("[[levers.resettlement]]\nvalue = 20000\nstart = 2021-01-01\nuntil = 2021-07-01\n"
            "[[levers.resettlement]]\nvalue = 50000\nstart = 2022-01-01\n")
    sc = load_scenario(scenario_file(tmp_path, body), net)
    policy = SilkRoutesModel(sc, agents=500).policy
    gap = sc.week_of(dt.date(2021, 10, 1))
    assert policy.current(sc.week_of(dt.date(2021, 3, 1)))[1]["resettlement_per_year"] == 20000.0
    assert policy.current(gap)[1]["resettlement_per_year"] == 5000.0
    assert policy.current(sc.week_of(dt.date(2022, 3, 1)))[1]["resettlement_per_year"] == 50000.0


# ---------------------------------------------------------------- refused schedules
def test_overlapping_pieces_are_refused_at_the_later_start(tmp_path, net):
    body = ("[[levers.border_enforcement]]\nvalue = 0.9\nstart = 2021-01-01\nuntil = 2022-01-01\n"
            "[[levers.border_enforcement]]\nvalue = 0.4\nstart = 2021-06-01\n")
    err = refused(tmp_path, net, body)
    assert err.where == "levers.border_enforcement[1].start"
    assert err.value == dt.date(2021, 6, 1)
    assert err.allowed == "a date on or after 2022-01-01 (levers.border_enforcement[0].until)"
    assert err.file is not None and err.file.endswith("s.toml")
    assert "levers.border_enforcement[1].start: got 2021-06-01" in str(err)


def test_a_later_piece_without_a_start_is_refused(tmp_path, net):
    body = ("[[levers.resettlement]]\nvalue = 100\nstart = 2021-01-01\nuntil = 2022-01-01\n"
            "[[levers.resettlement]]\nvalue = 200\n")
    err = refused(tmp_path, net, body)
    assert err.where == "levers.resettlement[1].start" and err.value is MISSING
    assert "on or after 2022-01-01" in err.allowed


def test_a_first_piece_without_until_before_another_is_refused(tmp_path, net):
    body = ("[[levers.resettlement]]\nvalue = 100\nstart = 2021-01-01\n"
            "[[levers.resettlement]]\nvalue = 200\nstart = 2022-01-01\n")
    err = refused(tmp_path, net, body)
    assert err.where == "levers.resettlement[0].until" and err.value is MISSING
    assert err.allowed == ("a date on or before levers.resettlement[1].start "
                           "(settings of one lever follow each other)")


def test_a_piece_may_start_the_day_the_one_before_ends(tmp_path, net):
    body = ("[[levers.resettlement]]\nvalue = 100\nuntil = 2021-01-01\n"
            "[[levers.resettlement]]\nvalue = 200\nstart = 2021-01-01\nuntil = 2021-06-01\n"
            "[[levers.resettlement]]\nvalue = 300\nstart = 2021-06-01\n")
    sc = load_scenario(scenario_file(tmp_path, body), net)
    assert [s.value for s in sc.levers["resettlement"]] == [100.0, 200.0, 300.0]


@pytest.mark.parametrize("value", ["[]", "[0.5, 0.7]", "[{ value = 0.5 }, 0.7]", "[{ value = 0.5 }, [0.7]]"])
def test_an_empty_array_or_one_with_a_non_table_is_refused(tmp_path, net, value):
    err = refused(tmp_path, net, f"[levers]\nborder_enforcement = {value}\n")
    assert err.where == "levers.border_enforcement"
    assert err.allowed == ("a table, or an array of 1 to 1000 tables [[levers.border_enforcement]] "
                           "in date order")


def test_more_pieces_than_allowed_are_refused(tmp_path, net, monkeypatch):
    monkeypatch.setattr(lever_setting, "MAX_PIECES", 2)
    body = "".join(f"[[levers.resettlement]]\nvalue = {k}\nstart = 202{k}-01-01\nuntil = 202{k + 1}-01-01\n"
                   for k in range(3))
    err = refused(tmp_path, net, body)
    assert err.where == "levers.resettlement" and "1 to 2 tables" in err.allowed


def test_a_bad_key_inside_a_piece_is_named_with_its_index(tmp_path, net):
    body = ("[[levers.border_enforcement]]\nvalue = 0.5\nuntil = 2021-01-01\n"
            "[[levers.border_enforcement]]\nvalue = 1.5\nstart = 2021-01-01\n")
    assert refused(tmp_path, net, body).where == "levers.border_enforcement[1].value"
    body = ("[[levers.border_enforcement]]\nvalue = 0.5\nstart = 2021-01-01\nuntil = 2020-06-01\n")
    assert refused(tmp_path, net, body).where == "levers.border_enforcement[0].until"


# ---------------------------------------------------------------- parameters bound together
def test_no_bundled_param_lever_is_bound_with_another_parameter():
    # If one ever is, `check_shares_over_time` checks its pieces on the real rule; the test below
    # checks that piece-by-piece path with a rule made for it.
    bound = {n for rule in COMBINED for n in rule.names}
    assert not [lv.name for lv in LEVERS.values() if lv.scope == "param" and lv.field in bound]


@pytest.mark.parametrize(("first", "second", "fails_at"), [
    (0.2, 0.2, None),  # both pieces keep the sum within the limit
    (0.2, 0.9, dt.date(2022, 1, 1)),  # the second piece passes it, from its start
    (0.9, 0.2, dt.date(2021, 1, 1)),  # the first piece passes it, the second would not
])
def test_a_bound_param_lever_is_checked_piece_by_piece(tmp_path, net, first, second, fails_at):
    # skills_recognition (a param lever) + saving_rate (0.1 in the data) at most 0.5
    rule = SumAtMost(("skills_recognition", "saving_rate"), 0.5, "a rule made for this test")
    body = (f"[[levers.skills_recognition]]\nvalue = {first}\nstart = 2021-01-01\nuntil = 2022-01-01\n"
            f"[[levers.skills_recognition]]\nvalue = {second}\nstart = 2022-01-01\n"
            "[parameters]\nskills_recognition = 0.3\n")
    sc = load_scenario(scenario_file(tmp_path, body), net)
    if fails_at is None:
        check_shares_over_time(sc, rules=(rule,))
        return
    with pytest.raises(InputError) as info:
        check_shares_over_time(sc, rules=(rule,))
    err = info.value
    assert err.where == "levers.skills_recognition"
    day = sc.start_date + dt.timedelta(weeks=sc.week_of(fails_at))
    assert f"in the week from {day.isoformat()}" in str(err.value)
    assert "at most 0.5" in err.allowed


# ---------------------------------------------------------------- the command line
def test_bp_sim_run_of_overlapping_pieces_exits_2_with_one_line(tmp_path, capsys):
    body = ("[[levers.border_enforcement]]\nvalue = 0.9\nstart = 2021-01-01\nuntil = 2022-01-01\n"
            "[[levers.border_enforcement]]\nvalue = 0.4\nstart = 2021-06-01\n")
    out = tmp_path / "out"
    code = main(["run", str(scenario_file(tmp_path, body)), "--agents", "2000", "--years", "0.1",
                 "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bp-sim: error: ")
    assert "levers.border_enforcement[1].start" in lines[0] and "Traceback" not in err
    assert not out.exists()


def test_bp_sim_run_of_a_schedule_writes_it_back_as_an_array_of_tables(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(scenario_file(tmp_path, TWO_PIECES)), "--agents", "2000", "--years", "0.2",
                 "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    with (out / "scenario.toml").open("rb") as f:
        resolved = tomllib.load(f)
    assert [p["value"] for p in resolved["levers"]["resettlement"]] == [20000.0, 50000.0]
    again = load_scenario(out / "scenario.toml")
    assert again.levers == load_scenario(scenario_file(tmp_path, TWO_PIECES)).levers

import datetime as dt

import pytest

from bp_sim import SilkRoutesModel
from bp_sim.errors import InputError
from bp_sim.scenario import load_scenario, scenarios_dir


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_baseline_loads_with_events(net):
    sc = load_scenario("baseline", net)
    assert sc.start_date.year == 2020
    assert {e["type"] for e in sc.events} >= {"conflict_surge", "deportation_campaign", "climate_shock"}


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("[scenario]\nyeers = 3\n", r"scenario\.yeers.*unknown key.*years"),
        ("[scenario]\nyears = 'five'\n", r"scenario\.years.*'five'.*number"),
        ("[parameters]\nsaving_rate = 3.0\n", r"parameters\.saving_rate.*3\.0.*\[0, 1\]"),
        ("[parameters]\nsavings_rat = 0.1\n", r"parameters.*savings_rat.*parameters\.csv"),
        ("[nodes.ATLANTIS]\nregular_info = 0.5\n", r"nodes\.ATLANTIS.*unknown place"),
        ("[nodes.AFG]\nregular_infoo = 0.5\n", r"nodes\.AFG\.regular_infoo.*unknown key"),
        ("[routes.\"TUR->GRC_EVROS\"]\nenforcement = 1.5\n", r"enforcement.*1\.5.*\[0, 1\]"),
        ("[[events]]\ntype = 'earthquake'\ndate = 2021-01-01\n", r"events\[0\]\.type.*earthquake"),
        ("[[events]]\ntype = 'conflict_surge'\nplace = 'AFG'\nvalue = 0.9\n", r"events\[0\]\.date.*required"),
        ("[population]\nagents = 5\n", r"population\.agents.*5"),
        ("this is = = not toml", r"invalid TOML"),
        ("[levers]\nborder_enforcement = 2\n", r"levers\.border_enforcement.*2.*\[0, 1\]"),
        ("[levers.border_enforcement]\nvalue = 0.5\nwhere = ['TUR->NOWHERE']\n",
         r"levers\.border_enforcement\.where.*TUR->NOWHERE.*one of TUR->"),
        ("[levers.resettlement]\nvalue = 10\nwhere = ['IRN']\n", r"levers\.resettlement\.where.*model-wide"),
        ("[levers.readmission_cooperation]\nvalue = 0.5\nwhere = ['DEU']\n", r"where.*DEU.*origins"),
    ],
)
def test_bad_scenarios_name_key_value_and_allowed(tmp_path, net, text, pattern):
    # Lever places are checked when the model is built, so build it too.
    with pytest.raises(InputError, match=pattern):
        SilkRoutesModel(load_scenario(write(tmp_path, text), net), agents=2000)


def test_missing_file(tmp_path, net):
    with pytest.raises(InputError, match="scenario.*nope.toml.*existing .toml file"):
        load_scenario(tmp_path / "nope.toml", net)


def test_extends_overrides_and_adds_events(tmp_path, net):
    base = write(tmp_path, "[scenario]\nyears = 3\nseed = 5\n[nodes.DEU]\nintegration_support = 0.2\n"
                           "[[events]]\ntype='conflict_surge'\ndate=2021-01-01\nplace='AFG'\nvalue=0.9\n", "base.toml")
    child = write(tmp_path, f"[scenario]\nextends = '{base.name}'\nseed = 9\n[nodes.DEU]\nlabour_inspection = 0.7\n"
                            "[[events]]\ntype='border_closure'\ndate=2021-06-01\nroute='TUR->GRC_EVROS'\n", "child.toml")
    sc = load_scenario(child, net)
    assert sc.years == 3 and sc.seed == 9 and sc.name == "child"
    assert sc.nodes["DEU"] == {"integration_support": 0.2, "labour_inspection": 0.7}
    assert [e["type"] for e in sc.events] == ["conflict_surge", "border_closure"]


def test_extends_cycle_is_an_error(tmp_path, net):
    write(tmp_path, "[scenario]\nextends = 'b.toml'\n", "a.toml")
    write(tmp_path, "[scenario]\nextends = 'a.toml'\n", "b.toml")
    with pytest.raises(InputError, match="cycle"):
        load_scenario(tmp_path / "a.toml", net)


def test_lever_settings_validate_and_become_phased_changes(tmp_path, net):
    base = scenarios_dir() / "baseline.toml"
    p = write(tmp_path, f"[scenario]\nextends = '{base}'\n[levers.border_enforcement]\nvalue = 1.0\n"
                        "start = 2021-01-01\nramp_weeks = 10\nwhere = ['TUR->GRC_EVROS']\n")
    sc = load_scenario(p, net)
    m = SilkRoutesModel(sc, agents=2000)
    evros, other = net.edge_index("TUR->GRC_EVROS"), net.edge_index("TUR->BGR_BORDER")
    week = sc.week_of(dt.date(2021, 1, 1))

    def enforcement(t, e):
        return m.policy.current(t)[0]["edge"]["enforcement"][e]

    assert enforcement(week - 1, evros) < enforcement(week + 4, evros) < enforcement(week + 20, evros) == 1.0
    assert enforcement(week + 20, other) == enforcement(week - 1, other)

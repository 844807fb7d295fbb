"""Levers that explain themselves: every lever has plain text, its panel names its actions and what is assumed."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import replace
from importlib import resources

import pytest

from bp_sim.dashboard.lever_groups import goal_groups
from bp_sim.dashboard.lever_info import (
    LEVER_INFO,
    PresetInfo,
    describe_value,
    info_html,
    info_markdown,
    lever_info,
    preset_infos,
    readable,
    slider_step,
)
from bp_sim.errors import InputError
from bp_sim.levers.catalogue import ACTIONS, LEVERS
from bp_sim.scenario import load_scenario, scenarios_dir


def _text_rows() -> list[dict[str, str]]:
    with (resources.files("bp_sim.dashboard") / "lever_text.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_lever_text_has_exactly_one_row_per_lever():
    names = [r["lever"] for r in _text_rows()]
    assert len(names) == len(set(names))
    assert set(names) == set(LEVERS)
    assert set(LEVER_INFO) == set(LEVERS)


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_texts_are_plain_words_not_raw_names(name):
    info = lever_info(name)
    assert info.label.strip() and info.more_means.strip() and info.less_means.strip()
    assert info.label != name and "_" not in info.label
    assert info.more_means != info.less_means
    assert (info.unit, info.low, info.high) == (LEVERS[name].unit, LEVERS[name].low, LEVERS[name].high)


def test_levers_running_against_the_policy_say_so():
    sd = lever_info("smuggling_disruption")
    assert "left" in sd.label.lower()
    assert "less disruption" in sd.more_means and "more disruption" in sd.less_means


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_info_panel_names_every_action_and_its_representation(name):
    info = lever_info(name)
    expected = [a for a in ACTIONS.itertuples(index=False) if name in a.levers.split(";")]
    assert expected, f"{name} stands for no action"
    assert [aid for aid, _, _ in info.actions] == [a.action_id for a in expected]
    text = info_markdown(info, None)
    for a in expected:
        assert a.action_id in text and a.representation in text and a.short_title in text
    for part in (info.label, info.more_means, info.less_means, info.mechanism, info.evidence, info.unit):
        assert part in text


def test_shared_action_lists_both_levers():
    # PG1.4 stands for two levers: each lever's panel names it
    for name in ("risk_awareness_campaigns", "regular_channel_information"):
        assert "PG1.4" in [aid for aid, _, _ in lever_info(name).actions]


@pytest.mark.parametrize(("name", "note"), [
    ("regular_pathways", "size: assumption"),
    ("victim_identification", "assumption"),
    ("remittance_cost", "size of the volume response is an assumption (remit_cost_elasticity)"),
    ("smuggling_disruption", "assumption: disrupting networks cuts capacity"),
])
def test_assumption_flag_and_note_follow_the_evidence(name, note):
    info = lever_info(name)
    assert info.assumption and info.assumption_note == note
    assert note in info.evidence
    assert "**Assumption:**" in info_markdown(info, None)


@pytest.mark.parametrize("name", ["border_enforcement", "risk_awareness_campaigns", "asylum_capacity"])
def test_levers_with_cited_direction_and_size_are_not_assumptions(name):
    info = lever_info(name)
    assert "assumption" not in info.evidence.lower()
    assert not info.assumption and info.assumption_note == ""
    assert "Assumption:" not in info_markdown(info, None)


def test_describe_value_shows_the_value_and_the_data_value():
    be = lever_info("border_enforcement")
    assert describe_value(be, 0.9, 0.785) == "0.9 on a 0 to 1 scale (data: 0.79)"
    assert "data" not in describe_value(be, 0.9, None)
    assert describe_value(lever_info("regular_pathways"), 2.0, 1.0) == "2× regular admissions (data: 1×)"
    assert describe_value(lever_info("smuggling_disruption"), 0.5, 1.0) == "50% of smugglers' capacity left (data: 100%)"
    assert describe_value(lever_info("resettlement"), 40000, 5000) == "40,000 persons per year (data: 5,000)"


def test_info_panel_shows_the_data_value_and_range():
    text = info_markdown(lever_info("border_enforcement"), 0.785)
    assert "0.79" in text and "routes.csv (0.3-0.9)" in text
    assert "from 0 to 1" in text
    assert "from 0% to 15%" in info_markdown(lever_info("remittance_cost"), None)


def test_info_panel_html_has_the_panel_and_escapes_raw_html():
    info = lever_info("smuggling_disruption")
    html = info_html(info, 1.0)
    assert html.startswith(f"<h3>{info.label}</h3>")
    assert "<li><strong>PG1.1</strong>" in html and "<strong>Assumption:</strong>" in html
    assert "**" not in html and "$" not in html  # all Markdown rendered; nothing left for a math renderer
    odd = replace(info, mechanism="<script>alert(1)</script>")
    assert "<script>" not in info_html(odd) and "&lt;script&gt;" in info_html(odd)


def test_unknown_lever_raises_input_error_naming_it():
    with pytest.raises(InputError, match=r"lever: got 'border_enforcment'.*border_enforcement") as exc:
        lever_info("border_enforcment")
    assert exc.value.value == "border_enforcment"


def test_step_is_shared_with_the_goal_groups():
    assert slider_step(0, 1) == pytest.approx(0.01)
    assert slider_step(0, 15) == pytest.approx(0.2)
    assert slider_step(0, 200000) == pytest.approx(2000)
    for group in goal_groups():
        for entry in group.entries:
            assert entry.step == LEVER_INFO[entry.lever.name].step


@pytest.fixture(scope="module")
def presets(net) -> list[PresetInfo]:
    return preset_infos(net)


def test_presets_list_every_scenario_file_baseline_first(presets):
    files = {f.stem for f in scenarios_dir().glob("*.toml")} - {"calibrated"}  # its parameters are in every preset
    assert presets[0].name == "baseline"
    assert {p.name for p in presets} == files and len(presets) == len(files)


def test_preset_titles_are_set_and_distinct(presets):
    titles = [p.title for p in presets]
    assert all(t.strip() for t in titles)
    assert len(set(titles)) == len(titles)
    assert all(p.title != p.name for p in presets)
    assert all(p.description for p in presets)


@pytest.mark.parametrize("path", sorted(scenarios_dir().glob("*.toml")), ids=lambda p: p.stem)
def test_every_scenario_file_loads_with_its_own_title(path, net):
    own = tomllib.loads(path.read_text(encoding="utf-8"))["scenario"]
    sc = load_scenario(path, net)
    assert sc.title == own["title"] and sc.title
    assert sc.name == own["name"] == path.stem


def test_a_scenario_without_its_own_title_falls_back_to_its_name(tmp_path, net, monkeypatch):
    # a child that extends a titled file inherits the parent's title; the menu must not repeat it
    (tmp_path / "baseline.toml").write_text('[scenario]\nname = "baseline"\ntitle = "The base"\n')
    (tmp_path / "more_rescue.toml").write_text('[scenario]\nextends = "baseline.toml"\nname = "more_rescue"\n')
    monkeypatch.setattr("bp_sim.dashboard.lever_info.scenarios_dir", lambda: tmp_path)
    assert [(p.name, p.title) for p in preset_infos(net)] == [("baseline", "The base"), ("more_rescue", "More rescue")]
    assert readable("goal1_smuggling") == "Goal1 smuggling"

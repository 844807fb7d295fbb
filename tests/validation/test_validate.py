"""`bp-sim validate` end to end on a tiny problem, and bad validation files refused by key."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bp_sim.cli import main

# Three parameter sets of two parameters, made by hand near the hand-tuned values (parameters.csv:
# aspiration_base 6e-5, remit_share_of_income 0.4): the machinery, not the fit, is under test.
SETS = """set,aspiration_base,remit_share_of_income
0,5.0e-5,0.35
1,6.0e-5,0.40
2,7.5e-5,0.45
"""

CONFIG = """
[validation]
name = "tiny"
posterior = "sets.csv"
seed = 3
[run]
replicates = 3
agents = 300
persons_per_mover = 2000
persons_per_agent_abroad = 20000
[facts]
replicates = 2
hand_tuned = false
[[fact]]
id = "formal_remittances"
title = "Cheaper transfers raise formal remittances"
policy = "remittances_sdg"
years = 1.5
reference = "Aycinena, Martinez & Yang (2010)"
checks = [{ outcome = "remittances_formal_usd", expect = "up" },
          { outcome = "deaths_missing/irregular_departures", expect = "not_down" }]
"""


@pytest.fixture()
def folder(tmp_path):
    (tmp_path / "sets.csv").write_text(SETS)
    (tmp_path / "v.toml").write_text(CONFIG)
    return tmp_path


def test_validate_writes_the_page_the_tables_and_pairs_set_r_with_replicate_r(folder, capsys):
    out, doc = folder / "out", folder / "page.md"
    assert main(["validate", str(folder / "v.toml"), "--out", str(out), "--doc", str(doc), "--workers", "2",
                 "--quiet"]) == 0
    for name in ("validation.md", "hindcast.csv", "fitted.csv", "facts.csv", "parameters.csv", "runs.parquet",
                 "validation.json", "hindcast.png", "fitted.png"):
        assert (out / name).is_file(), name
    page = (out / "validation.md").read_text()
    beside = doc.read_text()  # the page at --doc, its figures beside it under its own name
    assert "](hindcast.png)" in page and "](page_hindcast.png)" in beside and "](page_fitted.png)" in beside
    assert (folder / "page_hindcast.png").read_bytes() == (out / "hindcast.png").read_bytes()
    assert beside.replace("page_hindcast.png", "hindcast.png").replace("page_fitted.png", "fitted.png").split(
        "(The figures are")[0] == page.split("(The figures are")[0]
    assert "sets.csv" in page and "bp-sim validate" in page and "Hindcast goal" in page
    info = json.loads((out / "validation.json").read_text())
    assert info["seconds"] > 0 and f"**{info['seconds']:.0f} s** in all" in page
    hind = pd.read_csv(out / "hindcast.csv")
    assert set(hind.model) == {"hand_tuned", "calibrated"} and (hind.runs == 3).all()
    assert len(hind) == 2 * hind.target.nunique() and hind.target.str.startswith("V").all()
    assert (hind.low90 <= hind["median"]).all() and (hind["median"] <= hind.high90).all()
    fitted = pd.read_csv(out / "fitted.csv")
    assert fitted.target.str.startswith("T").all() and (fitted.runs == 3).all()
    facts = pd.read_csv(out / "facts.csv")
    assert len(facts) == 2 and set(facts.model) == {"calibrated"}
    assert set(facts.verdict) <= {"holds", "does not hold", "not resolved"} and (facts.replicates == 2).all()
    # the paired replicate r ran posterior set r in both scenarios of the fact (read back from each model)
    runs = pd.read_parquet(out / "runs.parquet")
    used = runs[runs.part == "fact_parameters"]
    sets = pd.read_csv(folder / "sets.csv").set_index("set")
    assert set(used.scenario) == {"0", "1"} and set(used.replicate) == {0, 1}
    for row in used.itertuples(index=False):
        assert row.value == pytest.approx(sets.loc[row.replicate, row.name]), row
    # the hand-tuned and calibrated hindcast runs differ (the sets change the model), seed for seed
    h = runs[(runs.part == "hindcast") & (runs.name == "V12")].pivot(index="replicate", columns="model", values="value")
    assert (h.hand_tuned != h.calibrated).any()


@pytest.mark.parametrize(("change", "message"), [
    (("[validation]", "[validation]\ncolour = 1"), "colour"),
    (('posterior = "sets.csv"', 'posterior = "missing.csv"'), "validation.posterior"),
    (("replicates = 3", "replicates = 5"), "at least one set per replicate (5)"),
    (("replicates = 2", "replicates = 9"), "facts.replicates"),
    (('expect = "up"', 'expect = "upward"'), "checks[0].expect: got 'upward'; allowed: up, down, not_down, small"),
    (('outcome = "remittances_formal_usd"', 'outcome = "remittances"'), "checks[0].outcome"),
    (('policy = "remittances_sdg"', 'policy = "no_such_scenario"'), "fact[formal_remittances].policy"),
    (("years = 1.5", "years = 9"), "fact[formal_remittances].years"),
    (('id = "formal_remittances"', 'id = "formal_remittances"\nroute = "AFG->NOWHERE"'), "route"),
    (("agents = 300", "agents = 3"), "run.agents"),
])
def test_a_bad_validation_file_is_one_message_naming_the_key_exit_2_nothing_written(folder, capsys, change, message):
    text = CONFIG.replace(*change)
    assert text != CONFIG
    (folder / "v.toml").write_text(text)
    assert main(["validate", str(folder / "v.toml"), "--out", str(folder / "out"), "--doc", str(folder / "p.md")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1, err
    assert not (folder / "out").exists() and not (folder / "p.md").exists()


def test_bad_sets_and_a_bad_page_path_are_refused_before_any_run(folder, capsys):
    (folder / "sets.csv").write_text(SETS.replace("0.35", "7.0"))  # a share of income above 1
    assert main(["validate", str(folder / "v.toml"), "--out", str(folder / "out")]) == 2
    assert "set 0, remit_share_of_income" in capsys.readouterr().err
    (folder / "sets.csv").write_text(SETS)
    assert main(["validate", str(folder / "v.toml"), "--out", str(folder / "out"), "--doc", str(folder / "no" / "p.md")]) == 2
    assert "--doc" in capsys.readouterr().err and not (folder / "out").exists()

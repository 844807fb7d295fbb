"""`bp-sim compare --posterior`: replicate r uses parameter set r in every scenario, and the report
says whether parameters or random draws dominate."""

from __future__ import annotations

import pandas as pd
import pytest

from bp_sim.cli import main
from bp_sim.compare import compare
from bp_sim.scenario import scenarios_dir

SMALL = {"agents": 300, "persons_per_mover": 2000, "persons_per_agent_abroad": 20000, "years": 0.5}
SETS = pd.DataFrame({"set": [0, 1, 2], "aspiration_base": [2.0e-5, 6.0e-5, 1.8e-4],
                     "irregular_go_weekly": [0.002, 0.005, 0.015]})


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("posterior")
    SETS.to_parquet(tmp / "sets.parquet", index=False)
    out = tmp / "out"
    summary = compare("baseline", ["package_enforcement_legal"], reps=3, jobs=1, out=out,
                      posterior=tmp / "sets.parquet", **SMALL)
    return tmp, out, summary


def test_replicate_r_uses_set_r_in_every_scenario(compared):
    _, out, _ = compared
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs.scenario) == {"baseline", "package_enforcement_legal"}
    for r, row in SETS.iterrows():
        mine = runs[runs.replicate == r]
        assert list(mine.parameter_set) == [r, r]
        # the values each run's model was built with, read back from it: the same set in both scenarios
        assert list(mine.aspiration_base) == [row.aspiration_base] * 2
        assert list(mine.irregular_go_weekly) == [row.irregular_go_weekly] * 2


def test_the_report_says_which_uncertainty_dominates(compared):
    _, out, summary = compared
    assert {"sd_random_draws", "sd_parameters", "uncertainty_mostly_from"} <= set(summary.columns)
    base = summary[summary.scenario == "baseline"].set_index("outcome")
    # sets a factor of 9 apart in the aspiration hazard: departures vary far more between sets than between seeds
    assert base.loc["irregular_departures", "uncertainty_mostly_from"] == "parameters"
    assert base.loc["irregular_departures", "sd_parameters"] > 3 * base.loc["irregular_departures", "sd_random_draws"]
    assert set(summary.uncertainty_mostly_from) <= {"parameters", "random draws", ""}
    report = (out / "report.md").read_text()
    assert "Parameter uncertainty included" in report and "uncertainty mostly from" in report


def _exits_2(capsys, *args) -> str:
    assert main(["compare", "baseline", "package_enforcement_legal", "--reps", "3", "--agents", "300",
                 "--persons-per-mover", "2000", "--persons-per-agent-abroad", "20000", "--years", "0.1", "--quiet",
                 *args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_too_few_sets_a_column_that_is_no_parameter_and_a_value_out_of_range_are_refused(tmp_path, capsys):
    SETS.iloc[:2].to_parquet(tmp_path / "two.parquet", index=False)
    err = _exits_2(capsys, "--posterior", str(tmp_path / "two.parquet"), "--out", str(tmp_path / "a"))
    assert "--posterior" in err and "2 sets" in err and "(3)" in err
    SETS.rename(columns={"irregular_go_weekly": "irregular_go"}).to_csv(tmp_path / "typo.csv", index=False)
    err = _exits_2(capsys, "--posterior", str(tmp_path / "typo.csv"), "--out", str(tmp_path / "b"))
    assert "column irregular_go" in err and "a parameter of bp_sim/data/parameters.csv" in err
    SETS.assign(irregular_go_weekly=[0.002, 1.5, 0.01]).to_csv(tmp_path / "range.csv", index=False)
    err = _exits_2(capsys, "--posterior", str(tmp_path / "range.csv"), "--out", str(tmp_path / "c"))
    assert "set 1, irregular_go_weekly" in err and "1.5" in err
    err = _exits_2(capsys, "--posterior", str(tmp_path / "missing.parquet"), "--out", str(tmp_path / "d"))
    assert "--posterior" in err and "missing.parquet" in err
    assert not any((tmp_path / x).exists() for x in "abcd")  # nothing written


def test_a_scenario_that_sets_a_posterior_parameter_itself_is_refused(tmp_path, capsys):
    SETS.to_parquet(tmp_path / "sets.parquet", index=False)
    (tmp_path / "mine.toml").write_text(f'[scenario]\nname = "mine"\nextends = "{scenarios_dir() / "baseline.toml"}"\n'
                                        "[parameters]\naspiration_base = 7e-5\n")
    assert main(["compare", "baseline", str(tmp_path / "mine.toml"), "--reps", "3", "--agents", "300", "--years", "0.1",
                 "--quiet", "--posterior", str(tmp_path / "sets.parquet"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "parameters.aspiration_base" in err and "the posterior sets" in err and "Traceback" not in err

"""`bp-sim calibrate` end to end on a tiny problem: outputs, resumption, and bad calibration files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bp_sim.calibration.config import load_config
from bp_sim.calibration.priors import load_priors
from bp_sim.calibration.run import calibrate
from bp_sim.cli import main
from bp_sim.errors import InputError
from bp_sim.scenario import load_scenario, scenarios_dir
from bp_sim.targets import read_table

# Three free parameters and eight targets at coarse rows: the machinery, not the fit, is under test.
PRIORS = """name,prior,low,high,source
aspiration_base,loguniform,3.0e-5,1.5e-4,assumption: test range
irregular_go_weekly,loguniform,0.002,0.012,assumption: test range
remit_share_of_income,uniform,0.2,0.6,assumption: test range
"""
TARGET_IDS = ("T01", "T06", "T20", "T21", "T25", "T29", "T33", "T36")

CONFIG = """
[calibration]
name = "tiny"
targets = "targets.csv"
parameters = "priors.csv"
seed = 4
[run]
agents = 300
persons_per_mover = 2000
persons_per_agent_abroad = 20000
replicates = 1
[waves]
count = 2
points = 8
candidates = 1000
{extra}
[posterior]
candidates = 1000
steps = 60
samples = 4
"""


def _write(tmp_path, extra: str = "") -> object:
    df = read_table()[0]
    df[df.id.isin(TARGET_IDS)].to_csv(tmp_path / "targets.csv", index=False)
    (tmp_path / "priors.csv").write_text(PRIORS)
    path = tmp_path / "calibration.toml"
    path.write_text(CONFIG.format(extra=extra))
    return path


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("calibration")
    path = _write(tmp)
    out = tmp / "out"
    result = calibrate(path, out, workers=2, stream=None)
    return path, out, result


def test_a_calibration_writes_its_posterior_fit_and_calibrated_scenario(calibrated):
    path, out, result = calibrated
    priors = load_priors(path.parent / "priors.csv")
    names = [p.name for p in priors]
    post = pd.read_parquet(out / "posterior.parquet")
    assert set(names) <= set(post.columns) and np.isclose(post.weight.sum(), 1.0)
    for p in priors:  # every draw inside its prior
        assert post[p.name].between(p.low, p.high).all()
    sets = pd.read_parquet(out / "posterior_sets.parquet")
    assert list(sets.set) == [0, 1, 2, 3] and sets[names].notna().all().all()
    ident = pd.read_csv(out / "identifiability.csv")
    assert list(ident.parameter) == names and set(ident.verdict) <= {"pinned down", "narrowed", "not pinned down"}
    assert (ident.q05 <= ident["median"]).all() and (ident["median"] <= ident.q95).all()
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit.target) == list(TARGET_IDS)
    assert (fit.prior_q05 <= fit.prior_q95).all() and fit.posterior_q50.notna().all()
    imp = pd.read_csv(out / "implausibility.csv")
    assert list(imp.target) == list(TARGET_IDS) and (imp.implausibility >= 0).all() and imp.emulated.notna().all()
    sc = load_scenario(out / "calibrated.toml")  # a scenario that runs like any other
    assert sc.name == "calibrated"
    assert sc.parameters == pytest.approx(dict(zip(ident.parameter, ident["median"], strict=True)))
    summary = json.loads((out / "calibration.json").read_text())
    assert [w["runs"] for w in summary["waves"]] == [8, 8] and summary["posterior"]["sets"] == 4
    distinct = len(sets[names].drop_duplicates())  # a draw the chain stayed on twice is one run
    assert summary["settings"]["targets"] == list(TARGET_IDS) and result.runs == 8 + 8 + distinct
    for name in ("fit.png", "marginals.png", "pairs.png"):
        assert (out / name).stat().st_size > 5_000, name  # a drawn figure, not an empty canvas


def test_a_resumed_calibration_runs_only_what_is_missing_and_gives_the_same_posterior(calibrated):
    path, out, _ = calibrated
    before = pd.read_parquet(out / "posterior_sets.parquet")
    design = pd.read_parquet(out / "waves" / "wave_2" / "design.parquet")
    lost = sorted((out / "waves" / "wave_2" / "results").glob("*.parquet"))[:3]
    for f in lost:  # as if the command had been stopped before these three runs ended
        f.unlink()
    for name in ("posterior.parquet", "posterior_sets.parquet", "fit.csv"):
        (out / name).unlink()
    calibrate(path, out, workers=2, stream=None)
    summary = json.loads((out / "calibration.json").read_text())
    assert [(w["runs_done_before"], w["runs_done_now"]) for w in summary["waves"]] == [(8, 0), (5, 3)]
    assert summary["posterior"]["runs_done_now"] == 0  # the drawn sets are the same runs as before
    pd.testing.assert_frame_equal(pd.read_parquet(out / "waves" / "wave_2" / "design.parquet"), design)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "posterior_sets.parquet"), before)


def test_a_folder_of_another_calibration_is_refused(calibrated, tmp_path, capsys):
    _, out, _ = calibrated
    other = _write(tmp_path, "cutoff = 2.5")
    assert main(["calibrate", str(other), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "this same calibration" in err and "Traceback" not in err


@pytest.mark.parametrize(("old", "new", "key"), [
    ("candidates = 1000\n{extra}", "cutof = 3.0", "waves.cutof: got an unknown key"),
    ("points = 8", "points = 3", "waves.points: got 3"),  # fewer than the free parameters + 2
    ("candidates = 1000\n{extra}", "rank = 20", "waves.rank: got 20"),  # more than the 8 targets
    ("steps = 60", "steps = 60.5", "posterior.steps: got 60.5"),
])
def test_a_bad_calibration_file_exits_2_naming_the_key_and_writes_nothing(tmp_path, capsys, old, new, key):
    path = _write(tmp_path)
    text = CONFIG.replace(old, new if "{extra}" not in old else "candidates = 1000\n" + new)
    path.write_text(text.format(extra=""))
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert key in err and "calibration.toml" in err and "Traceback" not in err
    assert not out.exists()


def test_a_run_too_short_for_the_targets_and_a_free_parameter_the_scenario_sets_are_refused(tmp_path):
    path = _write(tmp_path)
    path.write_text(path.read_text().replace("[run]\n", "[run]\nyears = 3\n"))
    with pytest.raises(InputError, match=r"run\.years.*at least 4\.0"):
        load_config(path)
    path = _write(tmp_path)
    base = scenarios_dir() / "baseline.toml"
    (tmp_path / "base.toml").write_text(f'[scenario]\nextends = "{base}"\n[parameters]\naspiration_base = 7e-5\n')
    path.write_text(path.read_text().replace('name = "tiny"', 'name = "tiny"\nscenario = "base.toml"'))
    with pytest.raises(InputError, match=r"parameters\.aspiration_base.*calibration sets it"):
        load_config(path)


@pytest.mark.parametrize(("row", "message"), [
    ("not_a_parameter,uniform,0,1,assumption", "a parameter of bp_sim/data/parameters.csv"),
    ("saving_rate,uniform,0.5,2.0,assumption", "saving_rate, high: got 2.0"),
    ("saving_rate,loguniform,0,0.5,assumption", "above 0 (a log-uniform prior)"),
    ("saving_rate,normal,0.1,0.5,assumption", "saving_rate, prior: got 'normal'"),
    ("saving_rate,uniform,0.1,0.5,", "where the range comes from"),
])
def test_a_bad_free_parameter_is_one_error_naming_it(tmp_path, row, message):
    (tmp_path / "p.csv").write_text("name,prior,low,high,source\n" + row + "\n")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_priors(tmp_path / "p.csv")


def test_the_calibration_page_is_made_from_the_folder_alone(calibrated, tmp_path, capsys):
    """docs/calibration.md's generator: every target, free parameter and the run count and time of
    calibration.json on the page; an unfinished folder or a --doc in no folder refused (exit 2)."""
    from bp_sim.calibration.page import main as page_main
    from bp_sim.calibration.page import write_page

    path, out, _ = calibrated
    doc = write_page(out, tmp_path / "calibration.md", "bp-sim calibrate tiny")
    text = doc.read_text()
    summary = json.loads((out / "calibration.json").read_text())
    assert f"**{summary['runs']:,}**" in text and f"**{summary['seconds']:.0f} " in text
    for target in TARGET_IDS:
        assert f"| {target} |" in text
    for prior in load_priors(path.parent / "priors.csv"):
        assert f"`{prior.name}`" in text
    (tmp_path / "unfinished").mkdir()
    (tmp_path / "unfinished" / "calibration.json").write_text(json.dumps({"waves": []}))
    assert page_main([str(tmp_path / "unfinished"), str(tmp_path / "x.md")]) == 2
    assert not (tmp_path / "x.md").exists()
    assert main(["calibrate", str(path), "--out", str(tmp_path / "new"), "--doc", str(tmp_path / "no" / "c.md")]) == 2
    assert "--doc" in capsys.readouterr().err and not (tmp_path / "new").exists()

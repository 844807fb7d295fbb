"""Bad sweep files and bad compare inputs: one message, exit 2, nothing written, no worker involved.

The classes found by mutating sweep files (issue 10): bytes that are not UTF-8, 400-digit
integers, a base scenario given by an over-long name or one that fails only when a model is
built, normal factors that cannot be sampled (sd = inf, a range holding almost none of the
probability), parameter ranges that let shares of one whole pass it, and compare's input
errors raised in worker processes (now checked before any worker starts).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bp_sim.cli import main
from bp_sim.errors import InputError
from bp_sim.scenario import load_scenario
from bp_sim.sweep import run_sweep
from bp_sim.sweep.spec import load_experiment

from .conftest import write_experiment


def sweep_exits_2(tmp_path: Path, experiment: Path, capsys) -> str:
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists(), "a refused sweep made its folder"
    return err


def test_a_sweep_file_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin.toml"
    path.write_bytes(write_experiment(tmp_path).read_text().replace("tiny", "tïny").encode("latin-1"))
    assert "is not UTF-8" in sweep_exits_2(tmp_path, path, capsys)


@pytest.mark.parametrize("field", ["replicates", "seed", "agents", "years", "persons_per_mover"])
def test_a_400_digit_integer_in_a_sweep_field(tmp_path, capsys, field):
    text = write_experiment(tmp_path).read_text()
    start = text.index(f"{field} =")
    end = text.index("\n", start)
    path = tmp_path / "big.toml"
    path.write_text(text[:start] + f"{field} = {'9' * 400}" + text[end:])
    assert f"run.{field}: got an integer of 400 digits" in sweep_exits_2(tmp_path, path, capsys)


@pytest.mark.parametrize(("line", "pattern"), [
    ("persons_per_mover = 0", "run.persons_per_mover: got 0; allowed: a whole number of persons"),
    ("persons_per_agent_abroad = 0.5", "run.persons_per_agent_abroad: got 0.5"),
    ("persons_per_mover = 2.5", "run.persons_per_mover: got 2.5"),
])
def test_a_resolution_out_of_range_in_a_sweep_file(tmp_path, capsys, line, pattern):
    text = write_experiment(tmp_path).read_text()
    start = text.index("persons_per_mover =")
    path = tmp_path / "res.toml"
    path.write_text(text[:start] + line + text[text.index("\n", start):])
    assert pattern in sweep_exits_2(tmp_path, path, capsys)


def test_the_resolutions_of_a_sweep_file_reach_its_runs(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, persons_per_mover=500))
    base = load_scenario("baseline")
    assert base.persons_per_mover != 500
    # the sweep file's resolution replaces the base scenario's; the one it does not set stays the base's
    assert (exp.scenario.persons_per_mover, exp.scenario.persons_per_agent_abroad) == (500, base.persons_per_agent_abroad)
    other = load_experiment(write_experiment(tmp_path, name="other", persons_per_mover=700))
    assert other.scenario_fingerprint() != exp.scenario_fingerprint()  # other runs: not resumed as the same


def test_a_base_scenario_named_by_more_than_255_bytes(tmp_path, capsys):
    path = write_experiment(tmp_path)
    path.write_text(path.read_text().replace('scenario = "baseline"', f'scenario = "{"s" * 300}.toml"'))
    err = sweep_exits_2(tmp_path, path, capsys)
    assert "experiment.scenario" in err and "tiny.toml" in err


def test_an_error_in_the_base_scenario_names_its_file_and_writes_no_folder(tmp_path, capsys):
    (tmp_path / "base.toml").write_text("[parameters]\ninit_pending_share = 0.7\ninit_protected_share = 0.7\n")
    path = write_experiment(tmp_path)
    path.write_text(path.read_text().replace('scenario = "baseline"', 'scenario = "base.toml"'))
    err = sweep_exits_2(tmp_path, path, capsys)
    assert "base.toml: parameters.init_protected_share" in err


def test_a_run_the_machine_cannot_hold_is_refused_before_the_folder_exists(tmp_path, monkeypatch, capsys):
    import bp_sim.memory as memory

    monkeypatch.setattr(memory, "available_bytes", lambda: memory.BASE_BYTES)  # room for no agents at all
    err = sweep_exits_2(tmp_path, write_experiment(tmp_path), capsys)
    assert "run.agents: got 2000; allowed: at most about 0 rows" in err and "2,000 cohorts (about" in err


@pytest.mark.parametrize(("normal", "pattern"), [
    ("mean = 5.0\nsd = inf", r"levers\.remittance_cost\.sd: got inf; allowed: a finite number"),
    ("mean = 5.0\nsd = nan", r"levers\.remittance_cost\.sd: got nan"),
    ("mean = 0.001\nsd = 1e-6\nlow = 9.0\nhigh = 10.0", r"levers\.remittance_cost\.mean: .*of the probability in \[9, 10\]"),
])
def test_a_normal_that_cannot_be_sampled_is_refused(tmp_path, normal, pattern):
    factors = f'[levers.remittance_cost]\ndistribution = "normal"\n{normal}\n'
    path = write_experiment(tmp_path, design='type = "latin"\nsamples = 4', factors=factors)
    with pytest.raises(InputError, match=pattern):
        load_experiment(path)


def test_parameter_ranges_that_let_shares_pass_one_whole_are_refused(tmp_path):
    factors = ("[parameters.init_pending_share]\nlow = 0.0\nhigh = 0.7\n"
               "[parameters.init_protected_share]\nlow = 0.0\nhigh = 0.7\n")
    path = write_experiment(tmp_path, design='type = "latin"\nsamples = 4', factors=factors)
    with pytest.raises(InputError, match=r"parameters\.init_protected_share\.high: got 'init_pending_share 0\.7 \+ "
                                         r"init_protected_share 0\.7 at the top of the ranges'"):
        load_experiment(path)


def test_sampled_sweep_within_the_rules_runs(tmp_path):
    factors = '[levers.remittance_cost]\ndistribution = "normal"\nmean = 5.0\nsd = 2.0\nlow = 1.0\nhigh = 12.0\n'
    path = write_experiment(tmp_path, design='type = "latin"\nsamples = 2', factors=factors, replicates=1, agents=300,
                            years=1 / 52)
    report = run_sweep(path, tmp_path / "ok", workers=1, stream=None)
    assert report.done == 2 and not report.failed


def test_compare_with_jobs_checks_every_scenario_before_starting_workers(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers.border_enforcement]\nvalue = 0.5\nwhere = ['TUR->NOWHERE']\n")
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", str(bad), "--reps", "2", "--jobs", "2", "--agents", "1000", "--years", "0.1",
                 "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bad.toml: levers.border_enforcement.where: got 'TUR->NOWHERE'" in err and "BrokenProcessPool" not in err
    assert not out.exists()

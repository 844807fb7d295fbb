"""Local backend end to end: the dataset, resuming after Ctrl-C or a killed process, a killed worker."""

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from bp_sim import stopping
from bp_sim.cli import main
from bp_sim.model import SilkRoutesModel
from bp_sim.outcomes import OUTCOME_INDEX, horizon_totals
from bp_sim.sweep import SweepInterrupted, load_experiment, run_sweep
from bp_sim.sweep.runs import build_scenario
from bp_sim.sweep.worker import KILL_ONCE_ENV

from .conftest import write_experiment

OUTCOMES = ["remittance_fees_usd", "regular_departures_europe", "irregular_departures"]
# A sweep that cannot end by itself while a test signals it: the signal goes out as soon as the
# first (or second) result file exists, and 400 runs of 100 cohorts for one week (movers and people
# abroad in rows of 2,000 persons) take one worker about 40 s (95 ms a run, here), so hundreds of
# runs are still to do whatever the machine's speed: the signal takes milliseconds to arrive.
MANY = dict(name="many", replicates=2, years=1 / 52, agents=100, design='type = "latin"\nsamples = 200\nseed = 3',
            factors="[levers.remittance_cost]\nlow = 1.0\nhigh = 8.0\n")
N_MANY = 400
GUARD_S = 600  # last-resort deadline for a state a test waits for (not a measure of speed)


def frame(out) -> pd.DataFrame:
    return pd.read_parquet(out / "results").sort_values(["run_id", "outcome"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """The 1,000-run sweep done in one go: the reference for the interrupted and resumed ones."""
    folder = tmp_path_factory.mktemp("many")
    path = write_experiment(folder, **MANY)
    report = run_sweep(path, folder / "ref", workers=2, stream=None)
    assert report.done == N_MANY and not report.failed
    return path, frame(folder / "ref")


@pytest.mark.filterwarnings("ignore:Mean of empty slice")  # an outcome with no event in 8 weeks
def test_small_sweep_end_to_end(tmp_path):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    report = run_sweep(path, out, backend="local", workers=2, stream=None)
    assert (report.planned, report.done, report.already, report.failed) == (8, 8, 0, {})
    df = frame(out)
    assert len(df) == 8 * 3  # runs x outcomes
    assert list(pd.read_parquet(out / "results").columns) == ["run_id", "point_id", "replicate", "seed",
                                                              "remittance_cost", "regular_pathways", "outcome", "value"]
    assert set(df.outcome) == set(OUTCOMES) and set(df.seed) == {5, 6} and set(df.replicate) == {0, 1}
    assert df.groupby("run_id").size().eq(3).all() and df.run_id.nunique() == 8
    assert len(list((out / "results").glob("*.parquet"))) == 8

    # A row is the run's horizon total: the same number as running the model directly.
    row = df[(df.remittance_cost == 8.0) & (df.regular_pathways == 3.0) & (df.replicate == 1)]
    exp = load_experiment(path)
    sc = build_scenario(exp.scenario, exp.factors, {"remittance_cost": 8.0, "regular_pathways": 3.0})
    model = SilkRoutesModel(sc, agents=2000, seed=6)
    model.run()
    totals = horizon_totals(model.recorder.outcomes[: model.recorder.steps_done])
    for r in row.itertuples():
        assert r.value == totals[OUTCOME_INDEX[r.outcome]]
    # cheaper remittances: lower fees, replicate by replicate (common random numbers)
    wide = df[df.outcome == "remittance_fees_usd"].pivot_table(index=["regular_pathways", "replicate"],
                                                                columns="remittance_cost", values="value")
    assert (wide[1.0] < wide[8.0]).all()

    meta = json.loads((out / "sweep.json").read_text())
    session = meta["sessions"][0]
    assert meta["experiment_file"] == str(path.resolve()) and meta["runs"] == 8 and meta["points"] == 4
    assert {"package_version", "git_commit", "numpy", "numba", "started"} <= set(session)
    assert session["status"] == "finished" and session["runs_done"] == 8
    assert (out / "experiment.toml").read_text() == path.read_text()

    again = run_sweep(path, out, workers=2, stream=None)  # everything is there: nothing runs
    assert (again.done, again.already) == (0, 8)
    pd.testing.assert_frame_equal(frame(out), df)


def _start_cli(path, out):
    return subprocess.Popen([sys.executable, "-m", "bp_sim.cli", "sweep", str(path), "--out", str(out),
                             "--workers", "1", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _wait_for_results(out, proc, n=1) -> None:
    """Wait until `n` result files exist; fail at once if the sweep ends before that."""
    deadline = time.monotonic() + GUARD_S
    while not ((out / "results").is_dir() and len(list((out / "results").glob("*.parquet"))) >= n):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"no {n} results in {out} after {GUARD_S} s"
        time.sleep(0.02)  # polling interval


def test_ctrl_c_then_resume_gives_the_uninterrupted_dataset(tmp_path, many):
    path, reference = many
    out = tmp_path / "out"
    proc = _start_cli(path, out)
    _wait_for_results(out, proc)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, err = proc.communicate(timeout=GUARD_S)
    assert proc.returncode == 130, err
    assert "interrupted" in err and f"bp-sim sweep {path} --out {out}" in err and "Traceback" not in err
    kept = len(list((out / "results").glob("*.parquet")))
    assert 1 <= kept < N_MANY
    assert json.loads((out / "sweep.json").read_text())["sessions"][-1]["status"] == "interrupted"
    report = run_sweep(path, out, workers=2, stream=None)
    assert report.already == kept and report.done == N_MANY - kept
    pd.testing.assert_frame_equal(frame(out), reference)


def test_a_stop_whose_exception_was_dropped_still_ends_the_sweep(tmp_path):
    """Python drops a KeyboardInterrupt raised inside a finaliser ("Exception ignored in ..."); the
    CLI's handler records the signal too (`stopping`), and the sweep stops at its next result."""
    path = write_experiment(tmp_path)  # 8 runs
    out = tmp_path / "out"
    stopping.request(signal.SIGINT)  # Ctrl-C was received, its exception lost
    try:
        with pytest.raises(SweepInterrupted) as stop:
            run_sweep(path, out, workers=1, stream=None)
    finally:
        stopping.clear()
    assert stop.value.report.done == 1  # the result in hand is kept; the sweep went no further
    assert len(list((out / "results").glob("*.parquet"))) == 1
    assert json.loads((out / "sweep.json").read_text())["sessions"][-1]["status"] == "interrupted"
    report = run_sweep(path, out, workers=1, stream=None)
    assert (report.already, report.done) == (1, 7)


def test_killed_process_and_partial_files_then_resume(tmp_path, many):
    path, reference = many
    out = tmp_path / "out"
    proc = _start_cli(path, out)
    _wait_for_results(out, proc, n=2)
    os.kill(proc.pid, signal.SIGKILL)  # no clean-up at all in the driver
    proc.communicate(timeout=GUARD_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # and its orphaned worker, should it still be there
    results = out / "results"
    files = sorted(results.glob("*.parquet"))
    kept = len(files)
    assert 2 <= kept < N_MANY
    # What a crash mid-write could leave: a hidden temporary file and a truncated result.
    (results / f".{files[0].name}.tmp-xyz").write_bytes(files[0].read_bytes()[:100])
    truncated = files[1].read_bytes()[:-20]
    files[1].write_bytes(truncated)
    report = run_sweep(path, out, workers=2, stream=None)
    assert report.already == kept - 1 and report.done == N_MANY - kept + 1  # the truncated one was run again
    assert not list(results.glob(".*.tmp-*"))
    pd.testing.assert_frame_equal(frame(out), reference)
    assert pd.read_parquet(results).shape == reference.shape  # the set-aside file is not read as a result


def test_worker_killed_mid_sweep_loses_nothing(tmp_path, monkeypatch):
    path = write_experiment(tmp_path)  # 8 runs
    assert run_sweep(path, tmp_path / "ref", workers=2, stream=None).done == 8
    marker = tmp_path / "kill-once"
    marker.touch()
    monkeypatch.setenv(KILL_ONCE_ENV, str(marker))  # the first run a worker takes kills that worker
    out = tmp_path / "out"
    report = run_sweep(path, out, workers=2, stream=None)
    assert not marker.exists()  # a worker did die
    assert report.done == 8 and not report.failed
    pd.testing.assert_frame_equal(frame(out), frame(tmp_path / "ref"))


def test_failed_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    factors = "[levers.remittance_cost]\nvalues = [1.0, 8.0]\n[parameters.saving_rate]\nvalues = [0.1, 0.2]\n"
    exp = load_experiment(write_experiment(tmp_path, factors=factors))
    # A value the model refuses (validation would have stopped it; here it reaches the workers).
    bad = dataclasses.replace(exp.factors[1], values=(0.1, 7.0), high=7.0)
    exp = dataclasses.replace(exp, factors=(exp.factors[0], bad))
    out = tmp_path / "out"
    report = run_sweep(exp, out, workers=2, stream=None)
    assert report.done == 4 and len(report.failed) == 4
    failures = sorted((out / "failures").glob("*.txt"))
    assert len(failures) == 4 and all('"saving_rate": 7.0' in f.read_text() for f in failures)
    assert all("parameters.saving_rate" in e and "[0, 1]" in e for e in report.failed.values())
    assert set(pd.read_parquet(out / "results").saving_rate) == {0.1}
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["sessions"][-1]["status"] == "finished with failures"


def test_other_experiment_in_the_same_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    run_sweep(write_experiment(tmp_path, "a"), out, workers=1, stream=None)
    other = write_experiment(tmp_path, "b", replicates=3)
    assert main(["sweep", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "same experiment" in err and "'a'" in err
    assert len(list((out / "results").glob("*.parquet"))) == 8


def test_a_folder_with_other_files_is_refused(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    assert main(["sweep", str(write_experiment(tmp_path)), "--out", str(out)]) == 2
    assert "thesis.tex" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]


def _exit_code(args) -> int:
    try:
        return main(args)
    except SystemExit as exc:  # argparse's own checks
        return exc.code


def test_options_are_checked(tmp_path, capsys):
    path = write_experiment(tmp_path)
    for args, key in ((["--backend", "slurm"], "--backend"), (["--workers", "0"], "--workers"),
                      (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler"), (["--threads", "x"], "--threads")):
        code = _exit_code(["sweep", str(path), "--out", str(tmp_path / "o"), *args])
        err = capsys.readouterr().err
        assert code == 2 and key in err and "Traceback" not in err, (args, err)
    assert not (tmp_path / "o").exists()


def test_same_point_twice_runs_once(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, factors="[levers.remittance_cost]\nvalues = [2.0, 4.0]\n"))
    from bp_sim.sweep.runs import plan

    dup = dataclasses.replace(exp, factors=(dataclasses.replace(exp.factors[0], values=(2.0, 4.0, 2.0)),))
    points, runs = plan(dup)
    assert len(points) == 3 and len(runs) == 4  # the repeated point shares its runs
    assert np.array_equal(points[:, 0], [2.0, 4.0, 2.0])


def test_a_pool_that_broke_before_submit_keeps_the_job_queued():
    """A worker can die between the driver's wait and its next submit (seen once in CI): the job
    about to be submitted must stay queued, not be lost nor counted as a death."""
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor, wait

    from bp_sim.sweep.local import _submit

    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
    try:
        wait([pool.submit(os._exit, 1)])  # the worker dies: the pool is now broken
        queue = deque(["next job"])
        in_flight: dict = {}
        assert _submit(pool, queue, in_flight) is False
        assert list(queue) == ["next job"] and in_flight == {}
    finally:
        pool.shutdown(wait=True)

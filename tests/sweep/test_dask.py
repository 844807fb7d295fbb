"""Dask backend end to end on a LocalCluster: the same dataset as the local backend, a killed worker retried."""

import json

import pandas as pd
import pytest

from bp_sim.sweep import run_sweep
from bp_sim.sweep.worker import KILL_ONCE_ENV

from .conftest import write_experiment

pytest.importorskip("distributed")


def frame(out) -> pd.DataFrame:
    return pd.read_parquet(out / "results").sort_values(["run_id", "outcome"]).reset_index(drop=True)


def test_dask_sweep_matches_local_and_survives_a_killed_worker(tmp_path, monkeypatch):
    path = write_experiment(tmp_path)
    local = run_sweep(path, tmp_path / "local", backend="local", workers=2, stream=None)
    assert local.done == 8

    marker = tmp_path / "kill-once"
    marker.touch()
    monkeypatch.setenv(KILL_ONCE_ENV, str(marker))  # inherited by the cluster's worker processes
    report = run_sweep(path, tmp_path / "dask", backend="dask", workers=2, stream=None)
    assert not marker.exists()  # one worker process died on its first run ...
    assert report.done == 8 and not report.failed  # ... and Dask ran that run again elsewhere
    dask_rows = frame(tmp_path / "dask")
    assert len(dask_rows) == 8 * 3 and {"replicate", "seed", "remittance_cost", "regular_pathways"} <= set(dask_rows)
    pd.testing.assert_frame_equal(dask_rows, frame(tmp_path / "local"))  # same seeds, same rows, same values


def test_dask_resumes_what_is_missing(tmp_path):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    run_sweep(path, out, backend="local", workers=1, stream=None)
    full = frame(out)
    for p in sorted((out / "results").glob("*.parquet"))[:3]:
        p.unlink()
    report = run_sweep(path, out, backend="dask", workers=1, stream=None)
    assert (report.already, report.done) == (5, 3)
    pd.testing.assert_frame_equal(frame(out), full)


def test_existing_scheduler_by_address_and_by_scheduler_file(tmp_path):
    from distributed import LocalCluster

    path = write_experiment(tmp_path, factors="[levers.remittance_cost]\nvalues = [1.0, 8.0]\n")
    local = run_sweep(path, tmp_path / "local", workers=1, stream=None)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        report = run_sweep(path, tmp_path / "by_address", backend="dask", scheduler=cluster.scheduler_address,
                           stream=None)
        assert report.done == local.done == 4
        file = tmp_path / "scheduler.json"  # what `dask scheduler --scheduler-file` writes, reduced to the address
        file.write_text(json.dumps({"type": "Scheduler", "address": cluster.scheduler_address}))
        again = run_sweep(path, tmp_path / "by_file", backend="dask", scheduler=str(file), threads=1, stream=None)
        assert again.done == 4
    for name in ("by_address", "by_file"):
        pd.testing.assert_frame_equal(frame(tmp_path / name), frame(tmp_path / "local"))

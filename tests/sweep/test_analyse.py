"""bp-sim analyse: tidy tables, SALib indices for Sobol' and Morris designs, PNG plots."""

import numpy as np
import pandas as pd
import pytest

from bp_sim.cli import main
from bp_sim.sweep import run_sweep
from bp_sim.sweep.analyse import analyse

from .conftest import write_experiment

RANGES = """
[levers.remittance_cost]
low = 1.0
high = 12.0
[levers.search_and_rescue]
low = 0.0
high = 1.0
"""
OUTCOMES = '["remittance_fees_usd", "remittances_received_usd"]'


def _png(path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000


def test_grid_tables_and_plots(tmp_path, capsys):
    out = tmp_path / "grid"
    run_sweep(write_experiment(tmp_path), out, workers=2, stream=None)
    assert main(["analyse", str(out)]) == 0
    assert "8/8 runs analysed (grid design)" in capsys.readouterr().out
    folder = out / "analysis"
    points = pd.read_csv(folder / "points.csv")
    assert len(points) == 4 * 3 and (points.replicates == 2).all()
    raw = pd.read_parquet(out / "results")
    one = raw[(raw.remittance_cost == 8.0) & (raw.regular_pathways == 1.0) & (raw.outcome == "remittance_fees_usd")]
    row = points[(points.remittance_cost == 8.0) & (points.regular_pathways == 1.0)
                 & (points.outcome == "remittance_fees_usd")]
    assert row["mean"].item() == pytest.approx(one.value.mean())
    levels = pd.read_csv(folder / "by_lever.csv")
    fees = levels[(levels.factor == "remittance_cost") & (levels.outcome == "remittance_fees_usd")].set_index("level")
    assert list(fees.index) == [1.0, 8.0] and (fees.runs == 4).all()
    assert fees.loc[8.0, "diff_vs_lowest"] > 0 and fees.loc[8.0, "diff_ci_low"] > 0  # paired: dearer, more fees
    assert fees.loc[1.0, "diff_vs_lowest"] == 0
    assert not (folder / "sobol_indices.csv").exists()
    for outcome in ("remittance_fees_usd", "regular_departures_europe", "irregular_departures"):
        assert _png(folder / "plots" / f"{outcome}_by_lever.png")


def test_sobol_indices(tmp_path):
    path = write_experiment(tmp_path, "sobol", design='type = "sobol"\nsamples = 4\nseed = 1', factors=RANGES,
                            replicates=1, outcomes=OUTCOMES)
    out = tmp_path / "sobol"
    report = run_sweep(path, out, workers=2, stream=None)
    assert report.planned == 4 * (2 + 2)
    result = analyse(out)
    idx = pd.read_csv(out / "analysis" / "sobol_indices.csv")
    assert list(idx.columns) == ["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(idx) == 2 * 2 and set(idx.factor) == {"remittance_cost", "search_and_rescue"}
    fees = idx[idx.outcome == "remittance_fees_usd"].set_index("factor")
    # remittance fees are driven by the remittance cost, not by rescue at sea
    assert fees.loc["remittance_cost", "ST"] > fees.loc["search_and_rescue", "ST"]
    assert np.isfinite(idx[["S1", "ST"]].to_numpy()).all()
    assert _png(out / "analysis" / "plots" / "remittance_fees_usd_indices.png")
    assert "largest ST remittance_cost" in result.summary()


def test_morris_indices_and_an_incomplete_sweep(tmp_path):
    path = write_experiment(tmp_path, "morris", design='type = "morris"\nsamples = 3\nlevels = 4\nseed = 2',
                            factors=RANGES, replicates=1, outcomes=OUTCOMES)
    out = tmp_path / "morris"
    report = run_sweep(path, out, workers=2, stream=None)
    assert report.planned <= 3 * 3  # trajectories x (factors + 1), repeated points merged
    analyse(out)
    idx = pd.read_csv(out / "analysis" / "morris_indices.csv")
    assert list(idx.columns) == ["outcome", "factor", "mu", "mu_star", "mu_star_conf", "sigma"]
    fees = idx[idx.outcome == "remittance_fees_usd"].set_index("factor")
    assert fees.loc["remittance_cost", "mu_star"] > fees.loc["search_and_rescue", "mu_star"]
    assert fees.loc["remittance_cost", "mu"] > 0  # dearer transfers, more fees
    assert _png(out / "analysis" / "plots" / "remittance_fees_usd_indices.png")

    next(iter(sorted((out / "results").glob("*.parquet")))).unlink()  # one run missing
    result = analyse(out)
    assert result.indices is not None and result.indices.empty
    assert any("runs have no result yet" in n for n in result.notes)
    assert any("design points have no value" in n for n in result.notes)


def test_analyse_refuses_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert main(["analyse", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "DIR" in err and "sweep.json" in err and "Traceback" not in err

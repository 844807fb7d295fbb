"""bp-sim analyse: tidy tables, SALib indices for Sobol' and Morris designs, PNG plots."""

import json
import re
import shutil

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


# ------------------------------------------------------------------ folders that are not (whole) sweeps
ONE_FACTOR = "[levers.remittance_cost]\nvalues = [1.0, 8.0]\n"


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory):
    """A finished 2-run sweep, copied by each test that damages it."""
    folder = tmp_path_factory.mktemp("small")
    out = folder / "sweep"
    run_sweep(write_experiment(folder, "small", factors=ONE_FACTOR, replicates=1), out, workers=1, stream=None)
    return out


@pytest.fixture
def sweep_copy(small_sweep, tmp_path):
    out = tmp_path / "sweep"
    shutil.copytree(small_sweep, out)
    return out


def _refused(folder, capsys) -> str:
    """`bp-sim analyse folder` exits 2 with one line and no traceback; the line."""
    assert main(["analyse", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (folder / "analysis").exists()
    return err


@pytest.mark.parametrize(("content", "words"), [
    (b"", "got 'an empty file'"),
    (b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "got 'binary data, not text'"),
    (b"runs = 2\n", "got 'not JSON (Expecting value, line 1)'"),
    (b'{"design": "grid", ', "got 'not JSON (Expecting property name enclosed in double quotes, line 1)'"),
    (b"[1, 2, 3]", "got 'a JSON list, not an object'"),
    (b'"sweep"', "got 'a JSON str, not an object'"),
])
def test_sweep_json_that_is_not_a_json_object_is_named(sweep_copy, capsys, content, words):
    (sweep_copy / "sweep.json").write_bytes(content)
    err = _refused(sweep_copy, capsys)
    assert f"{sweep_copy / 'sweep.json'}: {words}; allowed: the JSON object that bp-sim sweep writes" in err


def test_sweep_json_that_is_a_folder_is_named(sweep_copy, capsys):
    (sweep_copy / "sweep.json").unlink()
    (sweep_copy / "sweep.json").mkdir()
    assert "sweep.json: got 'a folder'" in _refused(sweep_copy, capsys)


@pytest.mark.parametrize(("change", "words"), [
    (lambda m: m.pop("runs"), "key 'runs': got (nothing|None); allowed: a whole number of runs"),
    (lambda m: m.pop("factors"), "key 'factors': got (nothing|None); allowed: a list of factors"),
    (lambda m: m.__setitem__("factors", [{"low": 1}]), r"key 'factors': got \[\{'low': 1\}\]"),
    (lambda m: m.__setitem__("outcomes", "remittance_fees_usd"), "key 'outcomes': got 'remittance_fees_usd'"),
    (lambda m: m.__setitem__("design", "random"), "key 'design': got 'random'; allowed: one of grid, latin"),
    (lambda m: m.__setitem__("runs", "8"), "key 'runs': got '8'; allowed: a whole number of runs"),
    (lambda m: m.clear(), "key 'design': got (nothing|None)"),
])
def test_sweep_json_without_the_keys_analysis_reads_is_named(sweep_copy, capsys, change, words):
    meta = json.loads((sweep_copy / "sweep.json").read_text())
    change(meta)
    (sweep_copy / "sweep.json").write_text(json.dumps(meta))
    err = _refused(sweep_copy, capsys)
    assert re.search(re.escape(f"{sweep_copy / 'sweep.json'} ") + words, err) and "as bp-sim sweep writes it" in err


def test_design_that_is_not_parquet_is_named(sweep_copy, capsys):
    (sweep_copy / "design.parquet").write_text("point,point_id\n0,abc\n")
    err = _refused(sweep_copy, capsys)
    assert f"{sweep_copy / 'design.parquet'}: got 'not a readable Parquet file" in err
    assert "allowed: the design table that bp-sim sweep writes (resume the sweep" in err


def test_design_without_its_columns_is_named(sweep_copy, capsys):
    pd.DataFrame({"point": [0, 1]}).to_parquet(sweep_copy / "design.parquet")
    err = _refused(sweep_copy, capsys)
    assert f"{sweep_copy / 'design.parquet'}: got \"no column 'point_id'\"" in err


@pytest.mark.parametrize("content", [b"", b"PAR1 not really", b"\x00\xff" * 100])
def test_result_file_that_is_not_parquet_is_named(sweep_copy, capsys, content):
    bad = sorted((sweep_copy / "results").glob("*.parquet"))[0]
    bad.write_bytes(content)
    err = _refused(sweep_copy, capsys)
    assert f"{bad}: got 'not a readable Parquet file" in err
    assert "remove it, or resume the sweep, which sets it aside and reruns it" in err


def test_result_file_with_other_columns_is_named(sweep_copy, capsys):
    bad = sweep_copy / "results" / "stray.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(bad)
    err = _refused(sweep_copy, capsys)
    assert f"{bad}: got \"columns ['x']\"; allowed: a result file of this sweep, with columns ['run_id'" in err
    assert "move it out of results/" in err


def test_a_result_set_aside_by_the_sweep_is_skipped(sweep_copy, capsys):
    """What the message advises: the sweep's resume sets the bad file aside; analyse then reads the rest."""
    from bp_sim.sweep.store import Store

    bad = sorted((sweep_copy / "results").glob("*.parquet"))[0]
    bad.write_bytes(b"garbage")
    assert len(Store(sweep_copy).finished(3)) == 1
    assert main(["analyse", str(sweep_copy)]) == 0
    assert "1/2 runs analysed" in capsys.readouterr().out

"""Sweep files: bad entries stop everything with one message; designs give the points they promise."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bp_sim.errors import InputError
from bp_sim.sweep.designs import design_points
from bp_sim.sweep.runs import plan
from bp_sim.sweep.spec import load_experiment

from .conftest import GRID, write_experiment

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"

BAD = [  # (what to change, key named in the message, value named, allowed text)
    (dict(factors="[levers.remitance_cost]\nvalues = [1.0]\n"), "levers.remitance_cost", "unknown lever",
     "remittance_cost"),
    (dict(factors="[levers.remittance_cost]\nvalues = [1.0, 40.0]\n"), "levers.remittance_cost.values", "40.0",
     "[0, 15]"),
    (dict(factors="[levers.border_enforcement]\nlow = 0.2\nhigh = 1.5\n", design='type = "latin"\nsamples = 4'),
     "levers.border_enforcement.high", "1.5", "[0, 1]"),
    (dict(factors="[parameters.saving_rate]\nvalues = [0.1, 7]\n"), "parameters.saving_rate.values", "7", "[0, 1]"),
    (dict(factors="[parameters.no_such_parameter]\nvalues = [1]\n"), "parameters.no_such_parameter",
     "unknown parameter", "bp-sim params"),
    (dict(design='type = "factorial"'), "design.type", "factorial", "grid, latin, sobol, morris"),
    (dict(design='type = "sobol"\nsamples = 10', factors=GRID.replace("values = [1.0, 8.0]", "low = 1.0\nhigh = 8.0")
          .replace("values = [1.0, 3.0]", "low = 1.0\nhigh = 3.0")), "design.samples", "10", "a power of 2"),
    (dict(design='type = "latin"\nsamples = 4'), "levers.remittance_cost.values", "[1.0, 8.0]", "lists are for design"),
    (dict(outcomes='["irregular_departures", "happiness"]'), "experiment.outcomes", "happiness",
     "irregular_arrivals_europe"),
    (dict(replicates=0), "run.replicates", "0", "a whole number from 1"),
    (dict(factors=GRID + "colour = 3\n"), "levers.regular_pathways.colour", "unknown key", "values"),
    (dict(factors="[levers.border_enforcement]\nvalues = [0.5]\nwhere = [\"TUR->NOWHERE\"]\n"),
     "levers.border_enforcement.where",
     "TUR->NOWHERE", "routes.csv"),
    (dict(design='type = "morris"\nsamples = 4\nlevels = 3',
          factors="[levers.border_enforcement]\nlow = 0.2\nhigh = 1.0\n"), "design.levels", "3", "an even number"),
    (dict(design='type = "latin"\nsamples = 4', factors="[levers.remittance_cost]\nlow = 1\nhigh = 9\n"
          "distribution = \"gamma\"\n"), "levers.remittance_cost.distribution", "gamma", "uniform, triangular"),
]


@pytest.mark.parametrize(("change", "key", "value", "allowed"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_entry_is_one_clear_error(tmp_path, change, key, value, allowed):
    path = write_experiment(tmp_path, **change)
    with pytest.raises(InputError) as err:
        load_experiment(path)
    text = str(err.value)
    assert err.value.where == key, text
    assert value in text and allowed in text, text


def test_cli_bad_sweep_exits_2_with_one_line_and_runs_nothing(tmp_path):
    path = write_experiment(tmp_path, factors="[levers.remittance_cost]\nvalues = [1.0, 40.0]\n")
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "bp_sim.cli", "sweep", str(path), "--out", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert "levers.remittance_cost.values" in res.stderr and "40.0" in res.stderr and "[0, 15]" in res.stderr
    assert not out.exists()


def test_grid_is_every_combination_in_order(tmp_path):
    exp = load_experiment(write_experiment(tmp_path))
    pts = design_points(exp)
    assert pts.tolist() == [[1.0, 1.0], [1.0, 3.0], [8.0, 1.0], [8.0, 3.0]]
    _, runs = plan(exp)
    assert len(runs) == 8 and len({r.run_id for r in runs}) == 8
    assert sorted({r.seed for r in runs}) == [5, 6]  # replicate r: seed + r, the same at every point
    by_point = {}
    for r in runs:
        by_point.setdefault(r.point_id, []).append((r.replicate, r.seed))
    assert all(sorted(v) == [(0, 5), (1, 6)] for v in by_point.values())


def test_grid_levels_from_a_range(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, factors="[levers.remittance_cost]\nlow = 1\nhigh = 9\nlevels = 5\n"))
    assert design_points(exp)[:, 0].tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]


SAMPLED = """
[levers.border_enforcement]
low = 0.2
high = 1.0
[levers.remittance_cost]
low = 1.0
high = 10.0
distribution = "triangular"
mode = 3.0
[levers.asylum_capacity]
low = 0.5
high = 3.0
distribution = "loguniform"
[parameters.remit_cost_elasticity]
distribution = "normal"
mean = 0.2
sd = 0.1
low = 0.0
high = 1.0
"""


def test_sampled_designs_sizes_ranges_and_seeds(tmp_path):
    latin = load_experiment(write_experiment(tmp_path, "l", design='type = "latin"\nsamples = 200\nseed = 3',
                                             factors=SAMPLED))
    pts = design_points(latin)
    assert pts.shape == (200, 4)
    for k, f in enumerate(latin.factors):
        assert f.low <= pts[:, k].min() and pts[:, k].max() <= f.high
    u = (pts[:, 0] - 0.2) / 0.8  # uniform factor: one point in each of the 200 equal strata (Latin hypercube)
    assert len(np.unique(np.floor(u * 200).astype(int))) == 200
    assert np.median(pts[:, 1]) < 5.5  # triangular with mode 3 on [1, 10]: median 4.4
    assert np.median(pts[:, 2]) == pytest.approx(np.sqrt(0.5 * 3.0), rel=0.1)  # log-uniform median
    assert abs(np.mean(pts[:, 3]) - 0.2) < 0.03  # truncated normal around 0.2
    assert np.array_equal(pts, design_points(latin))  # the design's seed fixes the points
    other = load_experiment(write_experiment(tmp_path, "l2", design='type = "latin"\nsamples = 200\nseed = 4',
                                             factors=SAMPLED))
    assert not np.array_equal(pts, design_points(other))

    sobol = load_experiment(write_experiment(tmp_path, "s", design='type = "sobol"\nsamples = 8', factors=SAMPLED))
    assert design_points(sobol).shape == (8 * (4 + 2), 4)
    sobol2 = load_experiment(write_experiment(tmp_path, "s2", design='type = "sobol"\nsamples = 8\nsecond_order = true',
                                              factors=SAMPLED))
    assert design_points(sobol2).shape == (8 * (2 * 4 + 2), 4)
    morris = load_experiment(write_experiment(tmp_path, "m", design='type = "morris"\nsamples = 5\nlevels = 4',
                                              factors="[levers.border_enforcement]\nlow = 0.2\nhigh = 1.0\n"
                                                      "[levers.search_and_rescue]\nlow = 0\nhigh = 1\n"))
    mp = design_points(morris)
    assert mp.shape == (5 * 3, 2)
    assert set(np.round(mp[:, 1], 9)) <= {0.0, round(1 / 3, 9), round(2 / 3, 9), 1.0}  # a 4-level grid


def test_shipped_experiments_are_valid():
    expected = {"smoke_grid": (48, "grid"), "lhs_ten_levers": (200, "latin"), "sobol_sensitivity": (768, "sobol"),
                "morris_screening": (90, "morris")}
    for name, (runs, design) in expected.items():
        exp = load_experiment(EXPERIMENTS / f"{name}.toml")
        assert exp.design == design and len(plan(exp)[1]) == runs, name
    assert len(load_experiment(EXPERIMENTS / "lhs_ten_levers.toml").factors) == 10

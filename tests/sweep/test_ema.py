"""EMA Workbench adapter: the declared levers, uncertainties and outcomes, and experiments that run."""

import subprocess
import sys
from pathlib import Path

import pytest

from bp_sim.errors import InputError

ema = pytest.importorskip("ema_workbench")

from bp_sim.sweep.ema_adapter import SilkRoutesFunction, ema_model  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "experiments" / "ema_example.py"


def test_model_declares_levers_uncertainties_and_outcomes():
    model = ema_model(levers={"remittance_cost": (1.0, 10.0)}, uncertainties=["remit_cost_elasticity"],
                      outcomes=["remittance_fees_usd"], years=8 / 52, agents=2000)
    assert [p.name for p in model.levers] == ["remittance_cost"]
    assert (model.levers["remittance_cost"].lower_bound, model.levers["remittance_cost"].upper_bound) == (1.0, 10.0)
    u = model.uncertainties["remit_cost_elasticity"]
    assert (u.lower_bound, u.upper_bound) == (0.0, 5.0)  # the parameter's whole allowed range
    assert [o.name for o in model.outcomes] == ["remittance_fees_usd"]
    with pytest.raises(InputError, match=r"levers\.remittance_cost.*40"):
        ema_model(levers={"remittance_cost": (1.0, 40.0)})
    with pytest.raises(InputError, match="uncertainties.nonsense"):
        ema_model(uncertainties=["nonsense"])


def test_experiments_run_with_common_random_numbers():
    model = ema_model(levers={"remittance_cost": (1.0, 10.0)}, uncertainties={"remit_cost_elasticity": (0.1, 0.5)},
                      outcomes=["remittance_fees_usd"], years=8 / 52, agents=2000, seed=4, replications=2)
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=2)
    assert len(experiments) == 4 and outcomes["remittance_fees_usd"].shape == (4,)
    fn = model.function
    assert isinstance(fn, SilkRoutesFunction)
    row = experiments.iloc[0]
    values = {"remittance_cost": row.remittance_cost, "remit_cost_elasticity": row.remit_cost_elasticity}
    expected = (fn(seed=4, **values)["remittance_fees_usd"] + fn(seed=5, **values)["remittance_fees_usd"]) / 2
    assert outcomes["remittance_fees_usd"][0] == pytest.approx(expected, rel=1e-12)  # mean of seeds 4 and 5


def test_example_script_runs():
    res = subprocess.run([sys.executable, str(EXAMPLE), "--scenarios", "2", "--policies", "2", "--agents", "2000",
                          "--years", "0.2"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "remittances_received_usd" in res.stdout and "irregular_departures" in res.stdout

"""The notebooks in notebooks/ run from top to bottom (small sizes) and are stored without outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
GUARD_S = 600  # last-resort deadline for the kernel to start and for each cell (not a measure of speed)


@pytest.fixture(scope="module")
def warm_engine():
    """Compile (or load) the engine here first, so the notebooks' kernels only load it from the cache."""
    from bp_sim.warmup import warm_up_engine

    warm_up_engine(who="tests/test_notebooks")


def test_the_four_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == ["01_tutorial", "02_policy_comparison", "03_sweep_sensitivity",
                                          "04_model_internals"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, warm_engine):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=GUARD_S, startup_timeout=GUARD_S, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors

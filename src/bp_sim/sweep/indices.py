"""Sensitivity indices with SALib for the designs made for them.

Sobol' designs give first-order (S1) and total (ST) indices, Morris designs give mu* and sigma.
The model output at each design point is the replicate mean, in the design's order (SALib
reads the order). An outcome with a missing point (a run not done or failed) or a NaN value is
left out, with a note saying why; indices need the whole design.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

SOBOL_COLUMNS = ["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["outcome", "factor", "mu", "mu_star", "mu_star_conf", "sigma"]


def _outputs(means: pd.DataFrame, outcome: str, n_points: int) -> tuple[np.ndarray | None, str | None]:
    y = means[means.outcome == outcome].sort_values("point")["mean"].to_numpy(float)
    if len(y) != n_points or np.isnan(y).any():
        missing = n_points - int(np.isfinite(y).sum())
        return None, f"{outcome}: {missing} of {n_points} design points have no value (runs missing, or NaN)"
    if np.ptp(y) == 0:
        return None, f"{outcome}: the same value at every design point, so no index"
    return y, None


def sensitivity(meta: dict, design: pd.DataFrame, means: pd.DataFrame) -> tuple[pd.DataFrame | None, list[str]]:
    """Sobol' or Morris indices per outcome and factor (None for other designs), and notes."""
    kind = meta["design"]
    if kind not in ("sobol", "morris"):
        return None, []
    factors = [f["name"] for f in meta["factors"]]
    problem = {"num_vars": len(factors), "names": factors, "bounds": [[f["low"], f["high"]] for f in meta["factors"]]}
    seed = int(meta.get("design_seed", 0))
    design = design.sort_values("point")
    rows, notes = [], []
    for outcome in meta["outcomes"]:
        y, note = _outputs(means, outcome, len(design))
        if y is None:
            notes.append(note)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "sobol":
                from SALib.analyze import sobol

                si = sobol.analyze(problem, y, calc_second_order=bool(meta["second_order"]), seed=seed)
                for k, f in enumerate(factors):
                    rows.append({"outcome": outcome, "factor": f, "S1": si["S1"][k], "S1_conf": si["S1_conf"][k],
                                 "ST": si["ST"][k], "ST_conf": si["ST_conf"][k]})
            else:
                from SALib.analyze import morris

                x = design[factors].to_numpy(float)
                si = morris.analyze(problem, x, y, num_levels=int(meta["levels"]), seed=seed)
                for k, f in enumerate(factors):
                    rows.append({"outcome": outcome, "factor": f, "mu": si["mu"][k], "mu_star": si["mu_star"][k],
                                 "mu_star_conf": si["mu_star_conf"][k], "sigma": si["sigma"][k]})
    return pd.DataFrame(rows, columns=SOBOL_COLUMNS if kind == "sobol" else MORRIS_COLUMNS), notes

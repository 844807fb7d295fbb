"""Tidy tables of a sweep's results: outcome means per design point, and by lever value.

Values are horizon totals (flows summed over the horizon, stocks and rates averaged over weeks,
as in `bp-sim compare`); units are those of `bp_sim.outcomes.OUTCOMES`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bp_sim.stats import mean_ci

MAX_EXACT_LEVELS = 12  # a factor with more distinct values is binned
BINS = 5  # quantile bins of a sampled factor


def point_means(results: pd.DataFrame, design: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """One row per design point (design order) and outcome: mean, sd and count over replicates.

    Points with equal values share their runs (same point_id), so each gets the shared means.
    """
    stats = (results.groupby(["point_id", "outcome"], sort=False)["value"]
             .agg(mean="mean", sd="std", replicates="count").reset_index())
    out = design[["point", "point_id", *factors]].merge(stats, on="point_id", how="left")
    return out.sort_values(["point", "outcome"], kind="stable").reset_index(drop=True)


def _levels(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The level each run falls in: its exact value, or a quantile bin (label, low, high)."""
    distinct = np.unique(values.to_numpy())
    if len(distinct) <= MAX_EXACT_LEVELS:
        return values, values, values
    bins = pd.qcut(values, BINS, duplicates="drop")
    low = bins.map(lambda iv: iv.left).astype(float)
    high = bins.map(lambda iv: iv.right).astype(float)
    return (low + high) / 2, low, high


def by_factor(results: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """Outcome by each factor's value, pooled over the other factors and replicates.

    Columns: factor, level (the value, or a bin's midpoint), level_low, level_high, outcome,
    mean, ci_low, ci_high (95% t-interval over the runs in the level), runs.
    """
    rows = []
    for f in factors:
        level, low, high = _levels(results[f])
        frame = results.assign(_level=level.to_numpy(), _low=low.to_numpy(), _high=high.to_numpy())
        for (lv, lo, hi, outcome), grp in frame.groupby(["_level", "_low", "_high", "outcome"], sort=True):
            m, cl, ch = mean_ci(grp["value"].to_numpy())
            rows.append({"factor": f, "level": lv, "level_low": lo, "level_high": hi, "outcome": outcome,
                         "mean": m, "ci_low": cl, "ci_high": ch, "runs": int(grp["value"].notna().sum())})
    return pd.DataFrame(rows, columns=["factor", "level", "level_low", "level_high", "outcome", "mean", "ci_low",
                                       "ci_high", "runs"])

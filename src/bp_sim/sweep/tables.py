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


def _levels(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, bool]:
    """The level each run falls in: its exact value, or a quantile bin (midpoint, low, high); exact?"""
    distinct = np.unique(values.to_numpy())
    if len(distinct) <= MAX_EXACT_LEVELS:
        return values, values, values, True
    bins = pd.qcut(values, BINS, duplicates="drop")
    low = bins.map(lambda iv: iv.left).astype(float)
    high = bins.map(lambda iv: iv.right).astype(float)
    return (low + high) / 2, low, high, False


def _paired(results: pd.DataFrame, f: str, factors: list[str]) -> dict[tuple[float, str], tuple[float, float, float]]:
    """Mean and 95% CI of (value at a level) - (value at the lowest level), paired by run.

    A pair is two runs that differ only in this factor: same other factors, same replicate and
    so the same seed (common random numbers), which is what makes the difference precise.
    Only for factors on a grid of exact values; others have no pairs.
    """
    keys = [g for g in factors if g != f] + ["replicate", "outcome"]
    wide = results.pivot_table(index=keys, columns=f, values="value", aggfunc="first", dropna=False)
    if wide.shape[1] < 2:
        return {}
    lowest = wide.columns.min()
    out = {}
    for level in wide.columns:
        diff = (wide[level] - wide[lowest]).dropna()
        for outcome, d in diff.groupby(level="outcome"):
            out[(float(level), str(outcome))] = mean_ci(d.to_numpy())
    return out


def by_factor(results: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """Outcome by each factor's value, pooled over the other factors and replicates.

    Columns: factor, level (the value, or a bin's midpoint), level_low, level_high, outcome,
    mean, ci_low, ci_high (95% t-interval over the runs in the level), runs, and on grids
    diff_vs_lowest, diff_ci_low, diff_ci_high: the paired difference against the factor's
    lowest level (see `_paired`).
    """
    rows = []
    for f in factors:
        level, low, high, exact = _levels(results[f])
        paired = _paired(results, f, factors) if exact else {}
        frame = results.assign(_level=level.to_numpy(), _low=low.to_numpy(), _high=high.to_numpy())
        for (lv, lo, hi, outcome), grp in frame.groupby(["_level", "_low", "_high", "outcome"], sort=True):
            m, cl, ch = mean_ci(grp["value"].to_numpy())
            d, dl, dh = paired.get((float(lv), str(outcome)), (np.nan, np.nan, np.nan))
            rows.append({"factor": f, "level": lv, "level_low": lo, "level_high": hi, "outcome": outcome,
                         "mean": m, "ci_low": cl, "ci_high": ch, "runs": int(grp["value"].notna().sum()),
                         "diff_vs_lowest": d, "diff_ci_low": dl, "diff_ci_high": dh})
    return pd.DataFrame(rows, columns=["factor", "level", "level_low", "level_high", "outcome", "mean", "ci_low",
                                       "ci_high", "runs", "diff_vs_lowest", "diff_ci_low", "diff_ci_high"])

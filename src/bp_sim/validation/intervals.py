"""Runs against figures: the median and central intervals of a set of runs, whether each figure
lies inside them, and how far the median is from it.

`runs` is (runs, figures): one value per run and figure (NaN where a run has none); `expected` is
each figure times the model's share of it (`Target.expected`). The shares are plain means over the
figures, so a calibrated model's 50% and 90% intervals hold about 50% and 90% of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = (0.5, 0.9)  # central intervals reported: 50% and 90% of the runs
NEAR = (0.10, 0.35)  # the hindcast goal's distances of the median from the figure: 10% and 35% (issue 14)


def summarise_runs(runs: np.ndarray) -> pd.DataFrame:
    """Per figure: the runs' median and the bounds of the central 50% and 90% intervals (NaN-safe)."""
    runs = np.asarray(runs, float)
    if runs.ndim != 2:
        raise ValueError(f"runs must be (runs, figures), got shape {runs.shape}")
    out = {"runs": np.sum(np.isfinite(runs), axis=0), "median": _q(runs, 0.5)}
    for level in LEVELS:
        tail = (1.0 - level) / 2.0
        out[f"low{_pct(level)}"] = _q(runs, tail)
        out[f"high{_pct(level)}"] = _q(runs, 1.0 - tail)
    return pd.DataFrame(out)


def against(summary: pd.DataFrame, expected: np.ndarray) -> pd.DataFrame:
    """The summary with, per figure: inside each interval (bounds included), the median's relative
    distance from the figure (median / figure - 1) and whether it is within each of NEAR."""
    expected = np.asarray(expected, float)
    out = summary.copy()
    out["expected"] = expected
    for level in LEVELS:
        lo, hi = out[f"low{_pct(level)}"].to_numpy(), out[f"high{_pct(level)}"].to_numpy()
        out[f"inside{_pct(level)}"] = (lo <= expected) & (expected <= hi)
    out["relative_error"] = out["median"].to_numpy() / expected - 1.0
    for near in NEAR:
        out[f"within{_pct(near)}pct"] = np.abs(out["relative_error"].to_numpy()) <= near + 1e-12
    return out


def shares(table: pd.DataFrame) -> dict[str, float]:
    """The share of figures inside each interval and within each distance (figures with runs only)."""
    ok = table["runs"].to_numpy() > 0
    keys = [f"inside{_pct(level)}" for level in LEVELS] + [f"within{_pct(near)}pct" for near in NEAR]
    return {k: float(table.loc[ok, k].mean()) if ok.any() else float("nan") for k in keys}


def goal_met(s: dict[str, float]) -> bool:
    """Issue 14's hindcast goal: at least half of the figures within 10% of the median, all within 35%."""
    return s[f"within{_pct(NEAR[0])}pct"] >= 0.5 and s[f"within{_pct(NEAR[1])}pct"] == 1.0


def _pct(x: float) -> int:
    return round(100 * x)


def _q(runs: np.ndarray, p: float) -> np.ndarray:
    out = np.full(runs.shape[1], np.nan)
    has = np.isfinite(runs).any(axis=0)
    if has.any():
        out[has] = np.nanquantile(runs[:, has], p, axis=0)
    return out

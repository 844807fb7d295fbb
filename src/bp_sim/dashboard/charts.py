"""Time-series charts of the main outcomes: the scenario (solid) beside the baseline (dashed).

Drawn with Matplotlib's object API (no pyplot state, safe from the server's threads) and returned
as PNG bytes: the page shows them as an image and the export button hands out the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
from matplotlib.figure import Figure

from bp_sim.outcomes import OUTCOME_INDEX

# (outcome, title, unit) of each panel
CHART_OUTCOMES = (
    ("irregular_arrivals_europe", "Irregular arrivals in Europe", "persons / week"),
    ("irregular_departures", "Irregular departures", "persons / week"),
    ("deaths_missing", "Dead and missing", "persons / week"),
    ("smuggler_revenue_usd", "Smuggler revenue", "USD / week"),
    ("regular_departures", "Regular departures", "persons / week"),
    ("asylum_backlog", "Asylum backlog", "persons"),
    ("remittances_received_usd", "Remittances received", "USD / week"),
    ("trafficking_victims", "Trafficking victims", "persons / week"),
)
SMOOTH_WEEKS = 4  # weekly counts rest on few agents: plot a trailing 4-week mean


def smoothed(values: np.ndarray, weeks: int = SMOOTH_WEEKS) -> np.ndarray:
    """Trailing mean over up to `weeks` weeks (NaN weeks skipped; NaN where all are)."""
    ok = ~np.isnan(values)
    sums = np.concatenate([[0.0], np.cumsum(np.where(ok, values, 0.0))])
    counts = np.concatenate([[0], np.cumsum(ok)])
    hi = np.arange(1, len(values) + 1)
    lo = np.maximum(hi - weeks, 0)
    n = counts[hi] - counts[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[hi] - sums[lo]) / n, np.nan)


def chart_png(scenario: np.ndarray, baseline: np.ndarray, start: dt.date, title: str = "") -> bytes:
    """PNG of the chart grid for two (weeks, outcomes) series that start on `start`."""
    fig = Figure(figsize=(11, 5.2), dpi=72)
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.08, top=0.9, wspace=0.35, hspace=0.3)
    axes = fig.subplots(2, 4, sharex=True)
    weeks = len(scenario)
    # decimal years: plain floats draw much faster than date axes
    year0 = start.year + (start.timetuple().tm_yday - 1) / 365.25
    dates = year0 + np.arange(weeks) * 7 / 365.25
    for ax, (name, label, unit) in zip(axes.flat, CHART_OUTCOMES, strict=True):
        j = OUTCOME_INDEX[name]
        if weeks:
            ax.plot(dates, smoothed(baseline[:, j]), color="0.45", linestyle="--", linewidth=1.4, label="baseline")
            ax.plot(dates, smoothed(scenario[:, j]), color="tab:red", linewidth=1.6, label="scenario")
        ax.set_title(label, fontsize=10)
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    if weeks:
        axes.flat[0].legend(fontsize=8, loc="upper left")
    if weeks <= 1:
        axes.flat[0].set_xlim(year0, year0 + 0.1)
    for ax in axes.flat:
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 5))
        ax.ticklabel_format(axis="x", useOffset=False)
    if title:
        fig.suptitle(title, fontsize=11)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()

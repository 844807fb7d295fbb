"""Figures and the readable report of `bp-sim compare`."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from bp_sim.levers.setting import pieces
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.plots import plain
from bp_sim.stats import t975

MAIN = ("regular_departures", "irregular_departures", "irregular_arrivals_europe", "asylum_applications",
        "deaths_missing", "smuggler_revenue_usd", "remittances_received_usd", "asylum_backlog",
        "returns_forced", "trafficking_victims", "migrant_employment_rate", "remigrated")


def plot_series(names: list[str], dates, series: np.ndarray, path: Path) -> None:
    """Weekly series (4-week means) with 95% bands over replicates, one line per scenario.

    Fixed margins and one tick a year, not `tight_layout` and automatic date ticks: those measure
    every label of the twelve panels and took about 3 of the report's seconds (most of the main
    job's time outside the runs)."""
    fig, axes = plt.subplots(3, 4, figsize=(18, 11), sharex=True)
    fig.subplots_adjust(left=0.04, right=0.99, bottom=0.05, top=0.92, wspace=0.22, hspace=0.18)
    reps = series.shape[1]
    x = mdates.date2num(dates)
    for ax, outcome in zip(axes.flat, MAIN, strict=True):
        j = OUTCOME_INDEX[outcome]
        for k, name in enumerate(names):
            s = pd.DataFrame(series[k, :, :, j].T).rolling(4, min_periods=1).mean().to_numpy().T
            m = np.nanmean(s, axis=0)
            half = t975(reps - 1) * np.nanstd(s, axis=0, ddof=1) / np.sqrt(reps)
            ax.plot(x, m, label=plain(name), linewidth=1.2)
            ax.fill_between(x, m - half, m + half, alpha=0.2)
        ax.set_title(outcome.replace("_", " "), fontsize=10)
        ax.grid(alpha=0.3)
    axes.flat[0].xaxis.set_major_locator(mdates.YearLocator())
    axes.flat[0].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"Scenarios against {plain(names[0])}: means and 95% bands over {reps} replicates")
    fig.savefig(path, dpi=85)
    plt.close(fig)


def plot_differences(summary: pd.DataFrame, names: list[str], path: Path) -> None:
    """Paired differences against the baseline (% of the baseline) with 95% intervals."""
    others = names[1:]
    fig, ax = plt.subplots(figsize=(12, 1.2 + 0.45 * len(MAIN) * max(1, len(others)) ** 0.5 + 2))
    y = np.arange(len(MAIN))
    height = 0.8 / len(others)
    for k, name in enumerate(others):
        rows = summary[(summary.scenario == name)].set_index("outcome").loc[list(MAIN)]
        base = summary[summary.scenario == names[0]].set_index("outcome").loc[list(MAIN), "mean"].to_numpy()
        scale = np.full(base.shape, np.nan)
        np.divide(100.0, np.abs(base), out=scale, where=base != 0)
        d = rows.diff_vs_baseline.to_numpy() * scale
        lo = rows.diff_ci_low.to_numpy() * scale
        hi = rows.diff_ci_high.to_numpy() * scale
        ax.barh(y + k * height, d, height=height, label=plain(name),
                xerr=np.vstack([d - lo, hi - d]), capsize=2, alpha=0.8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y + 0.4 - height / 2, [m.replace("_", " ") for m in MAIN])
    ax.set_xlabel(f"difference from {plain(names[0])}, % of its mean (95% paired interval)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=85)
    plt.close(fig)


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.2f} bn"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f} M"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def write_report(summary: pd.DataFrame, scenarios, info: dict, path: Path) -> None:
    """A report a person can read: what each scenario changed and which outcomes moved."""
    base = scenarios[0].name
    lines = [f"# Scenario comparison against `{base}`", "",
             f"{info['replicates']} replicates per scenario (seeds {info['seed']} to "
             f"{info['seed'] + info['replicates'] - 1}, common random numbers), {info['weeks']} weeks, "
             f"{info['agents'] or 'default'} agents. Flows are totals over the horizon; stocks and rates are "
             "weekly means. Intervals are 95% t-intervals over replicates; differences are paired by "
             "replicate.", ""]
    if info.get("posterior"):
        lines += [f"**Parameter uncertainty included.** Replicate r uses parameter set r of `{info['posterior']}` "
                  f"in every scenario ({', '.join(f'`{n}`' for n in info['posterior_parameters'])}), so the intervals "
                  "carry the posterior's spread as well as the random draws'. As many runs again at the sets' median "
                  "measure the random draws alone; the last column says which of the two dominates the difference.", ""]
    if info.get("focus"):
        kind, label = info["focus"].split(" ", 1)
        lines += [f"**Outcomes of {'the people of ' + label if kind == 'origin' else 'the leg ' + label} alone**"
                  + (" (a leg has deaths, interceptions and detections; the other outcomes are empty)."
                     if kind == "route" else "."), ""]
    for sc in scenarios[1:]:
        lines += [f"## {sc.name}", "", sc.description or "", ""]
        if sc.levers:
            lines.append("Levers set:")
            for s in (piece for schedule in sc.levers.values() for piece in pieces(schedule)):
                when = f" from {s.start}" if s.start else ""
                ramp = f" over {s.ramp_weeks} weeks" if s.ramp_weeks else ""
                where = f" on {', '.join(s.where)}" if s.where else ""
                lines.append(f"- `{s.name}` = {s.value:g}{when}{ramp}{where}")
            lines.append("")
        rows = summary[summary.scenario == sc.name].set_index("outcome")
        base_rows = summary[summary.scenario == base].set_index("outcome")
        moved, unclear = [], []
        split = "uncertainty_mostly_from" in rows.columns
        lines += ["| outcome | baseline | scenario | difference | 95% interval | % | interval crosses 0 |"
                  + (" uncertainty mostly from |" if split else ""),
                  "|---|---:|---:|---:|---:|---:|:---:|" + ("---|" if split else "")]
        for outcome in rows.index:
            r, b = rows.loc[outcome], base_rows.loc[outcome]
            crosses = not (r.diff_ci_low > 0 or r.diff_ci_high < 0)
            pct = f"{r.diff_pct:+.1f}%" if np.isfinite(r.diff_pct) else "n/a"
            lines.append(f"| {outcome} | {_fmt(b['mean'])} | {_fmt(r['mean'])} | {_fmt(r.diff_vs_baseline)} | "
                         f"{_fmt(r.diff_ci_low)} to {_fmt(r.diff_ci_high)} | {pct} | {'yes' if crosses else 'no'} |"
                         + (f" {r.uncertainty_mostly_from or 'n/a'} |" if split else ""))
            if np.isfinite(r.diff_pct) and abs(r.diff_pct) >= 1.0:
                (unclear if crosses else moved).append(f"{outcome.replace('_', ' ')} {pct}")
        lines += ["", "In plain words: " + ("; ".join(moved) if moved else "no outcome moved clearly") + ".",
                  ("Moved by 1% or more but the interval crosses zero: " + "; ".join(unclear) + ".") if unclear else "",
                  ""]
    lines += ["Files: `summary.csv`, `runs.parquet` (each replicate's totals), `timeseries.parquet` (each "
              "replicate's weekly series), `timeseries.png`, `differences.png`.", ""]
    path.write_text("\n".join(lines))

"""validation.md and the figures of `bp-sim validate` (matplotlib imported only to draw)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from bp_sim.validation.config import ValidationConfig
from bp_sim.validation.facts import FAILS, HOLDS, OPEN
from bp_sim.validation.intervals import NEAR

LABELS = {"hand_tuned": "hand-tuned", "calibrated": "calibrated"}


def fmt(x: float) -> str:
    """A number for a table: three significant digits, thousands separated."""
    if x is None or not np.isfinite(x):
        return "-"
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:,.3g} bn"
    if a >= 100:
        return f"{x:,.0f}" if a < 1e5 else f"{float(f'{x:.3g}'):,.0f}"
    return f"{x:.3g}"


def _pct(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{100 * x:.0f}%"


def _interval(row: pd.Series, level: int) -> str:
    return f"{fmt(row[f'low{level}'])} to {fmt(row[f'high{level}'])}"


def _hindcast_section(hindcast: pd.DataFrame) -> list[str]:
    hand = hindcast[hindcast.model == "hand_tuned"].reset_index(drop=True)
    cal = hindcast[hindcast.model == "calibrated"].reset_index(drop=True)
    n = len(cal)
    lines = ["## Out of sample: the figures of 2024", "",
             f"{n} figures of 2024 from `shared/data/public_figures.csv` (`bp_sim/data/validation_targets.csv`, never "
             "fitted), each against the runs' median and central 50% and 90% intervals. *Figure* is the published "
             "value times the model's share of it (1 unless the row says otherwise).", "",
             "| row | figure | quantity | period | figure (x share) | hand-tuned median | calibrated median | "
             "calibrated 50% | calibrated 90% | calibrated / figure | in 50% | in 90% |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|:-:|:-:|"]
    for h, c in zip(hand.itertuples(index=False), cal.itertuples(index=False), strict=True):
        what = f"{c.metric} {c.origin} {c.place}".replace("  ", " ").strip()
        ratio = c.median / c.expected if c.expected else np.nan
        lines.append(f"| {c.target} | {c.figures} | {what} | {c.period} | {fmt(c.expected)} | {fmt(h.median)} | "
                     f"{fmt(c.median)} | {fmt(c.low50)} to {fmt(c.high50)} | {fmt(c.low90)} to {fmt(c.high90)} | "
                     f"{ratio:.2f} | {'yes' if c.inside50 else 'no'} | {'yes' if c.inside90 else 'no'} |")
    lines += ["", "| model | inside the 50% interval | inside the 90% interval | median within 10% | median within 35% |",
              "|---|---:|---:|---:|---:|"]
    for model, part in (("hand_tuned", hand), ("calibrated", cal)):
        ok = part[part.runs > 0]
        lines.append(f"| {LABELS[model]} | {int(ok.inside50.sum())} of {len(ok)} ({_pct(ok.inside50.mean())}) | "
                     f"{int(ok.inside90.sum())} of {len(ok)} ({_pct(ok.inside90.mean())}) | "
                     f"{int(ok.within10pct.sum())} ({_pct(ok.within10pct.mean())}) | "
                     f"{int(ok.within35pct.sum())} ({_pct(ok.within35pct.mean())}) |")
    ok = cal[cal.runs > 0]
    near10, near35 = int(ok.within10pct.sum()), int(ok.within35pct.sum())
    met = near10 >= 0.5 * len(ok) and near35 == len(ok)
    far = ok.assign(dist=np.abs(ok.log_error)).sort_values("dist", ascending=False).head(4)
    worst = "; ".join(f"{r.target} ({r.figures}, {r.metric} {r.origin} {r.place}".rstrip() +
                      f"): {r.median / r.expected:.2g} times the figure" for r in far.itertuples(index=False))
    lines += ["", f"**Hindcast goal** (issue 14: at least half of the figures within {NEAR[0]:.0%} of the posterior-"
              f"predictive median, all within {NEAR[1]:.0%}): **{'met' if met else 'not met'}**. {near10} of {len(ok)} "
              f"figures are within {NEAR[0]:.0%} (half would be {math.ceil(0.5 * len(ok))}) and {near35} of {len(ok)} "
              f"within {NEAR[1]:.0%}. Farthest from their figures: {worst}.",
              f"Calibrated intervals would hold about 50% and 90% of the figures; these hold "
              f"{_pct(ok.inside50.mean())} and {_pct(ok.inside90.mean())}.", ""]
    return lines


def _facts_section(facts: pd.DataFrame) -> list[str]:
    lines = ["## Stylized facts, each a paired experiment", ""]
    if facts.empty:
        return [*lines, "No facts in the validation file.", ""]
    reps = int(facts.replicates.max())
    lines += [f"Policy minus base, paired by replicate (seed + r; the calibrated model with posterior set r in both "
              f"scenarios), {reps} replicates: the mean difference in percent of the base and its 95% interval. "
              f"The verdict is read off the interval (`bp_sim/validation/facts.py`): *{HOLDS}*, *{FAILS}*, or "
              f"*{OPEN}* when the interval does not decide.", "",
              "| fact | outcome (whose, until) | expected | hand-tuned: change [95%] | verdict | "
              "calibrated: change [95%] | verdict |", "|---|---|---|---:|---|---:|---|"]
    keys = ["fact", "outcome", "focus", "until"]
    by_model = {m: facts[facts.model == m].set_index(keys) for m in facts.model.unique()}
    cal = facts[facts.model == "calibrated"]
    for r in cal.itertuples(index=False):
        key = (r.fact, r.outcome, r.focus, r.until)
        cells = []
        for m in ("hand_tuned", "calibrated"):
            if m in by_model and key in by_model[m].index:
                x = by_model[m].loc[key]
                x = x.iloc[0] if isinstance(x, pd.DataFrame) else x
                change = (f"{x.diff_pct:+.1f}% [{x.diff_pct_low:+.1f}, {x.diff_pct_high:+.1f}]"
                          if np.isfinite(x.diff_pct) else f"{fmt(x['diff'])} [{fmt(x.diff_low)}, {fmt(x.diff_high)}] "
                          f"(base {fmt(x.base_mean)})")
                cells += [change, f"**{x.verdict}**"]
            else:
                cells += ["-", "-"]
        expect = r.expect + (f" (within ±{r.within_pct:g}%)" if r.expect == "small" else "")
        whose = r.focus + (f", to {r.until}" if r.until else "")
        lines.append(f"| {r.fact} | {r.outcome} ({whose}) | {expect} | " + " | ".join(cells) + " |")
    lines += ["", "| fact | what it says | literature |", "|---|---|---|"]
    for r in cal.drop_duplicates("fact").itertuples(index=False):
        lines.append(f"| {r.fact} | {r.title} | {r.reference} |")
    counts = cal.verdict.value_counts()
    lines += ["", f"Calibrated model: {counts.get(HOLDS, 0)} checks hold, {counts.get(FAILS, 0)} do not hold, "
              f"{counts.get(OPEN, 0)} are not resolved at {reps} replicates.", ""]
    return lines


def _fitted_section(fitted: pd.DataFrame, params: pd.DataFrame) -> list[str]:
    hand = fitted[fitted.model == "hand_tuned"].reset_index(drop=True)
    cal = fitted[fitted.model == "calibrated"].reset_index(drop=True)
    closer = np.abs(cal.log_error) < np.abs(hand.log_error)
    lines = ["## The fitted figures of 2020-2023: what calibration changed", "",
             f"The {len(cal)} targets of `bp_sim/data/targets.csv`, the hand-tuned runs' median beside the calibrated "
             f"runs' (same seeds). Calibrated closer to the figure for {int(closer.sum())} of {len(cal)}; median "
             f"|log(median / figure)| {np.nanmedian(np.abs(hand.log_error)):.2f} hand-tuned, "
             f"{np.nanmedian(np.abs(cal.log_error)):.2f} calibrated; inside the calibrated 90% interval: "
             f"{int(cal.inside90.sum())} of {len(cal)}.", "",
             "| target | figure | quantity | period | figure (x share) | hand-tuned median (ratio) | "
             "calibrated median (ratio) | calibrated 90% | closer |", "|---|---|---|---|---:|---:|---:|---:|:-:|"]
    for h, c, cl in zip(hand.itertuples(index=False), cal.itertuples(index=False), closer, strict=True):
        what = f"{c.metric} {c.origin} {c.place}".replace("  ", " ").strip()
        lines.append(f"| {c.target} | {c.figures} | {what} | {c.period} | {fmt(c.expected)} | {fmt(h.median)} "
                     f"({h.median / h.expected:.2g}) | {fmt(c.median)} ({c.median / c.expected:.2g}) | "
                     f"{fmt(c.low90)} to {fmt(c.high90)} | {'calibrated' if cl else 'hand-tuned'} |")
    lines += ["", "Parameters: the hand-tuned value and the posterior sets' median and 90% range.", "",
              "| parameter | unit | hand-tuned | posterior median | 5% | 95% | median / hand-tuned |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for r in params.itertuples(index=False):
        lines.append(f"| {r.parameter} | {r.unit} | {r.hand_tuned:.4g} | {r.median:.4g} | {r.q05:.4g} | {r.q95:.4g} | "
                     f"{r.median_over_hand_tuned:.2f} |")
    return [*lines, ""]


def page_text(cfg: ValidationConfig, info: dict, hindcast: pd.DataFrame, fitted: pd.DataFrame, facts: pd.DataFrame,
              params: pd.DataFrame) -> str:
    """The whole page."""
    agents = info["agents"]
    head = ["# Validation: the model against 2024, and the stylized facts", "",
            f"Generated by `{info['command']}` on {dt.date.today().isoformat()}: **{info['seconds']:.0f} s** in all "
            f"({info['seconds_hindcast']:.0f} s the hindcast runs, {info['seconds_facts']:.0f} s the facts), "
            f"{info['runs']} runs ({info['backend']}, {info['workers']} workers). Regenerate with the same command.", "",
            f"- validation file: `{info['config']}` ({cfg.name})",
            f"- posterior sets: `{info['posterior']}` (set r is replicate r of the calibrated model)",
            f"- hand-tuned model: the scenario `{cfg.baseline.name}` with the parameters of `parameters.csv`",
            f"- runs: {info['replicates']} replicates of each model through {info['years']:.3g} years "
            f"({info['weeks']} weeks from {cfg.baseline.start_date}), {agents:,} cohorts, movers in rows of "
            f"{info['persons_per_mover']} persons, rows of {info['persons_per_agent_abroad']:g} abroad; facts with "
            f"{info['fact_replicates']} paired replicates; seed {info['seed']}"]
    if info["failed_runs"]:
        head.append(f"- **{len(info['failed_runs'])} runs failed** (left out): " + "; ".join(info["failed_runs"][:3]))
    if cfg.description:
        head += ["", cfg.description.strip()]
    head.append("")
    figs = ["![2024 figures against the runs](hindcast.png)", "", "![Fitted figures, hand-tuned and calibrated](fitted.png)",
            "", "(The figures are in the output folder beside this page.)", ""]
    return "\n".join(head + _hindcast_section(hindcast) + _facts_section(facts) + _fitted_section(fitted, params) + figs)


def draw_all(out: Path, hindcast: pd.DataFrame, fitted: pd.DataFrame) -> dict[str, str]:
    """hindcast.png and fitted.png; returns the figures not drawn and why."""
    from bp_sim.plots import draw_figures

    return draw_figures({"hindcast.png": lambda: _ratio_plot(hindcast, out / "hindcast.png", "2024 figures (never fitted)"),
                         "fitted.png": lambda: _ratio_plot(fitted, out / "fitted.png", "fitted figures, 2020-2023")})


def _ratio_plot(table: pd.DataFrame, path: Path, title: str) -> None:
    """Each figure: the runs' median and 50%/90% intervals over the figure, both models, log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = table[table.model == "calibrated"].reset_index(drop=True)
    n = len(rows)
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * n + 1.4))
    y = np.arange(n)
    for k, (model, colour) in enumerate((("hand_tuned", "tab:grey"), ("calibrated", "tab:blue"))):
        part = table[table.model == model].reset_index(drop=True)
        e = part.expected.to_numpy()
        yy = y + (0.18 if k == 0 else -0.18)
        ax.hlines(yy, part.low90 / e, part.high90 / e, color=colour, lw=1, alpha=0.7)
        ax.hlines(yy, part.low50 / e, part.high50 / e, color=colour, lw=4, alpha=0.8)
        ax.plot(part["median"] / e, yy, "o", color=colour, ms=3.5, label=LABELS[model])
    ax.axvline(1.0, color="black", lw=0.8)
    for near in NEAR:
        ax.axvspan(1 - near, 1 + near, color="tab:green", alpha=0.08)
    ax.set_xscale("log")
    ax.set_yticks(y, [f"{r.target} {r.metric} {r.origin} {r.place}".strip() for r in rows.itertuples(index=False)],
                  fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("runs / figure (median, 50% and 90% intervals; shaded: within 10% and 35%)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

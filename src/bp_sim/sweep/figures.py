"""PNG figures of a sweep: each outcome against each lever, and bar charts of sensitivity indices."""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from bp_sim.outcomes import OUTCOMES

UNITS = {name: unit for name, unit, _ in OUTCOMES}


def _unit(outcome: str) -> str:
    unit = UNITS.get(outcome, "")
    return unit.replace("/week", " over the horizon") if unit.endswith("/week") else f"{unit} (weekly mean)"


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def outcome_by_factor(outcome: str, means: pd.DataFrame, levels: pd.DataFrame, factors: list[str],
                      path: Path) -> Path:
    """One panel per factor: replicate means of every design point, and the mean by level with its 95% CI."""
    cols = min(4, len(factors))
    rows = math.ceil(len(factors) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    pm = means[means.outcome == outcome]
    for ax, f in zip(axes.flat, factors, strict=False):
        ax.scatter(pm[f], pm["mean"], s=10, alpha=0.5, color="tab:blue", label="design point (replicate mean)")
        lv = levels[(levels.factor == f) & (levels.outcome == outcome)].sort_values("level")
        ax.plot(lv["level"], lv["mean"], color="tab:red", marker="o", label="mean by level")
        ax.fill_between(lv["level"].to_numpy(float), lv["ci_low"].to_numpy(float), lv["ci_high"].to_numpy(float),
                        color="tab:red", alpha=0.15, label="95% CI")
        ax.set_xlabel(f)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(factors):]:
        ax.set_visible(False)
    axes[0, 0].set_ylabel(_unit(outcome))
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"{outcome} by lever and parameter value")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def index_bars(outcome: str, indices: pd.DataFrame, kind: str, path: Path) -> Path:
    """Sobol' S1 and ST, or Morris mu* and sigma, per factor, with confidence bars where SALib gives them."""
    d = indices[indices.outcome == outcome]
    x = np.arange(len(d))
    fig, ax = plt.subplots(figsize=(max(5.0, 0.7 * len(d) + 2), 4))
    if kind == "sobol":
        ax.bar(x - 0.2, d["S1"], 0.4, yerr=d["S1_conf"], capsize=3, label="first order S1")
        ax.bar(x + 0.2, d["ST"], 0.4, yerr=d["ST_conf"], capsize=3, label="total ST")
        ax.set_ylabel("Sobol' index (share of variance)")
    else:
        ax.bar(x - 0.2, d["mu_star"], 0.4, yerr=d["mu_star_conf"], capsize=3, label="mu* (mean |effect|)")
        ax.bar(x + 0.2, d["sigma"], 0.4, label="sigma (interactions, non-linearity)")
        ax.set_ylabel("elementary effect, per full range of the input")
    ax.set_xticks(x, d["factor"], rotation=30, ha="right")
    ax.axhline(0, color="black", lw=0.5)
    ax.legend(fontsize=8)
    ax.set_title(outcome if kind == "sobol" else f"{outcome}\n({_unit(outcome)})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

"""Figures of a finished calibration: fit, posterior marginals, pairs (PNG, no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

from bp_sim.calibration.config import CalibrationConfig
from bp_sim.plots import draw_figures, plt

GROUPS = {"stock": "Stocks of people abroad", "claims": "First-time asylum claims in the EU",
          "detections": "Detections by route (the model's share)", "leg_deaths": "Dead and missing",
          "origin_deaths": "Dead and missing", "remittances": "Formal remittance inflows", "fee": "Smuggling fees"}
Z90 = 1.645  # a standard normal's 95% quantile: the observation error's 90% interval


def plot_fit(fit: pd.DataFrame, path: Path) -> None:
    """One panel per target group: each figure (the model's share of it, with its 90% observation
    interval) against the 5-95% band and median of the prior (wave 1) and posterior-predictive runs."""
    groups = list(dict.fromkeys(GROUPS[m] for m in fit.metric))
    fig, axes = plt.subplots(len(groups), 1, figsize=(13, 3.2 * len(groups)), squeeze=False)
    for ax, group in zip(axes[:, 0], groups, strict=True):
        rows = fit[[GROUPS[m] == group for m in fit.metric]].reset_index(drop=True)
        x = np.arange(len(rows))
        ax.vlines(x - 0.15, rows.prior_q05, rows.prior_q95, color="0.6", lw=5, label="prior (wave 1), 5-95%")
        ax.vlines(x + 0.15, rows.posterior_q05, rows.posterior_q95, color="tab:blue", lw=5,
                  label="posterior predictive, 5-95%")
        ax.plot(x + 0.15, rows.posterior_q50, "_", color="navy", ms=14, mew=2)
        lo, hi = rows.expected * np.exp(-Z90 * rows.error_log_sd), rows.expected * np.exp(Z90 * rows.error_log_sd)
        ax.errorbar(x, rows.expected, yerr=[rows.expected - lo, hi - rows.expected], fmt="o", color="tab:red",
                    capsize=3, label="observed x share, 90% error")
        ax.set_yscale("log")
        ax.set_xticks(x, [f"{r.target} {r.origin or ''} {r.place[:22]}\n{r.period[:4]}" for r in rows.itertuples()],
                      fontsize=7, rotation=0)
        ax.set_title(group, fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    axes[0, 0].legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_marginals(cfg: CalibrationConfig, post: pd.DataFrame, path: Path) -> None:
    """The weighted posterior of each free parameter over its prior range (hand-tuned value dashed)."""
    from bp_sim.parameters import SPECS

    n = len(cfg.priors)
    cols = 4
    fig, axes = plt.subplots((n + cols - 1) // cols, cols, figsize=(14, 2.6 * ((n + cols - 1) // cols)), squeeze=False)
    w = post["weight"].to_numpy()
    for ax, p in zip(axes.flat, cfg.priors, strict=False):
        x = post[p.name].to_numpy()
        bins = np.geomspace(p.low, p.high, 25) if p.kind == "loguniform" else np.linspace(p.low, p.high, 25)
        ax.hist(x, bins=bins, weights=w, color="tab:blue", alpha=0.8)
        ax.axvline(SPECS[p.name].value, color="k", ls="--", lw=1)
        if p.kind == "loguniform":
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # the minor ticks' labels overlap on a short decade
        ax.tick_params(labelsize=7)
        ax.set_title(p.name, fontsize=9)
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Posterior marginals (weighted); dashed: the hand-tuned value; x axis: the prior range", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_pairs(cfg: CalibrationConfig, sets: pd.DataFrame, path: Path) -> None:
    """Every pair of free parameters, over the parameter sets drawn from the posterior (unit cube axes)."""
    from bp_sim.calibration.priors import units

    names = [p.name for p in cfg.priors]
    u = units(list(cfg.priors), sets[names].to_numpy(float))
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(1.3 * n, 1.3 * n), squeeze=False)
    for i in range(n):
        for j in range(n):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlim(0, 1)
            if i == j:
                ax.hist(u[:, i], bins=10, range=(0, 1), color="tab:blue")
            else:
                ax.set_ylim(0, 1)
                ax.plot(u[:, j], u[:, i], ".", ms=2, color="tab:blue")
            if j == 0:
                ax.set_ylabel(names[i], fontsize=5, rotation=0, ha="right")
            if i == n - 1:
                ax.set_xlabel(names[j], fontsize=5, rotation=90)
    fig.suptitle("Posterior parameter sets, pairwise (each axis: the prior range from 0 to 1)", fontsize=9)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def draw_all(out: Path, cfg: CalibrationConfig, fit: pd.DataFrame, post: pd.DataFrame, sets: pd.DataFrame) -> dict[str, str]:
    """Every figure; a figure that fails is reported and skipped (the tables are already written)."""
    return draw_figures({"fit.png": lambda: plot_fit(fit, out / "fit.png"),
                         "marginals.png": lambda: plot_marginals(cfg, post, out / "marginals.png"),
                         "pairs.png": lambda: plot_pairs(cfg, sets, out / "pairs.png")})

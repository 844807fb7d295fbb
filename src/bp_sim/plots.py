"""Matplotlib figures of a run's main outcomes (PNG, no display needed)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def plain(text: str) -> str:
    """Text drawn as written: a `$` in a user's scenario name must not start matplotlib mathtext."""
    return text.replace("$", r"\$")


def draw_figures(figures: dict[str, Callable[[], object]], stream=None) -> dict[str, str]:
    """Draw each figure; one that fails is reported and skipped, never losing a finished run's
    data files (written before the figures). Returns name -> error of the figures not drawn."""
    failed = {}
    for name, draw in figures.items():
        try:
            draw()
        except Exception as exc:  # any plotting failure: the run's results matter more than its picture
            plt.close("all")
            failed[name] = f"{type(exc).__name__}: {exc}"
            (stream or sys.stderr).write(f"bp-sim: warning: {name} could not be drawn ({failed[name]}); "
                                         "the data files are complete\n")
    return failed


PANELS = (
    ("Departures", ("regular_departures", "irregular_departures"), "persons / week"),
    ("Arrivals and asylum in Europe", ("irregular_arrivals_europe", "asylum_applications"), "persons / week"),
    ("Borders", ("border_detections", "interceptions"), "per week"),
    ("Deaths and missing", ("deaths_missing", "missing_identified"), "persons / week"),
    ("Smuggling revenue", ("smuggler_revenue_usd",), "USD / week"),
    ("Remittances", ("remittances_sent_usd", "remittances_received_usd"), "USD / week"),
    ("Asylum backlog", ("asylum_backlog",), "persons"),
    ("Returns", ("returns_voluntary", "returns_forced", "reintegrated"), "persons / week"),
    ("Trafficking", ("trafficking_victims", "trafficking_victims_identified"), "persons / week"),
)


def plot_outcomes(ts: pd.DataFrame, out_dir: Path, title: str) -> list[Path]:
    """Write outcomes.png (a grid of the main series, 4-week rolling means) and return paths."""
    fig, axes = plt.subplots(3, 3, figsize=(15, 11), sharex=True)
    dates = pd.to_datetime(ts["date"])
    for ax, (name, cols, unit) in zip(axes.flat, PANELS, strict=True):
        for col in cols:
            ax.plot(dates, ts[col].rolling(4, min_periods=1).mean(), label=col.replace("_", " "))
        ax.set_title(name)
        ax.set_ylabel(unit)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle(plain(title))
    fig.autofmt_xdate()
    fig.tight_layout()
    path = out_dir / "outcomes.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return [path]


def plot_network_flows(model, edge_flows: pd.DataFrame, out_dir: Path) -> Path:
    """Map of the network: places at their coordinates, legs as wide as their total crossings."""
    nodes = model.net.nodes
    totals = edge_flows.groupby("edge")["crossings"].sum()
    fig, ax = plt.subplots(figsize=(13, 8))
    peak = max(float(totals.max()), 1.0)
    for e, r in enumerate(model.net.routes.itertuples(index=False)):
        a, b = nodes.iloc[r.src_i], nodes.iloc[r.dst_i]
        flow = float(totals.get(model.net.edge_label(e), 0.0))
        colour = "tab:blue" if r.mode == "sea" else ("tab:grey" if r.mode == "air" else "tab:brown")
        ax.plot([a.lon, b.lon], [a.lat, b.lat], color=colour, alpha=0.25 + 0.6 * (flow > 0),
                linewidth=0.5 + 8 * flow / peak)
    ax.scatter(nodes.lon, nodes.lat, s=25, color="black", zorder=3)
    for r in nodes.itertuples(index=False):
        ax.annotate(r.node_id, (r.lon, r.lat), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title("Irregular crossings by leg over the run (width); brown land, blue sea, grey air")
    path = out_dir / "network_flows.png"
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path

"""A one-page PNG of a tab (2000 px wide): title, levers and moves, the outcome table and the
eight charts, for a report or a slide."""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib.figure import Figure

from bp_sim.dashboard.export import move_lines
from bp_sim.dashboard.figures import CHART_OUTCOMES, smoothed
from bp_sim.dashboard.outcome_table import outcome_rows
from bp_sim.dashboard.results import Results
from bp_sim.dashboard.shared import preset
from bp_sim.dashboard.state import PageState, scenario_of
from bp_sim.dashboard.units import UNIT_OF, scaled_unit
from bp_sim.levers.setting import pieces
from bp_sim.outcomes import OUTCOME_INDEX

PAGE_INCHES, PAGE_DPI = (20.0, 13.0), 100  # 2000 x 1300 px: readable when printed or projected


def png_filename(state: PageState) -> str:
    return f"{scenario_of(preset(state.preset), state).name}-page.png"


def lever_lines(state: PageState) -> list[str]:
    """The lever settings in force in the tab's scenario, one line per setting."""
    sc = scenario_of(preset(state.preset), state)
    out = []
    for name, schedule in sc.levers.items():
        for s in pieces(schedule):
            when = f"from {s.start}" if s.start else "from the start"
            until = f" until {s.until}" if s.until else ""
            ramp = f", over {s.ramp_weeks} weeks" if s.ramp_weeks else ""
            out.append(f"{name} = {s.value:g} {when}{until}{ramp}")
    return out or ["no lever set: the preset's policies as in the data"]


def page_png(state: PageState, results: dict[str, Results], upto: int | None = None) -> bytes:
    """One page: title, levers, outcome table and the eight charts, as PNG bytes."""
    res = results["a"]
    upto = res.weeks if not upto else min(upto, res.weeks)
    fig = Figure(figsize=PAGE_INCHES, dpi=PAGE_DPI)
    fig.suptitle(f"{res.name} against the baseline: {res.replicates} paired replicate(s), seed {state.seed}, "
                 f"{res.agents:,} agents; totals over weeks 0-{upto}", fontsize=20)
    text = fig.add_axes((0.01, 0.55, 0.30, 0.38))
    text.axis("off")
    lines = ["Levers"] + [textwrap.shorten(s, 70) for s in lever_lines(state)]
    if state.moves:
        lines += ["", f"Moves on the page ({len(state.moves)})"] + [textwrap.shorten(s, 70) for s in move_lines(state)]
    text.text(0, 1, "\n".join(lines[:34]), va="top", fontsize=12, family="monospace")
    table = fig.add_axes((0.33, 0.55, 0.66, 0.38))
    table.axis("off")
    rows = outcome_rows(res, upto)
    cells = [[r.words, r.baseline_text, r.scenario_text, r.diff_text, r.verdict] for r in rows]
    tab = table.table(cellText=cells, colLabels=["outcome", "baseline", "scenario", "difference (95%)", "verdict"],
                      loc="upper center", cellLoc="left")
    tab.auto_set_font_size(False)
    tab.set_fontsize(12)
    tab.scale(1, 1.7)
    _charts(fig, res, upto)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _charts(fig: Figure, res: Results, upto: int) -> None:
    grid = fig.add_gridspec(2, 4, left=0.05, right=0.99, bottom=0.05, top=0.5, wspace=0.3, hspace=0.45)
    years = np.array([d.year + (d.timetuple().tm_yday - 1) / 365.25 for d in res.dates()])[:upto]
    scen, base = res.stacked("scenario").mean(axis=0), res.stacked("baseline").mean(axis=0)
    for k, (name, title) in enumerate((o[0], o[1]) for o in CHART_OUTCOMES):
        ax = fig.add_subplot(grid[k // 4, k % 4])
        j = OUTCOME_INDEX[name]
        b, s = smoothed(base[:upto, j]), smoothed(scen[:upto, j])
        peak = float(np.nanmax(np.abs(np.concatenate([b, s])))) if upto else 0.0
        div, unit = scaled_unit(UNIT_OF[name], peak)
        ax.plot(years, b / div, color="0.35", linestyle="--", linewidth=2.5, label="baseline")
        ax.plot(years, s / div, color="tab:red", linewidth=1.8, label="scenario")
        ax.set_title(title, fontsize=14)
        ax.set_ylabel(unit, fontsize=11)
        ax.tick_params(labelsize=11)
        ax.grid(alpha=0.3)
        if k == 0:
            ax.legend(fontsize=11)

"""The page's views of one `Results`: the outcome panel, charts drawn in the browser (ECharts),
the trade-offs, package A against B, the map, the projector's four panels.

Every view sits behind `Guarded`, an error boundary: a view that fails says so in a sentence and
the rest of the page goes on.
"""
# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

from collections.abc import Callable
from html import escape

import solara

from bp_sim.dashboard.bar_figures import packages_option, tradeoff_option
from bp_sim.dashboard.figures import (
    CHART_OUTCOMES,
    PROJECTOR_FONT_SIZE,
    PROJECTOR_OUTCOMES,
    mark_notes,
    projector_option,
    timeseries_height,
    timeseries_option,
)
from bp_sim.dashboard.map_figure import map_option
from bp_sim.dashboard.outcome_table import outcome_rows, packages, trade_off
from bp_sim.dashboard.results import Results
from bp_sim.dashboard.shared import shared_network

VERDICT_COLOURS = {"welcome": "#1b7f3b", "unwelcome": "#b3261e"}  # green, red; the rest grey
GREY = "#5f6368"
PROJECTOR_PX = 600  # the four panels within a 768 px high screen, below the run controls
ROW_PX, BARS_MARGIN_PX = 72, 110  # bar charts: height per outcome (two-line labels, two bars), axes and legend


@solara.component
def Guarded(guard_title: str, component: Callable, **kwargs):
    """An error boundary: draw `component(**kwargs)`; if it fails, a message in its place (never
    a stack trace) and a button to try again."""
    exc, clear = solara.use_exception()
    if exc is not None:
        with solara.Card(guard_title, classes=["bp-view-error"]):
            solara.Error(f"This view could not be drawn ({type(exc).__name__}: {exc}). The rest of the page "
                         "works; try again, or change a setting.")
            solara.Button("Try again", on_click=clear)
        return
    component(**kwargs)


def _chart(option: dict, height: str, css: str) -> None:
    solara.FigureEcharts(option=option, attributes={"style": f"height: {height}; width: 100%;", "class": css},
                         responsive=True)


@solara.component
def OutcomePanel(results: Results, upto: int, results_for: str = "", compact: bool = False,
                 only: tuple[str, ...] | None = None):
    """Baseline, scenario and the difference for each headline outcome, coloured by whether the
    change is welcome, with the paired interval once there are replicates.

    One HTML element, so the browser replaces the whole table at once; `data-for` names the
    state (as in the tab's address) whose runs it shows."""
    if upto < 1:
        body = "<p>Week 0: nothing has happened yet. Press Play, or move the week slider.</p>"
    else:
        rows = [r for r in outcome_rows(results, upto) if only is None or r.name in only]
        body = outcome_table_html(rows, "1.25em" if compact else "1.05em")
    solara.HTML(tag="div", unsafe_innerHTML=body, classes=["bp-outcome-panel"],
                attributes={"data-for": results_for})


def outcome_table_html(rows: list, font_size: str) -> str:
    """The outcome rows as an HTML table (every text escaped)."""
    head = "".join(f"<th style='text-align:left'>{h}</th>" for h in
                   ("Outcome", "Baseline", "Scenario", "Difference (95% paired interval)", ""))
    out = [f"<table class='bp-outcomes' style='width:100%; font-size:{font_size}; border-collapse:collapse'>",
           f"<tr>{head}</tr>"]
    for r in rows:
        colour = VERDICT_COLOURS.get(r.verdict, GREY)
        note = f"<br><span style='font-size:0.8em'>{escape(r.note)}</span>" if r.note else ""
        out.append(
            f"<tr class='bp-row bp-row-{escape(r.name)}'><td>{escape(r.words)}</td><td>{escape(r.baseline_text)}</td>"
            f"<td>{escape(r.scenario_text)}</td><td style='color:{colour}'><b>{escape(r.diff_text)}</b><br>"
            f"<span style='font-size:0.85em'>{escape(r.interval_text)}</span></td><td style='color:{colour}'>"
            f"<span class='bp-verdict'>{escape(r.verdict)}</span>{note}</td></tr>")
    out.append("</table>")
    return "".join(out)


@solara.component
def ChartsView(results: Results, upto: int):
    """The main outcomes over the whole horizon: levels (scenario beside baseline) or the difference."""
    mode = solara.use_reactive("levels")
    solara.ToggleButtonsSingle(value=mode, values=["levels", "difference"], classes=["bp-chart-mode"])
    height = timeseries_height(len(CHART_OUTCOMES), 2)
    _chart(timeseries_option(results, CHART_OUTCOMES, mode=mode.value, upto_week=upto, columns=2, height=height),
           f"{height}px", "bp-charts")
    MarkList(results)


@solara.component
def MarkList(results: Results):
    """What the numbered vertical lines of the charts are: scheduled events and lever starts."""
    notes = mark_notes(results.marks)
    if notes:
        solara.v.Html(tag="ul", class_="bp-marks", style_="font-size:1.05em; columns:2", children=[
            solara.v.Html(tag="li", children=[n.text]) for n in notes])


@solara.component
def TradeOffView(results: Results, upto: int):
    """Deaths, arrivals, regular departures, remittances and smuggler revenue side by side, in %."""
    rows = trade_off(results, max(upto, 1))
    _chart(tradeoff_option(rows), f"{ROW_PX * len(rows) + BARS_MARGIN_PX}px", "bp-tradeoff")


@solara.component
def PackagesView(a: Results, b: Results, upto: int):
    """Package A against package B against the baseline (same seeds)."""
    rows = packages(a, b, max(upto, 1))
    _chart(packages_option(rows, names=(a.name, b.name)), f"{ROW_PX * len(rows) + BARS_MARGIN_PX}px", "bp-packages")


@solara.component
def MapView(results: Results, upto: int):
    """The network in the week shown, coloured by death risk or interception chance."""
    colour = solara.use_reactive("risk")
    solara.ToggleButtonsSingle(value=colour, values=["risk", "enforcement"], classes=["bp-map-colour"])
    week = max(0, min(upto, results.weeks) - 1)
    _chart(map_option(results, shared_network(), week, colour.value), "620px", "bp-map")


@solara.component
def ProjectorView(results: Results, upto: int):
    """Four headline panels in large type, sized for a 1024 x 768 projector."""
    height = min(timeseries_height(len(PROJECTOR_OUTCOMES), 2, PROJECTOR_FONT_SIZE), PROJECTOR_PX)
    _chart(projector_option(results, upto_week=upto, height=height), f"{height}px", "bp-projector")

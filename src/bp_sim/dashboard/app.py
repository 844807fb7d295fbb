"""The dashboard page (`Page`, served by `bp_sim.dashboard.server`): controls on the left, results
on the right, or four large panels in projector mode.

The page is a view of the tab's `PageState` (kept in its address): the runs of that state are
computed whole by the server's worker (`session.use_results`) and Play only moves a cursor over
them, so drawing never races a computation.
"""
# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import solara

from bp_sim.dashboard.controls import ExportPanel, LeverPanel, RunControls, ScenarioPicker
from bp_sim.dashboard.figures import PROJECTOR_OUTCOMES
from bp_sim.dashboard.session import shown, use_animation, use_page_state, use_results
from bp_sim.dashboard.shared import preset
from bp_sim.dashboard.state import to_query
from bp_sim.dashboard.views import (
    ChartsView,
    Guarded,
    MapView,
    OutcomePanel,
    PackagesView,
    ProjectorView,
    TradeOffView,
)

TITLE = "bp-sim: Silk Routes policy dashboard (Budapest Process Call for Action)"
TABS = ("Charts", "Trade-offs", "Package A vs B", "Map")
CSS = """
.bp-outcomes td, .bp-outcomes th { padding: 4px 8px; border-bottom: 1px solid #ddd; }
.bp-lever { padding: 4px 0 8px 0; border-bottom: 1px solid #eee; }
.bp-lever-info { font-size: 0.85em; background: #f6f6f6; padding: 4px 8px; }
.bp-lever-info h1, .bp-lever-info h2, .bp-lever-info h3 { font-size: 1.1em; margin: 4px 0; }
.bp-lever .v-input__slider { margin-top: 30px; }  /* room for the value above the thumb */
.v-slider__thumb-label { font-size: 0.8em; }
"""


@solara.component
def Page():
    """The whole page behind one more error boundary (a message, never a stack trace)."""
    solara.Title("bp-sim dashboard")
    solara.Style(CSS)
    Guarded("The page", PageBody)


@solara.component
def PageBody():
    state = use_page_state()
    view = use_results(state.value)
    sc = preset(state.value.preset)
    cursor, playing = use_animation(sc.weeks)
    from_week = solara.use_reactive(0)
    projector = solara.use_reactive(False)
    tab = solara.use_reactive(TABS[0])
    results = (view.results or {}).get("a")
    upto = shown(results, cursor.value)

    with solara.AppBar():
        solara.AppBarTitle(TITLE)
        solara.Switch(label="Projector", value=projector, classes=["bp-projector-switch"])
    if not projector.value:
        with solara.Sidebar():
            with solara.Card("Scenario"):
                Guarded("Scenario", ScenarioPicker, state=state)
            with solara.Card("Run"):
                Guarded("Run", RunControls, view=view, cursor=cursor, playing=playing, weeks=sc.weeks,
                        start=sc.start_date, state=state.value)
            with solara.Card("Levers, by priority goal"):
                Guarded("Levers", LeverPanel, state=state, from_week=from_week)
            with solara.Card("Export"):
                Guarded("Export", ExportPanel, state=state.value, view=view, cursor=upto)
    with solara.Column(classes=["bp-main"]):
        if projector.value:
            with solara.Row(style={"align-items": "center"}):
                Guarded("Run", RunControls, view=view, cursor=cursor, playing=playing, weeks=sc.weeks,
                        start=sc.start_date, state=state.value)
        if view.error:
            solara.Error(view.error, classes=["bp-run-error"])
        if results is None:
            with solara.Card("Computing"):
                solara.ProgressLinear(True)
                solara.Text("Running the scenario and the baseline over the whole horizon…",
                            classes=["bp-first-computing"])
            return
        solara.ProgressLinear(view.computing, classes=["bp-progress"])  # hidden, not gone: the page does not jump
        period = f"{results.start:%b %Y} to week {upto} ({results.dates()[upto - 1]:%b %Y})" if upto else "no weeks"
        results_for = to_query(view.results_state) if view.results_state else ""
        if projector.value:
            Guarded("Projector", ProjectorView, results=results, upto=upto)
            Guarded("Outcomes", OutcomePanel, results=results, upto=upto, compact=True, results_for=results_for,
                    only=tuple(name for name, _ in PROJECTOR_OUTCOMES))
            return
        with solara.Card(f"{results.name} against the baseline, same seeds: totals {period}"):
            Guarded("Outcomes", OutcomePanel, results=results, upto=upto, results_for=results_for)
        solara.ToggleButtonsSingle(value=tab, values=list(TABS), classes=["bp-tabs"])
        if tab.value == "Charts":
            Guarded("Charts", ChartsView, results=results, upto=upto)
        elif tab.value == "Trade-offs":
            Guarded("Trade-offs", TradeOffView, results=results, upto=upto)
        elif tab.value == "Package A vs B":
            other = (view.results or {}).get("b")
            if other is None:
                solara.Info("Choose a second scenario under 'Compare with (package B)' to set two packages "
                            "side by side.")
            else:
                Guarded("Package A vs B", PackagesView, a=results, b=other, upto=upto)
        else:
            Guarded("Map", MapView, results=results, upto=upto)

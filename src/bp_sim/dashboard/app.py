"""The dashboard page (`Page`, served by `bp_sim.dashboard.server`): controls on the left, results on the right.

Each browser session gets its own pair of models (the chosen scenario and the baseline, same seed).
Population and seed come from `bp-sim dashboard --agents/--seed` through the environment.
"""
# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import os

import solara
from mesa.visualization.utils import force_update

from bp_sim.dashboard.paired import DASHBOARD_AGENTS, PairedModel
from bp_sim.dashboard.panels import (
    ChartsView,
    ExportPanel,
    LeverPanel,
    MapView,
    PresetPanel,
    RunControls,
    SummaryCard,
    lever_handlers,
)

TITLE = "bp-sim: Silk Routes policy dashboard (Budapest Process Call for Action)"


def session_settings() -> dict:
    """Population and seed for this server (set by `bp-sim dashboard`)."""
    return {"agents": int(os.environ.get("BP_SIM_DASHBOARD_AGENTS", DASHBOARD_AGENTS)),
            "seed": int(os.environ.get("BP_SIM_DASHBOARD_SEED", 0))}


@solara.component
def Page():
    first = solara.use_memo(lambda: PairedModel("baseline", **session_settings()), [])
    model = solara.use_reactive(first)
    params = solara.use_reactive({"preset": "baseline", "levers": first.levers, **session_settings()})
    on_change, on_clear = lever_handlers(model, params)

    def load_preset(name: str) -> None:
        settings = {"preset": name, "levers": None, **session_settings()}
        paired = PairedModel(**settings)
        params.value = {**settings, "levers": paired.levers}
        model.value = paired
        force_update()

    paired = model.value
    solara.Title("bp-sim dashboard")
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        with solara.Card("Run"):
            RunControls(model, params)
        with solara.Card(f"Preset scenarios (now: {paired.preset})"):
            PresetPanel(load_preset, paired.preset)
        with solara.Card("Levers by priority goal"):
            solara.Text("A lever moved while running acts from the current week on.", style={"font-size": "0.8em"})
            LeverPanel(paired, on_change, on_clear)
        with solara.Card("Export"):
            ExportPanel(paired)
    with solara.Column():
        SummaryCard(paired)
        ChartsView(paired)
        with solara.Columns([7, 5]):
            MapView(paired)

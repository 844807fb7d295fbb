"""The dashboard's Solara components: run controls, presets, levers, exports, summary, map, charts.

Each view reads Mesa's `update_counter` (bumped by `force_update` after every step) so it redraws
when the model moves; figures are cached per (model, week, lever revision) so a redraw of the page
does not redraw them.
"""
# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

from collections.abc import Callable

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import force_update, update_counter

from bp_sim.dashboard import export
from bp_sim.dashboard.charts import chart_png
from bp_sim.dashboard.lever_groups import LeverEntry, goal_groups
from bp_sim.dashboard.network_map import COLOUR_BY, map_png
from bp_sim.dashboard.paired import PairedModel
from bp_sim.dashboard.summary import sentence
from bp_sim.scenario import scenarios_dir

GROUPS = goal_groups()


def preset_names() -> list[str]:
    """Bundled scenarios, baseline first."""
    names = sorted(f.stem for f in scenarios_dir().glob("*.toml"))
    return sorted(names, key=lambda n: n != "baseline")


@solara.component
def RunControls(model: solara.Reactive[PairedModel], params: solara.Reactive[dict]):
    """Reset, play/pause and step (Mesa's controller), weeks per redraw, the current week."""
    update_counter.get()
    play_interval = solara.use_reactive(50)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    ModelController(model, model_parameters=params, play_interval=play_interval,
                    render_interval=render_interval, use_threads=use_threads)
    solara.SliderInt("Weeks per step / redraw", value=render_interval, min=1, max=26)
    m = model.value
    solara.Text(f"Week {m.week} of {m.horizon} ({m.date}) · {m.n_agents:,} agents per run · seed {m.seed}",
                classes=["bp-week"])


@solara.component
def PresetPanel(on_load: Callable[[str], None], current: str):
    """One button per bundled scenario: one click loads it (both runs restart from week 0)."""
    with solara.Column(gap="4px"):
        for name in preset_names():
            solara.Button(name, on_click=lambda name=name: on_load(name), small=True, text=name != current,
                          color="primary", classes=["bp-preset"], style={"justify-content": "flex-start"})


@solara.component
def LeverControl(entry: LeverEntry, paired: PairedModel, on_change: Callable[[str, float], None],
                 on_clear: Callable[[str], None]):
    """One lever: the actions it stands for, a slider, and whether (and from when) it is set."""
    update_counter.get()
    lv = entry.lever
    setting = paired.levers.get(lv.name)
    value = setting.value if setting is not None else paired.reference_value(lv.name)
    # the slider snaps to its step grid and reports the snapped value; show it snapped and
    # ignore that report, or merely drawing a lever would set it
    shown = min(lv.high, max(lv.low, lv.low + round((value - lv.low) / entry.step) * entry.step))

    def moved(v: float) -> None:
        if abs(v - shown) >= entry.step / 2:
            on_change(lv.name, v)

    state = (f"set to {setting.value:g}" + (f" from {setting.start}" if setting.start else "")) if setting \
        else f"not set (data: {value:.3g})"
    with solara.Column(gap="0px", classes=["bp-lever", f"bp-lever-{lv.name}"]):
        solara.Text(entry.label, style={"font-size": "0.8em", "font-weight": "bold"})
        solara.Text(f"{lv.name} ({lv.unit})", style={"font-size": "0.8em"})
        solara.SliderFloat("", value=shown, min=lv.low, max=lv.high, step=entry.step, on_value=moved)
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.Text(state, style={"font-size": "0.75em"}, classes=["bp-lever-state"])
            if setting is not None:
                solara.Button("clear", on_click=lambda: on_clear(lv.name), x_small=True, text=True)


@solara.component
def LeverPanel(paired: PairedModel, on_change: Callable[[str, float], None], on_clear: Callable[[str], None]):
    """Lever controls grouped by the six priority goals, labelled with action ids and short titles."""
    update_counter.get()
    with solara.Column(gap="4px", classes=["bp-levers"]):
        _goal_blocks(paired, on_change, on_clear)


def _goal_blocks(paired: PairedModel, on_change, on_clear) -> None:
    for group in GROUPS:
        n_set = sum(e.lever.name in paired.levers for e in group.entries)
        summary = f"Goal {group.goal}: {group.title}" + (f" ({n_set} set)" if n_set else "")
        with solara.Details(summary=summary, expand=False):
            for entry in group.entries:
                LeverControl(entry, paired, on_change, on_clear)


@solara.component
def ExportPanel(paired: PairedModel):
    """Download the charts as PNG and the lever settings as a scenario TOML for `bp-sim run`."""
    update_counter.get()
    solara.FileDownload(lambda: export.charts_png(paired), filename=f"bp-sim-charts-week{paired.week}.png",
                        label="Charts (PNG)", mime_type="image/png")
    solara.FileDownload(lambda: export.scenario_toml(paired), filename=export.toml_filename(paired),
                        label="Scenario (TOML)", mime_type="application/toml")


@solara.component
def SummaryCard(paired: PairedModel):
    """What the levers changed, in words."""
    update_counter.get()
    scenario, baseline = paired.series()
    with solara.Card("What changed against the baseline (same seed)"):
        solara.v.Html(tag="div", children=[sentence(scenario, baseline)], class_="bp-summary",
                      style_="font-size: 1.15em")


@solara.component
def MapView(paired: PairedModel):
    """The network map, coloured by risk or enforcement."""
    update_counter.get()
    colour, set_colour = solara.use_state("risk")
    def draw() -> bytes:
        with paired.lock:  # not while a step is halfway
            return map_png(paired.scenario_model, colour)

    png = solara.use_memo(draw, [id(paired), paired.week, paired.revision, colour])
    with solara.Card("Silk Routes network (scenario)"):
        solara.ToggleButtonsSingle(value=colour, values=list(COLOUR_BY), on_value=set_colour)
        solara.Image(png, width="100%", classes=["bp-map"])


@solara.component
def ChartsView(paired: PairedModel):
    """Main outcomes of the scenario beside the baseline."""
    update_counter.get()

    def draw() -> bytes:
        scenario, baseline = paired.series()
        return chart_png(scenario, baseline, paired.preset_scenario.start_date, export.chart_title(paired))

    png = solara.use_memo(draw, [id(paired), paired.week, paired.revision])
    with solara.Card("Main outcomes: scenario (solid) and baseline (dashed)"):
        solara.Image(png, width="100%", classes=["bp-charts"])


def lever_handlers(model: solara.Reactive[PairedModel], params: solara.Reactive[dict]):
    """Callbacks that change a lever live and keep the reset parameters in step."""

    def changed() -> None:
        params.value = {**params.value, "levers": model.value.levers}
        force_update()

    def on_change(name: str, value: float) -> None:
        model.value.set_lever(name, float(value))
        changed()

    def on_clear(name: str) -> None:
        model.value.clear_lever(name)
        changed()

    return on_change, on_clear

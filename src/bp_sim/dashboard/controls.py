"""The page's controls: scenario choice, Play/Pause/Reset and the week slider, levers, exports.

Every control changes the tab's `PageState` (or the cursor) and nothing else; the runs follow
from the state (`session.use_results`).
"""
# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import solara

from bp_sim.dashboard import export, page_png
from bp_sim.dashboard.lever_groups import LeverEntry, goal_groups
from bp_sim.dashboard.lever_info import describe_value, info_html, lever_info, preset_infos
from bp_sim.dashboard.results import Results
from bp_sim.dashboard.session import View
from bp_sim.dashboard.shared import data_values, preset
from bp_sim.dashboard.state import Move, PageState, date_of, lever_schedules, to_query
from bp_sim.levers.setting import LeverSetting, pieces
from bp_sim.scenario import Scenario

GROUPS = goal_groups()
NO_COMPARISON = "(none)"
FROM_CACHE_S = 0.05  # first results sooner than this came from the worker's cache, not a run


@solara.component
def ScenarioPicker(state: solara.Reactive[PageState]):
    """The preset the levers start from (its title and description) and a second one to compare."""
    infos = preset_infos()
    titles = {p.title: p.name for p in infos}
    by_name = {p.name: p for p in infos}
    current = by_name[state.value.preset]

    def choose(title: str) -> None:
        state.value = replace(state.value, preset=titles[title], moves=())

    def compare(title: str) -> None:
        state.value = replace(state.value, compare_with=None if title == NO_COMPARISON else titles[title])

    solara.Select("Scenario (package A)", value=current.title, values=list(titles), on_value=choose,
                  classes=["bp-preset-select"])
    solara.Text(current.description, classes=["bp-preset-description"], style={"font-size": "0.95em"})
    vs = by_name[state.value.compare_with].title if state.value.compare_with else NO_COMPARISON
    solara.Select("Compare with (package B)", value=vs, values=[NO_COMPARISON, *titles], on_value=compare,
                  classes=["bp-compare-select"])


@solara.component
def RunControls(view: View, cursor: solara.Reactive[int], playing: solara.Reactive[bool], weeks: int,
                start: dt.date, state: PageState):
    """Play animates the computed weeks, Pause stops, Reset goes back to week 0; the slider scrubs."""
    with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}):
        if playing.value:
            solara.Button("❚❚ Pause", on_click=lambda: playing.set(False), color="primary", classes=["bp-pause"])
        else:
            solara.Button("▶ Play", on_click=lambda: playing.set(True), color="primary", classes=["bp-play"],
                          disabled=not view.results)
        solara.Button("Reset", on_click=lambda: (playing.set(False), cursor.set(0)), classes=["bp-reset"])
    with solara.Column(classes=["bp-scrub"], gap="0px"):
        solara.SliderInt("Week shown", value=cursor, min=0, max=weeks, thumb_label=False)
    day = start + dt.timedelta(weeks=min(cursor.value, weeks))
    solara.Text(f"Week {cursor.value} of {weeks} ({day:%d %b %Y})", classes=["bp-week"],
                style={"font-size": "1.1em", "font-weight": "bold"})
    solara.Text(status_text(view), classes=["bp-status"] + (["bp-computing"] if view.computing else []),
                style={"font-size": "0.95em"})
    # the state set and the state whose runs are shown, as the tab's address says them: equal
    # when the page has caught up (for tests and scripts that wait for a state, not a time)
    solara.v.Html(tag="span", class_="bp-state-set", children=[to_query(state)], style_="display:none")
    solara.v.Html(tag="span", class_="bp-results-for", children=[to_query(view.state) if view.state else ""],
                  style_="display:none")


def status_text(view: View) -> str:
    """'Computing…' while the first pair runs, then how many paired replicates are in."""
    if view.error:
        return "The runs stopped: see the message above."
    res: Results | None = (view.results or {}).get("a")
    if res is None:
        return "Computing the scenario and the baseline over the whole horizon…"
    n = res.replicates
    seeds = f"seed {view.state.seed}" if n == 1 else f"seeds {view.state.seed}-{view.state.seed + n - 1}"
    more = f"; computing more, up to {res.replicates_wanted}…" if view.computing else ""
    took = ""
    if view.first_seconds is not None:
        took = (" First results from runs already made." if view.first_seconds < FROM_CACHE_S
                else f" First results in {view.first_seconds:.1f} s.")
    return f"{n} paired replicate{'s' if n > 1 else ''} ({seeds}), {res.agents:,} agents each{more}.{took}"


# ---------------------------------------------------------------------------- levers
def from_weeks(sc: Scenario) -> dict[str, int]:
    """Choices for when a lever move acts: the start, then every half year."""
    out = {f"the start ({sc.start_date:%b %Y})": 0}
    for w in range(26, sc.weeks, 26):
        out[f"{date_of(sc, w):%b %Y}"] = w
    return out


def in_force(schedule: tuple[LeverSetting, ...], week: int, sc: Scenario) -> LeverSetting | None:
    """The setting in force at `week` or the next one to come (what the slider shows)."""
    day = date_of(sc, week)
    for s in schedule:
        if s.until is not None and s.until <= day:
            continue
        return s
    return None


@solara.component
def LeverPanel(state: solara.Reactive[PageState], from_week: solara.Reactive[int]):
    """Levers by priority goal; each move acts from the week chosen here."""
    sc = preset(state.value.preset)
    choices = from_weeks(sc)
    label = next((k for k, v in choices.items() if v == from_week.value), next(iter(choices)))
    solara.Select("Lever moves act from", value=label, values=list(choices),
                  on_value=lambda k: from_week.set(choices[k]), classes=["bp-from"])
    schedules = lever_schedules(sc, state.value.moves)
    with solara.Column(gap="4px", classes=["bp-levers"]):
        for group in GROUPS:
            n_set = sum(e.lever.name in schedules for e in group.entries)
            summary = f"Goal {group.goal}: {group.title}" + (f" ({n_set} set)" if n_set else "")
            with solara.Details(summary=summary, expand=False):
                for entry in group.entries:
                    LeverControl(entry, schedules.get(entry.lever.name), state, from_week.value, sc)


@solara.component
def LeverControl(entry: LeverEntry, schedule, state: solara.Reactive[PageState], from_week: int, sc: Scenario):
    """One lever: plain label, slider with its range, value and the data's value, an info panel."""
    info = lever_info(entry.lever.name)
    data = data_values()[info.name]
    setting = in_force(pieces(schedule), from_week, sc) if schedule else None
    value = setting.value if setting is not None else data
    step = info.step
    shown = min(info.high, max(info.low, info.low + round((value - info.low) / step) * step))
    show_info = solara.use_reactive(False)

    def moved(v: float) -> None:
        # the slider reports its snapped value when drawn: only a real move is a move
        if abs(v - shown) >= step / 2:
            state.value = state.value.with_move(Move(info.name, float(v), from_week))

    def back_to_data() -> None:
        state.value = state.value.with_move(Move(info.name, None, from_week))

    with solara.Column(gap="0px", classes=["bp-lever", f"bp-lever-{info.name}"]):
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.Text(info.label, style={"font-weight": "bold"}, classes=["bp-lever-label"])
            solara.Button("ⓘ", on_click=lambda: show_info.set(not show_info.value), x_small=True, text=True,
                          classes=["bp-lever-info-button"])
        solara.Text(f"→ {info.more_means} · ← {info.less_means}", style={"font-size": "0.8em"})
        SliderWithData(shown, info.low, info.high, step, data, moved)
        with solara.Row(gap="4px", style={"align-items": "center"}):
            state_text = ("set to " + describe_value(info, setting.value, data)
                          + (f" from {setting.start:%b %Y}" if setting.start else "")) if setting else \
                f"not set: the data's {describe_value(info, data, data)}"
            solara.Text(state_text, style={"font-size": "0.8em"}, classes=["bp-lever-state"])
            if setting is not None:
                solara.Button("back to data", on_click=back_to_data, x_small=True, text=True)
        if show_info.value:
            solara.HTML(tag="div", unsafe_innerHTML=info_html(info, data), classes=["bp-lever-info"])


@solara.component
def SliderWithData(value: float, low: float, high: float, step: float, data: float,
                   on_value: Callable[[float], None]):
    """A slider showing its value, its min and max, and a tick at the data's value."""
    solara.SliderFloat("", value=value, min=low, max=high, step=step, on_value=on_value, thumb_label="always")
    pct = 0.0 if high == low else 100.0 * (min(max(data, low), high) - low) / (high - low)
    tick = solara.v.Html(tag="div", class_="bp-data-tick", children=["▲ data"],
                         style_=f"position:absolute; left:calc({pct:.1f}% - 6px); top:0; font-size:0.7em;"
                                "color:#555; white-space:nowrap")
    with solara.Row(justify="space-between", style={"font-size": "0.75em", "margin-top": "-14px"}):
        solara.Text(f"{low:g}", classes=["bp-min"])
        solara.v.Html(tag="div", style_="position:relative; flex:1; height:14px; margin:0 6px", children=[tick])
        solara.Text(f"{high:g}", classes=["bp-max"])


# ---------------------------------------------------------------------------- exports
@solara.component
def ExportPanel(state: PageState, view: View, cursor: int):
    """The scenario as TOML (every move, replays the run) and a one-page PNG of the page."""
    solara.FileDownload(lambda: export.scenario_toml(state), filename=export.toml_filename(state),
                        label="Scenario (TOML)", mime_type="application/toml")
    res = (view.results or {}).get("a")
    if res is not None:
        solara.FileDownload(lambda: page_png.page_png(state, view.results, cursor), filename=page_png.png_filename(state),
                            label="One-page summary (PNG)", mime_type="image/png")

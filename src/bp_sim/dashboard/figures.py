"""Charts drawn in the browser: ECharts 5.4 option dicts built from a `Results`, for the page's
`solara.FigureEcharts` (no Solara here, so every chart is tested without a browser).

Every option is plain JSON (dicts, lists, str, int, float, bool, None: no NumPy numbers, no NaN,
no JavaScript functions; formatters are ECharts string templates), so it crosses to the browser
as it is and nothing is fetched from the internet. Type is large (read from the back of a room
at 1024×768), numbers carry their unit in words ("bn USD a week"), the time axis reads in years,
and every scheduled event and lever start is a numbered vertical line (`mark_notes` gives the
numbers' meaning for a list beside the chart).

Weekly counts rest on few agents, so every line is a trailing 4-week mean (`smoothed`).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bp_sim.dashboard.results import Mark, Results
from bp_sim.dashboard.units import UNIT_OF, scaled_unit
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.stats import t975

# (outcome, title) of each panel of the main chart grid
CHART_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("irregular_arrivals_europe", "Irregular arrivals in Europe"),
    ("irregular_departures", "Irregular departures"),
    ("deaths_missing", "Dead and missing"),
    ("smuggler_revenue_usd", "Smuggler revenue"),
    ("regular_departures", "Regular departures"),
    ("asylum_backlog", "Asylum backlog"),
    ("remittances_received_usd", "Remittances received"),
    ("trafficking_victims", "Trafficking victims"),
)
# the projector's four headline panels
PROJECTOR_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("irregular_arrivals_europe", "Irregular arrivals in Europe"),
    ("deaths_missing", "Dead and missing"),
    ("regular_departures", "Regular departures"),
    ("remittances_received_usd", "Remittances received"),
)
MODES = ("levels", "difference")
SMOOTH_WEEKS = 4  # weekly counts rest on few agents: plot a trailing 4-week mean

# type, in px: axis labels and legend at FONT_SIZE, titles TITLE_EXTRA larger
FONT_SIZE = 16
PROJECTOR_FONT_SIZE = 22
TITLE_EXTRA = 3
# layout of a panel, in px at FONT_SIZE (scaled with the type) and in % of the width
PLOT_PX = 170  # plot area height of a panel at its natural size
PLOT_MIN_PX = 90  # never smaller, whatever height the page gives
CELL_GAP_LEFT_PCT = 0.8
CELL_GAP_RIGHT_PCT = 2.5
Y_TICKS = 5  # at most about this many intervals on a y axis
TICK_SPACING = 2.0  # y labels at least two font sizes apart
# the marks' numbers: a digit is ~0.6 font sizes wide; a panel's plot takes ~80% of its column of a
# 1024 px wide page (the projector's)
CHAR_WIDTH = 0.62
LINE_HEIGHT = 1.3  # two-line labels, in font sizes
REFERENCE_WIDTH_PX = 1024
PLOT_WIDTH_SHARE = 0.8
DIGITS_BELOW_TICK = 2  # data rounded to 2 digits finer than the y axis's tick step

# colours
SCENARIO_COLOUR = "#c62828"  # red
SCENARIO_BAND = "rgba(198, 40, 40, 0.18)"
BASELINE_COLOUR = "#8a8a8a"  # grey
DIFFERENCE_COLOUR = "#1565c0"  # blue
DIFFERENCE_BAND = "rgba(21, 101, 192, 0.2)"
EVENT_COLOUR = "#37474f"  # dark slate, solid line
LEVER_COLOUR = "#ef6c00"  # orange, dashed line
CURSOR_COLOUR = "#000000"
ZERO_COLOUR = "#444444"
TEXT_COLOUR = "#212121"
GRID_LINE_COLOUR = "#e0e0e0"

# line widths, px
SCENARIO_WIDTH = 2.5
BASELINE_WIDTH = 4.5  # thicker and under the scenario: visible where the two lines meet
MARK_WIDTH = 1.5
CURSOR_WIDTH = 2.5

# series names (the legend's words)
SCENARIO = "scenario"
BASELINE = "baseline"
DIFFERENCE = "scenario − baseline"
BAND = "95% interval"  # difference mode: the paired interval of the mean difference
RANGE = "range of runs"  # levels mode: the lowest to the highest replicate
EVENTS = "scheduled events"
LEVERS = "lever starts"
CURSOR = "week shown"

YEAR_MS = 365.25 * 24 * 3600 * 1000  # ECharts time axes count in milliseconds


# ---------------------------------------------------------------------------------------- numbers
def smoothed(values: np.ndarray, weeks: int = SMOOTH_WEEKS) -> np.ndarray:
    """Trailing mean over up to `weeks` weeks (NaN weeks skipped; NaN where all are).

    Copied from charts.py (which goes when the PNG charts go), so figures.py does not import it."""
    ok = ~np.isnan(values)
    sums = np.concatenate([[0.0], np.cumsum(np.where(ok, values, 0.0))])
    counts = np.concatenate([[0], np.cumsum(ok)])
    hi = np.arange(1, len(values) + 1)
    lo = np.maximum(hi - weeks, 0)
    n = counts[hi] - counts[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[hi] - sums[lo]) / n, np.nan)


def smoothed_rows(values: np.ndarray) -> np.ndarray:
    """`smoothed` along the last axis of a (replicates, weeks) array."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return values.copy()
    return np.stack([smoothed(row) for row in values])


def num(x: Any, decimals: int | None = None) -> float | None:
    """A plain float for JSON (None for NaN, inf and None), rounded to `decimals` if given."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x, decimals) if decimals is not None else x


def nice_range(lo: float, hi: float, ticks: int = Y_TICKS) -> tuple[float, float, float]:
    """(min, max, interval) of an axis showing [lo, hi] with round ticks: (0, 2.5, 0.5) for (0, 2.3)."""
    lo, hi = (0.0 if not math.isfinite(v) else float(v) for v in (lo, hi))
    if hi - lo <= 0:
        span = max(abs(hi), 1.0)
        lo, hi = (lo - span, hi + span) if lo < 0 else (lo, hi + span)
    raw = (hi - lo) / ticks
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(f * mag for f in (1, 2, 2.5, 5, 10) if f * mag >= raw * (1 - 1e-9))
    bottom = math.floor(lo / step + 1e-9) * step
    top = math.ceil(hi / step - 1e-9) * step
    digits = max(0, -math.floor(math.log10(step)) + 1)
    return round(bottom, digits), round(top, digits), round(step, digits)


def decimals_for(step: float) -> int:
    """Decimals kept in the data of an axis whose ticks are `step` apart."""
    return max(0, -math.floor(math.log10(step)) + DIGITS_BELOW_TICK)


def mean_band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Mean over replicates (axis 0) and its 95% t-interval (None with fewer than 2 replicates)."""
    n = values.shape[0]
    with warnings.catch_warnings():  # weeks with no value are NaN on purpose ("mean of empty slice")
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=0)
        if n < 2:
            return mean, None, None
        half = t975(n - 1) * np.nanstd(values, axis=0, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def run_range(values: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Lowest and highest replicate each week (None with fewer than 2 replicates): what one run
    might show, read without statistics (and never below zero for a count)."""
    if values.shape[0] < 2:
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmin(values, axis=0), np.nanmax(values, axis=0)


# ---------------------------------------------------------------------------------------- panels
@dataclass(frozen=True)
class PanelData:
    """One panel's lines in the outcome's own unit, over the whole horizon (not yet scaled)."""

    name: str
    title: str
    main: np.ndarray  # scenario mean (levels) or mean paired difference (difference)
    baseline: np.ndarray | None  # baseline mean (levels only)
    lo: np.ndarray | None  # band around `main` (2 replicates or more): the runs' range or the paired 95% interval
    hi: np.ndarray | None

    def extent(self) -> tuple[float, float]:
        """Smallest and largest value any line of the panel reaches (0 always included)."""
        parts = [a for a in (self.main, self.baseline, self.lo, self.hi) if a is not None and a.size]
        values = np.concatenate(parts) if parts else np.zeros(1)
        values = values[np.isfinite(values)]
        if not values.size:
            return 0.0, 0.0
        return min(0.0, float(values.min())), max(0.0, float(values.max()))


def panel_data(results: Results, name: str, title: str, mode: str) -> PanelData:
    """The smoothed lines of one outcome: levels (scenario beside baseline) or the paired difference."""
    j = OUTCOME_INDEX[name]
    scen = smoothed_rows(results.stacked("scenario")[:, :, j])
    base = smoothed_rows(results.stacked("baseline")[:, :, j])
    if scen.shape[0] == 0:
        empty = np.full(results.weeks, np.nan)
        return PanelData(name, title, empty, empty if mode == "levels" else None, None, None)
    if mode == "levels":
        main, _, _ = mean_band(scen)
        base_mean, _, _ = mean_band(base)
        lo, hi = run_range(scen)
        return PanelData(name, title, main, base_mean, lo, hi)
    main, lo, hi = mean_band(scen - base)  # paired by seed: the same random numbers in both runs
    return PanelData(name, title, main, None, lo, hi)


def pairs(dates: Sequence[str], values: np.ndarray | None, shown: int, decimals: int) -> list[list]:
    """[[ISO date, value], ...] for the first `shown` weeks (the cursor's); None where no value."""
    if values is None:
        return []
    return [[d, num(v, decimals)] for d, v in zip(dates[:shown], values[:shown], strict=True)]


# ---------------------------------------------------------------------------------------- marks
@dataclass(frozen=True)
class MarkNote:
    """One numbered vertical line of the charts: the marks of one kind in one week."""

    number: int
    week: int
    date: dt.date
    kind: str  # "event" or "lever"
    labels: tuple[str, ...]

    @property
    def text(self) -> str:
        """'3 · 15 Aug 2021 · Taliban takeover' (lever starts: 'lever starts: ...')."""
        what = "; ".join(self.labels)
        if self.kind == "lever":
            what = f"{LEVERS}: {what}"
        return f"{self.number} · {self.date.day} {self.date:%b %Y} · {what}"


def mark_notes(marks: Iterable[Mark]) -> list[MarkNote]:
    """The charts' numbered lines: marks grouped by week and kind, numbered in date order."""
    groups: dict[tuple[int, str], list[Mark]] = {}
    for m in sorted(marks, key=lambda m: (m.week, m.kind, m.date, m.label)):
        groups.setdefault((m.week, m.kind), []).append(m)
    return [MarkNote(k + 1, week, min(m.date for m in ms), kind, tuple(m.label for m in ms))
            for k, ((week, kind), ms) in enumerate(groups.items())]


def mark_labels(notes: Sequence[MarkNote], weeks: int, columns: int, font: int = FONT_SIZE) -> list[str]:
    """The label drawn at each note's line: its number, or '' where it joins the label of the line
    before it ('2,3'), so that close lines never print their numbers on top of each other."""
    plot_px = REFERENCE_WIDTH_PX / columns * PLOT_WIDTH_SHARE
    weeks_per_char = max(weeks, 1) * font * CHAR_WIDTH / plot_px
    labels = [str(n.number) for n in notes]
    head = 0
    for k in range(1, len(notes)):
        room = (len(labels[head]) + len(labels[k])) / 2 + 1  # half of each label and a space, in characters
        if notes[k].week - notes[head].week < room * weeks_per_char:
            labels[head] = f"{labels[head]},{notes[k].number}"
            labels[k] = ""
        else:
            head = k
    return labels


def _mark_series(notes: Sequence[MarkNote], labels: Sequence[str], kind: str, axis: int, font: int) -> dict | None:
    """An empty line series carrying the vertical lines of one kind (a legend entry toggles them)."""
    colour, style, name = (EVENT_COLOUR, "solid", EVENTS) if kind == "event" else (LEVER_COLOUR, "dashed", LEVERS)
    data = [{"name": label, "xAxis": n.date.isoformat(), "label": {"show": bool(label)}}
            for n, label in zip(notes, labels, strict=True) if n.kind == kind]
    if not data:
        return None
    return {"type": "line", "name": name, "xAxisIndex": axis, "yAxisIndex": axis, "data": [], "color": colour,
            "lineStyle": {"type": style, "width": MARK_WIDTH}, "silent": True, "tooltip": {"show": False},
            "markLine": {"symbol": ["none", "none"], "silent": True, "animation": False,
                         "lineStyle": {"color": colour, "type": style, "width": MARK_WIDTH},
                         "label": {"position": "end", "formatter": "{b}", "fontSize": font, "fontWeight": "bold",
                                   "color": colour, "distance": 3},
                         "data": data}}


# ---------------------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class Layout:
    """Where the panels go: px from the top (type has a size in px), % of the width across."""

    columns: int
    rows: int
    font: int
    legend_px: int
    title_px: int
    name_px: int
    mark_px: int
    xlabel_px: int
    plot_px: int

    @property
    def row_px(self) -> int:
        return self.title_px + self.name_px + self.mark_px + self.plot_px + self.xlabel_px

    @property
    def height(self) -> int:
        return self.legend_px + self.rows * self.row_px

    def cell(self, k: int) -> tuple[float, float, int]:
        """(left %, right %, top px) of panel k's cell."""
        r, c = divmod(k, self.columns)
        width = 100.0 / self.columns
        return c * width, 100.0 - (c + 1) * width, self.legend_px + r * self.row_px


def layout(n_panels: int, columns: int, font: int, height: int | None = None) -> Layout:
    """Panels in `columns` columns; the plots fill `height` px (their natural size if None)."""
    columns = max(1, min(columns, max(n_panels, 1)))
    rows = max(1, math.ceil(n_panels / columns))
    title = font + TITLE_EXTRA
    lay = Layout(columns, rows, font, legend_px=round(font * 2.4), title_px=round(title * 1.45),
                 name_px=round(font * 1.3), mark_px=round(font * 1.5), xlabel_px=round(font * 2.1),
                 plot_px=round(PLOT_PX * font / FONT_SIZE))
    if height is None:
        return lay
    spare = (height - lay.legend_px) / rows - (lay.row_px - lay.plot_px)
    return replace(lay, plot_px=max(PLOT_MIN_PX, math.floor(spare)))


def timeseries_height(n_panels: int = len(CHART_OUTCOMES), columns: int = 2, font_size: int = FONT_SIZE) -> int:
    """The chart's natural height in px (for its style: 'height: ...px'): all text fits."""
    return layout(n_panels, columns, font_size).height


# ---------------------------------------------------------------------------------------- the chart
def timeseries_option(results: Results, outcomes: Sequence[tuple[str, str]] = CHART_OUTCOMES, mode: str = "levels",
                      upto_week: int | None = None, columns: int = 2, font_size: int = FONT_SIZE,
                      height: int | None = None) -> dict:
    """One ECharts option with a panel (grid, axes, title) per outcome over the whole horizon.

    mode "levels": the scenario's mean (red) over the baseline's (thick grey dashes), with the
    range of the scenario's runs once there are 2 replicates; "difference": the mean of the paired
    differences scenario − baseline, a zero line and its paired 95% interval (2 replicates or more). `upto_week`: weeks shown
    (the lines stop after week upto_week − 1, where a cursor line stands; the x axis spans the
    whole horizon all the same); None shows them all. `height`: the chart's height in px if the
    page sets one (the plots shrink or grow to fill it); `timeseries_height` is the natural one.
    """
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: one of {', '.join(MODES)}")
    weeks = results.weeks
    shown = weeks if upto_week is None else max(0, min(int(upto_week), weeks))
    dates = [d.isoformat() for d in results.dates()]
    lay = layout(len(outcomes), columns, font_size, height)
    notes = mark_notes(results.marks)
    labels = mark_labels(notes, weeks, lay.columns, font_size)
    parts: dict[str, list] = {"grid": [], "xAxis": [], "yAxis": [], "title": [], "series": []}
    for k, (name, title) in enumerate(outcomes):
        data = panel_data(results, name, title, mode)
        for key, value in _panel(k, data, dates, shown, upto_week is not None, lay, notes, labels, mode).items():
            parts[key].extend(value)
    return {"animation": False, "textStyle": {"fontSize": font_size, "color": TEXT_COLOUR},
            "legend": _legend(parts["series"], font_size),
            "tooltip": {"trigger": "axis", "confine": True, "textStyle": {"fontSize": font_size},
                        "axisPointer": {"type": "line"}},
            **parts}


def projector_option(results: Results, mode: str = "levels", upto_week: int | None = None,
                     height: int | None = None) -> dict:
    """The projector's four headline panels, two by two, in the largest type."""
    return timeseries_option(results, PROJECTOR_OUTCOMES, mode=mode, upto_week=upto_week, columns=2,
                             font_size=PROJECTOR_FONT_SIZE, height=height)


def _panel(k: int, data: PanelData, dates: Sequence[str], shown: int, cursor: bool, lay: Layout,
           notes: Sequence[MarkNote], labels: Sequence[str], mode: str) -> dict[str, list]:
    """Grid, axes, title and series of panel k."""
    unit = UNIT_OF[data.name]
    low, high = data.extent()
    divisor, unit_label = scaled_unit(unit, max(abs(low), abs(high)))
    y_min, y_max, step = nice_range(low / divisor, high / divisor, y_ticks(lay.plot_px, lay.font))
    digits = decimals_for(step)
    left, right, top = lay.cell(k)
    font = lay.font
    grid = {"left": f"{left + CELL_GAP_LEFT_PCT:.2f}%", "right": f"{right + CELL_GAP_RIGHT_PCT:.2f}%",
            "top": top + lay.title_px + lay.name_px + lay.mark_px, "height": lay.plot_px, "containLabel": True}
    title = {"text": data.title, "left": f"{left + CELL_GAP_LEFT_PCT:.2f}%", "top": top,
             "textStyle": {"fontSize": font + TITLE_EXTRA, "fontWeight": "bold", "color": TEXT_COLOUR}}
    x_axis = _time_axis(k, dates, font)
    y_axis = {"type": "value", "gridIndex": k, "min": y_min, "max": y_max, "interval": step, "name": unit_label,
              "nameLocation": "end", "nameGap": lay.mark_px + 4,
              "nameTextStyle": {"fontSize": font, "align": "left", "color": TEXT_COLOUR},
              "axisLabel": {"fontSize": font, "color": TEXT_COLOUR},
              "splitLine": {"lineStyle": {"color": GRID_LINE_COLOUR}}}

    def scaled(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a / divisor

    main, base, lo, hi = (scaled(a) for a in (data.main, data.baseline, data.lo, data.hi))
    series = []
    band_fill = SCENARIO_BAND if mode == "levels" else DIFFERENCE_BAND
    if lo is not None and hi is not None:
        series += _band(k, RANGE if mode == "levels" else BAND, dates, lo, hi, shown, digits, band_fill)
    if base is not None:
        series.append(_line(k, BASELINE, pairs(dates, base, shown, digits), BASELINE_COLOUR, BASELINE_WIDTH, "dashed", 2))
    colour = SCENARIO_COLOUR if mode == "levels" else DIFFERENCE_COLOUR
    series.append(_line(k, SCENARIO if mode == "levels" else DIFFERENCE, pairs(dates, main, shown, digits), colour,
                        SCENARIO_WIDTH, "solid", 3))
    for kind in ("event", "lever"):
        s = _mark_series(notes, labels, kind, k, font)
        if s is not None:
            series.append(s)
    guides = _guides(k, dates, shown, cursor, mode)
    if guides is not None:
        series.append(guides)
    return {"grid": [grid], "xAxis": [x_axis], "yAxis": [y_axis], "title": [title], "series": series}


def y_ticks(plot_px: int, font: int) -> int:
    """Intervals on a y axis of `plot_px` px: labels of `font` px at least TICK_SPACING apart."""
    return max(2, min(Y_TICKS, int(plot_px // (font * TICK_SPACING))))


def _time_axis(k: int, dates: Sequence[str], font: int) -> dict:
    """A time axis over the whole horizon, labelled in years (months too on a horizon under 2 years)."""
    axis = {"type": "time", "gridIndex": k, "min": dates[0] if dates else None, "max": dates[-1] if dates else None,
            "axisLabel": {"fontSize": font, "color": TEXT_COLOUR, "hideOverlap": True, "margin": round(font * 0.6),
                          "formatter": {"year": "{yyyy}", "month": "{MMM}", "day": "{d} {MMM}"}},
            "axisLine": {"onZero": False}, "splitLine": {"show": False}}
    if len(dates) >= 2 * 52:
        axis["minInterval"] = YEAR_MS  # ticks a year apart: read from the back of the room
    return axis


def _line(k: int, name: str, data: list, colour: str, width: float, style: str, z: int) -> dict:
    return {"type": "line", "name": name, "xAxisIndex": k, "yAxisIndex": k, "data": data, "showSymbol": False,
            "symbol": "none", "color": colour, "lineStyle": {"color": colour, "width": width, "type": style}, "z": z,
            "connectNulls": False}


def _band(k: int, name: str, dates: Sequence[str], lo: np.ndarray, hi: np.ndarray, shown: int, digits: int,
          fill: str) -> list[dict]:
    """A filled band from lo to hi: an invisible lower line and the band's width stacked on it
    (stackStrategy "all": a band across zero stacks on its negative lower edge)."""
    stack = f"band{k}"
    common = {"type": "line", "name": name, "xAxisIndex": k, "yAxisIndex": k, "stack": stack, "stackStrategy": "all",
              "showSymbol": False, "symbol": "none", "color": fill, "lineStyle": {"opacity": 0},
              "tooltip": {"show": False}, "z": 1, "connectNulls": False}
    lower = {**common, "data": pairs(dates, lo, shown, digits)}
    upper = {**common, "data": pairs(dates, hi - lo, shown, digits), "areaStyle": {"color": fill, "opacity": 1}}
    return [lower, upper]


def _guides(k: int, dates: Sequence[str], shown: int, cursor: bool, mode: str) -> dict | None:
    """An empty series carrying the cursor (the week shown) and, in difference mode, the zero line."""
    data: list[dict] = []
    if cursor and dates:
        data.append({"xAxis": dates[max(0, shown - 1)], "name": CURSOR,
                     "lineStyle": {"color": CURSOR_COLOUR, "width": CURSOR_WIDTH, "type": "solid"}})
    if mode == "difference":
        data.append({"yAxis": 0, "name": "no change", "lineStyle": {"color": ZERO_COLOUR, "width": 1.5, "type": "solid"}})
    if not data:
        return None
    return {"type": "line", "name": CURSOR, "xAxisIndex": k, "yAxisIndex": k, "data": [], "silent": True,
            "tooltip": {"show": False},
            "markLine": {"symbol": ["none", "none"], "silent": True, "animation": False, "label": {"show": False},
                         "data": data}}


def _legend(series: Sequence[dict], font: int) -> dict:
    """The legend: the lines first, then the band and the marks (the cursor left out)."""
    present = {s["name"] for s in series}
    names = [n for n in (SCENARIO, DIFFERENCE, BASELINE, RANGE, BAND, EVENTS, LEVERS) if n in present]
    return {"data": names, "top": 0, "left": "center", "type": "scroll", "itemWidth": 34, "itemHeight": font * 0.8,
            "textStyle": {"fontSize": font, "color": TEXT_COLOUR}}


def field(row: Any, key: str, default: Any = None) -> Any:
    """`row[key]` of a dict, `row.key` of anything else (dataclass, named tuple), else `default`."""
    if isinstance(row, dict):
        return row.get(key, default)
    return getattr(row, key, default)

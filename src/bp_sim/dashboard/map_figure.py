"""The Silk Routes network as an ECharts chart drawn in the browser: places at their coordinates,
legs as wide as the people crossing them, coloured by the death risk or the interception chance
in force that week.

No map tiles and no geographic JSON (nothing may be fetched from the internet): longitude and
latitude are two value axes, their ranges padded so that a degree of longitude is about as wide
as it is on the ground at these latitudes. Widths and colours are scaled to the whole horizon,
so that Play changes the legs and never the scale.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from bp_sim.dashboard.figures import FONT_SIZE, LINE_HEIGHT, TEXT_COLOUR, TITLE_EXTRA, field, num
from bp_sim.dashboard.results import Results
from bp_sim.dashboard.units import amount
from bp_sim.network import Network

FLOW_WEEKS = 4  # width: mean crossings over the 4 weeks up to the week shown (one week rests on few agents)
# colour_by: (Run field, words, light colour, dark colour)
COLOUR_BY: dict[str, tuple[str, str, str, str]] = {
    "risk": ("edge_death", "chance of death per crossing", "#fde0dc", "#8e0000"),
    "enforcement": ("edge_intercept", "chance of interception per crossing", "#dbe9f6", "#08306b"),
}
MIN_WIDTH = 1.0  # px: a leg nobody crosses still shows
MAX_WIDTH = 14.0  # px: the busiest leg in the horizon
CURVENESS = 0.15  # a leg travelled both ways: A→B and B→A bend to opposite sides, so both show
PLACE_SIZE = 9  # px
PLACE_COLOUR = "#212121"
PLOT_ASPECT = 1.75  # width / height of the plot area the axes are padded for (a 620 px high map on a wide page)
PAD_DEG = 2.0  # degrees around the outermost places
TICK_DEG = 10  # axis ends and ticks on multiples of 10 degrees
COLOUR_STEPS = 5  # colour bar pieces
COLOUR_FLOOR = 0.15  # a leg with no risk is light, never white


def leg_flows(results: Results, week: int, weeks: int = FLOW_WEEKS) -> np.ndarray:
    """Persons crossing each leg per week, the mean over the `weeks` weeks up to `week` and over the
    scenario's replicates (zeros without runs)."""
    runs = results.scenario
    if not runs or results.weeks == 0:
        n = runs[0].crossings.shape[1] if runs else 0
        return np.zeros(n)
    week = max(0, min(int(week), results.weeks - 1))
    window = np.stack([r.crossings[max(0, week - weeks + 1): week + 1] for r in runs]).astype(float)
    return window.mean(axis=(0, 1))


def peak_flow(results: Results, weeks: int = FLOW_WEEKS) -> float:
    """The widest leg's trailing-mean flow over the whole horizon (the width scale)."""
    runs = results.scenario
    if not runs or results.weeks == 0:
        return 0.0
    mean = np.mean(np.stack([r.crossings for r in runs]).astype(float), axis=0)  # (weeks, edges)
    sums = np.cumsum(np.vstack([np.zeros((1, mean.shape[1])), mean]), axis=0)
    hi = np.arange(1, mean.shape[0] + 1)
    lo = np.maximum(hi - weeks, 0)
    trailing = (sums[hi] - sums[lo]) / (hi - lo)[:, None]
    return float(trailing.max()) if trailing.size else 0.0


def leg_chances(results: Results, week: int, colour_by: str) -> tuple[np.ndarray, float]:
    """The chance in force on each leg in `week` (mean over replicates) and the top of its scale
    (the largest over the horizon)."""
    key = COLOUR_BY[colour_by][0]
    runs = results.scenario
    if not runs or results.weeks == 0:
        n = runs[0].crossings.shape[1] if runs else 0
        return np.zeros(n), 0.0
    week = max(0, min(int(week), results.weeks - 1))
    values = np.stack([getattr(r, key) for r in runs]).astype(float)  # (replicates, weeks, edges)
    return values[:, week].mean(axis=0), float(values.max())


def blend(light: str, dark: str, t: float) -> str:
    """The colour a share t (0..1) of the way from `light` to `dark` ('#rrggbb')."""
    t = min(max(t, 0.0), 1.0) if math.isfinite(t) else 0.0
    a = [int(light[i: i + 2], 16) for i in (1, 3, 5)]
    b = [int(dark[i: i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def axis_ranges(lon: np.ndarray, lat: np.ndarray, aspect: float = PLOT_ASPECT) -> tuple[list[float], list[float]]:
    """[min, max] of longitude and latitude, padded so that the map is not stretched: the wider
    range, in km on the ground, sets the other (a degree of longitude is cos(latitude) as wide)."""
    lon_lo, lon_hi = float(lon.min()) - PAD_DEG, float(lon.max()) + PAD_DEG
    lat_lo, lat_hi = float(lat.min()) - PAD_DEG, float(lat.max()) + PAD_DEG
    squeeze = math.cos(math.radians((lat_lo + lat_hi) / 2))
    width, height = (lon_hi - lon_lo) * squeeze, lat_hi - lat_lo  # in degrees of latitude
    if width / height > aspect:
        extra = (width / aspect - height) / 2
        lat_lo, lat_hi = lat_lo - extra, lat_hi + extra
    else:
        extra = (height * aspect / squeeze - (lon_hi - lon_lo)) / 2
        lon_lo, lon_hi = lon_lo - extra, lon_hi + extra
    return _round_out(lon_lo, lon_hi), _round_out(lat_lo, lat_hi)


def _round_out(lo: float, hi: float, step: float = TICK_DEG) -> list[float]:
    return [float(math.floor(lo / step) * step), float(math.ceil(hi / step) * step)]


def leg_width(flow: float, peak: float) -> float:
    """Line width in px: the square root of the share of the busiest leg's flow, so that a leg with a
    tenth of the busiest one's people still reads (wider with more people, always)."""
    share = min(max(flow / peak, 0.0), 1.0) if peak > 0 and math.isfinite(flow) else 0.0
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.sqrt(share)


def place_label(row: object) -> str:
    """A short name: the ISO code of a country, the first words of any other place's name."""
    node_id, name, kind = (str(field(row, k, "")) for k in ("node_id", "name", "kind"))
    if kind == "country":
        return node_id
    return name.split("(")[0].strip() or node_id


def leg_colour(chance: float, top: float, light: str, dark: str) -> str:
    """The leg's colour: from light (no chance) to dark (the horizon's largest chance, `top`)."""
    return blend(light, dark, COLOUR_FLOOR + (1 - COLOUR_FLOOR) * chance / top)


def _percent(p: float) -> str:
    return f"{100 * p:.1f}%" if p < 0.1 else f"{100 * p:.0f}%"


def map_option(results: Results, net: Network, week: int, colour_by: str = "risk", font_size: int = FONT_SIZE) -> dict:
    """The network in `week` (0-based): a line per leg as wide as the persons crossing it per week
    (mean of the 4 weeks up to `week`, over the scenario's replicates) and coloured by the chance
    of death (colour_by "risk") or of interception ("enforcement") in force that week."""
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by {colour_by!r}: one of {', '.join(COLOUR_BY)}")
    _, words, light, dark = COLOUR_BY[colour_by]
    nodes = net.nodes
    lon, lat = nodes.lon.to_numpy(float), nodes.lat.to_numpy(float)
    src, dst = net.routes.src_i.to_numpy(), net.routes.dst_i.to_numpy()
    ids = nodes.node_id.astype(str).tolist()
    flows = _fit(leg_flows(results, week), len(src))
    chances, top = leg_chances(results, week, colour_by)
    chances = _fit(chances, len(src))
    peak = max(peak_flow(results), 1.0)
    top = top if top > 0 else 1.0
    both_ways = set(zip(src.tolist(), dst.tolist(), strict=True))
    legs = []
    for e in np.argsort(flows, kind="stable"):  # the busiest legs drawn last, on top
        i, j = int(src[e]), int(dst[e])
        legs.append({"name": f"{ids[i]} → {ids[j]}: {amount(float(flows[e]), 'persons/week', total=False)}, "
                             f"{words} {_percent(float(chances[e]))}",
                     "coords": [[num(lon[i], 3), num(lat[i], 3)], [num(lon[j], 3), num(lat[j], 3)]],
                     "lineStyle": {"width": round(leg_width(float(flows[e]), peak), 2),
                                   "color": leg_colour(float(chances[e]), top, light, dark),
                                   "curveness": CURVENESS if (j, i) in both_ways else 0}})
    places = [{"name": str(r.name), "value": [num(r.lon, 3), num(r.lat, 3)], "label": {"formatter": place_label(r)}}
              for r in nodes.itertuples(index=False)]
    x_range, y_range = axis_ranges(lon, lat)
    when = results.start + dt.timedelta(weeks=max(0, min(int(week), results.weeks - 1)))
    return {"animation": False, "textStyle": {"fontSize": font_size, "color": TEXT_COLOUR},
            "title": _title(when, week, words, peak, font_size, bool(results.scenario)),
            "tooltip": {"trigger": "item", "formatter": "{b}", "textStyle": {"fontSize": font_size}, "confine": True},
            "grid": {"left": 10, "right": round(font_size * 11), "top": round(font_size * 7.5), "bottom": 10,
                     "containLabel": True},
            "xAxis": _degree_axis("longitude", x_range, font_size), "yAxis": _degree_axis("latitude", y_range, font_size),
            "visualMap": _colour_bar(words, light, dark, top, font_size),
            "series": [
                {"type": "lines", "name": "legs", "coordinateSystem": "cartesian2d", "polyline": False, "data": legs,
                 "lineStyle": {"opacity": 0.9}, "symbol": ["none", "arrow"], "symbolSize": 8,
                 "emphasis": {"lineStyle": {"opacity": 1}}, "z": 2},
                {"type": "scatter", "name": "places", "data": places, "symbolSize": PLACE_SIZE, "color": PLACE_COLOUR,
                 "label": {"show": True, "position": "right", "fontSize": font_size, "color": TEXT_COLOUR,
                           "textBorderColor": "#ffffff", "textBorderWidth": 3},
                 "labelLayout": {"hideOverlap": True}, "z": 3},
                {"type": "scatter", "name": "colour scale", "data": [], "silent": True},
            ]}


def _fit(values: np.ndarray, n: int) -> np.ndarray:
    """`values` as n legs (zeros when there are no runs to read)."""
    return values if len(values) == n else np.zeros(n)


def _title(when: dt.date, week: int, words: str, peak: float, font: int, has_runs: bool) -> dict:
    """The date shown, and what width and colour mean, in words."""
    date = f"{when.day} {when:%B %Y}"
    sub = (f"Line width: persons crossing the leg a week (mean of {FLOW_WEEKS} weeks; widest "
           f"{amount(peak, 'persons/week', total=False)}).\nColour: {words} in force that week."
           if has_runs else "No runs yet.")
    return {"text": f"{date} (week {max(0, int(week)) + 1})", "subtext": sub, "left": 10, "top": 4, "itemGap": 6,
            "textStyle": {"fontSize": font + TITLE_EXTRA, "fontWeight": "bold", "color": TEXT_COLOUR,
                          "lineHeight": round((font + TITLE_EXTRA) * LINE_HEIGHT)},
            "subtextStyle": {"fontSize": font, "color": TEXT_COLOUR, "lineHeight": round(font * LINE_HEIGHT)}}


def _degree_axis(name: str, extent: list[float], font: int) -> dict:
    return {"type": "value", "name": name, "nameLocation": "end", "nameGap": 8, "interval": TICK_DEG,
            "nameTextStyle": {"fontSize": font, "color": TEXT_COLOUR}, "min": extent[0], "max": extent[1],
            "axisLabel": {"fontSize": font, "color": TEXT_COLOUR, "formatter": "{value}°", "showMinLabel": False},
            "splitLine": {"lineStyle": {"color": "#eeeeee"}}}


def _colour_bar(words: str, light: str, dark: str, top: float, font: int) -> dict:
    """A legend of the leg colours, in %, on an empty series (the legs carry their own colours)."""
    step = top / COLOUR_STEPS
    pieces = [{"min": num(k * step, 6), "max": num((k + 1) * step, 6),
               "label": f"{_percent(k * step)}–{_percent((k + 1) * step)}",
               "color": leg_colour((k + 0.5) * step, top, light, dark)} for k in range(COLOUR_STEPS)]
    return {"type": "piecewise", "seriesIndex": 2, "pieces": pieces[::-1], "right": 5, "top": "middle",
            "text": [words.replace(" per crossing", ""), ""], "textStyle": {"fontSize": font - 2,
                                                                              "color": TEXT_COLOUR},
            "showLabel": True, "itemWidth": 22, "itemHeight": 14, "hoverLink": False, "selectedMode": False}

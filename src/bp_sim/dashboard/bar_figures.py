"""Bar charts of the outcome panel's rows as ECharts options: the trade-offs (one scenario, % against
the baseline with its interval, coloured by verdict) and package A beside package B.

Rows are read loosely (`field`: a dict key or an attribute), so the rows of `outcome_table` and
plain dicts both draw. Fonts, colours and sizes are those of `figures`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bp_sim.dashboard.figures import (
    BAND,
    FONT_SIZE,
    GRID_LINE_COLOUR,
    LINE_HEIGHT,
    TEXT_COLOUR,
    TITLE_EXTRA,
    ZERO_COLOUR,
    field,
    num,
)
from bp_sim.dashboard.units import amount, percent

WHISKER_CAP_PX = 22  # width of an error bar's caps
WELCOME_COLOUR = "#1b7f3b"  # green
UNWELCOME_COLOUR = "#b3261e"  # red
NEUTRAL_COLOUR = "#5f6368"  # grey: too few runs, no clear change
PACKAGE_COLOURS = ("#1565c0", "#ef6c00")  # package A blue, package B orange


def verdict_colour(verdict: str | None) -> str:
    """Green for a welcome change, red for an unwelcome one, grey for the rest (too few runs, no clear change)."""
    words = (verdict or "").lower()
    if "unwelcome" in words:
        return UNWELCOME_COLOUR
    if "welcome" in words:
        return WELCOME_COLOUR
    return NEUTRAL_COLOUR


def _text(font: int) -> dict:
    return {"fontSize": font, "color": TEXT_COLOUR}


def _percent_axis(font: int) -> dict:
    return {"type": "value", "name": "% change against the baseline", "nameLocation": "middle",
            "nameGap": round(font * 2.2), "nameTextStyle": _text(font),
            "axisLabel": {**_text(font), "formatter": "{value}%"}, "splitLine": {"lineStyle": {"color": GRID_LINE_COLOUR}}}


def _category_axis(words: list[str], font: int) -> dict:
    """Outcomes down the side, the first at the top; a label may have a second line."""
    return {"type": "category", "data": words, "inverse": True, "axisTick": {"show": False},
            "axisLabel": {**_text(font), "lineHeight": round(font * LINE_HEIGHT), "interval": 0,
                          "showMinLabel": True, "showMaxLabel": True}}


def _bars_option(words: list[str], series: list[dict], legend: list[str], font: int, title: str | None,
                 tooltip: dict) -> dict:
    """Horizontal bars of % against the baseline, one row per outcome (shared by trade-offs and packages)."""
    option = {"animation": False, "textStyle": _text(font),
              "legend": {"top": 0, "data": legend, "textStyle": _text(font)},
              "tooltip": {**tooltip, "confine": True, "textStyle": {"fontSize": font}},
              "grid": {"left": 10, "right": round(font * 3.5), "top": round(font * (4.5 if title else 2.8)),
                       "bottom": round(font * 3.4), "containLabel": True},
              "xAxis": _percent_axis(font), "yAxis": _category_axis(words, font), "series": series}
    if title:
        option["title"] = {"text": title, "left": 10, "textStyle": {**_text(font + TITLE_EXTRA), "fontWeight": "bold"}}
        option["legend"]["top"] = round(font * 1.8)
    return option


def _pct_words(pct: float | None, lo: float | None = None, hi: float | None = None) -> str:
    """'−12%', '−12% (−20% to −4%)', 'n/a'."""
    if pct is None:
        return "n/a"
    if lo is None or hi is None:
        return percent(pct)
    return f"{percent(pct)} ({percent(lo)} to {percent(hi)})"


def tradeoff_option(rows: Iterable[Any], font_size: int = FONT_SIZE, title: str | None = None) -> dict:
    """Horizontal bars of the % change against the baseline, one per trade-off outcome, coloured by
    verdict (welcome green, unwelcome red, the rest grey), with the 95% interval as an error bar
    (a boxplot drawn as whiskers: plain JSON, no custom series). The numbers are written under
    each outcome's name, where no bar or whisker can cover them.

    A row is a dict or an object with words, pct, pct_lo, pct_hi, verdict (None or NaN where unknown).
    """
    rows = list(rows)
    verdicts = [str(field(r, "verdict", "") or "") for r in rows]
    words = []
    for r in rows:
        pct, lo, hi = (num(field(r, key)) for key in ("pct", "pct_lo", "pct_hi"))
        words.append(f"{field(r, 'words', '')}\n{_pct_words(pct, lo, hi)}")
    series: list[dict] = []
    for verdict in dict.fromkeys(verdicts):  # a series per verdict, all in one slot: a legend of the colours
        data = [num(field(r, "pct"), 1) if v == verdict else None for r, v in zip(rows, verdicts, strict=True)]
        series.append({"type": "bar", "name": verdict or "change", "data": data, "barGap": "-100%",
                       "barWidth": "55%", "color": verdict_colour(verdict)})
    whiskers = [_whisker(r) for r in rows]
    if any(w is not None for w in whiskers):
        series.append({"type": "boxplot", "name": BAND, "data": [w if w is not None else [] for w in whiskers],
                       "boxWidth": [10, WHISKER_CAP_PX], "silent": True, "tooltip": {"show": False}, "z": 5,
                       "itemStyle": {"color": "rgba(0, 0, 0, 0)", "borderColor": TEXT_COLOUR, "borderWidth": 2}})
    return _bars_option(words, series, [s["name"] for s in series], font_size, title,
                        {"trigger": "axis", "axisPointer": {"type": "shadow"}})


def _whisker(row: Any) -> list[float] | None:
    """[lo, pct, pct, pct, hi]: a boxplot item drawn as an error bar with caps (None if unknown)."""
    pct, lo, hi = (num(field(row, key), 1) for key in ("pct", "pct_lo", "pct_hi"))
    if pct is None or lo is None or hi is None:
        return None
    return [min(lo, pct), pct, pct, pct, max(hi, pct)]


def packages_option(rows: Iterable[Any], names: tuple[str, str] = ("package A", "package B"),
                    font_size: int = FONT_SIZE, title: str | None = None) -> dict:
    """Grouped horizontal bars: package A beside package B, % change against the baseline per outcome
    (the baseline is the zero line; its total, with a unit, is written under the outcome's name).

    A row is a dict or an object with words and either pct_a, pct_b or baseline, a, b (totals, then
    the % is worked out here); unit (an outcomes unit such as 'persons/week' or 'USD') is optional.
    """
    rows = list(rows)
    words = []
    for r in rows:
        base, unit, label = num(field(r, "baseline")), field(r, "unit"), str(field(r, "words", ""))
        words.append(f"{label}\nbaseline {amount(base, str(unit))}" if base is not None and unit else label)
    series = []
    for name, key, total, colour in zip(names, ("pct_a", "pct_b"), ("a", "b"), PACKAGE_COLOURS, strict=True):
        data = []
        for r in rows:
            pct = _pct_of(r, key, total)
            data.append({"value": pct, "label": {"position": "left" if pct is not None and pct < 0 else "right"}})
        series.append({"type": "bar", "name": name, "data": data, "color": colour, "barGap": "10%",
                       "label": {"show": True, "formatter": "{c}%", **_text(font_size)}})
    series[0]["markLine"] = {"symbol": ["none", "none"], "silent": True, "label": {"show": False}, "data": [{"xAxis": 0}],
                             "lineStyle": {"color": ZERO_COLOUR, "width": 1.5, "type": "solid"}}
    return _bars_option(words, series, list(names), font_size, title, {"trigger": "axis", "axisPointer": {"type": "shadow"}})


def _pct_of(row: Any, pct_key: str, total_key: str) -> float | None:
    """The row's % for a package: given, or from its total against the baseline total."""
    pct = num(field(row, pct_key))
    if pct is not None:
        return round(pct, 1)
    total, base = num(field(row, total_key)), num(field(row, "baseline"))
    if total is None or base is None or base == 0:
        return None
    return round(100.0 * (total - base) / abs(base), 1)

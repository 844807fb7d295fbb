"""The browser charts' ECharts options (figures.py, map_figure.py), read as data: no browser.

Synthetic `Results` pin exact numbers; real runs (5,000 agents, two years of the goal 1
scenario) check marks and units at realistic sizes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from dataclasses import dataclass

import numpy as np
import pytest

from bp_sim.dashboard import bar_figures as B
from bp_sim.dashboard import figures as F
from bp_sim.dashboard import map_figure as M
from bp_sim.dashboard.results import Mark, Results, Run
from bp_sim.network import load_network
from bp_sim.outcomes import OUTCOME_INDEX, OUTCOME_NAMES
from bp_sim.stats import mean_ci

START = dt.date(2020, 1, 1)
WEEKS = 60
PLAIN = (dict, list, str, int, float, bool, type(None))


@pytest.fixture(scope="module")
def net():
    return load_network()


@pytest.fixture(scope="module")
def real(net):
    """Two paired replicates of two years of the goal 1 scenario (the Taliban takeover is in year 2)."""
    from bp_sim.dashboard.simulate import marks_of, simulate
    from bp_sim.scenario import load_scenario

    sc = copy.deepcopy(load_scenario("goal1_smuggling_trafficking", net))
    base = copy.deepcopy(load_scenario("baseline", net))
    sc.years = base.years = 2
    scen = [simulate(sc, 5_000, seed, net) for seed in (0, 1)]
    bl = [simulate(base, 5_000, seed, net) for seed in (0, 1)]
    return Results(sc.name, sc.start_date, sc.weeks, 5_000, scen[0][1], tuple(r for r, _ in scen),
                   tuple(r for r, _ in bl), marks_of(sc), 2)


def run(seed: int, outcomes: np.ndarray, n_edges: int = 3, crossings=None, death=None, intercept=None) -> Run:
    weeks = len(outcomes)
    zeros = np.zeros((weeks, n_edges), np.float32)
    return Run(seed, outcomes, zeros if crossings is None else crossings, zeros if death is None else death,
               zeros if intercept is None else intercept)


def results(scenario: list[Run], baseline: list[Run], marks: tuple[Mark, ...] = ()) -> Results:
    weeks = len(scenario[0].outcomes) if scenario else WEEKS
    return Results("test", START, weeks, 1000, 1.0, tuple(scenario), tuple(baseline), marks, len(scenario))


def outcomes(seed: int, scale: float = 1.0) -> np.ndarray:
    """(WEEKS, outcomes) of noisy counts around a level that differs by outcome."""
    rng = np.random.default_rng(seed)
    levels = np.linspace(10.0, 5_000.0, len(OUTCOME_NAMES))
    return scale * levels * rng.uniform(0.5, 1.5, size=(WEEKS, len(OUTCOME_NAMES)))


def assert_plain(obj) -> None:
    """Only JSON's own types (no NumPy numbers, no tuples), no NaN or infinity anywhere."""
    assert type(obj) in PLAIN, type(obj)
    if isinstance(obj, dict):
        for k, v in obj.items():
            assert type(k) is str
            assert_plain(v)
    elif isinstance(obj, list):
        for v in obj:
            assert_plain(v)
    elif isinstance(obj, float):
        assert math.isfinite(obj)
    json.dumps(obj, allow_nan=False)


def series_of(opt: dict, panel: int, name: str) -> list[dict]:
    return [s for s in opt["series"] if s.get("xAxisIndex") == panel and s["name"] == name]


def panel_of(name: str, outcomes=F.CHART_OUTCOMES) -> int:
    return [o for o, _ in outcomes].index(name)


def values(series: dict) -> list:
    return [v for _, v in series["data"]]


# ------------------------------------------------------------------------------------ time series
def test_every_option_is_plain_json(real, net):
    r = real
    rows = [{"words": "Dead and missing", "pct": -12.0, "pct_lo": -20.0, "pct_hi": float("nan"), "verdict": "welcome"},
            {"words": "Arrivals", "pct": float("inf"), "pct_lo": None, "pct_hi": None, "verdict": "too few runs"}]
    packs = [{"words": "Deaths", "baseline": np.float64(100.0), "a": np.float32(90.0), "b": 120, "unit": "persons/week"}]
    for opt in (F.timeseries_option(r), F.timeseries_option(r, mode="difference", upto_week=30),
                F.projector_option(r, upto_week=0), F.timeseries_option(r, columns=4, height=700),
                M.map_option(r, net, 50), M.map_option(r, net, 0, "enforcement"),
                B.tradeoff_option(rows), B.packages_option(packs)):
        assert_plain(opt)
        assert opt["animation"] is False


def test_nan_weeks_are_none_not_nan():
    out = outcomes(0)
    j = OUTCOME_INDEX["deaths_missing"]
    out[:10, j] = np.nan  # no value yet: 4-week means over nothing stay NaN
    opt = F.timeseries_option(results([run(0, out)], [run(0, outcomes(1))]))
    line = values(series_of(opt, panel_of("deaths_missing"), F.SCENARIO)[0])
    assert line[:10] == [None] * 10 and line[10] is not None
    assert_plain(opt)


@pytest.mark.parametrize(("panels", "columns"), [(F.CHART_OUTCOMES, 2), (F.CHART_OUTCOMES, 4), (F.PROJECTOR_OUTCOMES, 2)])
def test_one_grid_axes_and_title_per_panel(panels, columns):
    r = results([run(0, outcomes(0))], [run(0, outcomes(1))])
    opt = F.timeseries_option(r, panels, columns=columns)
    n = len(panels)
    assert len(opt["grid"]) == len(opt["xAxis"]) == len(opt["yAxis"]) == len(opt["title"]) == n
    assert [t["text"] for t in opt["title"]] == [title for _, title in panels]
    assert [a["gridIndex"] for a in opt["xAxis"]] == list(range(n)) == [a["gridIndex"] for a in opt["yAxis"]]
    assert {s["xAxisIndex"] for s in opt["series"]} == set(range(n))
    assert all(s["xAxisIndex"] == s["yAxisIndex"] for s in opt["series"])
    lefts = sorted({g["left"] for g in opt["grid"]})
    assert len(lefts) == min(columns, n)  # laid out in that many columns


def test_chart_and_projector_outcomes():
    assert len(F.CHART_OUTCOMES) == 8 and len(F.PROJECTOR_OUTCOMES) == 4
    names = {o for o, _ in F.CHART_OUTCOMES}
    assert {o for o, _ in F.PROJECTOR_OUTCOMES} == {"irregular_arrivals_europe", "deaths_missing",
                                                    "regular_departures", "remittances_received_usd"} < names
    assert all(o in OUTCOME_INDEX for o in names)


def test_levels_are_smoothed_means_in_the_axis_unit():
    s = [run(k, outcomes(k, scale=1e6)) for k in range(3)]  # 1e9-sized money: "bn USD a week"
    b = [run(k, outcomes(10 + k, scale=1e6)) for k in range(3)]
    opt = F.timeseries_option(results(s, b))
    k = panel_of("smuggler_revenue_usd")
    j = OUTCOME_INDEX["smuggler_revenue_usd"]
    axis = opt["yAxis"][k]
    assert axis["name"] == "bn USD a week"
    scen = values(series_of(opt, k, F.SCENARIO)[0])
    base = values(series_of(opt, k, F.BASELINE)[0])
    week = 17
    expected = F.smoothed(np.mean([r.outcomes[:, j] for r in s], axis=0))[week] / 1e9
    expected_base = F.smoothed(np.mean([r.outcomes[:, j] for r in b], axis=0))[week] / 1e9
    tol = 0.5 * 10 ** -F.decimals_for(axis["interval"])  # data are rounded below the tick step
    assert scen[week] == pytest.approx(expected, abs=tol)
    assert base[week] == pytest.approx(expected_base, abs=tol)
    assert axis["min"] <= min(scen) and max(scen) <= axis["max"]
    assert expected != pytest.approx(F.smoothed(s[0].outcomes[:, j])[week] / 1e9, abs=tol)  # a mean, not run 0


def test_smoothed_is_a_trailing_four_week_mean():
    x = np.array([4.0, 8.0, np.nan, 0.0, 12.0, 4.0])
    assert F.smoothed(x).tolist() == pytest.approx([4.0, 6.0, 6.0, 4.0, 20 / 3, 16 / 3])
    assert np.isnan(F.smoothed(np.array([np.nan, np.nan]))).all()


def test_upto_week_reveals_weeks_and_keeps_the_horizon():
    r = results([run(0, outcomes(0)), run(1, outcomes(1))], [run(0, outcomes(2)), run(1, outcomes(3))])
    dates = [d.isoformat() for d in r.dates()]
    full = F.timeseries_option(r)
    assert not [s for s in full["series"] if s["name"] == F.CURSOR]  # no cursor without upto_week
    for upto in (0, 1, 25, WEEKS):
        opt = F.timeseries_option(r, upto_week=upto)
        for axis in opt["xAxis"]:
            assert (axis["type"], axis["min"], axis["max"]) == ("time", dates[0], dates[-1])
        for s in opt["series"]:
            if s["data"]:
                assert len(s["data"]) == upto
        drawn = [s for s in opt["series"] if s["data"]]
        assert all(s["data"][-1][0] == dates[upto - 1] for s in drawn) if upto else not drawn
        cursors = [s for s in opt["series"] if s["name"] == F.CURSOR]
        assert len(cursors) == len(F.CHART_OUTCOMES)
        assert {c["markLine"]["data"][0]["xAxis"] for c in cursors} == {dates[max(0, upto - 1)]}
        assert opt["yAxis"] == full["yAxis"]  # the y axes do not move while Play reveals weeks
    k = panel_of("asylum_backlog")
    assert values(series_of(F.timeseries_option(r, upto_week=25), k, F.SCENARIO)[0]) == \
        values(series_of(full, k, F.SCENARIO)[0])[:25]


def test_marks_are_numbered_lines_with_their_labels(real):
    notes = F.mark_notes(real.marks)
    texts = " / ".join(n.text for n in notes)
    assert "Taliban takeover" in texts and "Belarus air route" in texts and "lever starts: border enforcement" in texts
    assert [n.number for n in notes] == list(range(1, len(notes) + 1))
    assert [n.week for n in notes] == sorted(n.week for n in notes)
    taliban = next(n for n in notes if "Taliban takeover" in n.labels)
    assert (taliban.kind, taliban.date) == ("event", dt.date(2021, 8, 15))
    opt = F.timeseries_option(real)
    for k in range(len(F.CHART_OUTCOMES)):
        events, levers = series_of(opt, k, F.EVENTS), series_of(opt, k, F.LEVERS)
        lines = events[0]["markLine"]["data"] + levers[0]["markLine"]["data"]
        assert sorted(d["xAxis"] for d in lines) == sorted(n.date.isoformat() for n in notes)
        assert "2021-08-15" in [d["xAxis"] for d in events[0]["markLine"]["data"]]
        assert events[0]["markLine"]["lineStyle"] != levers[0]["markLine"]["lineStyle"]  # colour and dashes differ
        shown = ",".join(d["name"] for d in lines if d["label"]["show"]).split(",")
        assert sorted(shown, key=int) == [str(n.number) for n in notes]  # every number printed once a panel
    assert {F.EVENTS, F.LEVERS} <= set(opt["legend"]["data"])


def test_close_marks_share_one_label():
    marks = tuple(Mark(w, START + dt.timedelta(weeks=w), f"m{w}", "event") for w in (10, 11, 40, 200))
    notes = F.mark_notes(marks)
    labels = F.mark_labels(notes, 260, columns=2)
    assert labels == ["1,2", "", "3", "4"]
    together = F.mark_notes((*marks, Mark(10, marks[0].date, "lever x", "lever")))
    assert [(n.week, n.kind) for n in together][:2] == [(10, "event"), (10, "lever")]


def test_difference_of_a_run_with_itself_is_zero_everywhere():
    s = [run(k, outcomes(k)) for k in range(3)]
    opt = F.timeseries_option(results(s, s), mode="difference")
    for k in range(len(F.CHART_OUTCOMES)):
        for s_ in series_of(opt, k, F.DIFFERENCE) + series_of(opt, k, F.BAND):
            assert set(values(s_)) == {0.0}
        assert not series_of(opt, k, F.BASELINE)
        guides = series_of(opt, k, F.CURSOR)[0]["markLine"]["data"]
        assert {"yAxis": 0} .items() <= guides[-1].items()  # the zero line
    assert F.DIFFERENCE in opt["legend"]["data"] and F.BASELINE not in opt["legend"]["data"]


def test_difference_band_is_the_paired_interval():
    s = [run(k, outcomes(k)) for k in range(4)]
    b = [run(k, outcomes(20 + k)) for k in range(4)]
    opt = F.timeseries_option(results(s, b), mode="difference")
    k, j, week = panel_of("irregular_departures"), OUTCOME_INDEX["irregular_departures"], 33
    divisor = {"thousand persons a week": 1e3, "persons a week": 1.0}[opt["yAxis"][k]["name"]]
    diffs = [F.smoothed(a.outcomes[:, j] - c.outcomes[:, j])[week] for a, c in zip(s, b, strict=True)]
    mean, lo, hi = (v / divisor for v in mean_ci(np.array(diffs)))
    lower, width = (values(x) for x in series_of(opt, k, F.BAND))
    tol = 0.5 * 10 ** -F.decimals_for(opt["yAxis"][k]["interval"])
    assert values(series_of(opt, k, F.DIFFERENCE)[0])[week] == pytest.approx(mean, abs=tol)
    assert lower[week] == pytest.approx(lo, abs=tol)
    assert lower[week] + width[week] == pytest.approx(hi, abs=2 * tol)
    stacked = series_of(opt, k, F.BAND)
    assert stacked[0]["stack"] == stacked[1]["stack"] and stacked[1]["stackStrategy"] == "all"


@pytest.mark.parametrize("mode", F.MODES)
def test_bands_only_with_two_replicates_or_more(mode):
    band = F.RANGE if mode == "levels" else F.BAND
    one = F.timeseries_option(results([run(0, outcomes(0))], [run(0, outcomes(1))]), mode=mode)
    assert not [s for s in one["series"] if s["name"] == band] and band not in one["legend"]["data"]
    s = [run(0, outcomes(0)), run(1, outcomes(1))]
    two = F.timeseries_option(results(s, [run(0, outcomes(2)), run(1, outcomes(3))]), mode=mode)
    assert band in two["legend"]["data"]
    k = panel_of("regular_departures")
    lower, width = (values(x) for x in series_of(two, k, band))
    line = values(series_of(two, k, F.SCENARIO if mode == "levels" else F.DIFFERENCE)[0])
    assert all(w >= 0 for w in width)
    assert all(lo - 1e-6 <= m <= lo + w + 1e-6 for lo, w, m in zip(lower, width, line, strict=True))
    if mode == "levels":  # the runs' range: its edges are the two runs
        j = OUTCOME_INDEX["regular_departures"]
        lows = np.minimum(F.smoothed(s[0].outcomes[:, j]), F.smoothed(s[1].outcomes[:, j]))
        divisor = 1e3 if two["yAxis"][k]["name"].startswith("thousand") else 1.0
        assert lower[5] == pytest.approx(lows[5] / divisor, abs=0.5 * 10 ** -F.decimals_for(two["yAxis"][k]["interval"]))


def test_baseline_is_drawn_visible_under_the_scenario():
    opt = F.timeseries_option(results([run(0, outcomes(0))], [run(0, outcomes(0))]))
    base, scen = series_of(opt, 0, F.BASELINE)[0], series_of(opt, 0, F.SCENARIO)[0]
    assert base["lineStyle"]["width"] > scen["lineStyle"]["width"]  # shows either side of an equal scenario
    assert base["lineStyle"]["type"] == "dashed" and base["color"] != scen["color"]
    assert values(base) == values(scen)
    assert opt["legend"]["data"][:2] == [F.SCENARIO, F.BASELINE]
    assert opt["tooltip"]["trigger"] == "axis"


def test_units_in_words_at_realistic_sizes(real):
    opt = F.timeseries_option(real)
    names = {o: opt["yAxis"][k]["name"] for k, (o, _) in enumerate(F.CHART_OUTCOMES)}
    peak = real.stacked("scenario")[:, :, OUTCOME_INDEX["remittances_received_usd"]].max()
    assert peak > 1e9  # remittances to the origins: billions of USD a week
    assert names["remittances_received_usd"] == "bn USD a week"
    assert names["smuggler_revenue_usd"].endswith("USD a week")
    assert names["asylum_backlog"].endswith("persons") and "a week" not in names["asylum_backlog"]
    assert names["irregular_departures"].endswith("persons a week")
    k = panel_of("remittances_received_usd")
    assert max(v for v in values(series_of(opt, k, F.SCENARIO)[0]) if v is not None) < 100  # in bn, not in USD


def test_time_axis_reads_in_years(real):
    axis = F.timeseries_option(real)["xAxis"][0]
    assert axis["axisLabel"]["formatter"]["year"] == "{yyyy}"
    assert axis["minInterval"] == pytest.approx(365.25 * 86400e3)  # two years: a tick a year


def test_large_type_and_the_projector_larger(real):
    opt = F.timeseries_option(real)
    assert opt["xAxis"][0]["axisLabel"]["fontSize"] >= 14 and opt["yAxis"][0]["axisLabel"]["fontSize"] >= 14
    assert opt["title"][0]["textStyle"]["fontSize"] >= 16 and opt["legend"]["textStyle"]["fontSize"] >= 14
    proj = F.projector_option(real)
    assert len(proj["grid"]) == 4
    assert proj["yAxis"][0]["axisLabel"]["fontSize"] > opt["yAxis"][0]["axisLabel"]["fontSize"]
    assert proj["title"][0]["textStyle"]["fontSize"] > opt["title"][0]["textStyle"]["fontSize"]


@pytest.mark.parametrize(("panels", "columns", "font", "height"),
                         [(F.CHART_OUTCOMES, 2, F.FONT_SIZE, 1150), (F.PROJECTOR_OUTCOMES, 2, 22, 640),
                          (F.CHART_OUTCOMES, 4, F.FONT_SIZE, None)])
def test_panels_fit_the_height(panels, columns, font, height):
    r = results([run(0, outcomes(0))], [run(0, outcomes(1))])
    opt = F.timeseries_option(r, panels, columns=columns, font_size=font, height=height)
    total = height or F.timeseries_height(len(panels), columns, font)
    rows = math.ceil(len(panels) / columns)
    bottoms = [g["top"] + g["height"] for g in opt["grid"]]
    assert max(bottoms) + 2 * font <= total + 1  # the lowest panel's year labels fit
    tops = sorted({g["top"] for g in opt["grid"]})
    assert len(tops) == rows and all(t["top"] < g["top"] for t, g in zip(opt["title"], opt["grid"], strict=True))


def test_no_runs_yet_draws_empty_panels():
    empty = Results("test", START, 52, 1000, 1.0, (), (), (), 4)
    opt = F.timeseries_option(empty, upto_week=10)
    assert len(opt["grid"]) == 8 and all(v is None for s in opt["series"] for _, v in s["data"])
    assert_plain(opt)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        F.timeseries_option(results([run(0, outcomes(0))], [run(0, outcomes(1))]), mode="ratio")


@pytest.mark.parametrize(("lo", "hi"), [(0, 2.3), (-13, 41), (0, 0), (0, 1.93), (-0.004, 0.0), (0, 9_999), (5, 5)])
def test_nice_range_covers_the_data_with_round_ticks(lo, hi):
    bottom, top, step = F.nice_range(lo, hi)
    assert bottom <= lo and top >= hi and top > bottom
    intervals = (top - bottom) / step
    assert intervals == pytest.approx(round(intervals)) and 2 <= round(intervals) <= 2 * F.Y_TICKS
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(mantissa == pytest.approx(f) for f in (1, 2, 2.5, 5))
    assert F.nice_range(0, 2.3) == (0, 2.5, 0.5) and F.nice_range(-13, 41) == (-20, 60, 20)


# ------------------------------------------------------------------------------------ bars
@dataclass
class Row:
    words: str
    pct: float | None
    pct_lo: float | None
    pct_hi: float | None
    verdict: str


def test_tradeoff_bars_are_coloured_by_verdict_with_error_bars():
    rows = [Row("Dead and missing", -12.34, -20.0, -4.0, "welcome"), Row("Remittances", 5.0, 1.0, 9.0, "unwelcome"),
            Row("Regular departures", 1.0, -3.0, 5.0, "no clear change"), Row("Smuggler revenue", None, None, None,
                                                                              "too few runs")]
    opt = B.tradeoff_option(rows)
    assert_plain(opt)
    bars = {s["name"]: s for s in opt["series"] if s["type"] == "bar"}
    assert bars["welcome"]["color"] == B.WELCOME_COLOUR and bars["unwelcome"]["color"] == B.UNWELCOME_COLOUR
    assert bars["no clear change"]["color"] == bars["too few runs"]["color"] == B.NEUTRAL_COLOUR
    assert bars["welcome"]["data"] == [-12.3, None, None, None]  # each bar in its verdict's series only
    assert bars["too few runs"]["data"] == [None] * 4
    box = next(s for s in opt["series"] if s["type"] == "boxplot")
    assert box["data"][0] == [-20.0, -12.3, -12.3, -12.3, -4.0] and box["data"][3] == []
    labels = opt["yAxis"]["data"]
    assert labels[0].startswith("Dead and missing\n-12%") and labels[3].endswith("n/a")
    assert opt["yAxis"]["inverse"] is True and opt["xAxis"]["axisLabel"]["formatter"] == "{value}%"


def test_packages_from_totals_or_percentages():
    rows = [{"words": "Deaths", "baseline": 200.0, "a": 150.0, "b": 260.0, "unit": "persons/week"},
            {"words": "Departures", "pct_a": 4.04, "pct_b": -1.0},
            {"words": "Revenue", "baseline": 0.0, "a": 1.0, "b": 2.0}]
    opt = B.packages_option(rows, names=("enforcement only", "enforcement and legal"))
    assert_plain(opt)
    a, b = opt["series"]
    assert (a["name"], b["name"]) == ("enforcement only", "enforcement and legal") == tuple(opt["legend"]["data"])
    assert [d["value"] for d in a["data"]] == [-25.0, 4.0, None]
    assert [d["value"] for d in b["data"]] == [30.0, -1.0, None]
    assert a["data"][0]["label"]["position"] == "left" and b["data"][0]["label"]["position"] == "right"
    assert opt["yAxis"]["data"][0] == "Deaths\nbaseline 200 persons"


# ------------------------------------------------------------------------------------ map
def map_results(net, flows: dict[int, float], risk: dict[int, float], weeks: int = 8, reps: int = 1) -> Results:
    n = net.n_edges
    crossings, death = np.zeros((weeks, n), np.float32), np.zeros((weeks, n), np.float32)
    for e, f in flows.items():
        crossings[:, e] = f
    for e, p in risk.items():
        death[:, e] = p
    out = np.zeros((weeks, len(OUTCOME_NAMES)))
    runs = [run(k, out, n, crossings, death, 1 - death) for k in range(reps)]
    return results(runs, runs)


def legs_by_name(opt: dict, net, edges) -> list[dict]:
    ids = net.nodes.node_id.tolist()
    src, dst = net.routes.src_i.to_numpy(), net.routes.dst_i.to_numpy()
    legs = opt["series"][0]["data"]
    return [next(x for x in legs if x["name"].startswith(f"{ids[src[e]]} → {ids[dst[e]]}:")) for e in edges]


def test_map_widths_grow_with_crossings_and_colours_follow_risk(net):
    r = map_results(net, flows={0: 10.0, 1: 1_000.0, 2: 100.0}, risk={0: 0.05, 1: 0.001, 2: 0.02})
    opt = M.map_option(r, net, 5)
    assert_plain(opt)
    legs = opt["series"][0]
    assert (legs["type"], legs["coordinateSystem"], legs["polyline"]) == ("lines", "cartesian2d", False)
    assert len(legs["data"]) == net.n_edges
    low, high, mid = legs_by_name(opt, net, (0, 1, 2))
    assert low["lineStyle"]["width"] < mid["lineStyle"]["width"] < high["lineStyle"]["width"] == M.MAX_WIDTH
    def darkness(leg):
        return -sum(int(leg["lineStyle"]["color"][i: i + 2], 16) for i in (1, 3, 5))
    assert darkness(high) < darkness(mid) < darkness(low)  # the riskiest leg is the darkest
    enforcement = legs_by_name(M.map_option(r, net, 5, "enforcement"), net, (0, 1, 2))
    assert darkness(enforcement[1]) > darkness(enforcement[2]) > darkness(enforcement[0])  # 1 - risk


def test_map_width_is_the_mean_of_four_weeks_up_to_the_week(net):
    r = map_results(net, flows={}, risk={})
    r.scenario[0].crossings[:, 0] = [0, 0, 0, 0, 400, 400, 400, 400]
    r.scenario[0].crossings[:, 1] = 100.0
    assert M.leg_flows(r, 3)[0] == 0 and M.leg_flows(r, 5)[0] == pytest.approx(200.0)
    assert M.leg_flows(r, 7)[0] == pytest.approx(400.0) and M.peak_flow(r) == pytest.approx(400.0)
    w3, w7 = (legs_by_name(M.map_option(r, net, week), net, (0,))[0]["lineStyle"]["width"] for week in (3, 7))
    assert w3 == M.MIN_WIDTH and w7 == M.MAX_WIDTH  # widths on the horizon's scale: Play changes legs, not scale


def test_map_says_when_and_what_width_and_colour_mean(net, real):
    opt = M.map_option(real, net, 84, "risk")
    title = opt["title"]
    assert title["text"] == "11 August 2021 (week 85)"  # the week the Taliban took Kabul (15 August)
    assert "Line width: persons crossing" in title["subtext"] and "chance of death" in title["subtext"]
    places = opt["series"][1]
    assert places["type"] == "scatter" and places["labelLayout"] == {"hideOverlap": True}
    assert len(places["data"]) == len(net.nodes) and places["label"]["fontSize"] >= 14
    assert "chance of death" in opt["visualMap"]["text"][0]
    lon, lat = opt["xAxis"], opt["yAxis"]
    assert lon["min"] <= net.nodes.lon.min() and lon["max"] >= net.nodes.lon.max()
    assert lat["min"] <= net.nodes.lat.min() and lat["max"] >= net.nodes.lat.max()
    widths = [x["lineStyle"]["width"] for x in opt["series"][0]["data"]]
    assert max(widths) > M.MIN_WIDTH  # people cross some legs in real runs
    with pytest.raises(ValueError, match="colour_by"):
        M.map_option(real, net, 0, "speed")


def test_map_axes_keep_the_ground_aspect():
    lon, lat = np.array([0.0, 90.0]), np.array([25.0, 60.0])
    (x0, x1), (y0, y1) = M.axis_ranges(lon, lat, aspect=1.75)
    squeeze = math.cos(math.radians((y0 + y1) / 2))
    assert (x1 - x0) * squeeze / (y1 - y0) == pytest.approx(1.75, rel=0.25)


def test_map_without_runs(net):
    opt = M.map_option(Results("test", START, 52, 1000, 1.0, (), (), (), 4), net, 3)
    assert_plain(opt)
    assert opt["title"]["subtext"] == "No runs yet."
    assert {x["lineStyle"]["width"] for x in opt["series"][0]["data"]} == {M.MIN_WIDTH}

"""Coverage and within-x% arithmetic of `bp_sim.validation.intervals`, and the facts' verdicts, on constructed numbers."""

from __future__ import annotations

import numpy as np
import pytest

from bp_sim.validation.config import Check
from bp_sim.validation.facts import FAILS, HOLDS, OPEN, verdict
from bp_sim.validation.intervals import against, goal_met, shares, summarise_runs


def test_quantiles_coverage_and_distance_on_known_runs():
    # 101 runs of 1..101 for every figure: median 51, 50% interval 26-76, 90% interval 6-96
    runs = np.tile(np.arange(1.0, 102.0)[:, None], (1, 5))
    s = summarise_runs(runs)
    assert s["median"].tolist() == [51.0] * 5
    assert [s.low50[0], s.high50[0], s.low90[0], s.high90[0]] == pytest.approx([26.0, 76.0, 6.0, 96.0])
    t = against(s, np.array([51.0, 56.1, 30.0, 5.0, 80.0]))
    assert t.inside50.tolist() == [True, True, True, False, False]
    assert t.inside90.tolist() == [True, True, True, False, True]
    assert t.within10pct.tolist() == [True, True, False, False, False]  # 51/56.1 = 0.909: within 10%
    assert t.within35pct.tolist() == [True, True, False, False, False]  # 51/80 - 1 = -0.3625: not within 35%
    sh = shares(t)
    assert sh == pytest.approx({"inside50": 0.6, "inside90": 0.8, "within10pct": 0.4, "within35pct": 0.4})
    assert not goal_met(sh)
    assert goal_met({"inside50": 0, "inside90": 0, "within10pct": 0.5, "within35pct": 1.0})
    assert not goal_met({"inside50": 1, "inside90": 1, "within10pct": 1.0, "within35pct": 0.99})


def test_a_figure_without_runs_is_left_out_of_the_shares():
    runs = np.array([[1.0, np.nan], [3.0, np.nan]])
    t = against(summarise_runs(runs), np.array([2.0, 2.0]))
    assert t.runs.tolist() == [2, 0] and np.isnan(t["median"][1])
    assert shares(t)["inside50"] == 1.0


@pytest.mark.parametrize(("expect", "lo", "hi", "lo_pct", "hi_pct", "within", "result"), [
    ("up", 1, 5, 1, 5, None, HOLDS), ("up", -5, -1, -5, -1, None, FAILS), ("up", -1, 5, -1, 5, None, OPEN),
    ("up", 0, 0, 0, 0, None, FAILS), ("down", -5, -1, -5, -1, None, HOLDS), ("down", 1, 5, 1, 5, None, FAILS),
    ("down", np.nan, np.nan, np.nan, np.nan, None, OPEN), ("not_down", -5, 1, -5, 1, None, HOLDS),
    ("not_down", -5, -1, -5, -1, None, FAILS), ("small", 0, 0, -2, 3, 5.0, HOLDS), ("small", 0, 0, 6, 9, 5.0, FAILS),
    ("small", 0, 0, -9, -6, 5.0, FAILS), ("small", 0, 0, -2, 8, 5.0, OPEN),
])
def test_the_verdict_is_read_off_the_interval(expect, lo, hi, lo_pct, hi_pct, within, result):
    assert verdict(Check("irregular_departures", expect, within), lo, hi, lo_pct, hi_pct) == result

import json

import pytest

from bp_sim.regression import SUMMARY_PATH, summary


def test_small_baseline_matches_stored_summary():
    stored = json.loads(SUMMARY_PATH.read_text())
    now = summary()
    assert now["settings"] == stored["settings"]
    for name, value in stored["totals"].items():
        assert now["totals"][name] == pytest.approx(value, rel=1e-9, abs=1e-6), (
            f"{name} changed: if on purpose, run `python -m bp_sim.regression --write` and explain in the commit")

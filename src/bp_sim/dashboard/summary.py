"""Plain-language summary of what the levers changed, against the baseline run with the same seed.

"irregular arrivals in Europe -18%, deaths and missing -9%, smuggler revenue +12% against the
baseline": flows are totalled and stocks averaged over the weeks run so far (as in `bp-sim compare`).
"""

from __future__ import annotations

import numpy as np

from bp_sim.compare import horizon_totals
from bp_sim.outcomes import OUTCOME_INDEX

# outcome, words
SUMMARY_OUTCOMES = (
    ("irregular_arrivals_europe", "irregular arrivals in Europe"),
    ("irregular_departures", "irregular departures"),
    ("deaths_missing", "deaths and missing"),
    ("smuggler_revenue_usd", "smuggler revenue"),
    ("regular_departures", "regular departures"),
    ("trafficking_victims", "trafficking victims"),
    ("asylum_backlog", "asylum backlog"),
    ("remittances_received_usd", "remittances received at origins"),
    ("returns_forced", "forced returns"),
    ("migrant_employment_rate", "migrants' employment rate"),
)
NO_CHANGE = "No difference from the baseline so far."


def changes(scenario: np.ndarray, baseline: np.ndarray) -> list[tuple[str, float]]:
    """(words, percent change against the baseline) for each summary outcome that moved."""
    if len(scenario) == 0:
        return []
    s, b = horizon_totals(scenario), horizon_totals(baseline)  # an outcome with no value yet is NaN
    out = []
    for name, words in SUMMARY_OUTCOMES:
        j = OUTCOME_INDEX[name]
        if np.isnan(s[j]) or np.isnan(b[j]) or s[j] == b[j]:
            continue
        pct = 100.0 * (s[j] - b[j]) / abs(b[j]) if b[j] != 0 else np.inf
        if abs(pct) >= 0.05:  # shown to one decimal: smaller moves would read as +0.0%
            out.append((words, pct))
    return out


def sentence(scenario: np.ndarray, baseline: np.ndarray) -> str:
    """One sentence, e.g. 'Over 52 weeks: irregular arrivals in Europe -18%, ... against the baseline.'"""
    moved = changes(scenario, baseline)
    if not moved:
        return NO_CHANGE
    parts = [f"{words} {_pct(p)}" for words, p in moved]
    return f"Over {len(scenario)} weeks: " + ", ".join(parts) + " against the baseline."


def _pct(p: float) -> str:
    if np.isinf(p):
        return "up from none"
    return f"{p:+.1f}%" if abs(p) < 10 else f"{p:+.0f}%"

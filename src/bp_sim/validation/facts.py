"""The stylized facts: each a paired experiment run through `bp_sim.compare`, with a verdict per check.

Replicate r of a fact's base and policy scenario runs with seed `seed + r` (common random numbers)
and, for the calibrated model, posterior set r in both (`compare --posterior`'s semantics); with
the hand-tuned model, the parameters of the scenarios. A check's paired difference (policy minus
base, per replicate) has a 95% t-interval (`bp_sim.stats.mean_ci`); the verdict is read off it:

- up:       holds when the interval is above 0; does not hold when below 0 (or exactly 0); else not resolved;
- down:     the mirror image;
- not_down: does not hold when the interval is below 0; else holds (a claim that something need not fall);
- any:      not resolved when the quantity is 0 (or undefined) in every run of both scenarios;
- small:    holds when the interval, in percent of the base, lies within +-within_pct; does not hold
            when it lies wholly outside; else not resolved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from bp_sim.compare import RunResult, run_replicates
from bp_sim.outcomes import OUTCOME_INDEX, horizon_totals
from bp_sim.stats import mean_ci
from bp_sim.validation.config import Check, Fact

HOLDS, FAILS, OPEN = "holds", "does not hold", "not resolved"


def verdict(check: Check, lo: float, hi: float, lo_pct: float, hi_pct: float) -> str:
    """The verdict of a check from its paired 95% interval (absolute, and in percent of the base)."""
    if check.expect == "small":
        if not (np.isfinite(lo_pct) and np.isfinite(hi_pct)):
            return OPEN
        w = check.within_pct
        if -w <= lo_pct and hi_pct <= w:
            return HOLDS
        return FAILS if lo_pct > w or hi_pct < -w else OPEN
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return OPEN
    if check.expect == "not_down":
        return FAILS if hi < 0 else HOLDS
    sign = 1.0 if check.expect == "up" else -1.0
    a, b = sorted((sign * lo, sign * hi))
    if a > 0:
        return HOLDS
    return FAILS if b < 0 or a == b == 0 else OPEN


def value(totals: np.ndarray, check: Check) -> float:
    """A check's quantity from one run's totals: an outcome's, or the ratio of two."""
    parts = [float(totals[OUTCOME_INDEX[p]]) for p in check.parts]
    if len(parts) == 1:
        return parts[0]
    return parts[0] / parts[1] if parts[1] else np.nan


def weeks_until(fact: Fact) -> int | None:
    """The weeks summed: up to the week that holds `until` (None: all of them)."""
    if fact.until is None:
        return None
    return (fact.until - fact.base.start_date) // dt.timedelta(weeks=1) + 1


def _all_zero(base: np.ndarray, pol: np.ndarray) -> bool:
    """Nothing to compare: the quantity is 0 (or undefined) in every run of both scenarios."""
    both = np.concatenate([base, pol])
    return bool(np.all((both == 0) | np.isnan(both)))


def _percent_of(ref: float) -> Callable[[float], float]:
    """x as a percentage of |ref| (NaN when ref is 0 or NaN)."""
    return lambda x: 100.0 * x / abs(ref) if ref and np.isfinite(ref) else np.nan


def paired(fact: Fact, results: list[RunResult], reps: int) -> list[dict]:
    """The rows of facts.csv for one model's runs of a fact (scenario 0 base, 1 policy)."""
    stop = weeks_until(fact)
    tot = {(r.scenario, r.replicate): horizon_totals(r.series[:stop]) for r in results}
    rows = []
    for c in fact.checks:
        base = np.array([value(tot[(0, i)], c) for i in range(reps)])
        pol = np.array([value(tot[(1, i)], c) for i in range(reps)])
        d, lo, hi = mean_ci(pol - base)
        ref = float(np.nanmean(base)) if np.isfinite(base).any() else np.nan
        pct = _percent_of(ref)
        rows.append({"fact": fact.id, "title": fact.title, "outcome": c.outcome,
                     "focus": f"{fact.focus.kind} {fact.focus.label}".strip() or "everyone",
                     "until": fact.until.isoformat() if fact.until else "", "expect": c.expect,
                     "within_pct": c.within_pct, "base_mean": ref, "policy_mean": float(np.nanmean(pol)),
                     "diff": d, "diff_low": lo, "diff_high": hi, "diff_pct": pct(d), "diff_pct_low": pct(lo),
                     "diff_pct_high": pct(hi), "replicates": reps,
                     "verdict": OPEN if _all_zero(base, pol) else verdict(c, lo, hi, pct(lo), pct(hi)),
                     "reference": fact.reference})
    return rows


def run_facts(facts: tuple[Fact, ...], reps: int, agents: int | None, seed: int, jobs: int,
              sets: list[dict[str, float]] | None, progress: Callable[[int, int], None] | None = None
              ) -> tuple[pd.DataFrame, dict[str, list[RunResult]]]:
    """Every fact's paired runs (with `sets[r]` in replicate r of both scenarios, or the scenarios'
    parameters when None): facts.csv rows and each fact's runs."""
    rows, runs = [], {}
    for fact in facts:
        res = run_replicates([fact.base, fact.policy], reps, agents, seed, jobs, progress, fact.focus,
                             sets[:reps] if sets else None)
        runs[fact.id] = res
        rows += paired(fact, res, reps)
    return pd.DataFrame(rows), runs

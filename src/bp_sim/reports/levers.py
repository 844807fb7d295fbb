"""Write docs/levers.md: the catalogue, what pairing buys, and the trade-offs between levers.

    python -m bp_sim.reports.levers [--reps R] [--agents N] [--years Y] [--jobs J]

Runs every bundled scenario against the baseline with common random numbers (`compare`),
measures for two levers how much pairing by replicate narrows the interval of a difference
against treating the same replicates as independent, and lists the levers whose significant
effects pull outcomes in opposite directions.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from bp_sim.compare import run_replicates
from bp_sim.levers.catalogue import catalogue_table
from bp_sim.network import load_network
from bp_sim.outcomes import OUTCOME_INDEX, horizon_totals
from bp_sim.scenario import load_scenario, scenarios_dir
from bp_sim.stats import mean_ci, unpaired_diff_ci

DOC = Path(__file__).resolve().parents[3] / "docs" / "levers.md"

# Which direction of each outcome a policy maker would call better (+1 up, -1 down).
BETTER = {
    "deaths_missing": -1, "trafficking_victims": -1, "exploited": -1, "smuggler_revenue_usd": -1,
    "irregular_departures": -1, "irregular_arrivals_europe": -1, "stranded_in_transit": -1,
    "asylum_backlog": -1, "mean_asylum_wait_weeks": -1, "remittances_received_usd": +1,
    "remittance_fees_usd": -1, "migrant_employment_rate": +1, "regular_departures": +1,
    "missing_identified": +1, "trafficking_victims_identified": +1, "remigrated": -1,
}
PAIRING = (("remittances_sdg", "remittances_received_usd"), ("enforcement_surge_aegean", "irregular_arrivals_europe"))


def catalogue_markdown() -> list[str]:
    table = catalogue_table()
    lines = ["| action | title | lever | moves | mode, range | mechanism |", "|---|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.action_id} | {r.short_title} | `{r.lever}` | `{r.moves}` ({r.targets}) | "
                     f"{r.mode} [{r.low:g}, {r.high:g}] {r.unit} | {r.mechanism} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bp_sim.reports.levers")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--agents", type=int, default=20_000)
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    net = load_network()
    files = sorted(scenarios_dir().glob("*.toml"))
    scenarios = [load_scenario(f, net) for f in files]
    scenarios.sort(key=lambda sc: sc.name != "baseline")
    for sc in scenarios:
        sc.years = args.years
    t0 = time.perf_counter()
    results = run_replicates(scenarios, args.reps, args.agents, args.seed, args.jobs)
    elapsed = time.perf_counter() - t0
    totals = np.full((len(scenarios), args.reps, len(OUTCOME_INDEX)), np.nan)
    for r in results:
        totals[r.scenario, r.replicate] = horizon_totals(r.series)
    names = [sc.name for sc in scenarios]

    lines = ["# Levers: the Call for Action in the model", "",
             "Every action of the Budapest Process Call for Action (`src/bp_sim/data/actions.csv`) is tied to at "
             "least one lever (`src/bp_sim/data/levers.csv`); `bp-sim levers` prints this table, "
             "`bp-sim levers --json` gives it to tools. Where an action has no mechanism of its own, the "
             "'representation' column of `actions.csv` says how the model stands for it.", ""]
    lines += catalogue_markdown()
    lines += ["", "## What pairing buys", "",
              f"Made by `python -m bp_sim.reports.levers --reps {args.reps} --agents {args.agents} --years "
              f"{args.years:g} --jobs {args.jobs}` ({len(results)} runs, {elapsed:.0f} s on this machine). "
              "Replicate i of every scenario uses seed i, and random numbers are keyed by (seed, agent, week, "
              "decision), so a scenario and the baseline share their randomness. The interval of the "
              "difference is computed twice from the same runs: paired by replicate, and treating the runs "
              "as independent samples (Welch).", "",
              "| scenario | outcome | difference | paired 95% CI | unpaired 95% CI | width ratio (unpaired / paired) |",
              "|---|---|---:|---:|---:|---:|"]
    for name, outcome in PAIRING:
        k, j = names.index(name), OUTCOME_INDEX[outcome]
        d, lo, hi = mean_ci(totals[k, :, j] - totals[0, :, j])
        _, ulo, uhi = unpaired_diff_ci(totals[k, :, j], totals[0, :, j])
        ratio = (uhi - ulo) / (hi - lo) if hi > lo else np.inf
        lines.append(f"| {name} | {outcome} | {d:,.0f} | {lo:,.0f} to {hi:,.0f} | {ulo:,.0f} to {uhi:,.0f} | "
                     f"{ratio:.1f}x |")
    lines += ["", "## Trade-offs", "",
              "Outcomes each scenario moves with a paired 95% interval that excludes zero, split by whether "
              "the move is one a policy maker would welcome (see `BETTER` in `src/bp_sim/reports/levers.py`). "
              "A scenario with entries in both columns pulls outcomes in opposite directions.", "",
              "| scenario | welcome | unwelcome |", "|---|---|---|"]
    for k, name in enumerate(names[1:], start=1):
        good, bad = [], []
        base_mean = np.nanmean(totals[0], axis=0)
        for outcome, better in BETTER.items():
            j = OUTCOME_INDEX[outcome]
            d, lo, hi = mean_ci(totals[k, :, j] - totals[0, :, j])
            if not (lo > 0 or hi < 0):
                continue
            pct = 100 * d / base_mean[j] if base_mean[j] else np.nan
            text = f"{outcome} {pct:+.1f}%"
            (good if np.sign(d) == better else bad).append(text)
        lines.append(f"| {name} | {'; '.join(good) or '-'} | {'; '.join(bad) or '-'} |")
    lines += ["", "Effects not in the table were too small to separate from zero at this size; deaths in "
              "particular rest on few agents.", ""]
    DOC.write_text("\n".join(lines))
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How well the model resolves rare outcomes: their spread between seeds, and whether search and
rescue (PG5.6) moves deaths at the size people run.

    python benchmarks/rare_outcomes.py                  # 10 seeds (1000-1009), the default size, 2021-2023
    python benchmarks/rare_outcomes.py --persons-per-mover 20 --sar-reps 5

Part 1 runs the bundled baseline once per seed for the whole 2020-2024 horizon (as
`bp-sim run baseline --seed S` does) and takes, for each year of `--years-shown`, the yearly sums of:
dead and missing on the Turkey-Greece legs (TUR_AEGEAN->GRC_ISLANDS and TUR->GRC_EVROS, from the
recorded crossings per leg), dead and missing on all routes, identified trafficking victims,
irregular arrivals in Europe and first-time asylum applications. It prints, per outcome and year,
the mean over seeds, the coefficient of variation (sd / mean, in %) and the number of seed-years
at zero. Part 2 runs `--sar-reps` replicates of the baseline and of the baseline with the lever
`search_and_rescue` at 1 on its default places (the sea legs), paired by seed, and prints the
paired change of `deaths_missing` over the horizon with its 95% t-interval. Results:
benchmarks/results/rare_outcomes.csv and rare_outcomes_sar.csv.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from bp_sim.levers.setting import LeverSetting
from bp_sim.model import SilkRoutesModel
from bp_sim.network import load_network
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.scenario import load_scenario
from bp_sim.tally import E_DEATHS

HERE = Path(__file__).resolve().parent
TURKEY_GREECE_LEGS = ("TUR_AEGEAN->GRC_ISLANDS", "TUR->GRC_EVROS")
YEARLY = ("deaths_missing", "trafficking_victims_identified", "irregular_arrivals_europe", "asylum_applications")


def yearly_rows(model: SilkRoutesModel, seed: int, years: list[int]) -> list[dict]:
    """One row per (outcome, year) of a finished run: persons in that calendar year."""
    rec, net = model.recorder, model.net
    steps = rec.steps_done
    year_of = np.array([(model.scenario.start_date + dt.timedelta(weeks=t)).year for t in range(steps)])
    legs = [net.edge_index(label) for label in TURKEY_GREECE_LEGS]
    rows = []
    for year in years:
        weeks = year_of == year
        rows.append({"seed": seed, "year": year, "outcome": "deaths_turkey_greece_legs",
                     "persons": float(rec.edges[:steps][weeks][:, legs, E_DEATHS].sum())})
        for name in YEARLY:
            rows.append({"seed": seed, "year": year, "outcome": name,
                         "persons": float(np.nansum(rec.outcomes[:steps][weeks, OUTCOME_INDEX[name]]))})
    return rows


def spread(df: pd.DataFrame) -> pd.DataFrame:
    """Mean, coefficient of variation and zero seed-years per outcome and year."""
    g = df.groupby(["outcome", "year"]).persons
    out = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "zero_seed_years": g.apply(lambda s: int((s == 0).sum())),
                        "seeds": g.size()})
    out["cv_pct"] = 100 * out["sd"] / out["mean"].where(out["mean"] > 0)
    return out.reset_index()


def search_and_rescue_effect(agents: int | None, reps: int, seed: int, persons_per_mover: int | None = None,
                             persons_per_agent_abroad: float | None = None) -> dict:
    """Paired change of deaths_missing over the horizon with the lever search_and_rescue = 1."""
    net = load_network()
    base = load_scenario("baseline", net)
    sar = copy.deepcopy(base)
    sar.levers = {**sar.levers, "search_and_rescue": LeverSetting("search_and_rescue", 1.0)}
    k = OUTCOME_INDEX["deaths_missing"]
    diffs, totals = [], []
    for r in range(reps):
        pair = []
        for sc in (base, sar):
            m = SilkRoutesModel(sc, agents=agents, seed=seed + r, network=net, persons_per_mover=persons_per_mover,
                                persons_per_agent_abroad=persons_per_agent_abroad)
            m.run()
            pair.append(float(np.nansum(m.recorder.outcomes[: m.recorder.steps_done, k])))
        totals.append(pair[0])
        diffs.append(pair[1] - pair[0])
    d = np.array(diffs)
    half = stats.t.ppf(0.975, reps - 1) * d.std(ddof=1) / np.sqrt(reps) if reps > 1 else np.nan
    return {"agents": agents, "replicates": reps, "baseline_deaths_mean": float(np.mean(totals)),
            "change_mean": float(d.mean()), "ci_low": float(d.mean() - half), "ci_high": float(d.mean() + half),
            "interval_excludes_zero": bool(d.mean() - half > 0 or d.mean() + half < 0)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=None, help="cohorts at home (default: the model's)")
    ap.add_argument("--persons-per-mover", type=int, default=None, help="persons per row of movers (default: the model's)")
    ap.add_argument("--persons-per-agent-abroad", type=float, default=None,
                    help="persons per row abroad at the start (default: the model's)")
    ap.add_argument("--seeds", type=int, default=10, help="seeds 1000, 1001, ...")
    ap.add_argument("--years-shown", default="2021,2022,2023")
    ap.add_argument("--sar-reps", type=int, default=5, help="paired replicates for search and rescue (0: skip)")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    years = [int(y) for y in args.years_shown.split(",")]
    net = load_network()
    rows, t0 = [], time.perf_counter()
    for s in range(args.seeds):
        m = SilkRoutesModel("baseline", agents=args.agents, seed=1000 + s, network=net,
                            persons_per_mover=args.persons_per_mover,
                            persons_per_agent_abroad=args.persons_per_agent_abroad)
        m.run()
        rows.extend(yearly_rows(m, 1000 + s, years))
    table = spread(pd.DataFrame(rows))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "rare_outcomes.csv", index=False)
    with pd.option_context("display.width", 160, "display.float_format", "{:,.1f}".format):
        print(f"baseline, {m.n_cohorts:,} cohorts, {m.persons_per_mover} persons per mover, seeds 1000-"
              f"{999 + args.seeds}, {time.perf_counter() - t0:.0f} s")
        print(table.to_string(index=False))
    if args.sar_reps:
        sar = search_and_rescue_effect(args.agents, args.sar_reps, 0, args.persons_per_mover,
                                       args.persons_per_agent_abroad)
        pd.DataFrame([sar]).to_csv(out / "rare_outcomes_sar.csv", index=False)
        print(f"search_and_rescue = 1 on the sea legs, {args.sar_reps} paired replicates: deaths_missing "
              f"{sar['change_mean']:+,.0f} persons (95% interval {sar['ci_low']:+,.0f} to {sar['ci_high']:+,.0f}; "
              f"baseline {sar['baseline_deaths_mean']:,.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

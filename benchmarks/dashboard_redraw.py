"""Time one dashboard week: both models stepped, charts, map and summary redrawn (was a timed test).

    python benchmarks/dashboard_redraw.py [--agents N] [--repeats R]

Prints the best and median of R timed weeks after 30 warm-up weeks and writes
benchmarks/results/dashboard_redraw.csv. Speed is measured here, not asserted in tests
(tests/dashboard/test_views.py checks what is drawn, whatever the machine's speed).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pandas as pd

from bp_sim.dashboard.charts import chart_png
from bp_sim.dashboard.network_map import map_png
from bp_sim.dashboard.paired import DASHBOARD_AGENTS, PairedModel
from bp_sim.dashboard.summary import sentence

HERE = Path(__file__).resolve().parent
WARM_UP_WEEKS = 30  # weeks stepped before timing (fonts, caches, a non-trivial chart)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=DASHBOARD_AGENTS, help="agents per model (default: the dashboard's)")
    ap.add_argument("--repeats", type=int, default=5, help="timed weeks")
    ap.add_argument("--out", default=str(HERE / "results"), help="folder for the CSV")
    args = ap.parse_args(argv)
    m = PairedModel(agents=args.agents)
    m.set_lever("border_enforcement", 1.0)
    for _ in range(WARM_UP_WEEKS):
        m.step()
    chart_png(*m.series(), m.preset_scenario.start_date)
    rows = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        m.step()
        t1 = time.perf_counter()
        s, b = m.series()
        chart_png(s, b, m.preset_scenario.start_date)
        t2 = time.perf_counter()
        map_png(m.scenario_model, "enforcement")
        t3 = time.perf_counter()
        sentence(s, b)
        t4 = time.perf_counter()
        rows.append({"agents": args.agents, "step_s": t1 - t0, "charts_s": t2 - t1, "map_s": t3 - t2,
                     "summary_s": t4 - t3, "week_s": t4 - t0})
    df = pd.DataFrame(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "dashboard_redraw.csv", index=False)
    week = df.week_s.tolist()
    print(f"dashboard week at {args.agents:,} agents: best {min(week):.2f} s, median {statistics.median(week):.2f} s "
          f"(step {df.step_s.median():.3f} s, charts {df.charts_s.median():.2f} s, map {df.map_s.median():.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed and memory of the two resolutions: the baseline 2020-2024 at the default size and at a
finer mover resolution, each in a fresh process (so its peak memory is its own).

    python benchmarks/two_resolutions.py                          # default, and persons_per_mover = 1
    python benchmarks/two_resolutions.py --movers 100,10,1 --abroad 100 --years 5

For each resolution it reports the seconds of the simulation (warm cache), rows at the end,
row-steps per second (cohorts and rows stepped, week by week), person-weeks per second (every
person simulated, home included), bytes of state per row, the arrays' bytes at the end and the
process's peak resident memory. Results: benchmarks/results/two_resolutions.csv.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

CHILD = """
import json, resource, sys, time
from bp_sim.model import SilkRoutesModel
from bp_sim.population import bytes_per_agent
from bp_sim.warmup import warm_up_engine
ppm, years = int(sys.argv[1]), float(sys.argv[2])
abroad = float(sys.argv[3]) if sys.argv[3] != "same" else None
warm_up_engine(stream=None)
m = SilkRoutesModel("baseline", seed=1000, persons_per_mover=ppm, persons_per_agent_abroad=abroad)
m.scenario.years = years
t0 = time.perf_counter()
m.run()
sim = time.perf_counter() - t0
arrays = m.rows.nbytes + sum(a.nbytes for a in m.cohorts.rows)
print(json.dumps({"persons_per_mover": ppm, "persons_per_agent_abroad": m.persons_per_agent_abroad,
                  "cohorts": m.n_cohorts, "years": years, "seconds_simulation": sim,
                  "rows_at_end": m.rows_in_use, "row_steps_per_second": m.row_steps / sim,
                  "person_weeks_per_second": m.persons_total * m.recorder.steps_done / sim,
                  "bytes_per_row": bytes_per_agent(), "array_bytes_at_end": arrays,
                  "reallocations": m.rows.grown,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def measure(ppm: int, years: float, abroad: str = "same") -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ppm), str(years), abroad], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--movers", default="100,1", help="persons per mover to measure, comma-separated")
    ap.add_argument("--abroad", default="same", help="persons per row abroad at the start (default: as movers)")
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    rows = [measure(int(m), args.years, args.abroad) for m in args.movers.split(",")]
    df = pd.DataFrame(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "two_resolutions.csv", index=False)
    with pd.option_context("display.width", 200, "display.float_format", "{:,.3g}".format):
        print(df.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

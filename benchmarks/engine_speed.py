"""Engine speed and memory: agent-steps per second by population size, bytes per agent, start-up.

    python benchmarks/engine_speed.py            # 10k, 100k, 1M agents (a few minutes here)
    python benchmarks/engine_speed.py --quick    # 10k and 50k agents, warm cache: CI smoke check

Each size runs the baseline scenario for --weeks weeks in a fresh process (so peak memory and
start-up are per size) and writes benchmarks/results/engine_speed.csv and .png. Start-up is
measured twice: with an empty Numba cache (cold: compiles) and with the cache it left (cached).
Issue 4 adds the reference twin and thread scaling; this script is its first part.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from bp_sim import SilkRoutesModel
from bp_sim.population import bytes_per_agent
agents, weeks = int(sys.argv[1]), int(sys.argv[2])
m = SilkRoutesModel("baseline", agents=agents, seed=1)
m.step()  # first week: compiles or loads the kernels
t1 = time.perf_counter()
m.run(weeks)
t2 = time.perf_counter()
print(json.dumps({"agents": agents, "weeks": weeks, "startup_s": t1 - t0, "seconds_simulation": t2 - t1,
                  "agent_steps_per_second": agents * weeks / (t2 - t1),
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "state_bytes_per_agent": bytes_per_agent()}))
"""


def run_child(agents: int, weeks: int, cache_dir: str | None) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir) if cache_dir else dict(os.environ)
    out = subprocess.run([sys.executable, "-c", CHILD, str(agents), str(weeks)], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes only (CI smoke check)")
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    sizes = [10_000, 50_000] if args.quick else [10_000, 100_000, 1_000_000]
    weeks = 8 if args.quick else args.weeks
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as empty_cache:
        t = time.perf_counter()
        # Quick mode uses the usual cache (CI has just compiled the kernels) and skips the cold start.
        cache = None if args.quick else empty_cache
        cold = None if args.quick else run_child(sizes[0], 1, cache)
        cached = run_child(sizes[0], 1, cache)
        rows = [run_child(n, weeks, cache) for n in sizes]
        total = time.perf_counter() - t
    import pandas as pd

    df = pd.DataFrame(rows)
    df["peak_rss_bytes_per_agent"] = df.peak_rss_bytes / df.agents
    df["startup_cold_s"] = cold["startup_s"] if cold else float("nan")
    df["startup_cached_s"] = cached["startup_s"]
    df.to_csv(out / "engine_speed.csv", index=False)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(df.agents, df.agent_steps_per_second / 1e6, "o-")
    ax.set_xscale("log")
    ax.set_xlabel("agents")
    ax.set_ylabel("million agent-steps per second")
    ax.set_title(f"bp_sim engine, baseline, {os.cpu_count()} cores")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "engine_speed.png", dpi=90)
    print(df[["agents", "weeks", "agent_steps_per_second", "peak_rss_bytes_per_agent", "state_bytes_per_agent"]]
          .to_string(index=False))
    cold_text = f"cold {cold['startup_s']:.1f} s, " if cold else ""
    print(f"start-up: {cold_text}cached {cached['startup_s']:.1f} s; total {total:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

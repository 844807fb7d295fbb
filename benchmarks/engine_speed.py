"""Engine speed and memory: agent-steps per second by population size, the speed-up over the
plain-Mesa reference twin, scaling with threads, bytes per agent, and start-up cold and cached.

    python benchmarks/engine_speed.py            # the full set (about 10 minutes on 2 cores)
    python benchmarks/engine_speed.py --quick    # small sizes, warm cache: CI smoke check (< 1 min)

Every measurement runs the baseline scenario (seed 1) in a fresh process, so peak memory and
start-up belong to that run alone; the engine and the twin are timed in the same invocation on
the same machine, so their ratio is not disturbed by a machine that changed in between. Results:
benchmarks/results/engine_speed.csv and engine_speed.png (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 1
ENGINE_REPEATS = 5  # engine runs per twin comparison (the median is kept; see measure)

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import numba
from bp_sim.engines import model_class
from bp_sim.population import bytes_per_agent
engine, agents, weeks, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
m = model_class(engine)("baseline", agents=agents, seed=seed)
m.step()  # first week: compiles or loads the kernels
t1 = time.perf_counter()
m.run(weeks)
t2 = time.perf_counter()
print(json.dumps({"engine": engine, "agents": agents, "weeks": weeks,
                  "threads": numba.get_num_threads() if engine == "numba" else 1,
                  "startup_s": t1 - t0, "seconds_simulation": t2 - t1,
                  "agent_steps_per_second": agents * weeks / (t2 - t1),
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "state_bytes_per_agent": bytes_per_agent()}))
"""


@dataclass(frozen=True)
class Plan:
    """What one invocation measures."""

    engine_sizes: tuple[tuple[int, int], ...]  # (agents, weeks)
    reference_sizes: tuple[tuple[int, int], ...]  # the twin, each also run by the engine
    thread_agents: int
    thread_weeks: int
    cold_start: bool


FULL = Plan(engine_sizes=((10_000, 52), (100_000, 52), (1_000_000, 52), (10_000_000, 260)),
            reference_sizes=((10_000, 52), (100_000, 52)), thread_agents=1_000_000, thread_weeks=52,
            cold_start=True)
QUICK = Plan(engine_sizes=((10_000, 8), (50_000, 8)), reference_sizes=((2_000, 4),), thread_agents=10_000,
             thread_weeks=8, cold_start=False)


def run_child(engine: str, agents: int, weeks: int, *, threads: int | None = None,
              cache_dir: str | None = None) -> dict:
    """One measured run in a fresh interpreter."""
    env = dict(os.environ)
    if cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
    if threads:
        env["NUMBA_NUM_THREADS"] = str(threads)
    out = subprocess.run([sys.executable, "-c", CHILD, engine, str(agents), str(weeks), str(SEED)], env=env,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def thread_counts() -> list[int]:
    """1, 2, 4, ... up to the cores this machine has, and the core count itself."""
    cores = os.cpu_count() or 1
    counts = [1]
    while counts[-1] * 2 <= cores:
        counts.append(counts[-1] * 2)
    return counts if counts[-1] == cores else [*counts, cores]


def measure(plan: Plan) -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as empty_cache:
        # Cold start compiles into an empty cache; the cached start then loads what it left.
        # Quick mode uses the usual cache (CI has just compiled the kernels).
        cache = empty_cache if plan.cold_start else None
        smallest = plan.engine_sizes[0][0]
        if plan.cold_start:
            rows.append({"kind": "startup_cold", **run_child("numba", smallest, 1, cache_dir=cache)})
        rows.append({"kind": "startup_cached", **run_child("numba", smallest, 1, cache_dir=cache)})
        for agents, weeks in plan.engine_sizes:
            rows.append({"kind": "size", **run_child("numba", agents, weeks, cache_dir=cache)})
            print(f"engine {agents:>11,} agents x {weeks} weeks: {rows[-1]['agent_steps_per_second'] / 1e6:.1f} M/s",
                  flush=True)
        for agents, weeks in plan.reference_sizes:
            # The engine's run lasts well under a second, so one measurement swings with the machine's
            # noise (+-30% here); the twin's lasts long enough to average it out. The engine is run
            # ENGINE_REPEATS times, interleaved around the twin, and the median run is kept.
            engine_runs = [run_child("numba", agents, weeks, cache_dir=cache) for _ in range(ENGINE_REPEATS // 2)]
            ref = run_child("reference", agents, weeks, cache_dir=cache)
            engine_runs += [run_child("numba", agents, weeks, cache_dir=cache)
                            for _ in range(ENGINE_REPEATS - len(engine_runs))]
            rates = sorted(r["agent_steps_per_second"] for r in engine_runs)
            eng = next(r for r in engine_runs if r["agent_steps_per_second"] == rates[len(rates) // 2])
            twin_rate = ref["agent_steps_per_second"]
            speedup, lowest, highest = eng["agent_steps_per_second"] / twin_rate, rates[0] / twin_rate, rates[-1] / twin_rate
            rows.append({"kind": "versus_reference", **eng, "speedup_vs_reference": speedup,
                         "engine_runs": len(rates), "speedup_lowest_run": lowest, "speedup_highest_run": highest})
            rows.append({"kind": "reference", **ref})
            print(f"twin   {agents:>11,} agents x {weeks} weeks: {ref['agent_steps_per_second'] / 1e3:.1f} k/s; "
                  f"engine {speedup:,.0f}x faster (median of {len(rates)} engine runs; "
                  f"{lowest:,.0f}x-{highest:,.0f}x)", flush=True)
        for threads in thread_counts():
            rows.append({"kind": "threads",
                         **run_child("numba", plan.thread_agents, plan.thread_weeks, threads=threads, cache_dir=cache)})
            print(f"threads {threads}: {rows[-1]['agent_steps_per_second'] / 1e6:.1f} M/s", flush=True)
    return rows


def plot(df, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (speed, threads, memory) = plt.subplots(1, 3, figsize=(13, 4))
    for kind, label, style in (("size", "numba engine", "o-"), ("reference", "Mesa reference twin", "s--")):
        sub = df[df.kind == kind].sort_values("agents")
        speed.plot(sub.agents, sub.agent_steps_per_second, style, label=label)
    speed.set(xscale="log", yscale="log", xlabel="agents", ylabel="agent-steps per second",
              title="speed by population (baseline)")
    speed.legend()
    sub = df[df.kind == "threads"].sort_values("threads")
    threads.plot(sub.threads, sub.agent_steps_per_second / 1e6, "o-")
    threads.set(xlabel="Numba threads", ylabel="million agent-steps per second",
                title=f"thread scaling, {int(sub.agents.iloc[0]):,} agents" if len(sub) else "thread scaling")
    sub = df[df.kind == "size"].sort_values("agents")
    memory.plot(sub.agents, sub.peak_rss_bytes / sub.agents, "o-", label="peak RSS per agent")
    memory.plot(sub.agents, sub.state_bytes_per_agent, "s--", label="state bytes per agent")
    memory.set(xscale="log", yscale="log", xlabel="agents", ylabel="bytes per agent", title="memory")
    memory.legend()
    for ax in (speed, threads, memory):
        ax.grid(alpha=0.3)
    fig.suptitle(f"bp_sim benchmarks, {os.cpu_count()} cores")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (CI smoke check)")
    ap.add_argument("--out", default=str(HERE / "results"), help="folder for the CSV and PNG")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    rows = measure(QUICK if args.quick else FULL)
    import pandas as pd

    df = pd.DataFrame(rows)
    df["peak_rss_bytes_per_agent"] = df.peak_rss_bytes / df.agents
    df.to_csv(out / "engine_speed.csv", index=False)
    plot(df, out / "engine_speed.png")
    cols = ["kind", "engine", "agents", "weeks", "threads", "seconds_simulation", "agent_steps_per_second",
            "peak_rss_bytes_per_agent", "state_bytes_per_agent", "startup_s"]
    if "speedup_vs_reference" in df:
        cols.append("speedup_vs_reference")
    print(df[cols].to_string(index=False, float_format=lambda v: f"{v:,.3g}"))
    print(f"total {time.perf_counter() - t:.0f} s; results in {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

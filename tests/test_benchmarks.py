import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from bp_sim.warmup import warm_up_engine

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "engine_speed.py"
GUARD_S = 600  # last-resort deadline for the benchmark script (not a measure of speed)


def test_quick_benchmark_runs_and_writes_results(tmp_path):
    warm_up_engine(who="tests/test_benchmarks")  # quick mode expects a warm cache: its runs only load the engine
    subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)], check=True, timeout=GUARD_S,
                   capture_output=True)
    df = pd.read_csv(tmp_path / "engine_speed.csv")
    sizes = df[df.kind == "size"]
    assert list(sizes.agents) == [10_000, 50_000]
    assert (sizes.agent_steps_per_second > 0).all() and (sizes.state_bytes_per_agent <= 64).all()
    versus = df[df.kind == "versus_reference"]
    # Quick mode only checks that everything runs (speed is measured by the full benchmark, not in tests).
    assert len(versus) == 1 and versus.speedup_vs_reference.iloc[0] > 0
    row = versus.iloc[0]  # the median of several engine runs, with the spread kept
    assert row.engine_runs == 5 and row.speedup_lowest_run <= row.speedup_vs_reference <= row.speedup_highest_run
    assert set(df[df.kind == "reference"].engine) == {"reference"}
    threads = df[df.kind == "threads"].threads.tolist()
    assert threads[0] == 1 and threads[-1] == (os.cpu_count() or 1)
    assert df[df.kind == "startup_cached"].startup_s.iloc[0] > 0
    assert (tmp_path / "engine_speed.png").stat().st_size > 5_000


RARE = Path(__file__).resolve().parents[1] / "benchmarks" / "rare_outcomes.py"


def test_rare_outcomes_benchmark_runs_and_its_yearly_sums_add_up(tmp_path):
    """A tiny run of benchmarks/rare_outcomes.py: every outcome and year present for every seed,
    counts never negative, and the search-and-rescue change inside its own interval."""
    subprocess.run([sys.executable, str(RARE), "--agents", "2000", "--seeds", "2", "--sar-reps", "2",
                    "--out", str(tmp_path)], check=True, timeout=GUARD_S, capture_output=True)
    table = pd.read_csv(tmp_path / "rare_outcomes.csv")
    assert set(table.outcome) == {"deaths_turkey_greece_legs", "deaths_missing", "trafficking_victims_identified",
                                  "irregular_arrivals_europe", "asylum_applications"}
    assert sorted(set(table.year)) == [2021, 2022, 2023] and (table.seeds == 2).all()
    assert (table["mean"] >= 0).all() and (table.zero_seed_years <= 2).all()
    sar = pd.read_csv(tmp_path / "rare_outcomes_sar.csv").iloc[0]
    assert sar.replicates == 2 and sar.ci_low <= sar.change_mean <= sar.ci_high

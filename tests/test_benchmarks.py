import subprocess
import sys
from pathlib import Path

import pandas as pd

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "engine_speed.py"


def test_quick_benchmark_runs_and_writes_results(tmp_path):
    subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)], check=True, timeout=300)
    df = pd.read_csv(tmp_path / "engine_speed.csv")
    assert list(df.agents) == [10_000, 50_000]
    assert (df.agent_steps_per_second > 0).all() and (df.state_bytes_per_agent <= 64).all()
    assert (tmp_path / "engine_speed.png").stat().st_size > 5_000

"""Engine speed before and after a change, measured in one invocation on the same machine.

    python benchmarks/before_after.py --before 58c6edc            # against the working tree
    python benchmarks/before_after.py --before v1 --after HEAD    # two commits

Each side is a checkout of its own (a temporary `git worktree`; the working tree itself for
`--after` left out), run with `PYTHONPATH` pointing at its `src`, so both use the same Python
and libraries and only the package differs. Measured, alternating between the sides so that a
machine that slows down midway hurts both alike: the engine at 1M agents x 52 weeks (the
benchmark's 1M row; median of `--repeats` runs), and the engine's speed-up over the reference
twin at 100k agents x 52 weeks (the engine the median of `--repeats` runs, the twin once). Each
side compiles into a Numba cache of its own first (not timed). Prints a table of ratios
after / before and writes benchmarks/results/before_after.csv.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from engine_speed import CHILD, SEED  # noqa: E402  (the same measured child as the benchmark)

ENGINE_SIZE = (1_000_000, 52)  # the benchmark's 1M-agent row
TWIN_SIZE = (100_000, 52)  # the benchmark's twin comparison


def _child(src: Path, cache: str, engine: str, agents: int, weeks: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, "-c", CHILD, engine, str(agents), str(weeks), str(SEED)], env=env,
                         check=True, capture_output=True, text=True, cwd=src.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _checkout(stack: ExitStack, rev: str) -> Path:
    """A temporary worktree of `rev`, removed at the end."""
    where = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(where), rev], check=True)
    stack.callback(subprocess.run, ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], check=False)
    return where / "src"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="the commit to compare against")
    ap.add_argument("--after", default=None, help="the commit measured after (default: the working tree)")
    ap.add_argument("--repeats", type=int, default=5, help="engine runs per side and size (median kept)")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    with ExitStack() as stack:
        sides = {"before": _checkout(stack, args.before),
                 "after": _checkout(stack, args.after) if args.after else ROOT / "src"}
        caches = {side: stack.enter_context(tempfile.TemporaryDirectory()) for side in sides}
        for side, src in sides.items():  # compile (not timed)
            _child(src, caches[side], "numba", 10_000, 1)
        engine = {side: [] for side in sides}
        twin_engine = {side: [] for side in sides}
        twin = {}
        for _ in range(args.repeats):
            for side, src in sides.items():
                engine[side].append(_child(src, caches[side], "numba", *ENGINE_SIZE)["agent_steps_per_second"])
                twin_engine[side].append(_child(src, caches[side], "numba", *TWIN_SIZE)["agent_steps_per_second"])
        for side, src in sides.items():
            twin[side] = _child(src, caches[side], "reference", *TWIN_SIZE)["agent_steps_per_second"]
    rows = []
    for side in sides:
        rows.append({"side": side, "rev": args.before if side == "before" else (args.after or "working tree"),
                     "engine_1M_agent_steps_per_second": statistics.median(engine[side]),
                     "engine_1M_runs": engine[side],
                     "engine_100k_agent_steps_per_second": statistics.median(twin_engine[side]),
                     "twin_100k_agent_steps_per_second": twin[side],
                     "speedup_vs_twin_100k": statistics.median(twin_engine[side]) / twin[side]})
    before, after = rows
    print(f"{'':34}{'before':>14}{'after':>14}{'after/before':>14}")
    for key, label in (("engine_1M_agent_steps_per_second", "engine 1M x 52, M agent-steps/s"),
                       ("engine_100k_agent_steps_per_second", "engine 100k x 52, M agent-steps/s"),
                       ("twin_100k_agent_steps_per_second", "twin 100k x 52, M agent-steps/s"),
                       ("speedup_vs_twin_100k", "engine / twin at 100k")):
        scale = 1.0 if key.startswith("speedup") else 1e6
        print(f"{label:34}{before[key] / scale:>14.3f}{after[key] / scale:>14.3f}{after[key] / before[key]:>14.3f}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import pandas as pd

    pd.DataFrame(rows).to_csv(out / "before_after.csv", index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

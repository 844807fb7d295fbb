"""How much a change to the model moved its outcomes: the baseline before and after, paired by seed.

    python benchmarks/outcomes_before_after.py --before 1edf8b5                  # against the working tree
    python benchmarks/outcomes_before_after.py --before A --after B --agents 200000 --reps 8

Each side is a checkout of its own (a temporary `git worktree`; the working tree for `--after`
left out), run with `PYTHONPATH` at its `src` in fresh processes. Replicate r runs the bundled
baseline with seed `--seed` + r on both sides; the horizon totals (`outcomes.horizon_totals`)
are compared replicate by replicate, so the random numbers the change did not touch cancel out
(common random numbers). Prints, per outcome, the mean before and after, the paired difference
in % with its 95% t-interval, and writes benchmarks/results/outcomes_before_after.csv. Used to say
in a commit which outcomes a defect fix moved and by how much.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from scipy import stats

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import json, sys
from bp_sim.model import SilkRoutesModel
from bp_sim.outcomes import OUTCOME_NAMES
try:
    from bp_sim.outcomes import horizon_totals
except ImportError:  # before the outcome definitions moved to outcomes.py
    from bp_sim.compare import horizon_totals
agents, years, seeds = int(sys.argv[1]), float(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")]
rows = []
for seed in seeds:
    m = SilkRoutesModel("baseline", agents=agents, seed=seed)
    m.run(round(years * 52))
    totals = horizon_totals(m.recorder.outcomes[: m.recorder.steps_done])
    rows.append(dict(zip(OUTCOME_NAMES, map(float, totals))))
print(json.dumps(rows))
"""


def _checkout(stack: ExitStack, rev: str) -> Path:
    where = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(where), rev], check=True)
    stack.callback(subprocess.run, ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], check=False)
    return where / "src"


def _totals(src: Path, cache: str, agents: int, years: float, seeds: list[int]) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, "-c", CHILD, str(agents), str(years), ",".join(map(str, seeds))],
                         env=env, check=True, capture_output=True, text=True, cwd=src.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", default=None, help="default: the working tree")
    ap.add_argument("--agents", type=int, default=200_000)
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--reps", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    seeds = [args.seed + r for r in range(args.reps)]
    with ExitStack() as stack:
        srcs = {"before": _checkout(stack, args.before),
                "after": _checkout(stack, args.after) if args.after else ROOT / "src"}
        runs = {side: _totals(src, stack.enter_context(tempfile.TemporaryDirectory()), args.agents, args.years, seeds)
                for side, src in srcs.items()}
    import pandas as pd

    rows = []
    for name in runs["before"][0]:
        if name not in runs["after"][0]:
            continue
        b = np.array([r[name] for r in runs["before"]])
        a = np.array([r[name] for r in runs["after"]])
        d = a - b
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else np.nan
        base = b.mean()
        pct = 100 * d.mean() / base if base else np.nan
        rows.append({"outcome": name, "before": base, "after": a.mean(), "diff": d.mean(),
                     "diff_pct": pct, "ci_low_pct": 100 * (d.mean() - half) / base if base else np.nan,
                     "ci_high_pct": 100 * (d.mean() + half) / base if base else np.nan})
    df = pd.DataFrame(rows)
    with pd.option_context("display.max_rows", None, "display.width", 160, "display.float_format", "{:,.4g}".format):
        print(f"baseline, {args.agents:,} agents x {args.years:g} years, {args.reps} replicates paired by seed "
              f"({args.before} -> {args.after or 'working tree'}); horizon totals (flows summed, stocks averaged)")
        print(df.to_string(index=False))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "outcomes_before_after.csv", index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

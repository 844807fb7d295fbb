"""Where a run's time goes among the population kernel's passes.

    NUMBA_NUM_THREADS=1 python benchmarks/kernel_passes.py            # the baseline 2020-2024, seed 1000
    NUMBA_NUM_THREADS=1 python benchmarks/kernel_passes.py --agents 10000 --persons-per-agent-abroad 300

Loads (or compiles) the kernels with a warm-up, builds the bundled baseline, then times its run
and, within it, each pass `SilkRoutesModel.advance_population` makes (the row pass, the cohorts,
the settled groups, the two spawn passes and the join pass), by wrapping them where the model
calls them. Prints one line: the run's seconds, each pass's seconds and the rows at the end. To
compare two trees, run it from each alternately in one session (these machines are noisy).
"""

from __future__ import annotations

import argparse
import collections
import time
from collections.abc import Callable

import bp_sim.model as model_module
from bp_sim.network import load_network
from bp_sim.scenario import load_scenario
from bp_sim.warmup import warm_up_engine

PASSES = ("advance_rows", "advance_cohorts", "advance_settled", "spawn_movers", "spawn_returners", "join_groups")


def timed(name: str, fn: Callable, seconds: dict[str, float]) -> Callable:
    """`fn`, adding the seconds of each call to seconds[name]."""

    def call(*args, **kwargs):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        seconds[name] += time.perf_counter() - t0
        return result

    return call


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=None, help="cohorts at home (default: the scenario's)")
    ap.add_argument("--persons-per-mover", type=int, default=None, help="persons per row of movers (default: the model's)")
    ap.add_argument("--persons-per-agent-abroad", type=float, default=None,
                    help="persons per row abroad at the start (default: as movers)")
    ap.add_argument("--seed", type=int, default=1000)
    args = ap.parse_args()
    seconds: dict[str, float] = collections.defaultdict(float)
    for name in PASSES:
        setattr(model_module, name, timed(name, getattr(model_module, name), seconds))
    sc = load_scenario("baseline", load_network())
    warm_up_engine(sc, stream=None)  # every kernel loaded (or compiled) before the clock starts
    seconds.clear()
    m = model_module.SilkRoutesModel(sc, seed=args.seed, agents=args.agents,
                                      persons_per_mover=args.persons_per_mover,
                                      persons_per_agent_abroad=args.persons_per_agent_abroad)
    t0 = time.perf_counter()
    m.run()
    total = time.perf_counter() - t0
    parts = " ".join(f"{name} {seconds[name]:.2f}" for name in PASSES)
    print(f"run {total:.2f} s: {parts}; rows at the end {m.rows.n:,}")


if __name__ == "__main__":
    main()

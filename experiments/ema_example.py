"""EMA Workbench example: open exploration of two levers under one uncertain parameter.

    pip install -e '.[ema]'                      # ema-workbench 2.5.3 (Python 3.11)
    python experiments/ema_example.py            # 4 scenarios x 3 policies x 2 replications

Each experiment runs the baseline with the levers set as the policy says and the parameter as the
scenario says; replication r uses seed r in every experiment (common random numbers). Prints the
mean of each outcome by policy. Use `MultiprocessingEvaluator(model)` instead of the sequential one
for more than a few experiments.
"""

from __future__ import annotations

import argparse

from bp_sim.sweep.ema_adapter import ema_model


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=4)
    ap.add_argument("--policies", type=int, default=3)
    ap.add_argument("--agents", type=int, default=50_000)
    ap.add_argument("--years", type=float, default=2.0)
    args = ap.parse_args(argv)

    from ema_workbench import SequentialEvaluator

    model = ema_model(levers={"remittance_cost": (1.0, 10.0), "regular_pathways": (1.0, 4.0)},
                      uncertainties={"remit_cost_elasticity": (0.0, 1.0)},
                      outcomes=["remittances_received_usd", "irregular_departures"],
                      years=args.years, agents=args.agents, replications=2)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=args.scenarios, policies=args.policies)
    table = experiments[["policy", "remittance_cost", "regular_pathways", "remit_cost_elasticity"]].copy()
    for name, values in outcomes.items():
        table[name] = values
    print(table.groupby("policy").mean(numeric_only=True).to_string())


if __name__ == "__main__":
    main()

"""`bp-sim`: the command line. Thin: parses arguments, calls the API, turns bad input into exit 2."""

from __future__ import annotations

import argparse
import sys
import time

from bp_sim.errors import InputError


def _progress_printer(stream=sys.stderr):
    start = time.perf_counter()

    def show(done: int, total: int) -> None:
        if done == total or done % 13 == 0:
            rate = done / max(time.perf_counter() - start, 1e-9)
            stream.write(f"\r  week {done}/{total}  ({rate:.0f} weeks/s)")
            if done == total:
                stream.write("\n")
            stream.flush()

    return show


def _run_counter(stream=sys.stderr):
    start = time.perf_counter()

    def show(done: int, total: int) -> None:
        left = (time.perf_counter() - start) / done * (total - done)
        stream.write(f"\r  runs {done}/{total}, about {left:.0f} s left   ")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"got {value}; allowed: a non-negative whole number")
    return value


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with one line, no usage dump
        sys.stderr.write(f"bp-sim: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bp-sim", description="Silk Routes migration simulator (Budapest Process)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run a scenario and write outputs and plots")
    run.add_argument("scenario", nargs="?", default="baseline", help="a scenario .toml file or bundled name")
    run.add_argument("--years", type=_float, default=None, help="horizon in years (default: the scenario's)")
    run.add_argument("--agents", type=_positive_int, default=None, help="number of agents")
    run.add_argument("--seed", type=_positive_int, default=None, help="random seed")
    run.add_argument("--out", default="runs/latest", help="output folder (default: runs/latest)")
    run.add_argument("--engine", choices=("numba", "reference"), default="numba",
                     help="numba (default): the compiled engine; reference: the plain-Mesa twin (slow)")
    run.add_argument("--quiet", action="store_true", help="no progress display")
    cmp = sub.add_parser("compare", help="replicates of scenarios against a baseline, with paired intervals")
    cmp.add_argument("baseline", help="the baseline scenario (.toml file or bundled name)")
    cmp.add_argument("scenarios", nargs="+", help="scenarios to compare with it")
    cmp.add_argument("--reps", type=_positive_int, default=5, help="replicates per scenario (default 5)")
    cmp.add_argument("--years", type=_float, default=None, help="horizon in years (default: the scenarios')")
    cmp.add_argument("--agents", type=_positive_int, default=None, help="number of agents")
    cmp.add_argument("--seed", type=_positive_int, default=0, help="seed of replicate 0 (replicate i: seed+i)")
    cmp.add_argument("--jobs", type=_positive_int, default=1, help="processes in parallel (default 1)")
    cmp.add_argument("--out", default="runs/compare", help="output folder (default: runs/compare)")
    cmp.add_argument("--quiet", action="store_true", help="no progress display")
    levers = sub.add_parser("levers", help="the Call for Action's actions and the levers that represent them")
    levers.add_argument("--goal", type=int, choices=range(1, 7), metavar="N", help="only priority goal N (1-6)")
    levers.add_argument("--json", action="store_true", help="print as JSON for tools")
    params = sub.add_parser("params", help="list the model parameters with units and sources")
    params.add_argument("--csv", action="store_true", help="print as CSV")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            from bp_sim.runner import run_scenario

            progress = None if args.quiet else _progress_printer()
            info = run_scenario(args.scenario, args.out, years=args.years, agents=args.agents,
                                seed=args.seed, engine=args.engine, progress=progress)
            print(f"{info['scenario']}: {info['agents']:,} agents x {info['steps']} weeks in "
                  f"{info['seconds_simulation']:.1f} s ({info['agent_steps_per_second'] / 1e6:.1f} M agent-steps/s)")
            print(f"outputs in {args.out}/: timeseries.parquet edge_flows.parquet node_stocks.parquet "
                  "scenario.toml run_info.json outcomes.png network_flows.png")
        elif args.command == "compare":
            from bp_sim.compare import compare

            progress = None if args.quiet else _run_counter()
            compare(args.baseline, args.scenarios, reps=args.reps, years=args.years, agents=args.agents,
                    seed=args.seed, jobs=args.jobs, out=args.out, progress=progress)
            print(f"outputs in {args.out}/: summary.csv runs.parquet timeseries.parquet timeseries.png "
                  "differences.png report.md")
        elif args.command == "levers":
            from bp_sim.levers import catalogue_table

            table = catalogue_table(args.goal)
            if args.json:
                print(table.to_json(orient="records", indent=1))
            else:
                for r in table.itertuples(index=False):
                    print(f"{r.action_id:6s} {r.short_title[:46]:46s} {r.lever:28s} {r.moves:32s} "
                          f"{r.mode:5s} [{r.low:g}, {r.high:g}] {r.unit}")
        elif args.command == "params":
            from bp_sim.parameters import SPECS

            if args.csv:
                print("name,value,unit,min,max")
            for s in SPECS.values():
                if args.csv:
                    print(f"{s.name},{s.value:g},{s.unit},{s.low:g},{s.high:g}")
                else:
                    print(f"{s.name:36s} {s.value:>12g} {s.unit:28s} [{s.low:g}, {s.high:g}]")
    except InputError as exc:
        sys.stderr.write(f"bp-sim: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("\nbp-sim: interrupted; nothing was written\n")
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

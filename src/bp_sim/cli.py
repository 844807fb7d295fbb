"""`bp-sim`: the command line. Thin: parses arguments, calls the API, turns bad input into exit 2."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bp_sim import checks, stopping
from bp_sim.errors import InputError, show


def _progress_printer(stream=sys.stderr):
    """Weeks simulated and the rate, timed from the first week (not from start-up)."""
    first: list[tuple[float, int]] = []

    def show(done: int, total: int) -> None:
        now = time.perf_counter()
        if not first:
            first.append((now, done))
        if done == total or done % 13 == 0:
            t0, d0 = first[0]
            rate = f"  ({(done - d0) / (now - t0):.0f} weeks/s)" if done > d0 and now > t0 else ""
            stream.write(f"\r  week {done}/{total}{rate}")
            if done == total:
                stream.write("\n")
            stream.flush()

    return show


def _run_counter(stream=sys.stderr):
    """Runs done and time left, timed from the first finished run (so a compile before it, or
    workers starting, does not inflate the estimate)."""
    first: list[tuple[float, int]] = []

    def show(done: int, total: int) -> None:
        now = time.perf_counter()
        if not first:
            first.append((now, done))
        t0, d0 = first[0]
        left = f", about {(now - t0) / (done - d0) * (total - done):.0f} s left" if done > d0 else ""
        stream.write(f"\r  runs {done}/{total}{left}   ")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


MAX_ARGUMENT_DIGITS = 20  # a whole-number option longer than this is a typo (seeds stop at 2**63)


def _argument(text: str, check, *args) -> object:
    """An option's value read by a check of `checks`; its InputError becomes argparse's (which
    names the option): `bp-sim: error: argument --seed: got -1; allowed: ...`, exit 2."""
    try:
        return check("", text, *args)
    except InputError as exc:
        raise argparse.ArgumentTypeError(f"got {show(exc.value)}; allowed: {exc.allowed}") from None


def _positive_int(text: str) -> int:
    """A whole number of at least 0, written in digits (the range is checked where it is used)."""
    return _argument(text, checks.whole_text, 0, None, "a whole number", MAX_ARGUMENT_DIGITS)


def _whole_at_least_1(text: str) -> int:
    return _argument(text, checks.whole_text, 1, None, "a whole number", MAX_ARGUMENT_DIGITS)


def _float(text: str) -> float:
    """A number as Python writes one (its range, NaN and inf included, is checked where it is used,
    so the message names the option's key: `--years: got nan; allowed: ...`)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {show(text)}; allowed: a number") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with one line, no usage dump
        sys.stderr.write(f"bp-sim: error: {message}\n")
        raise SystemExit(2)


def _add_backend_options(cmd: argparse.ArgumentParser) -> None:
    """The options of a command whose runs go through the sweep backends (sweep, calibrate)."""
    cmd.add_argument("--out", required=True, help="results folder; the same command on it again resumes")
    cmd.add_argument("--backend", choices=("local", "dask"), default="local",
                     help="local (default): processes on this machine; dask: Dask distributed")
    cmd.add_argument("--workers", type=_whole_at_least_1, default=None,
                     help="runs at a time (default: one per core; not with --scheduler)")
    cmd.add_argument("--scheduler", default=None, help="address or scheduler file of a running Dask scheduler (--backend dask)")
    cmd.add_argument("--quiet", action="store_true", help="no progress display")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bp-sim", description="Silk Routes migration simulator (Budapest Process)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run a scenario and write outputs and plots")
    run.add_argument("scenario", nargs="?", default="baseline", help="a scenario .toml file or bundled name")
    run.add_argument("--years", type=_float, default=None, help="horizon in years (default: the scenario's)")
    run.add_argument("--agents", type=_positive_int, default=None, help="cohorts at home (default 5,000)")
    run.add_argument("--persons-per-mover", type=_positive_int, default=None,
                     help="persons in each row of movers (default 150; 1: every mover is one person)")
    run.add_argument("--persons-per-agent-abroad", type=_float, default=None,
                     help="persons in each row of the people abroad at the start (default 300)")
    run.add_argument("--seed", type=_positive_int, default=None, help="random seed")
    run.add_argument("--out", default="runs/latest", help="output folder (default: runs/latest)")
    run.add_argument("--engine", choices=("numba", "reference"), default="numba",
                     help="numba (default): the compiled engine; reference: the plain-Mesa twin (slow)")
    run.add_argument("--quiet", action="store_true", help="no progress display")
    run.add_argument("--profile", action="store_true",
                     help="print the time each phase of the week took (the population kernel among them), as a table")
    cmp = sub.add_parser("compare", help="replicates of scenarios against a baseline, with paired intervals")
    cmp.add_argument("baseline", help="the baseline scenario (.toml file or bundled name)")
    cmp.add_argument("scenarios", nargs="+", help="scenarios to compare with it")
    cmp.add_argument("--reps", type=_positive_int, default=5, help="replicates per scenario (default 5)")
    cmp.add_argument("--years", type=_float, default=None, help="horizon in years (default: the scenarios')")
    cmp.add_argument("--agents", type=_positive_int, default=None, help="cohorts at home (default 5,000)")
    cmp.add_argument("--persons-per-mover", type=_positive_int, default=None,
                     help="persons in each row of movers (default 150; 1: every mover is one person)")
    cmp.add_argument("--persons-per-agent-abroad", type=_float, default=None,
                     help="persons in each row of the people abroad at the start (default 300)")
    cmp.add_argument("--seed", type=_positive_int, default=0, help="seed of replicate 0 (replicate i: seed+i)")
    cmp.add_argument("--jobs", type=_positive_int, default=1, help="processes in parallel (default 1)")
    cmp.add_argument("--origin", default=None, help="report the outcomes of one origin's people (e.g. AFG)")
    cmp.add_argument("--route", default=None, help="report one leg's deaths, interceptions and detections (e.g. TUR->GRC_EVROS)")
    cmp.add_argument("--posterior", default=None,
                     help="parameter sets (posterior_sets.parquet of bp-sim calibrate): replicate r uses set r in every "
                          "scenario; as many runs at their median say whether parameters or random draws dominate")
    cmp.add_argument("--out", default="runs/compare", help="output folder (default: runs/compare)")
    cmp.add_argument("--quiet", action="store_true", help="no progress display")
    swp = sub.add_parser("sweep", help="run (or resume) a sweep of lever and parameter values (experiments/*.toml)")
    swp.add_argument("experiment", help="a sweep file, e.g. experiments/smoke_grid.toml")
    _add_backend_options(swp)
    swp.add_argument("--threads", type=_whole_at_least_1, default=None,
                     help="Numba threads per run (default: cores / workers)")
    cal = sub.add_parser("calibrate", help="fit the free parameters to the record (history matching, experiments/calibration.toml)")
    cal.add_argument("config", help="a calibration file, e.g. experiments/calibration.toml")
    _add_backend_options(cal)
    cal.add_argument("--doc", default=None, help="also write the calibration page to this path (e.g. docs/calibration.md)")
    val = sub.add_parser("validate", help="the 2024 figures, the stylized facts and the hand-tuned baseline against the "
                                          "calibrated model (experiments/validation.toml)")
    val.add_argument("config", help="a validation file, e.g. experiments/validation.toml")
    _add_backend_options(val)
    val.add_argument("--doc", default=None, help="also write the page to this path (e.g. docs/validation.md)")
    ana = sub.add_parser("analyse", help="tables, sensitivity indices and plots of a sweep's results")
    ana.add_argument("dir", help="a sweep's results folder (the --out of bp-sim sweep)")
    ana.add_argument("--out", default=None, help="where to write (default: DIR/analysis)")
    dash = sub.add_parser("dashboard", help="the workshop dashboard in the browser (offline): levers against the baseline")
    dash.add_argument("--port", type=_whole_at_least_1, default=8765, help="port to serve on (default 8765)")
    dash.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    dash.add_argument("--agents", type=_whole_at_least_1, default=None, help="cohorts at home per run (default 5,000)")
    dash.add_argument("--persons-per-mover", type=_positive_int, default=None,
                      help="persons in each row of movers (default 150; coarser answers sooner)")
    dash.add_argument("--persons-per-agent-abroad", type=_float, default=None,
                      help="persons in each row of the people abroad at the start (default 300)")
    dash.add_argument("--seed", type=_positive_int, default=None, help="seed shared by scenario and baseline (default 0)")
    levers = sub.add_parser("levers", help="the Call for Action's actions and the levers that represent them")
    levers.add_argument("--goal", type=int, choices=range(1, 7), metavar="N", help="only priority goal N (1-6)")
    levers.add_argument("--json", action="store_true", help="print as JSON for tools")
    params = sub.add_parser("params", help="list the model parameters with units and sources")
    params.add_argument("--csv", action="store_true", help="print as CSV")
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stopped like Ctrl-C, so outputs are cleaned up the same way."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


STOP_SIGNALS = ("SIGTERM", "SIGHUP")


def _stop(signum: int, _frame) -> None:
    stopping.request(signum)
    raise Terminated(signum)


def _interrupt(signum: int, _frame) -> None:
    """Ctrl-C: raise KeyboardInterrupt as Python does, and record it (`stopping`)."""
    stopping.request(signum)
    raise KeyboardInterrupt


@contextlib.contextmanager
def _signals_stop_like_ctrl_c() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP raise like Ctrl-C (temporaries removed, exit 128+N),
    and every stop signal is also recorded, so that a stop whose exception Python dropped (raised
    in a finaliser) still ends the command at its next step (`stopping`)."""
    old = {}
    handlers = {name: _stop for name in STOP_SIGNALS}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where Ctrl-C is ignored
        handlers["SIGINT"] = _interrupt
    for name, handler in handlers.items():
        sig = getattr(signal, name, None)
        if sig is not None:
            old[sig] = signal.signal(sig, handler)
    try:
        with stopping.quiet_dropped_stops():
            yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _exit_code_interrupted() -> int:
    signum = stopping.requested()
    return 128 + signum if signum is not None else 130


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    stopping.clear()
    with _signals_stop_like_ctrl_c():
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    try:
        if args.command == "run":
            from bp_sim.runner import phase_table, run_scenario

            progress = None if args.quiet else _progress_printer()
            info = run_scenario(args.scenario, args.out, years=args.years, agents=args.agents,
                                seed=args.seed, engine=args.engine, progress=progress, profile=args.profile,
                                persons_per_mover=args.persons_per_mover,
                                persons_per_agent_abroad=args.persons_per_agent_abroad)
            if args.profile:
                print(phase_table(info["phase_seconds"], info["steps"]))
            print(f"{info['scenario']}: {info['agents']:,} cohorts and {info['rows_at_end'] - info['agents']:,} rows "
                  f"at the end ({info['persons_per_mover']} persons per mover) x {info['steps']} weeks in "
                  f"{info['seconds_simulation']:.1f} s ({info['agent_steps_per_second'] / 1e6:.1f} M agent-steps/s, "
                  f"{info['persons_steps_per_second'] / 1e9:.1f} G person-weeks/s)")
            print(f"outputs in {args.out}/: timeseries.parquet edge_flows.parquet edge_flows_by_origin.parquet "
                  "node_stocks.parquet returns.parquet "
                  "scenario.toml run_info.json outcomes.png network_flows.png")
        elif args.command == "compare":
            from bp_sim.compare import compare

            progress = None if args.quiet else _run_counter()
            compare(args.baseline, args.scenarios, reps=args.reps, years=args.years, agents=args.agents,
                    seed=args.seed, jobs=args.jobs, out=args.out, progress=progress,
                    persons_per_mover=args.persons_per_mover, persons_per_agent_abroad=args.persons_per_agent_abroad,
                    origin=args.origin, route=args.route, posterior=args.posterior)
            print(f"outputs in {args.out}/: summary.csv runs.parquet timeseries.parquet timeseries.png "
                  "differences.png report.md")
        elif args.command == "sweep":
            return _sweep(args)
        elif args.command == "calibrate":
            return _calibrate(args)
        elif args.command == "validate":
            return _validate(args)
        elif args.command == "analyse":
            from bp_sim.sweep.analyse import analyse

            result = analyse(args.dir, args.out)
            print(result.summary())
        elif args.command == "dashboard":
            from bp_sim.dashboard.server import serve

            serve(args.port, args.host, agents=args.agents, seed=args.seed, persons_per_mover=args.persons_per_mover,
                  persons_per_agent_abroad=args.persons_per_agent_abroad)
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
        return _exit_code_interrupted()
    return 0


def _sweep(args: argparse.Namespace) -> int:
    """Run a sweep; exit 0 when every run is in, 1 when some failed, 130 on Ctrl-C (resumable)."""
    from bp_sim.sweep import SweepInterrupted, run_sweep

    again = f"bp-sim sweep {args.experiment} --out {args.out}"
    try:
        report = run_sweep(args.experiment, args.out, backend=args.backend, workers=args.workers,
                           scheduler=args.scheduler, threads=args.threads, stream=None if args.quiet else sys.stderr)
    except SweepInterrupted as stop:
        r = stop.report
        sys.stderr.write(f"\nbp-sim: interrupted; {r.already + r.done} of {r.planned} runs are kept in {args.out}/results. "
                         f"To run the other {r.missing}: {again}\n")
        return _exit_code_interrupted()
    print(f"{report.done} runs done in {report.seconds:.0f} s ({report.already} were done before); "
          f"{report.planned - report.missing}/{report.planned} in {args.out}/results")
    if report.failed:
        sys.stderr.write(f"bp-sim: {len(report.failed)} runs failed (errors in {args.out}/failures/; "
                         f"the same command tries them again):\n")
        for rid, err in list(report.failed.items())[:5]:
            last = err.strip().splitlines()[-1] if err.strip() else "?"
            sys.stderr.write(f"  {rid}: {last}\n")
        return 1
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    """Run a calibration; exit 0 when done, 130 on Ctrl-C (the same command resumes it)."""
    from bp_sim.calibration.run import calibrate
    from bp_sim.sweep import SweepInterrupted

    if args.doc and not Path(args.doc).resolve().parent.is_dir():
        raise InputError("--doc", args.doc, "a file in an existing folder (the page is written there at the end)")
    try:
        result = calibrate(args.config, args.out, backend=args.backend, workers=args.workers, scheduler=args.scheduler,
                           stream=None if args.quiet else sys.stderr)
    except SweepInterrupted:
        sys.stderr.write(f"\nbp-sim: interrupted; finished runs are kept in {args.out}. To go on: "
                         f"bp-sim calibrate {args.config} --out {args.out}\n")
        return _exit_code_interrupted()
    print(f"calibrated in {result.seconds:.0f} s ({result.runs} runs): effective sample size "
          f"{result.effective_size:.0f}, {100 * result.kept_share:.1f}% of the last candidates not ruled out; "
          f"misfits: {', '.join(result.misfits) or 'none'}")
    print(f"outputs in {args.out}/: posterior.parquet posterior_sets.parquet identifiability.csv fit.csv "
          "calibrated.toml calibration.json fit.png marginals.png pairs.png")
    if args.doc:
        from bp_sim.calibration.page import write_page

        command = f"bp-sim calibrate {args.config} --out {args.out} --doc {args.doc}"
        print(f"wrote {write_page(args.out, args.doc, command)}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Run a validation; exit 0 when its page is written, 130 on Ctrl-C (nothing written)."""
    import shlex

    from bp_sim.validation.run import validate

    command = "bp-sim " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["validate"] else None
    result = validate(args.config, args.out, doc=args.doc, backend=args.backend, workers=args.workers,
                      scheduler=args.scheduler, stream=None if args.quiet else sys.stderr, command=command)
    cal = result.hindcast_shares["calibrated"]
    print(f"validated in {result.seconds:.0f} s ({result.runs} runs): 2024 figures inside the calibrated 50% and 90% "
          f"intervals {100 * cal['inside50']:.0f}% and {100 * cal['inside90']:.0f}%, within 10% and 35% of the median "
          f"{100 * cal['within10pct']:.0f}% and {100 * cal['within35pct']:.0f}%; facts: "
          + (", ".join(f"{n} {v}" for v, n in sorted(result.verdicts.items())) or "none"))
    print(f"outputs in {args.out}/: validation.md hindcast.csv fitted.csv facts.csv parameters.csv runs.parquet "
          "validation.json hindcast.png fitted.png" + (f"; page also at {args.doc}" if args.doc else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

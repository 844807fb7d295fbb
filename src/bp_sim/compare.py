"""`bp-sim compare`: replicates of scenarios with common random numbers, paired differences.

Replicate i of every scenario runs with seed `seed + i`; because random numbers are keyed by
(seed, row key, week, decision), a person meets the same draws in every scenario until the levers
make its path differ. Differences against the baseline are paired by replicate. Runs go to a
pool of processes; each process gets an equal share of the cores for Numba's threads.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bp_sim import checks, procpool, stopping
from bp_sim.atomic import atomic_dir, check_out
from bp_sim.errors import InputError, Note
from bp_sim.network import load_network
from bp_sim.outcomes import IS_FLOW, OUTCOME_NAMES, OUTCOMES, horizon_totals
from bp_sim.scenario import MAX_SEED, Scenario, load_scenario
from bp_sim.stats import mean_ci
from bp_sim.tally import E_DEATHS, E_DETECTIONS, E_INTERCEPTIONS
from bp_sim.validate import MIN_AGENTS, check_runnable, set_resolutions

MAX_REPLICATES = 10_000
MAX_JOBS = 256  # processes at once; more than any machine here has cores


@dataclass
class RunResult:
    scenario: int
    replicate: int
    seed: int
    series: np.ndarray  # (weeks, outcomes)
    seconds: float
    parameters: tuple[tuple[str, float], ...] = ()  # the values the run used of the parameters asked for


# The outcomes a single leg has (`--route`): outcome -> the leg's counter (tally.E_*).
ROUTE_OUTCOMES = {"deaths_missing": E_DEATHS, "interceptions": E_INTERCEPTIONS, "border_detections": E_DETECTIONS}


@dataclass(frozen=True)
class Focus:
    """What a comparison looks at: everyone (`kind` ""), one origin's people ("origin", its index)
    or one leg ("route", its edge id: only ROUTE_OUTCOMES, the others NaN)."""

    kind: str = ""
    index: int = -1
    label: str = ""


def focus_of(net, origin: str | None, route: str | None) -> Focus:
    """The Focus of `--origin` / `--route` (at most one), checked against the network."""
    if origin is not None and route is not None:
        raise InputError("--route", route, "nothing when --origin is given (one focus at a time)")
    if origin is not None:
        if origin not in net.origin_index:
            raise InputError("--origin", origin, f"one of the origins: {', '.join(net.origin_index)}")
        return Focus("origin", net.origin_index[origin], origin)
    if route is not None:
        return Focus("route", net.edge_index(route, "--route"), route)
    return Focus()


def focused_series(model, focus: Focus) -> np.ndarray:
    """(weeks, outcomes) of a finished run: all outcomes, one origin's, or one leg's."""
    rec = model.recorder
    steps = rec.steps_done
    if focus.kind == "origin":
        return rec.origin_outcomes[:steps, focus.index].copy()
    if focus.kind == "route":
        out = np.full((steps, len(OUTCOME_NAMES)), np.nan)
        for name, col in ROUTE_OUTCOMES.items():
            out[:, OUTCOME_NAMES.index(name)] = rec.edges[:steps, focus.index, col]
        return out
    return rec.outcomes[:steps].copy()


def _run_one(job: tuple[int, int, Scenario, int | None, int, Focus, tuple[str, ...]]) -> RunResult:
    k, rep, sc, agents, seed, focus, names = job
    from bp_sim.model import SilkRoutesModel

    t0 = time.perf_counter()
    model = SilkRoutesModel(sc, agents=agents, seed=seed)
    model.run()
    used = tuple((name, float(model.p_base[name])) for name in names)  # read back from the model itself
    return RunResult(k, rep, seed, focused_series(model, focus), time.perf_counter() - t0, used)


def with_parameters(sc: Scenario, values: dict[str, float]) -> Scenario:
    """A copy of the scenario with these parameter values; a scenario that sets one of them itself
    is refused (a posterior's value would silently replace the scenario's)."""
    clash = sorted(set(values) & set(sc.parameters))
    if clash:
        raise InputError(f"scenario {sc.name}, parameters.{clash[0]}", sc.parameters[clash[0]],
                         "no value for a parameter the posterior sets (--posterior): remove it from the scenario")
    out = copy.deepcopy(sc)
    out.parameters = {**sc.parameters, **values}
    return out


def run_replicates(scenarios: list[Scenario], reps: int, agents: int | None, seed: int, jobs: int,
                   progress: Callable[[int, int], None] | None = None, focus: Focus = Focus(),
                   parameters: list[dict[str, float]] | None = None) -> list[RunResult]:
    """Every scenario x replicate, in parallel over `jobs` processes (1: in this process).
    `parameters`: None, or the parameter values of each replicate, the same in every scenario.

    When Numba's cache is cold the engine is compiled here first, saying so (unless `progress`
    is None: quiet), so that worker processes load it from the cache instead of each compiling it
    at the same time. When it is warm and the runs go to workers, this process loads nothing (the
    workers do, at once): that load took 1.7 s of the README's main job (2026-12-02)."""
    import sys

    from bp_sim.warmup import engine_cached, warm_up_engine

    if jobs <= 1 or not engine_cached():
        warm_up_engine(scenarios[0], stream=sys.stderr if progress is not None else None)
    names = tuple(parameters[0]) if parameters else ()
    work = [(k, r, with_parameters(sc, parameters[r]) if parameters else sc, agents, seed + r, focus, names)
            for r in range(reps) for k, sc in enumerate(scenarios)]
    results: list[RunResult] = []
    if jobs <= 1:
        for n, job in enumerate(work):
            results.append(_run_one(job))
            if progress:
                progress(n + 1, len(work))
            stopping.raise_if_requested()
        return results
    threads = max(1, (os.cpu_count() or 1) // jobs)
    old = os.environ.get("NUMBA_NUM_THREADS")
    os.environ["NUMBA_NUM_THREADS"] = str(threads)  # inherited by the worker processes
    try:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"),
                                   initializer=procpool.init_worker, initargs=(os.getpid(),))
        try:
            futures = [pool.submit(_run_one, job) for job in work]
            for n, fut in enumerate(as_completed(futures)):
                results.append(fut.result())
                if progress:
                    progress(n + 1, len(work))
                stopping.raise_if_requested()  # a Ctrl-C whose exception was dropped (`stopping`) stops here
        except BaseException:  # Ctrl-C, SIGTERM, a failed run: stop the workers now, not after their runs
            procpool.stop(pool)
            raise
        pool.shutdown()
    finally:
        if old is None:
            os.environ.pop("NUMBA_NUM_THREADS", None)
        else:
            os.environ["NUMBA_NUM_THREADS"] = old
    return sorted(results, key=lambda r: (r.scenario, r.replicate))


def _series(results: list[RunResult], n_scenarios: int, reps: int, weeks: int) -> np.ndarray:
    """(scenarios, replicates, weeks, outcomes) weekly series of a set of runs."""
    series = np.full((n_scenarios, reps, weeks, len(OUTCOME_NAMES)), np.nan)
    for r in results:
        series[r.scenario, r.replicate] = r.series
    return series


def _totals(series: np.ndarray, focus: Focus) -> np.ndarray:
    """(scenarios, replicates, outcomes) horizon totals of weekly series."""
    totals = np.stack([[horizon_totals(s) for s in per_scenario] for per_scenario in series])
    if focus.kind == "route":  # a leg has only its own outcomes: the others are not zero but undefined
        totals[:, :, [name not in ROUTE_OUTCOMES for name in OUTCOME_NAMES]] = np.nan
    return totals


def _split_uncertainty(summary: pd.DataFrame, names: list[str], posterior: np.ndarray, fixed: np.ndarray) -> pd.DataFrame:
    """Add to each row the sd of the paired difference from the random draws alone (runs at the
    posterior median), from the parameters (the rest of the posterior runs' variance), and which
    of the two dominates."""
    extra = []
    for k in range(len(names)):
        for j in range(len(OUTCOME_NAMES)):
            total = np.nanvar(posterior[k, :, j] - posterior[0, :, j], ddof=1) if k else np.nanvar(posterior[0, :, j], ddof=1)
            draws = np.nanvar(fixed[k, :, j] - fixed[0, :, j], ddof=1) if k else np.nanvar(fixed[0, :, j], ddof=1)
            params = max(0.0, total - draws)
            dominant = "" if not np.isfinite(total) or total == 0 else ("parameters" if params > draws else "random draws")
            extra.append({"sd_random_draws": float(np.sqrt(draws)), "sd_parameters": float(np.sqrt(params)),
                          "uncertainty_mostly_from": dominant})
    return pd.concat([summary.reset_index(drop=True), pd.DataFrame(extra)], axis=1)


def summarise(names: list[str], totals: np.ndarray) -> pd.DataFrame:
    """summary.csv rows: mean and CI per scenario and outcome, paired difference vs the baseline.

    totals: (scenarios, replicates, outcomes); scenario 0 is the baseline.
    """
    rows = []
    units = {name: unit for name, unit, _ in OUTCOMES}
    for k, name in enumerate(names):
        for j, outcome in enumerate(OUTCOME_NAMES):
            m, lo, hi = mean_ci(totals[k, :, j])
            d, dlo, dhi = mean_ci(totals[k, :, j] - totals[0, :, j])
            base = np.nanmean(totals[0, :, j])
            rows.append({"scenario": name, "outcome": outcome, "mean": m, "ci_low": lo, "ci_high": hi,
                         "diff_vs_baseline": d, "diff_ci_low": dlo, "diff_ci_high": dhi,
                         "diff_pct": 100.0 * d / base if base else np.nan,
                         "unit": units[outcome].replace("/week", " over the horizon") if IS_FLOW[j]
                         else units[outcome] + " (weekly mean)"})
    return pd.DataFrame(rows)


def compare(baseline: str | Path, scenarios: list[str | Path], *, reps: int = 5, years: float | None = None,
            agents: int | None = None, seed: int = 0, jobs: int = 1, out: str | Path = "runs/compare",
            progress: Callable[[int, int], None] | None = None, persons_per_mover: int | None = None,
            persons_per_agent_abroad: float | None = None, origin: str | None = None,
            route: str | None = None, posterior: str | Path | None = None) -> pd.DataFrame:
    """Run and compare; write summary.csv, runs.parquet, timeseries.parquet, figures, report.md.

    `origin` (an origin's id, e.g. AFG) reports every outcome for that origin's people alone;
    `route` (a leg, SOURCE->TARGET) reports the leg's deaths, interceptions and detections.
    `posterior` (a file of parameter sets, `bp-sim calibrate`'s posterior_sets.parquet): replicate r
    uses set r in every scenario, and as many runs again at the sets' median measure the spread the
    random draws alone give, so the report can say which of the two dominates each outcome.

    Every input (scenarios, options, the output folder, the memory `jobs` runs at once need) is
    checked here, before the first run starts and before any worker process exists.
    """
    reps = checks.whole("--reps", reps, 2, MAX_REPLICATES, "a whole number of replicates (intervals need two)")
    jobs = checks.whole("--jobs", jobs, 1, MAX_JOBS, "a whole number of processes")
    seed = checks.whole("--seed", seed, 0, MAX_SEED - reps)
    if agents is not None:
        checks.whole("--agents", agents, MIN_AGENTS, 10**15, "a whole number of cohorts")
    if years is not None:
        years = checks.years("--years", years)
    if not scenarios:
        raise InputError("scenarios", Note("none"), "at least one scenario to compare with the baseline")
    net = load_network()
    focus = focus_of(net, origin, route)
    loaded = [load_scenario(s, net) for s in [baseline, *scenarios]]
    names = [sc.name for sc in loaded]
    if len(set(names)) != len(names):
        raise InputError("scenarios", names, "scenarios with different names")
    for sc in loaded:
        set_resolutions(sc, persons_per_mover, persons_per_agent_abroad)
        if years is not None:
            sc.years = years
        if sc.weeks != loaded[0].weeks or sc.start_date != loaded[0].start_date:
            raise InputError(f"scenario {sc.name}", f"{sc.start_date.isoformat()}, {sc.years:g} years",
                             f"the baseline's start date and horizon ({loaded[0].start_date.isoformat()}, "
                             f"{loaded[0].years:g} years), or pass --years")
    for sc in loaded:
        try:
            check_runnable(sc, net, agents, processes=min(jobs, reps * len(loaded)))
        except InputError as exc:
            raise exc.in_file(sc.source) from None
    sets = fixed = None
    if posterior is not None:
        from bp_sim.calibration.sets import load_sets, median_set

        table = load_sets(posterior, reps)
        sets = [{k: float(v) for k, v in row.items()} for _, row in table.iterrows()]
        fixed = [median_set(table)] * reps
        for sc in loaded:
            for values in (sets[0], fixed[0]):
                try:
                    check_runnable(with_parameters(sc, values), net, agents, processes=min(jobs, reps * len(loaded)))
                except InputError as exc:
                    raise exc.in_file(sc.source) from None
    check_out(out, "compare")
    t0 = time.perf_counter()
    results = run_replicates(loaded, reps, agents, seed, jobs, progress, focus, sets)
    fixed_results = run_replicates(loaded, reps, agents, seed, jobs, progress, focus, fixed) if fixed else []
    weeks = loaded[0].weeks
    series = _series(results, len(loaded), reps, weeks)
    totals = _totals(series, focus)
    summary = summarise(names, totals)
    if fixed_results:
        fixed_totals = _totals(_series(fixed_results, len(loaded), reps, weeks), focus)
        summary = _split_uncertainty(summary, names, totals, fixed_totals)
    with atomic_dir(out, "compare") as tmp:
        summary.to_csv(tmp / "summary.csv", index=False)
        used = {(r.scenario, r.replicate): dict(r.parameters) for r in results}
        runs = pd.DataFrame([{"scenario": names[k], "replicate": i, "seed": seed + i,
                              **({"parameter_set": i} if sets else {}), **used[(k, i)],
                              **dict(zip(OUTCOME_NAMES, totals[k, i], strict=True))}
                             for k in range(len(loaded)) for i in range(reps)])
        runs.to_parquet(tmp / "runs.parquet", index=False)
        dates = [loaded[0].start_date + dt.timedelta(weeks=w) for w in range(weeks)]
        frames = []
        for k in range(len(loaded)):
            for i in range(reps):
                df = pd.DataFrame(series[k, i], columns=list(OUTCOME_NAMES))
                df.insert(0, "date", dates)
                df.insert(0, "step", np.arange(weeks))
                df.insert(0, "replicate", i)
                df.insert(0, "scenario", names[k])
                frames.append(df)
        pd.concat(frames, ignore_index=True).to_parquet(tmp / "timeseries.parquet", index=False)
        info = {"baseline": names[0], "scenarios": names[1:], "replicates": reps, "seed": seed, "jobs": jobs,
                "agents": agents, "weeks": weeks, "seconds_total": time.perf_counter() - t0,
                "focus": f"{focus.kind} {focus.label}" if focus.kind else "",
                "posterior": str(Path(posterior).resolve()) if posterior is not None else None,
                "posterior_parameters": sorted(sets[0]) if sets else [],
                "seconds_per_run": float(np.mean([r.seconds for r in results]))}
        # Imported here, not with the module: the worker processes import this module for `_run_one`
        # and draw nothing (matplotlib took about 0.4 s of each worker's start).
        from bp_sim.plots import draw_figures
        from bp_sim.reports.compare import plot_differences, plot_series, write_report

        write_report(summary, loaded, info, tmp / "report.md")
        failed = draw_figures({"timeseries.png": lambda: plot_series(names, dates, series, tmp / "timeseries.png"),
                               "differences.png": lambda: plot_differences(summary, names, tmp / "differences.png")})
        if failed:
            info["figures_not_drawn"] = failed
        (tmp / "compare_info.json").write_text(json.dumps(info, indent=2))
    return summary

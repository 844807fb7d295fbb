"""`bp-sim sweep`: validate, plan, skip what is done, run the rest on a backend, write as runs end.

The same command on the same folder resumes: finished runs are read from their files and not run
again; a failed run is tried again; a run cut off by Ctrl-C or a killed process left no file and
is run again. Results are the same however often a sweep is resumed, because every run's seed
and inputs are fixed by its id.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

from bp_sim import checks, stopping
from bp_sim.errors import InputError
from bp_sim.sweep import store as S
from bp_sim.sweep.progress import Progress
from bp_sim.sweep.provenance import session_info
from bp_sim.sweep.runs import build_scenario, plan, point_id
from bp_sim.sweep.spec import Experiment, load_experiment
from bp_sim.sweep.worker import Job, JobResult, warm_up

BACKENDS = ("local", "dask")
OWN_NAMES = {S.RESULTS, S.FAILURES, S.META, S.DESIGN, S.EXPERIMENT_COPY, S.LOCK, "analysis"}


@dataclass
class SweepReport:
    """What a sweep session did."""

    out: Path
    planned: int  # distinct runs in the sweep
    already: int  # finished in earlier sessions
    done: int = 0  # finished in this session
    failed: dict[str, str] = field(default_factory=dict)  # run id -> error, this session
    seconds: float = 0.0

    @property
    def missing(self) -> int:
        return self.planned - self.already - self.done


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep: finished runs are kept; `report` says how far it got."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__()
        self.report = report


def cores() -> int:
    """Cores this process may use (respects taskset and cgroup CPU sets)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _check_options(backend: str, workers: int | None, scheduler: str | None, threads: int | None) -> None:
    if backend not in BACKENDS:
        raise InputError("--backend", backend, ", ".join(BACKENDS))
    if workers is not None:
        checks.whole("--workers", workers, 1)
    if threads is not None:
        checks.whole("--threads", threads, 1)
    if scheduler is not None and backend != "dask":
        raise InputError("--scheduler", scheduler, "nothing with --backend local (a scheduler is for --backend dask)")
    if scheduler is not None and workers is not None:
        raise InputError("--workers", workers, "nothing with --scheduler (the cluster's own workers run the sweep)")


def _check_folder(out: Path, meta: dict | None, exp: Experiment) -> None:
    if meta is None:
        if out.is_dir():
            foreign = sorted(p.name for p in out.iterdir() if p.name not in OWN_NAMES)
            if foreign:
                raise InputError("--out", str(out), f"a new or empty folder, or one of this sweep (it holds {foreign[0]!r})")
        return
    if meta.get("fingerprint") != exp.fingerprint():
        raise InputError("--out", str(out), f"a new folder, or the folder of this same experiment: it holds the sweep "
                         f"'{meta.get('experiment')}' ({meta.get('fingerprint')}), which differs from "
                         f"'{exp.name}' ({exp.fingerprint()}) in its design, runs, scenario or outcomes")


def check_before_writing(exp: Experiment, points: np.ndarray, processes: int) -> None:
    """What a run of this sweep would refuse, refused now, before the folder is made: design
    points that are not numbers, and the base scenario with the first point's settings (places,
    events, parameters bound together, memory for `processes` runs at once)."""
    bad = ~np.isfinite(points)
    if bad.any():
        k = int(np.flatnonzero(bad.any(axis=0))[0])
        f = exp.factors[k]
        raise InputError(f"{'levers' if f.kind == 'lever' else 'parameters'}.{f.name}", "a design point that is not a number",
                         "a range and distribution whose quantiles are finite numbers")
    from bp_sim.network import load_network
    from bp_sim.validate import check_runnable

    first = build_scenario(exp.scenario, exp.factors, dict(zip(exp.names, map(float, points[0]), strict=True)))
    try:
        check_runnable(first, load_network(), exp.agents, option="run.agents", processes=processes)
    except InputError as exc:  # a key of the sweep file as it is; anything else is the base scenario's
        raise (exc if exc.where.startswith("run.") else exc.in_file(exp.scenario.source)) from None


def _meta(exp: Experiment, n_points: int, n_runs: int, old: dict | None) -> dict:
    return {"experiment": exp.name, "description": exp.description,
            "experiment_file": str(Path(exp.source).resolve()), "fingerprint": exp.fingerprint(),
            "base_scenario": exp.scenario.name, "base_scenario_file": exp.scenario.source,
            "start_date": exp.scenario.start_date.isoformat(), "years": exp.scenario.years,
            "weeks": exp.scenario.weeks, "agents": exp.agents, "design": exp.design, "samples": exp.samples,
            "design_seed": exp.design_seed, "levels": exp.levels, "second_order": exp.second_order,
            "replicates": exp.replicates, "seed": exp.seed, "seeds": "replicate r runs with seed + r at every point",
            "factors": [f.describe() for f in exp.factors], "outcomes": list(exp.outcomes),
            "targets": [t.id for t in exp.targets], "points": n_points, "runs": n_runs,
            "dataset": "results/: one Parquet file per run, one row per outcome (read the folder as one table)",
            "sessions": list((old or {}).get("sessions", []))}


def run_sweep(experiment: str | Path | Experiment, out: str | Path, *, backend: str = "local",
              workers: int | None = None, scheduler: str | None = None, threads: int | None = None,
              stream: TextIO | None = sys.stderr) -> SweepReport:
    """Run (or resume) a sweep into `out`; progress goes to `stream` (None: quiet)."""
    _check_options(backend, workers, scheduler, threads)
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("--out", str(out), "a folder path (a file of that name exists)")
    store = S.Store(out)
    _check_folder(out, store.read_meta(), exp)
    points, runs = plan(exp)
    if scheduler is None:
        workers = workers or cores()
        threads = threads or max(1, cores() // workers)
    check_before_writing(exp, points, 1 if scheduler else workers)
    t0 = time.perf_counter()
    with store.locked():
        old = store.read_meta()
        _check_folder(out, old, exp)  # again, now that the folder is ours
        meta = _meta(exp, len(points), len(runs), old)
        previous = meta["sessions"][-1] if meta["sessions"] else None
        session = {**session_info(), "backend": backend, "workers": workers, "threads_per_run": threads,
                   "scheduler": scheduler, "status": "running"}
        if previous and stream is not None and previous.get("git_commit") != session["git_commit"]:
            stream.write(f"bp-sim: note: earlier runs in {out} were made at commit {previous.get('git_commit')}, "
                         f"this session runs {session['git_commit']}\n")
        meta["sessions"].append(session)
        if exp.raw_text:
            store.write_text(S.EXPERIMENT_COPY, exp.raw_text)
        store.write_design(exp.names, points, [point_id(dict(zip(exp.names, map(float, row), strict=True)))
                                               for row in points])
        store.write_meta(meta)
        finished = store.finished(len(exp.kept))
        todo = [r for r in runs if r.run_id not in finished]
        report = SweepReport(out, len(runs), len(runs) - len(todo))
        progress = Progress(len(runs), report.already, stream) if stream is not None else None
        if stream is not None:
            where = f"scheduler {scheduler}" if scheduler else f"{workers} workers x {threads} Numba threads"
            stream.write(f"sweep {exp.name}: {len(points)} points x {exp.replicates} replicates = {len(runs)} runs; "
                         f"{report.already} already in {out}, {len(todo)} to run ({backend}, {where})\n")

        def on_result(res: JobResult) -> None:
            if res.error is None:
                store.write_result(res, exp.names, exp.kept)
                report.done += 1
            else:
                store.write_failure(res)
                report.failed[res.run.run_id] = res.error
            if progress is not None:
                progress.update(res.error is None)
            stopping.raise_if_requested()  # a Ctrl-C whose exception was dropped (`stopping`) stops here

        jobs = [Job(r, exp.scenario, exp.factors, exp.agents, exp.outcomes, threads, exp.targets) for r in todo]
        status = "stopped by an error"
        try:
            if jobs and scheduler is None:
                warm_up(exp.scenario, stream)
            if backend == "local":
                from bp_sim.sweep.local import run_local

                run_local(jobs, workers, on_result)
            else:
                from bp_sim.sweep.dask_backend import run_dask

                run_dask(jobs, workers or 1, scheduler, on_result)
            status = "finished" if not report.failed else "finished with failures"
        except KeyboardInterrupt:
            status = "interrupted"
            raise SweepInterrupted(report) from None
        finally:
            if progress is not None:
                progress.close()
            report.seconds = time.perf_counter() - t0
            session.update({"status": status, "runs_done": report.done, "runs_failed": len(report.failed),
                            "runs_already_done": report.already, "seconds": round(report.seconds, 3)})
            store.write_meta(meta)
    return report

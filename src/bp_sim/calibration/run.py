"""`bp-sim calibrate FILE --out DIR`: waves of history matching, the posterior, posterior-predictive runs.

    DIR/waves/wave_K/     the runs of wave K (a sweep folder: resumable, one Parquet file per run)
    DIR/predictive/       the runs of the parameter sets drawn from the posterior (a sweep folder)
    DIR/posterior.parquet the MCMC draws of the emulated posterior: parameters, log-likelihood, weight
    DIR/posterior_sets.parquet  the drawn sets (set r is replicate r of `bp-sim compare --posterior`)
    DIR/identifiability.csv     per parameter: prior, posterior quantiles, sd ratio, verdict
    DIR/fit.csv           per target: observed, prior- and posterior-predictive quantiles
    DIR/implausibility.csv per target at the most likely draw: emulated value, implausibility, misfit
    DIR/calibrated.toml   the scenario with every free parameter at its posterior median
    DIR/calibration.json  settings, waves, misfits, effective sample size, times
    DIR/fit.png, marginals.png, pairs.png

The same command on the same folder resumes: finished runs are kept, a wave whose points were
written keeps them, and the emulators are fitted again from the runs (deterministic given them).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from bp_sim.calibration import posterior as P
from bp_sim.calibration.config import CalibrationConfig, load_config
from bp_sim.calibration.emulator import Emulators, fit_emulators, implausibility, log_values
from bp_sim.calibration.priors import values
from bp_sim.calibration.waves import run_wave, stored_points, wave_results
from bp_sim.errors import InputError
from bp_sim.sweep.provenance import session_info

SUMMARY = "calibration.json"
MIN_WALKERS = 32  # emcee walkers at least (and twice the free parameters plus two)
OWN = {"waves", "predictive", "posterior.parquet", "posterior_sets.parquet", "identifiability.csv", "fit.csv",
       "calibrated.toml", "implausibility.csv", SUMMARY, "fit.png", "marginals.png", "pairs.png", "calibration.toml"}


@dataclass
class CalibrationResult:
    out: Path
    runs: int
    seconds: float
    misfits: list[str]
    effective_size: float
    kept_share: float


def fingerprint(cfg: CalibrationConfig) -> str:
    """Hash of everything that decides the calibration's runs and result (not its wording)."""
    content = {"settings": _settings(cfg), "scenario": cfg.scenario.to_toml_dict(),
               "targets": [dataclasses.asdict(t) for t in cfg.targets],
               "priors": [dataclasses.asdict(p) for p in cfg.priors]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _check_folder(out: Path, fingerprint: str) -> None:
    """A new or empty folder, or the folder of this same calibration."""
    if out.exists() and not out.is_dir():
        raise InputError("--out", str(out), "a folder path (a file of that name exists)")
    summary = out / SUMMARY
    if summary.exists():
        try:
            old = json.loads(summary.read_text())
        except (OSError, json.JSONDecodeError):
            old = {}
        if old.get("fingerprint") != fingerprint:
            raise InputError("--out", str(out), f"a new folder, or the folder of this same calibration: it holds "
                             f"'{old.get('name')}' ({old.get('fingerprint')}), which differs in its targets, "
                             f"free parameters, scenario or settings")
    elif out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in OWN)
        if foreign:
            raise InputError("--out", str(out), f"a new or empty folder, or one of this calibration (it holds {foreign[0]!r})")


def calibrate(path: str | Path, out: str | Path, *, backend: str = "local", workers: int | None = None,
              scheduler: str | None = None, stream: TextIO | None = sys.stderr) -> CalibrationResult:
    """Run (or resume) the calibration of `path` into `out`."""
    cfg = load_config(path)
    out = Path(out)
    fp = fingerprint(cfg)
    _check_folder(out, fp)
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibration.toml").write_text(cfg.raw_text)
    t0 = time.perf_counter()
    log_expected = log_values(np.array([t.expected for t in cfg.targets]))
    obs_sd = np.array([t.error_log_sd for t in cfg.targets])
    d = len(cfg.priors)
    summary: dict = {"name": cfg.name, "fingerprint": fp, "config": str(Path(path).resolve()),
                     "session": session_info(), "backend": backend, "workers": workers, "scheduler": scheduler,
                     "cores": os.cpu_count(),
                     "settings": _settings(cfg), "waves": []}
    units, ys, runs = [], [], 0
    em: Emulators | None = None
    s: P.Screen | None = None
    for w in range(1, cfg.waves + 1):
        folder = out / "waves" / f"wave_{w}"
        pts = stored_points(folder, cfg)
        kept = None
        if pts is None:
            if w == 1:
                pts = P.candidates(cfg.points, d, cfg.seed)
            else:
                pts, kept = P.next_points(s, cfg.points, cfg.seed + 1000 * w)
        if stream is not None:
            stream.write(f"calibrate {cfg.name}: wave {w} of {cfg.waves}, {len(pts)} points x {cfg.replicates} replicates\n")
        tw = time.perf_counter()
        report = run_wave(cfg, folder, f"wave {w}", pts, cfg.replicates, backend=backend, workers=workers,
                          scheduler=scheduler, stream=stream)
        u, y, _ = wave_results(folder, cfg, cfg.replicates)
        runs += report.planned
        units.append(u)
        ys.append(y)
        tf = time.perf_counter()
        em = fit_emulators(np.vstack(units), np.vstack(ys), cfg.seed, jobs=_jobs(workers, scheduler))
        around = _kept_points(em, np.vstack(units), log_expected, obs_sd, cfg)
        s = P.screen(em, P.candidates(cfg.candidates, d, cfg.seed + 17 * w, around), log_expected, obs_sd,
                     cfg.discrepancy, cfg.cutoff, cfg.rank)
        summary["waves"].append({"wave": w, "points": len(pts), "runs": report.planned,
                                 "runs_done_before": report.already, "runs_done_now": report.done,
                                 "runs_failed": len(report.failed), "seconds_runs": round(tf - tw, 1),
                                 "seconds_emulators": round(time.perf_counter() - tf, 1),
                                 "points_kept_before": kept,
                                 "kept_share_after": float(s.kept.mean()),
                                 "least_ranked_implausibility": float(s.score.min()),
                                 "misfits_after": [t.id for t, m in zip(cfg.targets, s.misfit, strict=True) if m]})
        _write_summary(out, summary)
    ps = P.screen(em, P.candidates(cfg.posterior_candidates, d, cfg.seed + 99, around), log_expected, obs_sd,
                  cfg.discrepancy, cfg.cutoff, cfg.rank)
    draws, ll, ess = P.sample(em, ps, log_expected, obs_sd, cfg.discrepancy, walkers=max(2 * d + 2, MIN_WALKERS),
                              steps=cfg.posterior_steps, seed=cfg.seed + 7)
    names = [p.name for p in cfg.priors]
    post = pd.DataFrame(values(list(cfg.priors), draws), columns=names)
    post["log_likelihood"], post["weight"] = ll, 1.0 / len(draws)
    post.to_parquet(out / "posterior.parquet", index=False)
    drawn = draws[P.spread(len(draws), cfg.posterior_samples)]
    sets = pd.DataFrame(values(list(cfg.priors), drawn), columns=names)
    sets.insert(0, "set", np.arange(len(sets)))
    sets.to_parquet(out / "posterior_sets.parquet", index=False)
    tp = time.perf_counter()
    if stream is not None:
        stream.write(f"calibrate {cfg.name}: posterior-predictive runs, {len(sets)} sets x {cfg.posterior_replicates}\n")
    report = run_wave(cfg, out / "predictive", "posterior-predictive", drawn, cfg.posterior_replicates,
                      backend=backend, workers=workers, scheduler=scheduler, stream=stream)
    runs += report.planned
    _, _, pred = wave_results(out / "predictive", cfg, cfg.posterior_replicates)
    _, _, prior_runs = wave_results(out / "waves" / "wave_1", cfg, cfg.replicates)
    fit = _fit_table(cfg, prior_runs, pred)
    fit.to_csv(out / "fit.csv", index=False)
    _implausibility_table(cfg, em, draws[int(np.argmax(ll))], log_expected, obs_sd, ps.misfit).to_csv(
        out / "implausibility.csv", index=False)
    ratio, verdict = P.identifiability(draws, np.full(len(draws), 1.0 / len(draws)))
    ident = _identifiability_table(cfg, post, ratio, verdict)
    ident.to_csv(out / "identifiability.csv", index=False)
    _write_calibrated(out / "calibrated.toml", cfg, ident)
    misfits = [t.id for t, m in zip(cfg.targets, ps.misfit, strict=True) if m]
    summary.update({"posterior": {"candidates_kept": int(ps.kept.sum()), "kept_share": float(ps.kept.mean()),
                                  "draws": len(draws), "effective_sample_size": ess, "sets": len(sets),
                                  "runs_done_before": report.already, "runs_done_now": report.done,
                                  "seconds_predictive": round(time.perf_counter() - tp, 1)},
                    "misfits": misfits, "runs": runs, "seconds": round(time.perf_counter() - t0, 1)})
    from bp_sim.calibration.report import draw_all

    summary["figures_not_drawn"] = draw_all(out, cfg, fit, post, sets)
    _write_summary(out, summary)
    return CalibrationResult(out, runs, time.perf_counter() - t0, misfits, ess, float(ps.kept.mean()))


def _jobs(workers: int | None, scheduler: str | None) -> int:
    """Processes fitting emulators here: the local workers, else this machine's cores."""
    from bp_sim.sweep.driver import cores

    return workers if workers and scheduler is None else cores()


def _kept_points(em: Emulators, unit: np.ndarray, log_expected: np.ndarray, obs_sd: np.ndarray,
                 cfg: CalibrationConfig) -> np.ndarray:
    """The run points the current emulators do not rule out (the seeds of the jittered candidates)."""
    s = P.screen(em, unit, log_expected, obs_sd, cfg.discrepancy, cfg.cutoff, cfg.rank)
    return unit[s.kept]


def _settings(cfg: CalibrationConfig) -> dict:
    return {"scenario": cfg.scenario.name, "years": cfg.scenario.years, "agents": cfg.agents,
            "persons_per_mover": cfg.scenario.persons_per_mover,
            "persons_per_agent_abroad": cfg.scenario.persons_per_agent_abroad, "replicates": cfg.replicates,
            "waves": cfg.waves, "points": cfg.points, "candidates": cfg.candidates, "cutoff": cfg.cutoff,
            "rank": cfg.rank, "model_discrepancy_log_sd": cfg.discrepancy, "seed": cfg.seed,
            "posterior": {"candidates": cfg.posterior_candidates, "steps": cfg.posterior_steps,
                          "samples": cfg.posterior_samples,
                          "replicates": cfg.posterior_replicates},
            "targets": [t.id for t in cfg.targets], "free_parameters": [p.name for p in cfg.priors]}


def _write_summary(out: Path, summary: dict) -> None:
    from bp_sim.sweep.store import atomic_write

    atomic_write(out / SUMMARY, lambda p: p.write_text(json.dumps(summary, indent=2, default=str)))


def _fit_table(cfg: CalibrationConfig, prior_runs: np.ndarray, pred: np.ndarray) -> pd.DataFrame:
    """Per target: the figure, and the 5/50/95% quantiles of the prior (wave 1) and posterior-predictive runs."""
    rows = []
    for j, t in enumerate(cfg.targets):
        pr, po = np.expm1(prior_runs[:, j]), np.expm1(pred[:, j])
        q = lambda a, p: float(np.nanquantile(a, p)) if len(a) else np.nan  # noqa: E731
        rows.append({"target": t.id, "figures": t.figure_ids, "metric": t.metric, "origin": t.origin, "place": t.place,
                     "period": f"{t.start} to {t.end}", "observed": t.observed, "share": t.share, "expected": t.expected,
                     "error_log_sd": t.error_log_sd,
                     "prior_q05": q(pr, 0.05), "prior_q50": q(pr, 0.5), "prior_q95": q(pr, 0.95),
                     "posterior_q05": q(po, 0.05), "posterior_q50": q(po, 0.5), "posterior_q95": q(po, 0.95)})
    return pd.DataFrame(rows)


def _implausibility_table(cfg: CalibrationConfig, em: Emulators, best: np.ndarray, log_expected: np.ndarray,
                          obs_sd: np.ndarray, misfit: np.ndarray) -> pd.DataFrame:
    """Per target at the most likely posterior draw: the emulated value, its implausibility, and
    whether the target was a misfit (no candidate within the cutoff)."""
    mu, sd = em.predict(best[None, :])
    imp = implausibility(mu, sd, log_expected, obs_sd, cfg.discrepancy)[0]
    return pd.DataFrame({"target": [t.id for t in cfg.targets], "metric": [t.metric for t in cfg.targets],
                         "origin": [t.origin for t in cfg.targets], "place": [t.place for t in cfg.targets],
                         "period": [f"{t.start} to {t.end}" for t in cfg.targets],
                         "expected": [t.expected for t in cfg.targets], "emulated": np.expm1(mu[0]),
                         "emulator_sd_log": sd[0], "implausibility": imp, "misfit": misfit})


def _identifiability_table(cfg: CalibrationConfig, post: pd.DataFrame, ratio: np.ndarray, verdict: list[str]) -> pd.DataFrame:
    from bp_sim.parameters import SPECS

    w = post["weight"].to_numpy()
    rows = []
    for k, p in enumerate(cfg.priors):
        x = post[p.name].to_numpy()
        rows.append({"parameter": p.name, "hand_tuned": SPECS[p.name].value, "prior": p.kind, "low": p.low, "high": p.high,
                     "q05": P.weighted_quantile(x, w, 0.05), "median": P.weighted_quantile(x, w, 0.5),
                     "q95": P.weighted_quantile(x, w, 0.95), "sd_ratio": float(ratio[k]), "verdict": verdict[k]})
    return pd.DataFrame(rows)


def _write_calibrated(path: Path, cfg: CalibrationConfig, ident: pd.DataFrame) -> None:
    """The calibrated scenario: the calibrated one, extended, with every free parameter at its posterior median."""
    parent = os.path.relpath(Path(cfg.scenario.source).resolve(), path.parent.resolve())
    lines = [f"# Made by `bp-sim calibrate` ({cfg.name}): the scenario with every free parameter at its",
             "# posterior median (identifiability.csv beside it says which the data pin down).",
             "[scenario]", 'name = "calibrated"', f'title = "Calibrated: {cfg.scenario.name} with fitted parameters"',
             f"extends = {json.dumps(parent)}", "", "[parameters]"]
    lines += [f"{r.parameter} = {r.median!r}  # {r.verdict}; 90% interval {r.q05:.4g} to {r.q95:.4g}"
              for r in ident.itertuples(index=False)]
    path.write_text("\n".join(lines) + "\n")

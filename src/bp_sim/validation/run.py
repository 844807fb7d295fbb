"""`bp-sim validate FILE --out DIR [--doc PAGE]`: hindcast of 2024, stylized facts, hand-tuned beside calibrated.

    DIR/validation.md   the page (also written to PAGE with --doc)
    DIR/hindcast.csv    per 2024 figure and model: median, 50% and 90% intervals, inside, distance
    DIR/fitted.csv      per fitted 2020-2023 target and model: the same
    DIR/facts.csv       per fact, check and model: the paired difference, its interval, the verdict
    DIR/parameters.csv  per posterior parameter: the hand-tuned value and the sets' quantiles
    DIR/runs.parquet    every run's value of every figure and target
    DIR/validation.json settings, counts, times
    DIR/hindcast.png, fitted.png

Everything is checked before the first run (the file, the sets, the folder, the page's path);
everything is written at the end, atomically: an error or Ctrl-C leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from bp_sim.atomic import atomic_dir, check_out
from bp_sim.errors import InputError
from bp_sim.sweep.store import atomic_write
from bp_sim.validation.config import ValidationConfig, load_config
from bp_sim.validation.facts import run_facts
from bp_sim.validation.hindcast import MODELS, Hindcast, run_hindcast
from bp_sim.validation.intervals import against, shares, summarise_runs

OUT_KIND = "validation"  # a folder of results that only `bp-sim validate` replaces, whole


@dataclass
class ValidationResult:
    out: Path
    runs: int
    seconds: float
    hindcast_shares: dict[str, dict[str, float]]
    verdicts: dict[str, int]


def check_page(doc: str | Path | None) -> Path | None:
    """The --doc path: a .md file in an existing folder, not a folder itself."""
    if doc is None:
        return None
    p = Path(doc)
    if p.suffix.lower() != ".md" or p.is_dir():
        raise InputError("--doc", str(doc), "a Markdown file path ending in .md")
    if not p.parent.resolve().is_dir():
        raise InputError("--doc", str(doc), "a file in an existing folder")
    if not os.access(p.parent.resolve(), os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise InputError("--doc", str(doc), "a file this user may write")
    return p


def _check_sets(cfg: ValidationConfig) -> pd.DataFrame:
    from bp_sim.calibration.sets import load_sets
    from bp_sim.compare import with_parameters
    from bp_sim.network import load_network
    from bp_sim.validate import check_runnable

    sets = load_sets(cfg.posterior, cfg.replicates, where="validation.posterior")
    first = {k: float(v) for k, v in sets.iloc[0].items()}
    net = load_network()
    for sc in [cfg.baseline] + [s for f in cfg.facts for s in (f.base, f.policy)]:
        try:
            check_runnable(with_parameters(sc, first), net, cfg.agents)
        except InputError as exc:
            raise exc.in_file(sc.source) from None
    return sets


def _table(cfg: ValidationConfig, hc: Hindcast, which: str) -> pd.DataFrame:
    """hindcast.csv (which="validation") or fitted.csv (which="fitted"): one row per figure and model."""
    n = len(cfg.validation_targets)
    cols = slice(0, n) if which == "validation" else slice(n, None)
    targets = hc.targets[cols]
    expected = np.array([t.expected for t in targets])
    frames = []
    for model in MODELS:
        t = against(summarise_runs(hc.values[model][:, cols]), expected)
        t.insert(0, "model", model)
        t.insert(0, "error_log_sd", [x.error_log_sd for x in targets])
        t.insert(0, "share", [x.share for x in targets])
        t.insert(0, "observed", [x.observed for x in targets])
        t.insert(0, "period", [f"{x.start} to {x.end}" for x in targets])
        t.insert(0, "place", [x.place for x in targets])
        t.insert(0, "origin", [x.origin for x in targets])
        t.insert(0, "metric", [x.metric for x in targets])
        t.insert(0, "figures", [x.figure_ids for x in targets])
        t.insert(0, "target", [x.id for x in targets])
        with np.errstate(divide="ignore"):  # a median of 0 is -inf: nothing simulated
            t["log_error"] = np.log(t["median"].to_numpy() / expected)  # + too high, - too low
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def _parameters(sets: pd.DataFrame) -> pd.DataFrame:
    from bp_sim.parameters import SPECS

    rows = [{"parameter": c, "hand_tuned": SPECS[c].value, "unit": SPECS[c].unit, "q05": float(sets[c].quantile(0.05)),
             "median": float(sets[c].median()), "q95": float(sets[c].quantile(0.95))} for c in sets.columns]
    df = pd.DataFrame(rows)
    df["median_over_hand_tuned"] = df["median"] / df["hand_tuned"].where(df["hand_tuned"] != 0)
    return df


def validate(path: str | Path, out: str | Path, *, doc: str | Path | None = None, backend: str = "local",
             workers: int | None = None, scheduler: str | None = None, stream: TextIO | None = sys.stderr,
             command: str | None = None) -> ValidationResult:
    """Run the validation of `path`; write DIR (and `doc`) when everything is done."""
    t0 = time.perf_counter()
    from bp_sim.sweep.driver import _check_options, cores

    _check_options(backend, workers, scheduler, None)
    cfg = load_config(path)
    sets = _check_sets(cfg)
    page = check_page(doc)
    check_out(out, OUT_KIND)
    n_workers = workers or (1 if scheduler else cores())
    threads = None if scheduler else max(1, cores() // n_workers)
    say = stream.write if stream is not None else (lambda _s: None)
    say(f"validate {cfg.name}: {cfg.replicates} hand-tuned replicates and {cfg.replicates} posterior sets through "
        f"{cfg.baseline.years:g} years ({backend}, {n_workers} workers)\n")
    th = time.perf_counter()
    targets = cfg.validation_targets + cfg.targets
    hc = run_hindcast(cfg.baseline, sets, cfg.replicates, cfg.agents, cfg.seed, targets, backend=backend,
                      workers=n_workers, scheduler=scheduler, threads=threads, stream=stream)
    seconds_hindcast = time.perf_counter() - th
    tf = time.perf_counter()
    set_dicts = [{k: float(v) for k, v in row.items()} for _, row in sets.iterrows()]
    fact_frames, fact_runs = [], {}
    models = (["hand_tuned"] if cfg.facts_hand_tuned else []) + ["calibrated"]
    for model in models if cfg.facts else []:
        say(f"validate {cfg.name}: {len(cfg.facts)} facts x {cfg.fact_replicates} paired replicates ({model})\n")
        df, runs = run_facts(cfg.facts, cfg.fact_replicates, cfg.agents, cfg.seed, n_workers if not scheduler else 1,
                             set_dicts if model == "calibrated" else None)
        df.insert(0, "model", model)
        fact_frames.append(df)
        fact_runs[model] = runs
    facts = pd.concat(fact_frames, ignore_index=True) if fact_frames else pd.DataFrame()
    seconds_facts = time.perf_counter() - tf
    hindcast = _table(cfg, hc, "validation")
    fitted = _table(cfg, hc, "fitted")
    params = _parameters(sets)
    hs = {m: shares(hindcast[hindcast.model == m]) for m in MODELS}
    fact_run_count = sum(len(r) for runs in fact_runs.values() for r in runs.values())
    n_runs = 2 * cfg.replicates + fact_run_count
    info = {"name": cfg.name, "config": str(Path(path)), "posterior": str(cfg.posterior),
            "command": command or f"bp-sim validate {shlex.quote(str(path))} --out {shlex.quote(str(out))}"
                                  + (f" --doc {shlex.quote(str(doc))}" if doc else ""),
            "baseline": cfg.baseline.name, "years": cfg.baseline.years, "weeks": cfg.baseline.weeks,
            "agents": cfg.agents if cfg.agents is not None else cfg.baseline.agents,
            "persons_per_mover": cfg.baseline.persons_per_mover,
            "persons_per_agent_abroad": cfg.baseline.persons_per_agent_abroad, "replicates": cfg.replicates,
            "fact_replicates": cfg.fact_replicates, "seed": cfg.seed, "backend": backend, "workers": n_workers,
            "scheduler": scheduler, "runs": n_runs, "failed_runs": list(hc.failed),
            "seconds_hindcast": round(seconds_hindcast, 1), "seconds_facts": round(seconds_facts, 1),
            "hindcast_shares": hs}
    from bp_sim.validation.report import draw_all, page_text

    with atomic_dir(out, OUT_KIND) as tmp:
        hindcast.to_csv(tmp / "hindcast.csv", index=False)
        fitted.to_csv(tmp / "fitted.csv", index=False)
        facts.to_csv(tmp / "facts.csv", index=False)
        params.to_csv(tmp / "parameters.csv", index=False)
        _runs_frame(hc, fact_runs).to_parquet(tmp / "runs.parquet", index=False)
        info["figures_not_drawn"] = draw_all(tmp, hindcast, fitted)
        info["seconds"] = round(time.perf_counter() - t0, 1)
        text = page_text(cfg, info, hindcast, fitted, facts, params)
        (tmp / "validation.md").write_text(text, encoding="utf-8")
        (tmp / "validation.json").write_text(json.dumps(info, indent=2, default=str))
    if page is not None:  # the page and its figures beside it, named after it (docs/validation_hindcast.png ...)
        for name in ("hindcast.png", "fitted.png"):
            if (Path(out) / name).exists():
                beside = page.parent / f"{page.stem}_{name}"
                data = (Path(out) / name).read_bytes()
                atomic_write(beside, lambda tmp, data=data: tmp.write_bytes(data))
                text = text.replace(f"]({name})", f"]({beside.name})")
        text = text.replace("(The figures are in the output folder beside this page.)",
                            f"(The figures are also in the output folder, `{out}`.)")
        atomic_write(page, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    verdicts = facts.verdict.value_counts().to_dict() if len(facts) else {}
    return ValidationResult(Path(out), n_runs, time.perf_counter() - t0, hs, verdicts)


def _runs_frame(hc: Hindcast, fact_runs: dict) -> pd.DataFrame:
    """Long table: model, replicate, target and value of each hindcast run, and the parameter
    values each fact's run read back from its model (scenario 0 base, 1 policy)."""
    rows = [{"part": "hindcast", "model": m, "fact": "", "scenario": "", "replicate": r, "name": t.id,
             "value": float(hc.values[m][r, j])}
            for m in MODELS for r in range(hc.values[m].shape[0]) for j, t in enumerate(hc.targets)]
    for m, runs in fact_runs.items():
        for fid, res in runs.items():
            rows += [{"part": "fact_parameters", "model": m, "fact": fid, "scenario": str(x.scenario),
                      "replicate": x.replicate, "name": name, "value": v} for x in res for name, v in x.parameters]
    return pd.DataFrame(rows)

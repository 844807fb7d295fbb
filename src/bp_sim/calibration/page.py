"""`docs/calibration.md` from a calibration folder: what was fitted, how, how long it took, what it found.

    bp-sim calibrate experiments/calibration.toml --out runs/calibration --doc docs/calibration.md
    python -m bp_sim.calibration.page runs/calibration docs/calibration.md   (from a finished folder)

Every number on the page is read from the folder (`calibration.json`, `identifiability.csv`,
`fit.csv`, `implausibility.csv`); the method and its reasons are fixed text. A folder resumed
with nothing left to run says so in its times, which are then those of the resuming command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bp_sim.calibration.run import SUMMARY
from bp_sim.errors import InputError

METHOD = """\
## Method: history matching with Gaussian-process emulators, then the emulated posterior

1. **Wave 1** runs a Latin hypercube of the prior (the unit cube of the free parameters), each point
   with several replicates, through the sweep machinery (`bp_sim.sweep`: local processes or Dask; each
   wave is a sweep folder, resumable).
2. **Emulators.** One scikit-learn `GaussianProcessRegressor` per target on log(1 + value): a constant
   times an anisotropic Matérn 5/2 kernel plus white noise (the spread between seeds).
3. **Implausibility** of a point for a target: the distance between the figure and the emulated mean,
   in units of the emulator's, the observation's and a model-discrepancy standard deviation together.
   A point is ruled out when the `rank`-th largest implausibility over the targets exceeds the cutoff.
   Targets that no candidate comes near are **misfits**: reported, and left out, so that one figure the
   model cannot reproduce does not rule out everything.
4. **Waves 2..K** run points drawn from what is not ruled out (a hypercube plus jittered copies of the
   points still standing; when nothing is left standing, the least implausible ones); the emulators are
   refitted on all runs.
5. **Posterior.** The prior times the emulated Gaussian likelihood of the targets that are not misfits,
   sampled by emcee's affine-invariant ensemble sampler; parameter sets spread over the chain are run
   again (posterior-predictive runs) and become `posterior_sets.parquet`, which `bp-sim compare
   --posterior` uses (replicate r takes set r in every scenario).

### Why this method, and what the alternatives would have cost

- **ABC-SMC (pyabc)** needs thousands of simulations per generation at an acceptance rate that falls
  as the tolerance shrinks; with tens of targets and parameters that is tens of thousands of runs (many
  hours here at about a second a run), it keeps its own SQLite history and sampler instead of our sweep
  backends, and a generation cut off by an interruption loses its finished simulations.
- **Neural posterior estimation (sbi)** brings PyTorch (a CPU build of several hundred MB), needs
  thousands of simulations for tens of outputs, and its networks' training is another source of
  variance to check.
- **History matching with emulators** needs about a thousand runs, each wave is an ordinary sweep
  (resumable, on the local pool, Dask or Slurm as any sweep), says which regions of parameter space are
  ruled out and by which figures, and names the misfits instead of hiding them in a posterior. Its
  cost: the emulators are an approximation (their uncertainty is part of the implausibility and of the
  likelihood), and the final posterior is of the emulated model.
"""

GROUPS = {"stock": "stocks", "claims": "asylum claims", "detections": "detections", "leg_deaths": "deaths",
          "origin_deaths": "deaths", "remittances": "remittances", "fee": "fees", "returns": "returns",
          "recognition": "recognition"}


def _read(folder: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    try:
        summary = json.loads((folder / SUMMARY).read_text())
        tables = [pd.read_csv(folder / f) for f in ("identifiability.csv", "fit.csv", "implausibility.csv")]
    except (OSError, json.JSONDecodeError, pd.errors.ParserError) as exc:
        raise InputError("calibration folder", str(folder), "a finished `bp-sim calibrate` output folder "
                         f"(calibration.json, identifiability.csv, fit.csv, implausibility.csv): {exc}") from None
    if "posterior" not in summary:
        raise InputError("calibration folder", str(folder), "a finished calibration (this one has no posterior yet: "
                         "run the same bp-sim calibrate command again to finish it)")
    return summary, *tables


def _num(x: float) -> str:
    if not np.isfinite(x):
        return "-"
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:,.2f} bn"
    if a >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _what(row) -> str:
    """A target's metric, origin and place, the blank ones left out."""
    return " ".join(str(x) for x in (row.metric, row.origin, row.place) if isinstance(x, str) and x)


def _times(summary: dict) -> list[str]:
    s = summary["settings"]
    lines = ["| step | points | runs (run now / found done) | seconds |", "|---|---:|---:|---:|"]
    for w in summary["waves"]:
        lines.append(f"| wave {w['wave']} | {w['points']} | {w['runs']} ({w['runs_done_now']} / {w['runs_done_before']}) "
                     f"| {w['seconds_runs']:.0f} runs + {w['seconds_emulators']:.0f} emulators |")
    p = summary["posterior"]
    waves_s = sum(w["seconds_runs"] + w["seconds_emulators"] for w in summary["waves"])
    rest = summary["seconds"] - waves_s - p["seconds_predictive"]
    lines.append(f"| screening, emcee ({s['posterior']['steps']:,} steps), tables | | | {rest:.0f} |")
    lines.append(f"| posterior-predictive runs ({p['sets']} sets) | {p['sets']} | "
                 f"{p['sets'] * s['posterior']['replicates']} ({p['runs_done_now']} / {p['runs_done_before']}) "
                 f"| {p['seconds_predictive']:.0f} |")
    lines.append(f"| **in all** | | **{summary['runs']:,}** | **{summary['seconds']:.0f} "
                 f"({summary['seconds'] / 60:.0f} min)** |")
    return lines


def _identifiability(ident: pd.DataFrame) -> list[str]:
    lines = ["| parameter | hand-tuned | prior | posterior median | 90% interval | sd ratio | verdict |",
             "|---|---:|---|---:|---|---:|---|"]
    for r in ident.sort_values("sd_ratio").itertuples(index=False):
        lines.append(f"| `{r.parameter}` | {r.hand_tuned:.4g} | {r.prior} {r.low:.3g} to {r.high:.3g} | "
                     f"{r.median:.4g} | {r.q05:.4g} to {r.q95:.4g} | {r.sd_ratio:.2f} | {r.verdict} |")
    return lines


def _fit(fit: pd.DataFrame) -> tuple[list[str], dict]:
    ratio = fit.posterior_q50 / fit.expected
    inside = (fit.posterior_q05 <= fit.expected) & (fit.expected <= fit.posterior_q95)
    within = np.abs(np.log(ratio)) <= 2 * fit.error_log_sd  # within two observation errors
    lines = ["| target | figure(s) | what | period | figure x model's share | posterior median | 90% band | ratio |",
             "|---|---|---|---|---:|---:|---|---:|"]
    for r, q, ins in zip(fit.itertuples(index=False), ratio, inside, strict=True):
        what = _what(r)
        lines.append(f"| {r.target} | {r.figures} | {what} | {r.period} | {_num(r.expected)} | {_num(r.posterior_q50)} | "
                     f"{_num(r.posterior_q05)} to {_num(r.posterior_q95)}{'' if ins else ' (misses)'} | {q:.2f} |")
    stats = {"n": len(fit), "inside": int(inside.sum()), "within": int(within.sum()),
             "factor2": int((np.abs(np.log(ratio)) <= np.log(2)).sum()),
             "worst": fit.assign(r=ratio, a=np.abs(np.log(ratio))).sort_values("a", ascending=False).head(8)}
    return lines, stats


def render(folder: str | Path, command: str) -> str:
    """The page for a finished calibration folder."""
    folder = Path(folder)
    summary, ident, fit, imp = _read(folder)
    s = summary["settings"]
    cores = summary.get("cores") or summary.get("session", {}).get("host", "?")
    when = dt.datetime.fromtimestamp((folder / SUMMARY).stat().st_mtime, dt.UTC).strftime("%Y-%m-%d")
    fit_lines, st = _fit(fit)
    misfits = summary.get("misfits", [])
    last = summary["waves"][-1]
    kept = [f"{100 * w['kept_share_after']:.1f}%" for w in summary["waves"]]
    groups = fit.groupby(fit.metric.map(GROUPS).fillna(fit.metric)).size()
    pinned = ident[ident.verdict == "pinned down"].parameter.tolist()
    narrowed = ident[ident.verdict == "narrowed"].parameter.tolist()
    loose = ident[~ident.verdict.isin(["pinned down", "narrowed"])].parameter.tolist()
    worst = "; ".join(f"{r.target} ({_what(r)}, {r.period}): {r.r:.2f}x" for r in st["worst"].itertuples(index=False))
    top = imp.sort_values("implausibility", ascending=False).head(6)
    tops = "; ".join(f"{r.target} {_what(r)} ({r.implausibility:.1f})" for r in top.itertuples(index=False))
    out = [
        "# Calibration: fitting the free parameters to the record", "",
        f"Made by `{command}` on {when} ({f'{cores} cores' if isinstance(cores, int) else f'host {cores}'}); "
        "every number below is read from that folder. "
        "`bp-sim calibrate` fits the free parameters of `src/bp_sim/data/calibration_parameters.csv` to the "
        "figures of `src/bp_sim/data/targets.csv` (2020-2023; 2024 is held out for `docs/validation.md`) and "
        "writes the posterior, the fit and a calibrated scenario.", "",
        "## What is fitted to what", "",
        f"- **Targets**: {len(fit)} observed figures, " + ", ".join(f"{n} {g}" for g, n in groups.items()) +
        ". Each row of `targets.csv` copies its figure's id, value, source and confidence from the shared "
        "data, names the simulated quantity (`bp_sim/targets.py`), the share of the figure the model's origins "
        "account for, and an observation error (log sd) with its reason. Returns to Afghanistan are not fitted: "
        "the shared data hold no figure of returns within 2020-2023 alone (they are in the 2024 validation).",
        f"- **Free parameters**: {len(ident)} (which ones is data, not code), each with a uniform or log-uniform "
        "prior inside its allowed range; every range is an assumption, a factor of a few around the hand-tuned "
        "value (`route_choice_scale_usd` from 0, the hand-tuned baseline's one-route-per-node choice).",
        f"- **Runs**: scenario `{s['scenario']}` over {s['years']:.2f} years at {s['agents'] or 'the scenario'}"
        f" cohorts, movers in rows of {s['persons_per_mover']} persons, rows of {s['persons_per_agent_abroad']} "
        f"abroad; {s['waves']} waves x {s['points']} points x {s['replicates']} replicates, cutoff "
        f"{s['cutoff']} on the {s['rank']}-th largest implausibility, model discrepancy {s['model_discrepancy_log_sd']} "
        "(log sd).", "",
        METHOD,
        "## Times", "",
        *_times(summary), "",
        "A cluster run spreads the waves' runs over the Dask workers as any sweep (`--backend dask --scheduler "
        "...`): wall time falls in proportion to the workers; the emulator fits and the sampler run in the "
        "driver process on its cores. The same command on a finished folder runs nothing again (every run "
        "'already in' its folder) and refits the emulators and the sampler, deterministic given the runs.", "",
        "## What it found", "",
        f"- **Ruled out.** Share of the candidates not ruled out after each wave: {', '.join(kept)}; the least "
        f"ranked implausibility after the last wave: {last['least_ranked_implausibility']:.2f} (the cutoff is "
        f"{s['cutoff']}). " + ("No point is consistent with every figure jointly within the cutoff, so each wave "
                               "followed the least implausible points and the posterior is the emulated likelihood's."
                               if last["kept_share_after"] == 0 else
                               "The posterior lives inside the region not ruled out."),
        f"- **Misfits** (no candidate near the figure on its own): {', '.join(misfits) if misfits else 'none'}.",
        f"- **Pinned down** by the data: {', '.join(f'`{p}`' for p in pinned) or 'none'}; **narrowed**: "
        f"{', '.join(f'`{p}`' for p in narrowed) or 'none'}; **not pinned down**: "
        f"{', '.join(f'`{p}`' for p in loose) or 'none'} (`identifiability.csv`: posterior sd over prior sd on "
        "the unit cube).",
        f"- **Posterior-predictive fit**: of {st['n']} figures (times the model's share), {st['inside']} lie inside "
        f"the 90% band of the {summary['posterior']['sets']} posterior-predictive runs, {st['within']} within two "
        f"observation errors of its median, {st['factor2']} within a factor of 2. Furthest: {worst}.",
        f"- **Largest implausibilities at the most likely draw** (`implausibility.csv`): {tops}.",
        f"- **Sampler**: effective sample size about {summary['posterior']['effective_sample_size']:.0f} "
        f"of {summary['posterior']['draws']:,} draws.", "",
        "### Parameters", "", *_identifiability(ident), "",
        "### Every target", "", *fit_lines, "",
        "Figures: `fit.png` (observed against prior and posterior-predictive bands, a panel per target group), "
        "`marginals.png`, `pairs.png` in the folder.", "",
    ]
    return "\n".join(out)


def write_page(folder: str | Path, doc: str | Path, command: str) -> Path:
    """Render the page and write it atomically to `doc`."""
    from bp_sim.sweep.store import atomic_write

    text = render(folder, command)
    doc = Path(doc)
    atomic_write(doc, lambda p: p.write_text(text, encoding="utf-8"))
    return doc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bp_sim.calibration.page",
                                 description="write docs/calibration.md from a finished calibration folder")
    ap.add_argument("folder")
    ap.add_argument("doc")
    args = ap.parse_args(argv)
    try:
        config = json.loads((Path(args.folder) / SUMMARY).read_text()).get("config", "CONFIG")
    except (OSError, json.JSONDecodeError):
        config = "CONFIG"  # write_page says what is wrong with the folder
    try:
        here = Path(config).resolve().relative_to(Path.cwd())
    except ValueError:
        here = Path(config)
    try:
        path = write_page(args.folder, args.doc, f"bp-sim calibrate {here} --out {args.folder} --doc {args.doc}")
    except InputError as exc:
        sys.stderr.write(f"bp-sim: {exc}\n")
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`bp-sim analyse DIR`: tables, sensitivity indices and plots of a sweep's results.

Writes into DIR/analysis (or --out), atomically:

    points.csv            outcome mean, sd and replicates per design point (tidy)
    by_lever.csv          outcome mean and 95% CI by each lever's (or parameter's) value
    sobol_indices.csv     S1, ST and their confidence (Sobol' designs)
    morris_indices.csv    mu, mu*, its confidence and sigma (Morris designs)
    plots/OUTCOME_by_lever.png, plots/OUTCOME_indices.png

Python: `analyse(dir)` returns the same tables (`Analysis`), for notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bp_sim.atomic import atomic_dir, check_out
from bp_sim.errors import InputError
from bp_sim.sweep.figures import index_bars, outcome_by_factor, safe_name
from bp_sim.sweep.indices import sensitivity
from bp_sim.sweep.spec import DESIGNS
from bp_sim.sweep.store import DESIGN, META, Store
from bp_sim.sweep.store import FAILURES as S_FAILURES
from bp_sim.sweep.store import RESULTS as S_RESULTS
from bp_sim.sweep.tables import by_factor, point_means


@dataclass
class Analysis:
    """The tables of a sweep's analysis and where they were written."""

    out: Path
    runs: int  # runs with results
    planned: int
    points: pd.DataFrame
    by_lever: pd.DataFrame
    indices: pd.DataFrame | None
    design: str
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.runs}/{self.planned} runs analysed ({self.design} design); outputs in {self.out}/:",
                 "  " + " ".join(sorted(str(p.relative_to(self.out)) for p in self.files if p.parent == self.out))]
        plots = [p for p in self.files if p.parent != self.out]
        if plots:
            lines.append(f"  plots/: {len(plots)} PNG")
        if self.indices is not None and not self.indices.empty:
            key = "ST" if "ST" in self.indices else "mu_star"
            for outcome, grp in self.indices.groupby("outcome", sort=False):
                top = grp.sort_values(key, ascending=False).head(3)
                lines.append(f"  {outcome}: largest {key} " + ", ".join(f"{r.factor} {getattr(r, key):.3g}"
                                                                     for r in top.itertuples()))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_meta(meta: dict, path: Path) -> None:
    """The keys of sweep.json that the analysis reads, each of the type bp-sim sweep writes."""
    def need(key: str, ok: bool, what: str) -> None:
        if not ok:
            raise InputError(f"{path} key {key!r}", meta.get(key),
                             f"{what}, as bp-sim sweep writes it (is this a sweep folder?)")

    design = meta.get("design")
    need("design", design in DESIGNS, "one of " + ", ".join(DESIGNS))
    factors = meta.get("factors")
    need("factors", isinstance(factors, list) and len(factors) > 0
         and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in factors),
         "a list of factors, each an object with a name")
    if design in ("sobol", "morris"):
        need("factors", all(isinstance(f.get(b), int | float) for f in factors for b in ("low", "high")),
             f"factors with a numeric low and high (a {design} design)")
    outcomes = meta.get("outcomes")
    need("outcomes", isinstance(outcomes, list) and all(isinstance(o, str) for o in outcomes),
         "a list of outcome names")
    need("runs", _is_whole(meta.get("runs")) and meta["runs"] >= 0, "a whole number of runs")
    if design == "morris":
        need("levels", _is_whole(meta.get("levels")) and meta["levels"] >= 2, "a whole number of levels of at least 2")
    if design == "sobol":
        need("second_order", isinstance(meta.get("second_order"), bool), "true or false")
    if "design_seed" in meta:
        need("design_seed", _is_whole(meta["design_seed"]), "a whole number")


def _check_target(root: Path, target: Path) -> None:
    """The analysis folder may be replaced only if `bp-sim analyse` wrote it (`atomic.check_out`),
    and never sits inside the sweep's own data, where the next analysis would read it as results."""
    real = check_out(target, "analysis")
    sweep = root.resolve()
    for inner in (sweep / S_RESULTS, sweep / S_FAILURES):
        if real == inner or inner in real.parents:
            raise InputError("--out", str(target), f"a folder outside {inner} (the sweep's own data)")


def analyse(sweep_dir: str | Path, out: str | Path | None = None) -> Analysis:
    """Analyse the results in a sweep folder and write tables and plots (default: DIR/analysis)."""
    root = Path(sweep_dir)
    store = Store(root)
    target = Path(out) if out is not None else root / "analysis"
    _check_target(root, target)
    meta = store.read_meta()
    if meta is None or not (root / DESIGN).is_file():
        raise InputError("DIR", str(root), f"a sweep folder (with {META} and {DESIGN}) written by bp-sim sweep")
    _check_meta(meta, root / META)
    factors = [f["name"] for f in meta["factors"]]
    results = store.read_results(tuple(factors))
    if results.empty:
        raise InputError("DIR", str(root), "a sweep folder with at least one finished run in results/")
    design = store.read_design()
    missing = [c for c in ("point", "point_id", *factors) if c not in design.columns]
    if missing:
        raise InputError(str(root / DESIGN), f"no column {missing[0]!r}",
                         f"the design table that bp-sim sweep writes, with columns point, point_id, {', '.join(factors)} "
                         "(resume the sweep to write it again)")
    means = point_means(results, design, factors)
    levels = by_factor(results, factors)
    indices, notes = sensitivity(meta, design, means)
    n_runs = results["run_id"].nunique()
    if n_runs < meta["runs"]:
        notes.insert(0, f"{meta['runs'] - n_runs} of {meta['runs']} runs have no result yet (resume the sweep)")
    result = Analysis(target, n_runs, meta["runs"], means, levels, indices, meta["design"], notes)
    with atomic_dir(target, "analysis") as tmp:
        written = [tmp / "points.csv", tmp / "by_lever.csv"]
        means.to_csv(written[0], index=False)
        levels.to_csv(written[1], index=False)
        if indices is not None:
            written.append(tmp / f"{meta['design']}_indices.csv")
            indices.to_csv(written[-1], index=False)
        (tmp / "plots").mkdir()
        for outcome in meta["outcomes"]:
            written.append(outcome_by_factor(outcome, means, levels, factors,
                                             tmp / "plots" / f"{safe_name(outcome)}_by_lever.png"))
            if indices is not None and (indices.outcome == outcome).any():
                written.append(index_bars(outcome, indices, meta["design"],
                                          tmp / "plots" / f"{safe_name(outcome)}_indices.png"))
        result.files = [target / p.relative_to(tmp) for p in written]
    return result

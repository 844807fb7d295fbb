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

from bp_sim.atomic import atomic_dir
from bp_sim.errors import InputError
from bp_sim.sweep.figures import index_bars, outcome_by_factor, safe_name
from bp_sim.sweep.indices import sensitivity
from bp_sim.sweep.store import DESIGN, META, Store
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


def analyse(sweep_dir: str | Path, out: str | Path | None = None) -> Analysis:
    """Analyse the results in a sweep folder and write tables and plots (default: DIR/analysis)."""
    root = Path(sweep_dir)
    store = Store(root)
    meta = store.read_meta()
    if meta is None or not (root / DESIGN).is_file():
        raise InputError("DIR", str(root), f"a sweep folder (with {META} and {DESIGN}) written by bp-sim sweep")
    results = store.read_results()
    if results.empty:
        raise InputError("DIR", str(root), "a sweep folder with at least one finished run in results/")
    design = store.read_design()
    factors = [f["name"] for f in meta["factors"]]
    means = point_means(results, design, factors)
    levels = by_factor(results, factors)
    indices, notes = sensitivity(meta, design, means)
    n_runs = results["run_id"].nunique()
    if n_runs < meta["runs"]:
        notes.insert(0, f"{meta['runs'] - n_runs} of {meta['runs']} runs have no result yet (resume the sweep)")
    target = Path(out) if out is not None else root / "analysis"
    result = Analysis(target, n_runs, meta["runs"], means, levels, indices, meta["design"], notes)
    with atomic_dir(target) as tmp:
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

"""Parameter sets drawn from a posterior (`posterior_sets.parquet` of `bp-sim calibrate`), checked.

Set r is the parameter values of replicate r in every scenario of `bp-sim compare --posterior`, so
that paired differences carry parameter uncertainty as well as the random draws'. A file is a
table with one row per set: an optional `set` column (its number) and one column per parameter of
`parameters.csv`; Parquet or CSV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bp_sim.errors import InputError, Note
from bp_sim.parameters import SPECS, check_combined, check_value
from bp_sim.userfiles import existing_file

WHAT = "a table of parameter sets (posterior_sets.parquet of bp-sim calibrate: a column per parameter, a row per set)"


def load_sets(path: str | Path, needed: int, where: str = "--posterior") -> pd.DataFrame:
    """The first `needed` sets of a file, checked (every column a parameter, every value allowed
    alone and with the others); one InputError naming the file, the set and the column if not."""
    p = existing_file(where, path, WHAT)
    try:
        df = pd.read_csv(p) if p.suffix.lower() == ".csv" else pd.read_parquet(p)
    except Exception as exc:  # Arrow's and pandas' many reasons a file is not a table
        raise InputError(where, str(p), WHAT + f" ({type(exc).__name__})") from None
    if "set" in df.columns:
        df = df.sort_values("set").drop(columns="set")
    unknown = [c for c in df.columns if c not in SPECS]
    if unknown:
        raise InputError(f"{p}, column {unknown[0]}", Note("not a parameter"),
                         "a parameter of bp_sim/data/parameters.csv (or the column `set`)")
    if df.shape[1] == 0:
        raise InputError(str(p), Note("no parameter column"), WHAT)
    if len(df) < needed:
        raise InputError(where, f"{p} with {len(df)} sets", f"at least one set per replicate ({needed})")
    df = df.iloc[:needed].reset_index(drop=True)
    defaults = {k: s.value for k, s in SPECS.items()}
    for r, row in df.iterrows():
        for name, value in row.items():
            if not np.isfinite(value):
                raise InputError(f"{p}, set {r}, {name}", value, "a finite number")
            check_value(name, float(value), key=f"{p}, set {r}, {name}")
        check_combined({**defaults, **row.to_dict()})
    return df.astype(float)


def median_set(sets: pd.DataFrame) -> dict[str, float]:
    """The column-wise median of the sets (the fixed parameters of the runs that measure the
    random draws' spread alone)."""
    return {name: float(np.median(sets[name])) for name in sets.columns}

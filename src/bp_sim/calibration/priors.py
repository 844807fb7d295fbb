"""Free parameters and their priors: `data/calibration_parameters.csv` (which ones are free is data).

Each row names a parameter of `parameters.csv` with a uniform or log-uniform prior on [low, high],
inside the parameter's allowed range, and the source of that range. Calibration works on the unit
cube: u in [0, 1] maps to a value through the prior's quantile function, so the prior is uniform
there whatever its kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from bp_sim import checks
from bp_sim.errors import InputError, Note
from bp_sim.parameters import SPECS

KINDS = ("uniform", "loguniform")
COLUMNS = ("name", "prior", "low", "high", "source")


@dataclass(frozen=True)
class Prior:
    """The prior of one free parameter."""

    name: str
    kind: str  # uniform or loguniform
    low: float
    high: float
    source: str

    def value(self, u: np.ndarray | float) -> np.ndarray:
        """The parameter's value at unit-cube coordinate u."""
        u = np.clip(np.asarray(u, float), 0.0, 1.0)
        if self.kind == "loguniform":
            return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        return self.low + u * (self.high - self.low)

    def unit(self, x: np.ndarray | float) -> np.ndarray:
        """The unit-cube coordinate of value x (the inverse of `value`)."""
        x = np.asarray(x, float)
        if self.kind == "loguniform":
            return (np.log(x) - np.log(self.low)) / (np.log(self.high) - np.log(self.low))
        return (x - self.low) / (self.high - self.low)


def parse_priors(df: pd.DataFrame, source: str) -> list[Prior]:
    """Priors from the table's rows; each error names the file, the parameter and the column."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(source, f"columns {list(df.columns)}", f"the columns {', '.join(COLUMNS)}")
    out: list[Prior] = []
    for row in df.itertuples(index=False):
        where = f"{source}, {row.name}"
        if row.name not in SPECS:
            raise InputError(f"{source}, name", row.name, "a parameter of bp_sim/data/parameters.csv (see `bp-sim params`)")
        if any(p.name == row.name for p in out):
            raise InputError(f"{source}, name", row.name, "each parameter once")
        spec = SPECS[row.name]
        kind = checks.choice(f"{where}, prior", row.prior, KINDS)
        low = checks.number(f"{where}, low", _float(row.low), spec.low, spec.high, f"({spec.unit})")
        high = checks.number(f"{where}, high", _float(row.high), spec.low, spec.high, f"({spec.unit})")
        checks.ordered(f"{where}, high", low, high)
        if kind == "loguniform" and low <= 0:
            raise InputError(f"{where}, low", row.low, "a number above 0 (a log-uniform prior)")
        text = str(row.source or "").strip()
        if not text:
            raise InputError(f"{where}, source", Note("empty"), "where the range comes from (or 'assumption: ...')")
        out.append(Prior(row.name, kind, low, high, text))
    if not out:
        raise InputError(source, Note("no rows"), "at least one free parameter")
    return out


def _float(raw: object) -> object:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return raw


def load_priors(path: str | Path | None = None) -> list[Prior]:
    """The bundled free parameters, or those of `path`."""
    if path is None:
        source, file = "bp_sim/data/calibration_parameters.csv", resources.files("bp_sim") / "data" / "calibration_parameters.csv"
    else:
        from bp_sim.userfiles import existing_file

        file = existing_file("calibration.parameters", path, "a CSV file of free parameters (name, prior, low, high, source)")
        source = str(file)
    try:
        df = pd.read_csv(str(file), keep_default_na=False, dtype=str)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(source, "not a readable CSV table", f"a CSV table with the columns {', '.join(COLUMNS)}") from exc
    return parse_priors(df, source)


def values(priors: list[Prior], unit: np.ndarray) -> np.ndarray:
    """Parameter values (points x parameters) of unit-cube points."""
    unit = np.atleast_2d(unit)
    return np.column_stack([p.value(unit[:, k]) for k, p in enumerate(priors)])


def units(priors: list[Prior], vals: np.ndarray) -> np.ndarray:
    """Unit-cube points of parameter values (points x parameters)."""
    vals = np.atleast_2d(vals)
    return np.column_stack([p.unit(vals[:, k]) for k, p in enumerate(priors)])

"""Scalar model parameters: read from `data/parameters.csv`, checked against their ranges.

Every parameter has a value, a unit, an allowed range, a source (or "assumption") and a
description in that file; the code only names them. Parameters travel to the kernels as
one NumPy record (a struct of float64 fields): Numba compiles `p.name` to a constant-offset
load, and a record, unlike a tuple, has no size limit inside parallel regions.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from bp_sim import checks
from bp_sim.errors import InputError, path


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    value: float
    unit: str
    low: float
    high: float
    source: str
    description: str


def _read_specs() -> dict[str, ParameterSpec]:
    path = resources.files("bp_sim") / "data" / "parameters.csv"
    df = pd.read_csv(str(path), keep_default_na=False)
    specs = {}
    for r in df.itertuples(index=False):
        spec = ParameterSpec(r.name, float(r.value), r.unit, float(r.min), float(r.max), r.source, r.description)
        checks.number(f"parameters.csv {r.name}", spec.value, spec.low, spec.high, spec.unit)
        specs[r.name] = spec
    return specs


SPECS: dict[str, ParameterSpec] = _read_specs()
PARAM_DTYPE = np.dtype([(name, np.float64) for name in SPECS])
Scalars = np.record  # the type of a parameter set


def params_array(values: dict[str, float]) -> np.recarray:
    """A one-element record array; parallel kernels take this (records cannot enter parfors)."""
    return np.rec.array([tuple(float(values[k]) for k in SPECS)], dtype=PARAM_DTYPE)


def scalars_from(values: dict[str, float]) -> np.record:
    """A parameter record from a complete name -> value mapping."""
    return params_array(values)[0]


def as_dict(p: np.record) -> dict[str, float]:
    return {k: float(p[k]) for k in SPECS}


def check_value(name: str, value: object, key: str | None = None) -> float:
    """Validate one override: a known name, a number, inside the allowed range. `key` is where
    the value was given (default `parameters.NAME`)."""
    where = key or path("parameters", name)
    spec = SPECS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise InputError(where, name, "a parameter of bp_sim/data/parameters.csv (see `bp-sim params`)")
    return checks.number(where, value, spec.low, spec.high, spec.unit)


@dataclass(frozen=True)
class SumAtMost:
    """Parameters that are shares of one whole: their sum may not pass `limit`.

    Each is checked against its own range in parameters.csv; this is the rule that binds them
    together, which the code relies on (a share of 1 - a - b must not be negative)."""

    names: tuple[str, ...]
    limit: float
    why: str

    def total(self, values: dict[str, float]) -> float:
        return sum(values[n] for n in self.names)

    def check(self, values: dict[str, float], key: str | None = None) -> None:
        """Raise at `key` (default: parameters.LAST_NAME) if the sum passes the limit."""
        total = self.total(values)
        if total > self.limit + 1e-12:
            shown = " + ".join(f"{n} {values[n]:g}" for n in self.names)
            raise InputError(key or f"parameters.{self.names[-1]}", f"{shown} = {total:g}",
                             f"values whose sum {' + '.join(self.names)} is at most {self.limit:g} ({self.why})")


COMBINED = (
    SumAtMost(("init_pending_share", "init_protected_share"), 1.0,
              "shares of one diaspora; the rest are regular residents"),
    SumAtMost(("intercept_pushback_share", "intercept_detain_share"), 1.0,
              "shares of those intercepted; the rest are removed home"),
)


def check_combined(values: dict[str, float], key: str | None = None) -> None:
    """The rules that bind several parameters (COMBINED), on a complete name -> value mapping."""
    for rule in COMBINED:
        rule.check(values, key)


def make_scalars(overrides: dict[str, float] | None = None) -> Scalars:
    """Defaults from the CSV with validated overrides applied (each alone and together)."""
    values = {k: s.value for k, s in SPECS.items()}
    for k, v in (overrides or {}).items():
        values[k] = check_value(k, v)
    check_combined(values)
    return scalars_from(values)

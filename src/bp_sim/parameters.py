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

from bp_sim.errors import InputError


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
        specs[r.name] = ParameterSpec(r.name, float(r.value), r.unit, float(r.min), float(r.max),
                                      r.source, r.description)
        if not specs[r.name].low <= specs[r.name].value <= specs[r.name].high:
            raise InputError(f"parameters.csv {r.name}", r.value, f"a number in [{r.min}, {r.max}]")
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


def check_value(where: str, name: str, value: object) -> float:
    """Validate one override: a known name, a number, inside the allowed range."""
    spec = SPECS.get(name)
    if spec is None:
        raise InputError(where, name, "a parameter of bp_sim/data/parameters.csv (see `bp-sim params`)")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}.{name}", value, f"a number in [{spec.low:g}, {spec.high:g}] {spec.unit}")
    if not spec.low <= float(value) <= spec.high:
        raise InputError(f"{where}.{name}", value, f"a number in [{spec.low:g}, {spec.high:g}] {spec.unit}")
    return float(value)


def make_scalars(overrides: dict[str, float] | None = None) -> Scalars:
    """Defaults from the CSV with validated overrides applied."""
    values = {k: s.value for k, s in SPECS.items()}
    for k, v in (overrides or {}).items():
        values[k] = check_value("parameters", k, v)
    return scalars_from(values)

"""Design points of a sweep: a full grid, or a Latin hypercube, Sobol' (Saltelli) or Morris sample.

Sampled designs are drawn by SALib on the unit hypercube (with the design's seed, so the same
file gives the same points) and mapped to each factor's range through its distribution's
quantile function; SALib's analysis needs the points in the order it made them, which is kept.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import stats

from bp_sim.sweep.spec import Experiment, Factor


def salib_problem(exp: Experiment, unit: bool = False) -> dict:
    """SALib's problem dict: factor names and bounds (the unit cube when sampling)."""
    bounds = [[0.0, 1.0] if unit else [f.low, f.high] for f in exp.factors]
    return {"num_vars": len(exp.factors), "names": list(exp.names), "bounds": bounds}


def unit_sample(exp: Experiment) -> np.ndarray:
    """SALib's sample of the unit hypercube for a sampled design, shape (points, factors)."""
    problem = salib_problem(exp, unit=True)
    if exp.design == "latin":
        from SALib.sample import latin

        return latin.sample(problem, exp.samples, seed=exp.design_seed)
    if exp.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, exp.samples, calc_second_order=exp.second_order, seed=exp.design_seed)
    if exp.design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, exp.samples, num_levels=exp.levels, seed=exp.design_seed)
    raise ValueError(f"not a sampled design: {exp.design!r}")


def to_values(f: Factor, u: np.ndarray) -> np.ndarray:
    """Map unit-interval draws to the factor's values (quantile function of its distribution)."""
    u = np.clip(np.asarray(u, float), 0.0, 1.0)
    if f.distribution == "uniform":
        return f.low + u * (f.high - f.low)
    if f.distribution == "triangular":
        c = (f.mode - f.low) / (f.high - f.low)
        return stats.triang.ppf(u, c, loc=f.low, scale=f.high - f.low)
    if f.distribution == "normal":  # truncated to [low, high]
        a, b = (f.low - f.mean) / f.sd, (f.high - f.mean) / f.sd
        return stats.truncnorm.ppf(u, a, b, loc=f.mean, scale=f.sd)
    if f.distribution == "loguniform":
        return np.exp(np.log(f.low) + u * (np.log(f.high) - np.log(f.low)))
    raise ValueError(f"unknown distribution {f.distribution!r}")


def design_points(exp: Experiment) -> np.ndarray:
    """All design points in design order, shape (points, factors), in the factors' own units."""
    if exp.design == "points":
        return np.array(exp.points, dtype=float).reshape(len(exp.points), len(exp.factors))
    if exp.design == "grid":
        combos = list(itertools.product(*(f.values for f in exp.factors)))
        return np.array(combos, dtype=float).reshape(len(combos), len(exp.factors))
    u = unit_sample(exp)
    cols = [np.clip(to_values(f, u[:, k]), f.low, f.high) for k, f in enumerate(exp.factors)]
    return np.column_stack(cols).astype(float)

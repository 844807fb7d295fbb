"""Gaussian-process emulators of the targets, and the implausibility of parameter points.

Each target gets its own emulator (scikit-learn's `GaussianProcessRegressor`): inputs are points of
the unit cube of the free parameters, the output is the log of the simulated value (plus one, so
that a zero stays finite), averaged over a point's replicates. The kernel is a constant times an
anisotropic Matérn 5/2 (one length scale per parameter: a long one means the target barely
depends on it) plus white noise, whose level absorbs the spread between seeds.

Implausibility of point x for target j (Craig, Goldstein, Seheult & Smith 1997; Andrianakis et al.
2015 for an agent-based model):

    I_j(x) = |log z_j - mu_j(x)| / sqrt(s_j(x)^2 + e_j^2 + d^2)

with z_j the figure the model should reproduce, mu_j and s_j the emulator's mean and standard
deviation (the white noise included), e_j the target's observation error and d the model
discrepancy. A point is ruled out when the `rank`-th largest I_j exceeds the cutoff (the largest
alone would let one target the model cannot reproduce rule out everything).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

MAX_TRAIN = 1200  # training points per emulator (the most recent kept): conditioning costs grow with the cube of this
MAX_HYPER = 250  # points the kernel's hyperparameters are fitted on (each optimizer step costs their cube)
MAX_ITER = 60  # optimizer iterations for the hyperparameters


def log_values(values: np.ndarray) -> np.ndarray:
    """What the emulators model: log(1 + value), values below zero (none should be) counted as zero."""
    return np.log1p(np.maximum(np.asarray(values, float), 0.0))


@dataclass
class Emulators:
    """One fitted emulator per target."""

    models: list  # GaussianProcessRegressor per target, or None where the target never varied
    constants: np.ndarray  # the target's value where it never varied
    noise_sd: np.ndarray  # fitted white-noise sd per target (log scale)
    length_scales: np.ndarray  # (targets, parameters), fitted

    def predict(self, unit: np.ndarray, chunk: int = 5000) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd (points x targets) of log(1 + target) at unit-cube points."""
        unit = np.atleast_2d(unit)
        mu = np.empty((len(unit), len(self.models)))
        sd = np.empty_like(mu)
        for j, gp in enumerate(self.models):
            if gp is None:
                mu[:, j], sd[:, j] = self.constants[j], 0.0
                continue
            for a in range(0, len(unit), chunk):
                m, s = gp.predict(unit[a:a + chunk], return_std=True)
                mu[a:a + chunk, j], sd[a:a + chunk, j] = m, s
        return mu, sd


def _optimizer(obj_func, initial_theta, bounds):
    """scikit-learn's L-BFGS-B, stopped after `MAX_ITER` iterations (the fit is for screening, not for
    the last digit of a length scale; unbounded it took 5-20 s a target on 2 cores)."""
    from scipy.optimize import minimize

    res = minimize(obj_func, initial_theta, method="L-BFGS-B", jac=True, bounds=bounds, options={"maxiter": MAX_ITER})
    return res.x, res.fun


def _fit_one(unit: np.ndarray, col: np.ndarray, seed: int):
    """One target's emulator: hyperparameters fitted on at most `MAX_HYPER` points, then the
    process conditioned on all of them with those hyperparameters."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    d = unit.shape[1]
    kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * Matern(np.full(d, 0.5), (1e-2, 1e2), nu=2.5)
              + WhiteKernel(1e-2, (1e-8, 1e1)))
    pick = np.random.default_rng(seed).permutation(len(col))[:MAX_HYPER]
    gp = GaussianProcessRegressor(kernel, normalize_y=True, optimizer=_optimizer, random_state=seed)
    with warnings.catch_warnings():  # a length scale at its upper bound: the target does not depend on that parameter
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(unit[pick], col[pick])
    if len(col) > len(pick):
        gp = GaussianProcessRegressor(gp.kernel_, normalize_y=True, optimizer=None).fit(unit, col)
    return gp


def fit_emulators(unit: np.ndarray, y: np.ndarray, seed: int, jobs: int = 1) -> Emulators:
    """Fit one emulator per column of y (points x targets, log scale) on the unit-cube points,
    `jobs` targets at a time (joblib processes)."""
    from joblib import Parallel, delayed

    unit, y = unit[-MAX_TRAIN:], y[-MAX_TRAIN:]
    d = unit.shape[1]
    constants, noise, scales = np.zeros(y.shape[1]), np.zeros(y.shape[1]), np.full((y.shape[1], d), np.inf)
    todo = []
    for j in range(y.shape[1]):
        col = y[:, j]
        ok = np.isfinite(col)
        if ok.sum() < 3 or np.ptp(col[ok]) < 1e-9:
            constants[j] = float(np.nanmean(col)) if ok.any() else np.nan
        else:
            todo.append(j)
    fitted = Parallel(n_jobs=jobs)(delayed(_fit_one)(unit[np.isfinite(y[:, j])], y[np.isfinite(y[:, j]), j], seed + j)
                                   for j in todo)
    models: list = [None] * y.shape[1]
    for j, gp in zip(todo, fitted, strict=True):
        params = gp.kernel_.get_params()
        scales[j] = params["k1__k2__length_scale"]
        noise[j] = float(np.sqrt(params["k2__noise_level"]) * gp._y_train_std)
        models[j] = gp
    return Emulators(models, constants, noise, scales)


def implausibility(mu: np.ndarray, sd: np.ndarray, log_expected: np.ndarray, obs_sd: np.ndarray,
                   discrepancy: float) -> np.ndarray:
    """I_j(x) for every point and target (points x targets)."""
    return np.abs(log_expected[None, :] - mu) / np.sqrt(sd**2 + obs_sd[None, :] ** 2 + discrepancy**2)


def ranked(imp: np.ndarray, rank: int) -> np.ndarray:
    """The rank-th largest implausibility of every point (rank 1: the largest)."""
    return -np.partition(-imp, rank - 1, axis=1)[:, rank - 1]


def log_likelihood(mu: np.ndarray, sd: np.ndarray, log_expected: np.ndarray, obs_sd: np.ndarray,
                   discrepancy: float) -> np.ndarray:
    """Gaussian log-likelihood of the observed figures at each point (log scale, emulator variance included)."""
    var = sd**2 + obs_sd[None, :] ** 2 + discrepancy**2
    return -0.5 * np.sum((log_expected[None, :] - mu) ** 2 / var + np.log(2 * np.pi * var), axis=1)

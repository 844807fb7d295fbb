"""From fitted emulators to a posterior: where to look, how to sample, what the data pin down.

Candidates are a Latin hypercube of the whole prior cube plus jittered copies of the points not
yet ruled out (so a small remaining space is still found); the emulators rule out the implausible
ones and choose the next wave's points among the rest. The posterior is the uniform prior on the
unit cube times the emulated Gaussian likelihood, sampled by MCMC (emcee). Targets that no candidate
comes near (their smallest implausibility is above the cutoff) are misfits: reported, and left out
of both the ruling-out and the likelihood, so that one figure the model cannot reproduce does not
drag every parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from bp_sim.calibration.emulator import Emulators, implausibility, log_likelihood, ranked

JITTER_SD = 0.05  # unit-cube sd of the jittered copies of points not ruled out
PRIOR_SD = 1.0 / np.sqrt(12.0)  # sd of a uniform prior on [0, 1]
PINNED, NARROWED = 0.5, 0.8  # posterior sd / prior sd (unit cube) below which a parameter is pinned down, narrowed


@dataclass(frozen=True)
class Screen:
    """Candidates judged by the emulators."""

    unit: np.ndarray  # (candidates, parameters)
    mu: np.ndarray  # (candidates, targets) emulated log(1 + target)
    sd: np.ndarray
    imp: np.ndarray  # implausibility (candidates, targets)
    misfit: np.ndarray  # per target: no candidate within the cutoff
    kept: np.ndarray  # per candidate: not ruled out
    score: np.ndarray  # per candidate: rank-th largest implausibility over the targets that are not misfits


def candidates(n: int, d: int, seed: int, around: np.ndarray | None = None) -> np.ndarray:
    """A Latin hypercube of n points in [0, 1]^d, plus as many jittered copies of `around` again."""
    pts = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(n)
    if around is not None and len(around):
        rng = np.random.default_rng(seed + 1)
        copies = around[rng.integers(0, len(around), n)] + rng.normal(0.0, JITTER_SD, (n, d))
        pts = np.vstack([pts, np.clip(copies, 0.0, 1.0)])
    return pts


def screen(em: Emulators, unit: np.ndarray, log_expected: np.ndarray, obs_sd: np.ndarray, discrepancy: float,
           cutoff: float, rank: int) -> Screen:
    """Implausibility of every candidate; which targets are misfits; which candidates are kept."""
    mu, sd = em.predict(unit)
    imp = implausibility(mu, sd, log_expected, obs_sd, discrepancy)
    misfit = imp.min(axis=0) > cutoff
    fit = imp[:, ~misfit]
    if fit.shape[1] == 0:
        score = np.zeros(len(unit))
    else:
        score = ranked(fit, min(rank, fit.shape[1]))
    return Screen(unit, mu, sd, imp, misfit, score <= cutoff, score)


def next_points(s: Screen, n: int, seed: int) -> tuple[np.ndarray, int]:
    """n points for the next wave from the kept candidates (chosen at random), filled up with the
    least implausible of the rest when too few are kept; returns them and how many were kept."""
    rng = np.random.default_rng(seed)
    kept = np.flatnonzero(s.kept)
    if len(kept) >= n:
        return s.unit[rng.choice(kept, n, replace=False)], len(kept)
    order = np.argsort(s.score, kind="stable")
    extra = order[~s.kept[order]][: n - len(kept)]
    return s.unit[np.concatenate([kept, extra])], len(kept)


def sample(em: Emulators, s: Screen, log_expected: np.ndarray, obs_sd: np.ndarray, discrepancy: float, *,
           walkers: int, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Draws from the emulated posterior (uniform prior on the unit cube, Gaussian likelihood of the
    targets that are not misfits) by emcee's affine-invariant ensemble sampler, started from the
    `walkers` least implausible candidates; the first half of the chain is burn-in. Returns the draws
    (unit cube), their log-likelihoods and the effective sample size (draws / autocorrelation time)."""
    import emcee

    use = ~s.misfit

    def log_prob(u: np.ndarray) -> np.ndarray:
        u = np.atleast_2d(u)
        inside = np.all((u >= 0.0) & (u <= 1.0), axis=1)
        out = np.full(len(u), -np.inf)
        if inside.any():
            mu, sd = em.predict(u[inside])
            out[inside] = log_likelihood(mu[:, use], sd[:, use], log_expected[use], obs_sd[use], discrepancy)
        return out

    start = s.unit[np.argsort(s.score, kind="stable")[:walkers]]
    rng = np.random.default_rng(seed)
    start = np.clip(start + rng.normal(0.0, 1e-3, start.shape), 0.0, 1.0)  # distinct walkers, even from one point
    sampler = emcee.EnsembleSampler(walkers, start.shape[1], log_prob, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()  # emcee's moves draw from this: reproducible
    sampler.run_mcmc(start, steps, progress=False)
    burn = steps // 2
    draws = sampler.get_chain(discard=burn, flat=True)
    ll = sampler.get_log_prob(discard=burn, flat=True)
    tau = sampler.get_autocorr_time(discard=burn, quiet=True)
    ess = float(len(draws) / max(1.0, np.nanmax(tau)))
    return draws, ll, ess


def spread(n_draws: int, n: int) -> np.ndarray:
    """n indices spread evenly over the draws (thinning the chain to the parameter sets that are run)."""
    return np.linspace(0, n_draws - 1, n).round().astype(int)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    return float(x[order][min(np.searchsorted(cum, q * cum[-1]), len(x) - 1)])


def identifiability(unit: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Posterior sd over prior sd of each parameter on the unit cube, and a verdict for each."""
    mean = w @ unit
    sd = np.sqrt(w @ (unit - mean) ** 2)
    ratio = sd / PRIOR_SD
    verdict = ["pinned down" if r < PINNED else "narrowed" if r < NARROWED else "not pinned down" for r in ratio]
    return ratio, verdict

"""Counter-based random numbers keyed by (seed, key, step, decision).

No generator state is carried between draws, so results do not depend on the order in which
agents are visited, on the number of threads, or on how many draws other decisions used:
the same agent meets the same number for the same decision in every scenario (common random
numbers). The mixer is SplitMix64's finaliser (Steele, Lea & Flood 2014).

The key is a row's stable identity (`Population.key`), never its slot in the arrays: rows are
appended as people leave their cohorts, and a lever that changes how many leave must not shift
the draws of anyone else. A new row's key is `child_key(parent key, week, ordinal)`; a person
leaving a cohort draws, before it has a row, with `unit_key(cohort key, branch, ordinal)`.
Counts of persons out of a group (a cohort's new aspirants, the dead of a crossing) come from
`binomial`, one keyed stream per decision, so paired scenarios meet the same numbers there too.
"""

from __future__ import annotations

import numpy as np

from bp_sim.jit import inline_rule, rule

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_STEP_KEY = np.uint64(0xABC98388FB8FAC03)
_DECISION_KEY = np.uint64(0x8CB92BA72F3D8DD7)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53: 53 random bits -> [0, 1)


@inline_rule
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> np.uint64(30))) * _MUL1
    z = (z ^ (z >> np.uint64(27))) * _MUL2
    return z ^ (z >> np.uint64(31))


@inline_rule
def stream_key(seed: np.uint64, step: int, decision: int) -> np.uint64:
    """The key of one (seed, step, decision) stream; the same for every agent, so a compiled loop
    over agents computes it once."""
    z = _mix((seed + _GOLDEN) ^ (np.uint64(step + 1) * _STEP_KEY))
    return _mix(z ^ (np.uint64(decision) * _DECISION_KEY))


@inline_rule
def uniform(seed: np.uint64, agent, step: int, decision: int) -> float:
    """A uniform draw in [0, 1) that depends only on its four keys (`agent` a row key or a node id).

    Key k takes the k-th output of a SplitMix64 sequence whose seed is the stream key, so
    each draw costs one mix per row once the stream key is hoisted out of the loop.
    """
    z = _mix(stream_key(seed, step, decision) + (np.uint64(agent) + np.uint64(1)) * _GOLDEN)
    return float(z >> np.uint64(11)) * _TO_UNIT


@inline_rule
def normal(seed: np.uint64, agent: int, step: int, decision: int) -> float:
    """A standard normal draw (Box-Muller on two keyed uniforms)."""
    u1 = uniform(seed, agent, step, decision)
    u2 = uniform(seed, agent, step, decision + 1_000_003)
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


_CHILD_WEEK = np.uint64(0xD6E8FEB86659FD93)
_CHILD_ORDINAL = np.uint64(0xA0761D6478BD642F)
_BRANCH_KEY = np.uint64(0xE7037ED1A0B428DB)
_NEW_ROW_BIT = np.uint64(1 << 63)  # set on every key made here: never equal to an initial row's key
_NORMAL_APPROX_MEAN = 40.0  # binomial: inversion below this mean, normal approximation above


@inline_rule
def child_key(parent, step: int, ordinal: int) -> np.uint64:
    """The stable key of the `ordinal`-th row made from row `parent` in week `step`."""
    z = _mix(np.uint64(parent) ^ (np.uint64(step + 1) * _CHILD_WEEK))
    return _mix(z ^ ((np.uint64(ordinal) + np.uint64(1)) * _CHILD_ORDINAL)) | _NEW_ROW_BIT


@inline_rule
def unit_key(parent, branch: int, ordinal: int) -> np.uint64:
    """The key the `ordinal`-th person (of `branch`, a small constant) of a cohort draws with
    while deciding whether and where to leave, before it has a row of its own."""
    z = _mix(np.uint64(parent) ^ ((np.uint64(branch) + np.uint64(1)) * _BRANCH_KEY))
    return _mix(z ^ ((np.uint64(ordinal) + np.uint64(1)) * _CHILD_ORDINAL)) | _NEW_ROW_BIT


@rule
def _binomial_above_zero(seed: np.uint64, key, step: int, decision: int, n: int, prob: float, u: float,
                         f: float) -> int:
    """The count of `binomial` once the uniform u passed P(0) = f: inversion goes on from 1 (a call:
    a loop with early returns is not inlined, see `jit`)."""
    ratio = prob / (1.0 - prob)
    cdf = f
    k = 0
    while u >= cdf and k < n:
        f *= (n - k) / (k + 1.0) * ratio
        k += 1
        cdf += f
        if f <= 0.0:
            break
    return k


@rule
def _binomial_normal(seed: np.uint64, key, step: int, decision: int, n: int, prob: float) -> int:
    """The count of `binomial` for a mean above _NORMAL_APPROX_MEAN: a rounded normal approximation."""
    mean = n * prob
    z = normal(seed, key, step, decision)
    k = int(np.floor(mean + np.sqrt(mean * (1.0 - prob)) * z + 0.5))
    return min(max(k, 0), n)


@inline_rule
def binomial(seed: np.uint64, key, step: int, decision: int, n: int, prob: float) -> int:
    """How many of n persons take a step each takes with chance `prob`: a binomial draw keyed
    like `uniform`.

    Inversion of the cumulative distribution with one uniform below a mean of 40 (exact, and
    monotone in `prob` for the same uniform: a lever that lowers the chance never raises the
    count), a rounded normal approximation on the same stream above (error of the order of
    1/sqrt(mean)); 0 for n <= 0 or prob <= 0 and n for prob >= 1. The common case, no one
    this week, costs one uniform (and a logarithm and an exponential only when the uniform lies
    above 1 - n * prob, a lower bound of P(0)).
    """
    k = 0
    if n > 0 and prob > 0.0:
        if prob >= 1.0:
            k = n
        elif n * prob >= _NORMAL_APPROX_MEAN:
            k = _binomial_normal(seed, key, step, decision, n, prob)
        else:
            u = uniform(seed, key, step, decision)
            if u >= 1.0 - n * prob:  # below it, u < (1 - prob)**n = P(0) surely (Bernoulli's inequality)
                f = np.exp(n * np.log1p(-prob))  # P(0)
                if u >= f:
                    k = _binomial_above_zero(seed, key, step, decision, n, prob, u, f)
    return k


def seed_key(seed: int) -> np.uint64:
    """Turn a user seed (any non-negative int) into the 64-bit key the kernels use."""
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.uint64(seed % (1 << 64))

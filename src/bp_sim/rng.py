"""Counter-based random numbers keyed by (seed, agent, step, decision).

No generator state is carried between draws, so results do not depend on the order in which
agents are visited, on the number of threads, or on how many draws other decisions used:
the same agent meets the same number for the same decision in every scenario (common random
numbers). The mixer is SplitMix64's finaliser (Steele, Lea & Flood 2014).
"""

from __future__ import annotations

import numpy as np

from bp_sim.jit import inline_rule

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
def uniform(seed: np.uint64, agent: int, step: int, decision: int) -> float:
    """A uniform draw in [0, 1) that depends only on its four keys.

    Agent i takes the i-th output of a SplitMix64 sequence whose seed is the stream key, so
    each draw costs one mix per agent once the key is hoisted out of the loop.
    """
    z = _mix(stream_key(seed, step, decision) + np.uint64(agent + 1) * _GOLDEN)
    return float(z >> np.uint64(11)) * _TO_UNIT


@inline_rule
def normal(seed: np.uint64, agent: int, step: int, decision: int) -> float:
    """A standard normal draw (Box-Muller on two keyed uniforms)."""
    u1 = uniform(seed, agent, step, decision)
    u2 = uniform(seed, agent, step, decision + 1_000_003)
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


def seed_key(seed: int) -> np.uint64:
    """Turn a user seed (any non-negative int) into the 64-bit key the kernels use."""
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.uint64(seed % (1 << 64))

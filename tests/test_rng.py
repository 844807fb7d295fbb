import numpy as np
from numba import njit

from bp_sim.rng import seed_key, uniform


@njit
def _draws(seed, n, step, decision):
    out = np.empty(n)
    for i in range(n):
        out[i] = uniform(seed, i, step, decision)
    return out


def test_uniform_is_uniform_and_keyed():
    x = _draws(seed_key(1), 200_000, 3, 5)
    assert x.min() >= 0.0 and x.max() < 1.0
    assert abs(x.mean() - 0.5) < 0.005
    assert abs(x.var() - 1 / 12) < 0.002
    hist = np.histogram(x, bins=10, range=(0, 1))[0]
    assert hist.min() > 0.95 * 20_000


def test_draws_depend_on_every_key_and_nothing_else():
    base = _draws(seed_key(1), 1000, 3, 5)
    assert np.array_equal(base, _draws(seed_key(1), 1000, 3, 5))
    for other in (_draws(seed_key(2), 1000, 3, 5), _draws(seed_key(1), 1000, 4, 5), _draws(seed_key(1), 1000, 3, 6)):
        assert np.mean(np.isclose(base, other)) < 0.01
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.1

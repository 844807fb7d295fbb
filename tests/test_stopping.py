"""A stop whose KeyboardInterrupt Python dropped (raised in a finaliser) still ends a compare."""

from __future__ import annotations

import signal

import pytest

from bp_sim import stopping
from bp_sim.compare import run_replicates

from .conftest import baseline


def test_a_dropped_stop_ends_a_compare_after_the_run_in_hand():
    sc = baseline(years=4 / 52, persons_per_mover=10_000)  # rows of 10,000 persons: a tiny run
    done: list[int] = []
    stopping.request(signal.SIGINT)  # Ctrl-C was received, its exception lost
    try:
        with pytest.raises(KeyboardInterrupt):
            run_replicates([sc], reps=3, agents=200, seed=0, jobs=1, progress=lambda n, total: done.append(n))
    finally:
        stopping.clear()
    assert done == [1]  # the first run ended, no other started
    assert len(run_replicates([sc], reps=2, agents=200, seed=0, jobs=1)) == 2  # once cleared, it runs on

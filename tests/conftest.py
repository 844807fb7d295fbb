"""Shared helpers: small, fast model runs with scenario tweaks."""

from __future__ import annotations

import copy
import functools

import numpy as np
import pytest

from bp_sim import SilkRoutesModel, load_scenario
from bp_sim.network import load_network
from bp_sim.outcomes import OUTCOME_INDEX


@functools.lru_cache(maxsize=1)
def network():
    return load_network()


@functools.lru_cache(maxsize=1)
def _baseline():
    return load_scenario("baseline", network())


def baseline(**changes):
    """A deep copy of the bundled baseline with attributes replaced (nodes, routes, events...)."""
    sc = copy.deepcopy(_baseline())
    for k, v in changes.items():
        setattr(sc, k, v)
    return sc


def run(sc=None, *, agents=20_000, weeks=52, seed=7, check=True) -> SilkRoutesModel:
    model = SilkRoutesModel(sc if sc is not None else baseline(), agents=agents, seed=seed,
                            check_invariants=check, network=network())
    model.run(weeks)
    return model


def coarse_model(engine, seed: int = 4):
    """A small model of `engine` (the engine or its twin) at coarse rows, its invariants checked
    every week (no person lost or made): a few thousand rows, fast in both."""
    return engine(baseline(), agents=300, seed=seed, network=network(), persons_per_mover=2000,
                  persons_per_agent_abroad=20000, check_invariants=True)


def weeks_of(model, weeks: int):
    """Step `model` week by week, yielding it after each week with its tables up to date (the
    twin's agents copied back into them)."""
    for _ in range(weeks):
        model.step()
        if hasattr(model, "sync_population"):
            model.sync_population()
        yield model


def total(model, outcome: str) -> float:
    return float(np.nansum(model.recorder.outcomes[: model.recorder.steps_done, OUTCOME_INDEX[outcome]]))


@pytest.fixture(scope="session")
def net():
    return network()


@pytest.fixture(scope="session", autouse=True)
def compiled_engine():
    """Compile (or load) the kernels once, first, the way commands do (bp_sim.warmup: the fast path)."""
    from bp_sim.warmup import warm_up_engine

    warm_up_engine(stream=None)

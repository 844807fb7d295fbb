"""Tiny sweep files and a warm Numba cache for the sweep tests (spawned workers load, not compile)."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY = """
[experiment]
name = "{name}"
scenario = "baseline"
outcomes = {outcomes}

[run]
replicates = {replicates}
seed = 5
years = {years}
agents = {agents}
persons_per_mover = {persons_per_mover}

[design]
{design}

{factors}
"""

GRID = """
[levers.remittance_cost]
values = [1.0, 8.0]
[levers.regular_pathways]
values = [1.0, 3.0]
"""

# Rows of 2,000 persons: about 10,000 rows abroad in 2020 instead of 200,000 at the baseline's 100, so a
# run of these tests takes tens of milliseconds; what they test (the sweep machinery) is the same.
COARSE_PERSONS_PER_MOVER = 2000
OUTCOMES = '["remittance_fees_usd", "regular_departures_europe", "irregular_departures"]'


def write_experiment(folder: Path, name: str = "tiny", *, design: str = 'type = "grid"', factors: str = GRID,
                     replicates: int = 2, years: float = 8 / 52, agents: int = 2000, outcomes: str = OUTCOMES,
                     persons_per_mover: int = COARSE_PERSONS_PER_MOVER) -> Path:
    """A small sweep file (default: 2 x 2 grid x 2 replicates = 8 runs of 2,000 cohorts over 8 weeks,
    movers and people abroad in rows of `COARSE_PERSONS_PER_MOVER` persons)."""
    path = folder / f"{name}.toml"
    path.write_text(TINY.format(name=name, outcomes=outcomes, replicates=replicates, years=years, agents=agents,
                                design=design, factors=factors, persons_per_mover=persons_per_mover))
    return path


@pytest.fixture(scope="session", autouse=True)
def warm_numba_cache():
    """Compile (or load) the kernels once here, so worker processes only read the cache."""
    from bp_sim.warmup import warm_up_engine

    warm_up_engine(who="tests/sweep")

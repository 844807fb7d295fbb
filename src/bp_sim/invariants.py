"""The invariants a week must keep, checked on the whole population (`check_invariants=True`).

No agent lost or created, valid state and place codes, the dead stay dead (and every new death
is counted), people at home are at their origin, no negative savings or debt. Costs a pass over
the arrays, so tests and `bp-sim run --check` use it, not production runs.
"""

from __future__ import annotations

import numpy as np

from bp_sim import tally as T
from bp_sim.states import N_STATES, State

AT_HOME = (State.STAYING, State.ASPIRING, State.PREPARING, State.RETURNED, State.REINTEGRATED)
MONEY_TOLERANCE_USD = 1e-3  # rounding in float sums of savings and debt


class InvariantError(AssertionError):
    """A week ended with the population in a state the rules can never produce."""


def check_week(pop, n_agents: int, n_nodes: int, dead_before: int, tot: T.Tally, week: int) -> int:
    """Check the population after week `week` against its tallies; returns the dead count now."""
    counted = int(tot.stock.sum())
    if counted != n_agents:
        raise InvariantError(f"week {week}: {counted} agents counted, {n_agents} exist")
    if pop.state.min() < 0 or pop.state.max() >= N_STATES:
        raise InvariantError(f"week {week}: state code out of range")
    if pop.location.min() < 0 or pop.location.max() >= n_nodes:
        raise InvariantError(f"week {week}: location out of range")
    dead = int((pop.state == State.DEAD_MISSING).sum())
    new_dead = int(tot.ints[T.I_DEATHS])
    if dead != dead_before + new_dead:
        raise InvariantError(f"week {week}: dead went from {dead_before} to {dead}, {new_dead} deaths recorded")
    home = np.isin(pop.state, AT_HOME)
    if np.any(pop.location[home] != pop.origin[home]):
        raise InvariantError(f"week {week}: an agent at home is away from its origin")
    if np.any(pop.savings < -MONEY_TOLERANCE_USD) or np.any(pop.debt < -MONEY_TOLERANCE_USD):
        raise InvariantError(f"week {week}: negative savings or debt")
    return dead

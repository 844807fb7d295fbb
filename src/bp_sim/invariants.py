"""The invariants a week must keep, checked on the whole population (`check_invariants=True`).

No person lost or created (the persons of the rows, the cohorts, the settled groups and the dead
add up to those at the start, and the week's counts say the same), valid state and place codes,
the dead stay dead (and every new death is counted), people at home are at their origin, cohorts
stay at home and settled groups abroad with their permit (employing no more than they hold),
every row has a key of its own, no negative savings, debt or weight. Costs a pass over the
arrays, so tests and `bp-sim run --check` use it, not production runs.
"""

from __future__ import annotations

import numpy as np

from bp_sim import tally as T
from bp_sim.states import N_STATES, State

AT_HOME = (State.STAYING, State.ASPIRING, State.PREPARING, State.RETURNED, State.REINTEGRATED)
MONEY_TOLERANCE_USD = 1e-3  # rounding in float sums of savings and debt


class InvariantError(AssertionError):
    """A week ended with the population in a state the rules can never produce."""


def check_week(pop, cohorts, settled, persons_total: int, n_nodes: int, dead_before: int, tot: T.Tally,
               week: int) -> int:
    """Check the rows, cohorts and settled groups after week `week` against its tallies; returns
    the dead now (persons)."""
    counted = int(tot.stock.sum())
    if counted != persons_total:
        raise InvariantError(f"week {week}: {counted} persons counted, {persons_total} exist")
    dead = int(tot.stock[:, :, State.DEAD_MISSING].sum())
    groups = settled.rows
    held = int(pop.weight.astype(np.int64).sum() + cohorts.rows.weight.astype(np.int64).sum() + cohorts.aspiring.sum()
               + groups.weight.astype(np.int64).sum())
    if held + dead != persons_total:
        raise InvariantError(f"week {week}: rows, cohorts and settled groups hold {held} persons and {dead} died, "
                             f"{persons_total} exist")
    if np.any(settled.employed < 0) or np.any(settled.employed > groups.weight):
        raise InvariantError(f"week {week}: a settled group employs fewer than none or more than it holds")
    if np.any(groups.state != State.REGULAR_RESIDENT) or np.any(groups.location == groups.origin):
        raise InvariantError(f"week {week}: a settled group left its destination or its permit")
    if pop.state.min(initial=0) < 0 or pop.state.max(initial=0) >= N_STATES:
        raise InvariantError(f"week {week}: state code out of range")
    if pop.location.min(initial=0) < 0 or pop.location.max(initial=0) >= n_nodes:
        raise InvariantError(f"week {week}: location out of range")
    if pop.weight.min(initial=0) < 0 or cohorts.rows.weight.min(initial=0) < 0 or cohorts.aspiring.min(initial=0) < 0:
        raise InvariantError(f"week {week}: a negative weight")
    empty = pop.weight == 0
    if np.any(pop.state[empty] != State.DEAD_MISSING):
        raise InvariantError(f"week {week}: a row with no one in it is not a row of the dead")
    new_dead = int(tot.ints[:, T.I_DEATHS].sum())
    if dead != dead_before + new_dead:
        raise InvariantError(f"week {week}: dead went from {dead_before} to {dead}, {new_dead} deaths recorded")
    c = cohorts.rows
    if np.any(c.state != State.STAYING) or np.any(c.location != c.origin):
        raise InvariantError(f"week {week}: a cohort left home")
    home = np.isin(pop.state, AT_HOME)
    if np.any(pop.location[home] != pop.origin[home]):
        raise InvariantError(f"week {week}: an agent at home is away from its origin")
    keys = np.concatenate([c.key, groups.key, pop.key])
    if len(np.unique(keys)) != len(keys):
        raise InvariantError(f"week {week}: two rows share a key")
    for table in (pop, c, groups):
        if np.any(table.savings < -MONEY_TOLERANCE_USD) or np.any(table.debt < -MONEY_TOLERANCE_USD):
            raise InvariantError(f"week {week}: negative savings or debt")
    return dead

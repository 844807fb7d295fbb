"""Mechanism 8: asylum claims, processing capacity, backlog, waiting time, decisions.

Claims wait in a first-in, first-out queue per destination. Each week the destination decides
as many claims as its capacity allows (PG5.1), oldest first: the model turns last week's
histogram of waiting times into a chance of decision by weeks waited, so no agent order
matters. A decided claim is recognised with the recognition rate of the claimant's
nationality there (stable by nationality: EUAA); rejected claimants stay without status until
removed, which needs their origin's readmission cooperation (see `returns`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.jit import rule
from bp_sim.mechanisms.transitions import grant_protection, settle
from bp_sim.rng import uniform
from bp_sim.states import D_ASYLUM_DECIDED, D_RECOGNISED, Legal, State
from bp_sim.tally import I_DECISIONS, I_RECOGNISED, I_WAIT_WEEKS_DECIDED
from bp_sim.world import WAIT_BUCKETS


@rule
def step_pending(pop, i, w, p, seed, t, ints, pending):
    """ASYLUM_PENDING: wait, or receive a first-instance decision."""
    d = pop.location[i]
    a = w.asylum_index[d]
    waited = min(int(pop.time_in_state[i]), WAIT_BUCKETS - 1)
    pop.income[i] = 0.0
    if uniform(seed, pop.key[i], t, D_ASYLUM_DECIDED) < w.decide_prob[a, waited]:
        ints[I_DECISIONS] += pop.weight[i]
        ints[I_WAIT_WEEKS_DECIDED] += pop.time_in_state[i] * pop.weight[i]
        oi = w.origin_index[pop.origin[i]]
        if uniform(seed, pop.key[i], t, D_RECOGNISED) < w.recognition[oi, d]:
            ints[I_RECOGNISED] += pop.weight[i]
            grant_protection(pop, i)
        else:
            settle(pop, i, State.IRREGULAR_RESIDENT, Legal.REJECTED)
        return
    pending[a, min(waited + 1, WAIT_BUCKETS - 1)] += pop.weight[i]


@njit(cache=True)
def decision_chances(pending_next: np.ndarray, capacity_persons: np.ndarray, min_weeks: int) -> np.ndarray:
    """Chance of a decision by weeks waited, oldest claims first, within weekly capacity.

    pending_next[a, w]: claims that will have waited w weeks next week (from this week's
    queue, persons); capacity_persons[a]: decisions per week, in persons. Claims waiting fewer than
    `min_weeks` (at least 1) are not decided, so every claim that can be decided was counted
    in the histogram.
    """
    min_weeks = max(1, min_weeks)
    n_queues, n_wait = pending_next.shape
    out = np.zeros((n_queues, n_wait))
    for a in range(n_queues):
        left = float(capacity_persons[a])
        for wk in range(n_wait - 1, min_weeks - 1, -1):
            if left <= 0.0:
                break
            waiting = pending_next[a, wk]
            if waiting <= left:
                out[a, wk] = 1.0
                left -= waiting
            else:
                out[a, wk] = left / waiting
                left = 0.0
    return out

"""Waiting for and receiving a first-instance asylum decision (twin of `mechanisms.asylum`, 8).

A claim waiting w weeks is decided with the week's chance for that wait (FIFO within capacity,
computed by the model from last week's queue); a decided claim is recognised at the rate of
the claimant's nationality there, otherwise rejected. Claims still waiting are counted in the
queue's waiting-time histogram for next week.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.transitions import grant_protection, settle
from bp_sim.states import Legal, State
from bp_sim.world import WAIT_BUCKETS

if TYPE_CHECKING:
    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def step_pending(m: Migrant, wk: Week) -> None:
    """ASYLUM_PENDING: wait, or receive a first-instance decision."""
    w, ints = wk.w, wk.tally.ints[m.origin_index]
    d = m.location
    a = w.asylum_index[d]
    waited = min(m.time_in_state, WAIT_BUCKETS - 1)
    m.income = 0.0
    if wk.random() < w.decide_prob[a][waited]:
        ints[T.I_DECISIONS] += m.weight
        ints[T.I_WAIT_WEEKS_DECIDED] += m.time_in_state * m.weight
        if wk.random() < w.recognition[m.origin_index][d]:
            ints[T.I_RECOGNISED] += m.weight
            grant_protection(m)
        else:
            settle(m, State.IRREGULAR_RESIDENT, Legal.REJECTED)
        return
    wk.tally.pending[a, min(waited + 1, WAIT_BUCKETS - 1)] += m.weight

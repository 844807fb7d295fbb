"""Mechanism 9: first-asylum countries (Iran, Pakistan, Türkiye), and onward movement.

Refugees and undocumented people from neighbouring origins live in the first-asylum country.
Poor reception (PG5.2, PG5.5) pushes some to move on towards Europe if they can pay; a few
registered refugees are resettled out each week (PG5.4, capacity shared over the pool of
registered refugees); forced returns (deportation campaigns) are in `returns`. The same rule
moves people on from the EU countries at the external border (Greece, Italy) to other asylum
systems at `secondary_movement_weekly` (secondary movements within the EU).
"""

from __future__ import annotations

from numba import njit

from bp_sim.mechanisms.common import budget, choose_destination
from bp_sim.rng import uniform
from bp_sim.states import D_ONWARD, D_RESETTLE, FLAG_EMPLOYED, Channel, State
from bp_sim.tally import I_IRREGULAR_DEPARTURES, I_ONWARD, I_RESETTLED


@njit(cache=True)
def step_first_asylum(pop, i, w, p, seed, t, ints, refugees) -> bool:
    """Resettlement or onward movement from a first-asylum country; True if the person left."""
    node = pop.location[i]
    oi = w.origin_index[pop.origin[i]]
    if pop.state[i] == State.PROTECTED:
        refugees[node] += 1
        if uniform(seed, i, t, D_RESETTLE) < w.resettle_prob[node]:
            d = choose_destination(pop, i, w, p, seed, t, node, oi, Channel.ASYLUM, 1e18, True)
            if d >= 0:
                pop.state[i] = State.TRANSIT_REGULAR
                pop.channel[i] = Channel.RESETTLEMENT
                pop.destination[i] = d
                pop.leg_left[i] = int(p.air_travel_weeks)
                pop.flags[i] &= ~FLAG_EMPLOYED
                ints[I_RESETTLED] += 1
                return True
    if w.is_first_asylum[node]:
        h = p.onward_weekly * (1.0 - w.reception_quality[node])
    else:
        h = p.secondary_movement_weekly
    if uniform(seed, i, t, D_ONWARD) < h:
        d = choose_destination(pop, i, w, p, seed, t, node, oi, Channel.ASYLUM, budget(pop, i, p.max_debt_usd), True)
        if d >= 0:
            pop.state[i] = State.TRANSIT_SMUGGLED
            pop.channel[i] = Channel.ASYLUM
            pop.destination[i] = d
            pop.edge[i] = -1
            pop.flags[i] &= ~FLAG_EMPLOYED
            ints[I_ONWARD] += 1
            ints[I_IRREGULAR_DEPARTURES] += 1
            return True
    return False

"""Mechanism 9: first-asylum countries (Iran, Pakistan, Türkiye), and onward movement.

Refugees and undocumented people from neighbouring origins live in the first-asylum country.
Poor reception (PG5.2, PG5.5) pushes some to move on towards Europe if they can pay, registered
refugees (PG5.2: status, papers, access to services) less often than people without status; a few
registered refugees are resettled out each week (PG5.4, capacity shared over the pool of
registered refugees); forced returns (deportation campaigns) are in `returns`. The same rule
moves people on from the EU countries at the external border (Greece, Italy) to other asylum
systems at `secondary_movement_weekly` (secondary movements within the EU). A status decided in
Greece or Italy goes with the person (refugees stay protected, rejected claimants stay rejected
where they arrive: `movement.arrive`); a registration in a first-asylum country does not.
"""

from __future__ import annotations

import numpy as np

from bp_sim.jit import inline_rule, rule
from bp_sim.mechanisms.common import budget, choose_destination, gumbel, journey_credit
from bp_sim.mechanisms.transitions import fly_out, lose_job, set_out_irregular
from bp_sim.rng import uniform
from bp_sim.states import D_DESTINATION_BASE, D_ONWARD, D_RESETTLE, Channel, Legal, State
from bp_sim.tally import I_IRREGULAR_DEPARTURES, I_ONWARD, I_RESETTLED


@rule
def resettlement_destination(pop, i, w, seed, t, oi) -> int:
    """A resettlement country: an asylum system, drawn by the refugee's diaspora there (+1%).

    Resettled refugees fly; no route over the graph is needed.
    """
    best = -1
    best_v = -np.inf
    for d in range(w.asylum_index.shape[0]):
        if w.asylum_index[d] < 0:
            continue
        v = np.log(w.network_share[oi, d] + 0.01) + gumbel(seed, pop.key[i], t, D_DESTINATION_BASE + d)
        if v > best_v:
            best_v = v
            best = d
    return best


@inline_rule
def step_first_asylum(pop, i, w, p, seed, t, ints, refugees) -> bool:
    """Resettlement or onward movement from a first-asylum country; True if the person left."""
    node = pop.location[i]
    oi = w.origin_index[pop.origin[i]]
    if pop.state[i] == State.PROTECTED and w.is_first_asylum[node]:
        refugees[node] += pop.weight[i]
        if uniform(seed, pop.key[i], t, D_RESETTLE) < w.resettle_prob[node]:
            d = resettlement_destination(pop, i, w, seed, t, oi)
            if d >= 0:
                pop.channel[i] = Channel.RESETTLEMENT
                pop.destination[i] = d
                fly_out(pop, i, p)
                lose_job(pop, i)
                ints[I_RESETTLED] += pop.weight[i]
                return True
    if w.is_first_asylum[node]:
        h = p.onward_weekly * (1.0 - w.reception_quality[node])
        if pop.state[i] == State.PROTECTED:
            h *= p.registered_onward_factor  # registered refugees have papers, protection, services
    else:
        h = p.secondary_movement_weekly
    if uniform(seed, pop.key[i], t, D_ONWARD) < h:
        spend = budget(pop, i, journey_credit(pop, i, p))
        d = choose_destination(pop, i, pop.key[i], w, p, seed, t, node, oi, Channel.ASYLUM, spend, True, False)
        if d >= 0:
            pop.channel[i] = Channel.ASYLUM
            pop.destination[i] = d
            set_out_irregular(pop, i)
            if w.is_first_asylum[node]:
                # A registration in a first-asylum country stays there: on the way and on arrival
                # the person is without papers. A status from GRC or ITA goes with them (Eurodac).
                pop.legal[i] = Legal.IRREGULAR
            lose_job(pop, i)
            ints[I_ONWARD] += pop.weight[i]
            ints[I_IRREGULAR_DEPARTURES] += pop.weight[i]
            return True
    return False

"""Resettlement and onward movement (twin of `mechanisms.first_asylum`, mechanism 9).

Registered refugees in a first-asylum country are counted in the resettlement pool and may be
resettled (flown to an asylum system drawn by their diaspora there); refugees and people
without status there move on towards an asylum system more often where reception is poor, the
registered less often than those without status, and from the EU border countries at the
secondary-movement rate. A status decided in Greece or Italy
goes with them (see `movement.arrive`); a registration in a first-asylum country does not.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.common import budget, choose_destination, journey_credit
from bp_sim.reference.transitions import fly_out, lose_job, set_out_irregular
from bp_sim.states import Channel, Legal, State

if TYPE_CHECKING:
    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def resettlement_destination(m: Migrant, wk: Week) -> int:
    """A resettlement country: an asylum system, drawn by the refugee's diaspora there (+1%)."""
    w = wk.w
    shares = w.network_share[m.origin_index]
    best = -1
    best_v = -math.inf
    for d, a in enumerate(w.asylum_index):
        if a < 0:
            continue
        v = math.log(shares[d] + 0.01) + wk.rng.gumbel()
        if v > best_v:
            best_v = v
            best = d
    return best


def step_first_asylum(m: Migrant, wk: Week) -> bool:
    """Resettlement or onward movement; True if the person left."""
    w, p, tally = wk.w, wk.p, wk.tally
    node = m.location
    if m.state == State.PROTECTED and w.is_first_asylum[node]:
        tally.refugees[node] += m.weight
        if wk.random() < w.resettle_prob[node]:
            d = resettlement_destination(m, wk)
            if d >= 0:
                m.channel = Channel.RESETTLEMENT
                m.destination = d
                fly_out(m, p)
                lose_job(m)
                tally.ints[m.origin_index, T.I_RESETTLED] += m.weight
                return True
    if w.is_first_asylum[node]:
        h = p.onward_weekly * (1.0 - w.reception_quality[node])
        if m.state == State.PROTECTED:
            h *= p.registered_onward_factor  # registered refugees have papers, protection, services
    else:
        h = p.secondary_movement_weekly
    if wk.random() < h:
        d = choose_destination(m, wk, node, Channel.ASYLUM, budget(m, journey_credit(m, p)), True, False)
        if d >= 0:
            m.channel = Channel.ASYLUM
            m.destination = d
            set_out_irregular(m)
            if w.is_first_asylum[node]:
                m.legal = Legal.IRREGULAR  # a registration in first asylum stays there; a status from GRC/ITA goes along
            lose_job(m)
            tally.ints[m.origin_index, T.I_ONWARD] += m.weight
            tally.ints[m.origin_index, T.I_IRREGULAR_DEPARTURES] += m.weight
            return True
    return False

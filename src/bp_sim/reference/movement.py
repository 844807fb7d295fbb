"""Travel along routes, waiting at hubs, stranding and arriving (twin of `mechanisms.movement`, 4).

A person in irregular transit at a node takes the next leg of the best route for their
information level, re-planning the destination if the route closed or became too dear; whoever
cannot pay the leg is stranded and works informally. At a hub departures happen with the week's
chance; a leg takes its travel time and ends in a crossing (`borders`). Regular travellers fly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.borders import resolve_crossing
from bp_sim.reference.common import budget, choose_destination, info_level, journey_credit, pay
from bp_sim.reference.transitions import grant_protection, settle, stay_without_status
from bp_sim.states import FLAG_CLAIMED, FLAG_EMPLOYED, FLAG_STRANDED, Channel, Legal, State

if TYPE_CHECKING:
    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def arrive(m: Migrant, wk: Week) -> None:
    """Reached the destination: lodge a claim, register as a refugee, or stay without status.

    In an asylum system a secondary mover from GRC or ITA keeps the outcome decided there: a
    refugee stays protected, a rejected claimant stays rejected (Dublin); neither claims again.
    """
    w, p, tally = wk.w, wk.p, wk.tally
    d = m.location
    ch = m.channel
    m.flags &= ~FLAG_STRANDED
    tally.arrivals[d] += m.weight
    if w.asylum_index[d] >= 0 and ch != Channel.REGULAR:
        if m.legal == Legal.REFUGEE:  # protected in the EU state they moved on from
            grant_protection(m)
            return
        if m.legal == Legal.REJECTED:  # rejected there: not examined again here
            settle(m, State.IRREGULAR_RESIDENT, Legal.REJECTED)
            return
        lodge = p.lodge_prob_asylum if ch == Channel.ASYLUM else p.lodge_prob_irregular
        if wk.random() < lodge:
            settle(m, State.ASYLUM_PENDING, Legal.ASYLUM_SEEKER)
            if not m.flags & FLAG_CLAIMED:  # first-time applicants only, as Eurostat counts
                m.flags |= FLAG_CLAIMED
                tally.ints[m.origin_index, T.I_ASYLUM_APPLICATIONS] += m.weight
                tally.claims[m.origin_index] += m.weight
            return
    elif w.is_first_asylum[d] and ch == Channel.ASYLUM:
        if wk.random() < w.registration_rate[d]:
            grant_protection(m)
            return
    stay_without_status(m)


def step_transit_regular(m: Migrant, wk: Week) -> None:
    """TRANSIT_REGULAR: fly; on arrival a permit holder (or a resettled refugee) starts work."""
    m.leg_left -= 1
    if m.leg_left > 0:
        return
    d = m.destination
    m.location = d
    wk.tally.arrivals[d] += m.weight
    if m.channel == Channel.RESETTLEMENT:
        grant_protection(m)
    else:
        settle(m, State.REGULAR_RESIDENT, Legal.VISA)
        m.flags |= FLAG_EMPLOYED  # regular labour migrants arrive with a job offer


def choose_leg(w, k: int, di: int, loc: int, u: float) -> int:
    """The leg a traveller at `loc` takes: the first of the node's legs whose running share
    (`edge_share`, the routing logit over efficient legs) passes u; -1 if none reaches di."""
    best = int(w.next_edge[k][di][loc])
    if best < 0:
        return best
    acc = 0.0
    for e in range(w.node_out_start[loc], w.node_out_start[loc + 1]):
        acc += w.edge_share[k][di][e]
        if u < acc:
            return e
    return best


def step_transit_smuggled(m: Migrant, wk: Week) -> None:
    """TRANSIT_SMUGGLED: travel a leg, or at a node choose and pay the next one."""
    w, p, tally = wk.w, wk.p, wk.tally
    if m.edge >= 0:
        m.leg_left -= 1
        if m.leg_left <= 0:
            resolve_crossing(m, wk)
        return
    loc = m.location
    if loc == m.destination:
        arrive(m, wk)
        return
    credit = journey_credit(m, p)
    spend = budget(m, credit)
    k = info_level(m)
    di = w.dest_index[m.destination]
    if w.next_edge[k][di][loc] < 0 or w.money_to_go[k][di][loc] > (spend + p.journey_credit_usd) * p.replan_cost_ratio:
        # The route closed or became too costly: re-plan from here (staying here, if this is a
        # destination, is one of the candidates).
        nd = choose_destination(m, wk, loc, m.channel, spend, False, True)
        if nd >= 0:
            m.destination = nd
            if nd == loc:
                arrive(m, wk)
                return
            di = w.dest_index[nd]
    e = choose_leg(w, k, di, loc, wk.random())
    if e >= 0 and w.edge_cost[e] > spend:
        e = w.next_edge[k][di][loc]  # this week's leg is beyond the budget: the best one, if affordable
    if e < 0 or w.edge_cost[e] > spend:
        # Stranded: work informally in transit to save for the next leg.
        m.flags |= FLAG_STRANDED
        m.savings += p.transit_wage_share * w.income_week[loc]
        return
    m.flags &= ~FLAG_STRANDED
    tally.demand[e] += m.weight
    if wk.random() >= w.edge_depart[e]:
        return  # waiting at the hub for a departure
    cost = w.edge_cost[e]
    if not pay(m, cost, credit):
        return  # short by a rounding error of the budget check above: wait a week
    if w.edge_smuggled[e]:
        tally.money[m.origin_index, T.M_SMUGGLER_REVENUE] += cost * m.weight
        tally.ints[m.origin_index, T.I_SMUGGLED_LEGS] += m.weight
    m.edge = e
    m.leg_left = w.edge_weeks[e] - 1
    if m.leg_left <= 0:
        resolve_crossing(m, wk)

"""Mechanism 4: movement along routes, waiting at hubs, running out of money, arriving.

A person in irregular transit at a node takes the next leg of the best route to their
destination. Using a leg costs its fee or fare, paid from savings or borrowed up to a limit;
whoever cannot pay is stranded and works informally until they can (or gives up, see
`returns`). Departures from a hub happen with the week's chance of finding a boat, car or
smuggler (capacity and weather, see `smuggling`). A leg takes its travel time in weeks; at its
end the crossing is resolved (see `borders`). Regular travellers fly straight to their
destination.
"""

from __future__ import annotations

from bp_sim.jit import inline_rule
from bp_sim.mechanisms.borders import resolve_crossing
from bp_sim.mechanisms.common import budget, choose_destination, choose_leg, info_level, journey_credit, pay
from bp_sim.mechanisms.transitions import grant_protection, settle, stay_without_status
from bp_sim.rng import uniform
from bp_sim.states import (
    D_DEPART_HUB,
    D_LODGE_CLAIM,
    D_ROUTE_LEG,
    FLAG_CLAIMED,
    FLAG_EMPLOYED,
    FLAG_STRANDED,
    Channel,
    Legal,
    State,
)
from bp_sim.tally import (
    I_ASYLUM_APPLICATIONS,
    I_SMUGGLED_LEGS,
    M_SMUGGLER_REVENUE,
)


@inline_rule
def arrive(pop, i, w, p, seed, t, ints, arrivals, claims):
    """Reached the destination: lodge a claim, register as a refugee, or stay without status.

    In an asylum system, a secondary mover keeps the outcome of the claim decided in the EU
    state they left (GRC, ITA): a refugee stays protected, a rejected claimant stays rejected and
    without status (Dublin: the state that decided stays responsible); neither claims again.
    """
    d = pop.location[i]
    ch = pop.channel[i]
    pop.flags[i] &= ~FLAG_STRANDED
    arrivals[d] += pop.weight[i]
    if w.asylum_index[d] >= 0 and ch != Channel.REGULAR:
        if pop.legal[i] == Legal.REFUGEE:  # protected in the EU state they moved on from
            grant_protection(pop, i)
            return
        if pop.legal[i] == Legal.REJECTED:  # rejected there: not examined again here
            settle(pop, i, State.IRREGULAR_RESIDENT, Legal.REJECTED)
            return
        lodge = p.lodge_prob_asylum if ch == Channel.ASYLUM else p.lodge_prob_irregular
        if uniform(seed, pop.key[i], t, D_LODGE_CLAIM) < lodge:
            settle(pop, i, State.ASYLUM_PENDING, Legal.ASYLUM_SEEKER)
            if not (pop.flags[i] & FLAG_CLAIMED):  # first-time applicants only, as Eurostat counts
                pop.flags[i] |= FLAG_CLAIMED
                ints[I_ASYLUM_APPLICATIONS] += pop.weight[i]
                claims[w.origin_index[pop.origin[i]]] += pop.weight[i]
            return
    elif w.is_first_asylum[d] and ch == Channel.ASYLUM:
        if uniform(seed, pop.key[i], t, D_LODGE_CLAIM) < w.registration_rate[d]:
            grant_protection(pop, i)
            return
    stay_without_status(pop, i)


@inline_rule
def step_transit_regular(pop, i, w, p, seed, t, ints, arrivals):
    """TRANSIT_REGULAR: fly; on arrival a permit holder (or a resettled refugee) starts work."""
    pop.leg_left[i] -= 1
    if pop.leg_left[i] > 0:
        return
    d = pop.destination[i]
    pop.location[i] = d
    arrivals[d] += pop.weight[i]
    if pop.channel[i] == Channel.RESETTLEMENT:
        grant_protection(pop, i)
    else:
        settle(pop, i, State.REGULAR_RESIDENT, Legal.VISA)
        pop.flags[i] |= FLAG_EMPLOYED  # regular labour migrants arrive with a job offer


@inline_rule
def step_transit_smuggled(pop, i, w, p, seed, t, ints, money, edge_tally, demand, arrivals, claims, dead, returns):
    """TRANSIT_SMUGGLED: travel a leg, or at a node choose and pay the next one."""
    e = pop.edge[i]
    if e >= 0:
        pop.leg_left[i] -= 1
        if pop.leg_left[i] <= 0:
            resolve_crossing(pop, i, w, p, seed, t, ints, edge_tally, dead, returns)
        return
    loc = pop.location[i]
    d = pop.destination[i]
    if loc == d:
        arrive(pop, i, w, p, seed, t, ints, arrivals, claims)
        return
    credit = journey_credit(pop, i, p)
    spend = budget(pop, i, credit)
    k = info_level(pop, i)
    di = w.dest_index[d]
    if w.next_edge[k, di, loc] < 0 or w.money_to_go[k, di, loc] > (spend + p.journey_credit_usd) * p.replan_cost_ratio:
        # The route closed or became too costly: re-plan from here (staying here, if this is a
        # destination, is one of the candidates).
        oi = w.origin_index[pop.origin[i]]
        nd = choose_destination(pop, i, pop.key[i], w, p, seed, t, loc, oi, pop.channel[i], spend, False, True)
        if nd >= 0:
            pop.destination[i] = nd
            if nd == loc:
                arrive(pop, i, w, p, seed, t, ints, arrivals, claims)
                return
            di = w.dest_index[nd]
    e = choose_leg(w, k, di, loc, uniform(seed, pop.key[i], t, D_ROUTE_LEG))
    if e >= 0 and w.edge_cost[e] > spend:
        e = w.next_edge[k, di, loc]  # this week's leg is beyond the budget: the best one, if affordable
    if e < 0 or w.edge_cost[e] > spend:
        # Stranded: work informally in transit to save for the next leg.
        pop.flags[i] |= FLAG_STRANDED
        pop.savings[i] += p.transit_wage_share * w.income_week[loc]
        return
    pop.flags[i] &= ~FLAG_STRANDED
    demand[e] += pop.weight[i]
    if uniform(seed, pop.key[i], t, D_DEPART_HUB) >= w.edge_depart[e]:
        return  # waiting at the hub for a departure
    cost = w.edge_cost[e]
    if not pay(pop, i, cost, credit):
        return  # short by a rounding error of the budget check above: wait a week
    if w.edge_smuggled[e]:
        money[M_SMUGGLER_REVENUE] += cost * pop.weight[i]
        ints[I_SMUGGLED_LEGS] += pop.weight[i]
    pop.edge[i] = e
    pop.leg_left[i] = w.edge_weeks[e] - 1
    if pop.leg_left[i] <= 0:
        resolve_crossing(pop, i, w, p, seed, t, ints, edge_tally, dead, returns)

"""Mechanism 11: remittances, their cost, and what arrives at origin.

Employed migrants send a share of their earnings home. The formal share falls as the corridor's
cost rises (logistic), the rest goes through informal channels at their own cost, and the
amount sent responds to the average cost with a constant elasticity (cheaper transfers raise
what is sent: Aycinena, Martinez & Yang 2010; PG4.6). What arrives is added to the origin's
pool and shared among the people living there next week (`remit_per_person_week`): it raises
household income and savings, which finances moves and lowers the need to move.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.jit import inline_rule
from bp_sim.states import FLAG_EMPLOYED
from bp_sim.tally import M_REMIT_FEES, M_REMIT_FORMAL, M_REMIT_RECEIVED, M_REMIT_SENT


@inline_rule
def formal_share(p, cost: float) -> float:
    """Share sent through formal channels at a corridor cost (share of the amount)."""
    return 1.0 / (1.0 + np.exp((cost - p.formal_cost_midpoint) / p.formal_cost_scale))


@njit(cache=True)
def update_remittance_factors(p_arr, remit_cost, formal, mean_cost, volume) -> None:
    """Each week, per corridor (origin, place): the formal share, the mean cost of a dollar sent and
    the volume response to it: the same for every migrant on the corridor, so computed once here
    rather than once per migrant (an exponential and a power each)."""
    p = p_arr[0]
    for o in range(remit_cost.shape[0]):
        for n in range(remit_cost.shape[1]):
            cost = remit_cost[o, n]
            f = formal_share(p, cost)
            mean = f * cost + (1.0 - f) * p.informal_cost_share
            formal[o, n] = f
            mean_cost[o, n] = mean
            volume[o, n] = (p.remit_cost_reference / max(mean, 0.001)) ** p.remit_cost_elasticity


@inline_rule
def step_remit(pop, i, w, p, money, remit_in):
    """An employed migrant sends money home this week (the corridor's factors:
    `update_remittance_factors`)."""
    if not (pop.flags[i] & FLAG_EMPLOYED):
        return
    oi = w.origin_index[pop.origin[i]]
    loc = pop.location[i]
    amount = remit_amount(w, p, oi, loc, pop.income[i], pop.savings[i])
    if amount <= 0.0:
        return
    pop.savings[i] -= amount
    count_remitted(w, oi, loc, amount, pop.weight[i], money, remit_in)


@inline_rule
def remit_amount(w, p, oi, loc, income, savings) -> float:
    """USD an employed person of origin index oi at node loc sends this week, out of `income` and
    as far as `savings` reach."""
    return min(income * p.remit_share_of_income * w.remit_volume[oi, loc], max(savings, 0.0))


@inline_rule
def count_remitted(w, oi, loc, amount, persons, money, remit_in) -> None:
    """`persons` each sending `amount` USD home over the corridor (oi, loc): what is sent, the
    fees, what arrives, the formal part, and the origin's pool."""
    fees = amount * w.remit_mean_cost[oi, loc]
    money[M_REMIT_SENT] += amount * persons
    money[M_REMIT_FEES] += fees * persons
    money[M_REMIT_RECEIVED] += (amount - fees) * persons
    money[M_REMIT_FORMAL] += (w.remit_formal[oi, loc] * amount * (1.0 - w.remit_cost[oi, loc])) * persons
    remit_in[oi] += (amount - fees) * persons

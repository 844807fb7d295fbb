"""Sending money home (twin of `mechanisms.remittances`, mechanism 11).

An employed migrant sends a share of this week's earnings (within their savings); the formal
share falls as the corridor's cost rises, informal transfers have their own cost, and the
amount responds to the mean cost with a constant elasticity. What arrives goes into the
origin's pool, shared next week among the households with a migrant (done by the model).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.states import FLAG_EMPLOYED

if TYPE_CHECKING:
    from types import SimpleNamespace

    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def formal_share(p: SimpleNamespace, cost: float) -> float:
    """Share sent through formal channels at a corridor cost (share of the amount)."""
    return 1.0 / (1.0 + math.exp((cost - p.formal_cost_midpoint) / p.formal_cost_scale))


def step_remit(m: Migrant, wk: Week) -> None:
    """An employed migrant sends money home this week."""
    if not m.flags & FLAG_EMPLOYED:
        return
    amount = remit_amount(m, wk, m.income, m.savings)
    if amount <= 0.0:
        return
    m.savings -= amount
    count_remitted(m, wk, amount, m.weight)


def corridor_costs(m: Migrant, wk: Week) -> tuple[float, float, float]:
    """The corridor home from where m is: the formal cost, the formal share at that cost and the
    mean cost of a dollar sent (formal and informal)."""
    p = wk.p
    cost = wk.w.remit_cost[m.origin_index][m.location]
    f = formal_share(p, cost)
    return cost, f, f * cost + (1.0 - f) * p.informal_cost_share


def remit_amount(m: Migrant, wk: Week, income: float, savings: float) -> float:
    """USD an employed person of m (a migrant or a settled group) sends this week, out of
    `income` and as far as `savings` reach."""
    p = wk.p
    mean_cost = corridor_costs(m, wk)[2]
    volume = (p.remit_cost_reference / max(mean_cost, 0.001)) ** p.remit_cost_elasticity
    return min(income * p.remit_share_of_income * volume, max(savings, 0.0))


def count_remitted(m: Migrant, wk: Week, amount: float, persons: int) -> None:
    """`persons` of m each sending `amount` USD home: sent, fees, arrived, formal, the pool."""
    cost, f, mean_cost = corridor_costs(m, wk)
    money = wk.tally.money[m.origin_index]
    fees = amount * mean_cost
    money[T.M_REMIT_SENT] += amount * persons
    money[T.M_REMIT_FEES] += fees * persons
    money[T.M_REMIT_RECEIVED] += (amount - fees) * persons
    money[T.M_REMIT_FORMAL] += f * amount * (1.0 - cost) * persons
    wk.tally.remit_in[m.origin_index] += (amount - fees) * persons

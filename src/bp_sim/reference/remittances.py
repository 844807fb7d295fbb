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
    p, money = wk.p, wk.tally.money[m.origin_index]
    oi = m.origin_index
    cost = wk.w.remit_cost[oi][m.location]
    f = formal_share(p, cost)
    mean_cost = f * cost + (1.0 - f) * p.informal_cost_share
    volume = (p.remit_cost_reference / max(mean_cost, 0.001)) ** p.remit_cost_elasticity
    amount = min(m.income * p.remit_share_of_income * volume, max(m.savings, 0.0))
    if amount <= 0.0:
        return
    m.savings -= amount
    fees = amount * mean_cost
    persons = m.weight
    money[T.M_REMIT_SENT] += amount * persons
    money[T.M_REMIT_FEES] += fees * persons
    money[T.M_REMIT_RECEIVED] += (amount - fees) * persons
    money[T.M_REMIT_FORMAL] += f * amount * (1.0 - cost) * persons
    wk.tally.remit_in[oi] += (amount - fees) * persons

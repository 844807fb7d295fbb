"""Work at destination (twin of `mechanisms.labour`, mechanism 10).

Jobs are found with a weekly chance set by legal access to work, unemployment, discrimination
and integration support, and lost at a weekly rate (one draw decides either). Earnings scale
with the destination's income and recognised skill, less for workers without status; what is
left after living costs repays debt and is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.common import income_factor, recognised_skill
from bp_sim.states import FLAG_EMPLOYED, Legal

if TYPE_CHECKING:
    from types import SimpleNamespace

    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def work_access(p: SimpleNamespace, legal: int) -> float:
    """Relative chance of finding work by legal status."""
    if legal == Legal.VISA or legal == Legal.NATIONAL:
        return 1.0
    if legal == Legal.REFUGEE:
        return p.job_access_refugee
    return p.job_access_irregular


def job_find_chance(m: Migrant, wk: Week) -> float:
    """Weekly chance that a person without work at their location finds a job."""
    w, p = wk.w, wk.p
    d = m.location
    return (p.job_find_weekly * work_access(p, m.legal) * (1.0 - w.unemployment[d]) * (1.0 - w.discrimination[d])
            * (1.0 + p.integration_job_effect * w.integration_support[d]))


def step_work(m: Migrant, wk: Week) -> None:
    """Update employment and this week's earnings; repay debt; save the rest."""
    p, ints = wk.p, wk.tally.ints[m.origin_index]
    u = wk.random()
    if m.flags & FLAG_EMPLOYED:
        if u < p.job_loss_weekly:
            m.flags &= ~FLAG_EMPLOYED
    elif u < job_find_chance(m, wk):
        m.flags |= FLAG_EMPLOYED
    ints[T.I_WORKFORCE] += m.weight
    if not m.flags & FLAG_EMPLOYED:
        m.income = 0.0
        return
    ints[T.I_EMPLOYED] += m.weight
    wage = weekly_wage(m, wk)
    m.income = wage
    repay = repayment(p, m.debt, wage)
    m.debt -= repay
    m.savings += wage * (1.0 - p.living_cost_share) - repay


def weekly_wage(m: Migrant, wk: Week) -> float:
    """USD a week an employed person of m (a migrant or a settled group) earns where it is."""
    p = wk.p
    wage = wk.w.income_week[m.location] * p.migrant_wage_ratio * income_factor(recognised_skill(m, p))
    if m.legal == Legal.IRREGULAR or m.legal == Legal.REJECTED:
        wage *= p.irregular_wage_factor
    return wage


def repayment(p: SimpleNamespace, debt: float, wage: float) -> float:
    """USD of debt an employed person repays this week out of `wage`."""
    return min(debt, wage * (1.0 - p.living_cost_share) * p.debt_repay_share)

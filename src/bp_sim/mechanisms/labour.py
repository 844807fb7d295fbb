"""Mechanism 10: work and integration at destination.

Finding a job depends on legal access to work, the destination's unemployment, discrimination
(set by host attitudes, see `attitudes`) and integration support (PG6.1-PG6.3); jobs are lost at
a weekly rate. Earnings scale with the destination's income and the person's recognised skill
(PG2.1); irregular workers earn less. Earnings pay living costs and debts; what is left is
saved or sent home (see `remittances`).
"""

from __future__ import annotations

from bp_sim.jit import inline_rule
from bp_sim.mechanisms.common import income_factor, recognised_skill
from bp_sim.rng import uniform
from bp_sim.states import D_JOB, FLAG_EMPLOYED, Legal
from bp_sim.tally import I_EMPLOYED, I_WORKFORCE


@inline_rule
def work_access(p, legal: int) -> float:
    """Relative chance of finding work by legal status."""
    if legal == Legal.VISA or legal == Legal.NATIONAL:
        return 1.0
    if legal == Legal.REFUGEE:
        return p.job_access_refugee
    return p.job_access_irregular


@inline_rule
def job_find_chance(p, w, d, legal) -> float:
    """Weekly chance that a person without work at node d finds a job."""
    return (
        p.job_find_weekly
        * work_access(p, legal)
        * (1.0 - w.unemployment[d])
        * (1.0 - w.discrimination[d])
        * (1.0 + p.integration_job_effect * w.integration_support[d])
    )


@inline_rule
def weekly_wage(pop, i, w, p, d) -> float:
    """USD a week earned at node d by an employed person of row (or group) i."""
    wage = w.income_week[d] * p.migrant_wage_ratio * income_factor(recognised_skill(pop, i, p))
    if pop.legal[i] == Legal.IRREGULAR or pop.legal[i] == Legal.REJECTED:
        wage *= p.irregular_wage_factor
    return wage


@inline_rule
def repayment(p, debt, wage) -> float:
    """USD of debt an employed person repays this week out of `wage`."""
    return min(debt, wage * (1.0 - p.living_cost_share) * p.debt_repay_share)


@inline_rule
def step_work(pop, i, w, p, seed, t, ints):
    """Update employment and this week's earnings; repay debt; save the rest."""
    d = pop.location[i]
    flags = pop.flags[i]
    u = uniform(seed, pop.key[i], t, D_JOB)
    if flags & FLAG_EMPLOYED:
        if u < p.job_loss_weekly:
            flags &= ~FLAG_EMPLOYED
    elif u < job_find_chance(p, w, d, pop.legal[i]):
        flags |= FLAG_EMPLOYED
    pop.flags[i] = flags
    ints[I_WORKFORCE] += pop.weight[i]
    if not (flags & FLAG_EMPLOYED):
        pop.income[i] = 0.0
        return
    ints[I_EMPLOYED] += pop.weight[i]
    wage = weekly_wage(pop, i, w, p, d)
    pop.income[i] = wage
    repay = repayment(p, pop.debt[i], wage)
    pop.debt[i] -= repay
    pop.savings[i] += wage * (1.0 - p.living_cost_share) - repay

"""Permit holders abroad as settled groups: work, remittances and voluntary return in persons
(mechanisms 10, 11, 12 for REGULAR_RESIDENT).

A settled group (`population.Settled`) is many permit holders of one origin at one destination,
alike in flags and skill band: `weight` persons, `employed` of them with a job, and one set of
per-person money (savings and debt are the group's means). Each week, in persons, with the
chances a single permit holder has (`labour`, `remittances`, `returns`):
- Binomial(employed, `job_loss_weekly`) lose their job and Binomial(without work, the job-finding
  chance) find one; the employed earn the group's wage, repay debt and save the rest (the
  group's means move by the employed share of it);
- each employed person sends home what `remittances.remit_amount` says;
- Binomial(weight, `return_weekly`) return home on their own. They leave in rows of
  `persons_per_mover` persons and, for the remainder, one smaller row with the chance that keeps
  the expected number who leave that of persons deciding one by one; the employed among them are
  a binomial share of the group's. Their rows, on the way home in TRANSIT_REGULAR, are made after
  the week by `kernel.spawn_returners` (stepped from next week on) and the stock counts them so
  this week already.
Permit holders face no removal (`returns.step_leave_destination`: no forced return with a
permit), no exploitation and no onward movement, so this is all of their week.
"""

from __future__ import annotations

from bp_sim.jit import inline_rule
from bp_sim.mechanisms.labour import job_find_chance, repayment, weekly_wage
from bp_sim.mechanisms.remittances import count_remitted, remit_amount
from bp_sim.mechanisms.returns import R_VOLUNTARY
from bp_sim.population import PLAN_RETURN_LAST, PLAN_RETURN_ROWS
from bp_sim.rng import binomial, uniform
from bp_sim.states import (
    D_JOB,
    D_SETTLED_JOB_FIND,
    D_SETTLED_RETURN_EMPLOYED,
    D_SETTLED_RETURNER,
    D_VOLUNTARY_RETURN,
    State,
)
from bp_sim.tally import I_EMPLOYED, I_RETURNS_VOLUNTARY, I_WORKFORCE


@inline_rule
def work_and_remit(groups, employed, g, w, p, seed, t, oi, d, ints, money, remit_in) -> None:
    """The group's jobs lost and found, its earnings, debt repaid and savings, and what its
    employed send home."""
    persons = groups.weight[g]
    key = groups.key[g]
    e = employed[g]
    lost = binomial(seed, key, t, D_JOB, e, p.job_loss_weekly)
    found = binomial(seed, key, t, D_SETTLED_JOB_FIND, persons - e, job_find_chance(p, w, d, groups.legal[g]))
    e += found - lost
    employed[g] = e
    ints[I_WORKFORCE] += persons
    if e == 0:
        groups.income[g] = 0.0
        return
    ints[I_EMPLOYED] += e
    wage = weekly_wage(groups, g, w, p, d)
    groups.income[g] = wage  # what each employed person earns
    share = e / persons
    repay = repayment(p, groups.debt[g], wage)
    groups.debt[g] -= share * repay
    groups.savings[g] += share * (wage * (1.0 - p.living_cost_share) - repay)
    amount = remit_amount(w, p, oi, d, wage, groups.savings[g])
    if amount > 0.0:
        groups.savings[g] -= share * amount
        count_remitted(w, oi, d, amount, e, money, remit_in)


@inline_rule
def let_returners_go(groups, employed, plan, g, w, seed, t, oi, d, ints, returns, ppm) -> int:
    """This week's voluntary returners of group g: written into plan[g] (rows of ppm persons and
    one smaller row), taken off the group; returns the persons who leave."""
    persons = groups.weight[g]
    key = groups.key[g]
    leaving = binomial(seed, key, t, D_VOLUNTARY_RETURN, persons, w.return_weekly[d])
    full = leaving // ppm
    rest = leaving - full * ppm
    last = min(ppm, persons - full * ppm)  # the persons a last, smaller row can take
    if rest > 0 and uniform(seed, key, t, D_SETTLED_RETURNER) * last < rest:
        plan[g, PLAN_RETURN_LAST] = last  # so that the expected number who leave is `leaving`
    else:
        plan[g, PLAN_RETURN_LAST] = 0
    plan[g, PLAN_RETURN_ROWS] = full
    gone = full * ppm + plan[g, PLAN_RETURN_LAST]
    if gone == 0:
        return 0
    e = employed[g]
    jobs = binomial(seed, key, t, D_SETTLED_RETURN_EMPLOYED, gone, e / persons)
    employed[g] = e - min(max(jobs, gone - (persons - e)), e)  # as many employed as there are
    groups.weight[g] = persons - gone
    returns[oi, d, R_VOLUNTARY] += gone
    ints[I_RETURNS_VOLUNTARY] += gone
    return gone


@inline_rule
def step_settled(groups, employed, plan, g, w, p, seed, t, ints, money, remit_in, returns, stock, ppm) -> int:
    """One week of settled group g (see the module's docstring); returns the rows of returners it
    lets go, after counting its persons in the stock."""
    d = groups.location[g]
    oi = w.origin_index[groups.origin[g]]
    work_and_remit(groups, employed, g, w, p, seed, t, oi, d, ints, money, remit_in)
    gone = let_returners_go(groups, employed, plan, g, w, seed, t, oi, d, ints, returns, ppm)
    stock[oi, d, State.REGULAR_RESIDENT] += groups.weight[g]
    stock[oi, d, State.TRANSIT_REGULAR] += gone  # on the way home from next week: counted here now
    return plan[g, PLAN_RETURN_ROWS] + (1 if plan[g, PLAN_RETURN_LAST] > 0 else 0)

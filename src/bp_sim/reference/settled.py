"""`SettledGroup`: permit holders of one origin at one destination as a plain Mesa agent (twin of
`mechanisms.settled`: work, remittances and voluntary return in persons).

It holds the same fields as one settled group of the engine (`population.Settled.rows`) as Python
attributes, with `weight` its persons and `employed` those of them with a job; savings and debt
are per person (the group's means). Each week, in persons, with a single permit holder's chances:
jobs lost and found, earnings, debt repaid and savings moved by the employed share, money sent
home by each employed person, and voluntary returners, who leave in rows of `persons_per_mover`
persons (and one smaller row with the chance that keeps the expected number who leave). The
model makes the returners into migrants after the week (`returner`). Migrants who end a week as
permit holders at a destination join their group (`join`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from bp_sim import tally as T
from bp_sim.reference.common import binomial
from bp_sim.reference.labour import job_find_chance, repayment, weekly_wage
from bp_sim.reference.migrant import Migrant, join_means, set_row
from bp_sim.reference.remittances import count_remitted, remit_amount
from bp_sim.reference.transitions import lose_job, send_home
from bp_sim.states import FLAG_EMPLOYED, State

if TYPE_CHECKING:
    from bp_sim.reference.model import ReferenceModel
    from bp_sim.reference.week import Week

R_VOLUNTARY = 0  # `Tally.returns` column of voluntary returns (`returns.R_VOLUNTARY`)


class SettledGroup(mesa.Agent):
    """Permit holders abroad alike in origin, place, flags and skill band: `weight` persons,
    `employed` of them working (money per person)."""

    model: ReferenceModel
    state: int  # always REGULAR_RESIDENT
    legal: int  # always VISA
    channel: int
    flags: int  # the flags its persons share (employment is `employed`)
    origin: int
    origin_index: int
    location: int  # the destination
    destination: int
    edge: int
    leg_left: int
    time_in_state: int
    skill: int  # 0..255: the persons-weighted mean of those who joined
    awareness: int
    savings: float  # USD per person
    income: float  # USD a week an employed person earns
    debt: float  # USD per person
    weight: int  # persons in the group
    key: int
    employed: int  # persons with a job
    leaving: list[int]  # this week's returners: persons per row, until the model makes the rows

    def __init__(self, model: ReferenceModel, *, employed: int, origin_index: int, **row: int | float) -> None:
        super().__init__(model)
        self.origin_index = origin_index
        set_row(self, row)
        self.employed = employed
        self.leaving = []

    def join(self, m: Migrant) -> None:
        """Migrant m's persons join the group (`kernel.join`): employed or not by its flag, the
        group's skill, awareness and money the persons-weighted means."""
        if m.flags & FLAG_EMPLOYED:
            self.employed += m.weight
        join_means(self, self.weight, m)

    def work_and_remit(self, wk: Week) -> None:
        """Jobs lost and found, earnings, debt repaid and savings, and what the employed send."""
        p, ints = wk.p, wk.tally.ints[self.origin_index]
        lost = binomial(wk.rng, self.employed, p.job_loss_weekly)
        found = binomial(wk.rng, self.weight - self.employed, job_find_chance(self, wk))
        self.employed += found - lost
        ints[T.I_WORKFORCE] += self.weight
        if self.employed == 0:
            self.income = 0.0
            return
        ints[T.I_EMPLOYED] += self.employed
        wage = weekly_wage(self, wk)
        self.income = wage
        share = self.employed / self.weight
        repay = repayment(p, self.debt, wage)
        self.debt -= share * repay
        self.savings += share * (wage * (1.0 - p.living_cost_share) - repay)
        amount = remit_amount(self, wk, wage, self.savings)
        if amount > 0.0:
            self.savings -= share * amount
            count_remitted(self, wk, amount, self.employed)

    def let_returners_go(self, wk: Week, ppm: int) -> int:
        """This week's voluntary returners (rows kept in `leaving`); returns the persons who leave."""
        persons = self.weight
        leaving = binomial(wk.rng, persons, wk.w.return_weekly[self.location])
        full, rest = divmod(leaving, ppm)
        last = min(ppm, persons - full * ppm)
        self.leaving = [ppm] * full + ([last] if rest > 0 and wk.random() * last < rest else [])
        gone = sum(self.leaving)
        if gone:
            jobs = binomial(wk.rng, gone, self.employed / persons)
            self.employed -= min(max(jobs, gone - (persons - self.employed)), self.employed)
            self.weight -= gone
            wk.tally.returns[self.origin_index, self.location, R_VOLUNTARY] += gone
            wk.tally.ints[self.origin_index, T.I_RETURNS_VOLUNTARY] += gone
        return gone

    def step(self) -> None:
        """One week of the group, then its stock (its returners count on their way home)."""
        wk = self.model.week_context
        self.leaving = []
        if self.weight == 0:
            return
        self.work_and_remit(wk)
        gone = self.let_returners_go(wk, self.model.persons_per_mover)
        stock = wk.tally.stock
        stock[self.origin_index, self.location, State.REGULAR_RESIDENT] += self.weight
        stock[self.origin_index, self.location, State.TRANSIT_REGULAR] += gone


def returner(g: SettledGroup, persons: int, key: int) -> Migrant:
    """A new row of `persons` of group g on their way home, with the group's attributes."""
    m = Migrant(g.model, state=g.state, legal=g.legal, channel=g.channel, flags=g.flags, origin=g.origin,
                location=g.location, destination=g.destination, edge=-1, leg_left=0, time_in_state=0, skill=g.skill,
                awareness=g.awareness, savings=g.savings, income=g.income, debt=g.debt, weight=persons, key=key,
                origin_index=g.origin_index)
    send_home(m)
    lose_job(m)
    return m

"""`Cohort`: people at home who have never left, many persons alike, as a plain Mesa agent.

It holds the same fields as one row of the engine's cohorts (`population.Cohorts.rows`), as
Python attributes, with `weight` the persons staying at home and `aspiring` (`Cohorts.aspiring`)
the persons who wish to move. A cohort never leaves home: it is always STAYING at its origin,
a national, with no channel, destination or leg; its movers leave it as rows of their own
(`cohorts.mover`). Each week `step` does the cohort's week (`cohorts.step_cohort`), keeps the
movers who leave for the model to make into migrants after the week, and does the bookkeeping
of `kernel.advance_cohort_chunk`: the stock of its staying, aspiring and leaving persons, weeks
in state, and the households that share next week's remittances. A rejoin cohort
(`population.rejoin_cohorts`) is one too: migrants staying at home again `join` it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from bp_sim.reference.cohorts import Leaver, step_cohort
from bp_sim.reference.migrant import MAX_WEEKS_IN_STATE, Migrant, join_means, set_row
from bp_sim.states import FLAG_REMIT_HOUSEHOLD, State

if TYPE_CHECKING:
    from bp_sim.reference.model import ReferenceModel


class Cohort(mesa.Agent):
    """Persons of one origin at home, alike in skill, awareness, money and household: `weight`
    staying and `aspiring` wishing to move (money and attributes per person)."""

    model: ReferenceModel
    state: int  # always STAYING (the state of its `weight` persons)
    legal: int  # always NATIONAL
    channel: int  # always NONE
    flags: int  # bit flags: the household trait (`remit_household`); a rejoin cohort's history too
    origin: int  # node id of the origin
    origin_index: int  # index of the origin among the origins
    location: int  # always the origin
    destination: int  # always -1
    edge: int  # always -1
    leg_left: int  # always 0
    time_in_state: int  # weeks since the start
    skill: int  # 0..255, read as 0..1
    awareness: int  # 0..255, read as 0..1: information on risks and routes
    savings: float  # USD, per person
    income: float  # USD earned this week, per person
    debt: float  # USD owed, per person
    weight: int  # persons staying at home
    key: int  # the cohort's identity, unique among rows and cohorts
    aspiring: int  # persons wishing to move
    leaving: list[Leaver]  # this week's movers, until the model makes them into migrants

    def __init__(self, model: ReferenceModel, *, aspiring: int, origin_index: int, **row: int | float) -> None:
        """`row`: one value per field of `population.POP_DTYPES` (the cohort's row)."""
        super().__init__(model)
        self.origin_index = origin_index
        set_row(self, row)
        self.aspiring = aspiring
        self.leaving = []

    @property
    def remit_household(self) -> bool:
        """Lives in households with a migrant sending money home (`FLAG_REMIT_HOUSEHOLD`): drawn
        once per cohort at the start, never changed, and taken along by its movers."""
        return (self.flags & FLAG_REMIT_HOUSEHOLD) != 0

    def join(self, m: Migrant) -> None:
        """Migrant m's persons join this cohort (`kernel.join_cohort`): its skill, awareness and
        money become the persons-weighted means over those it holds and those joining."""
        join_means(self, self.weight + self.aspiring, m)

    def step(self) -> None:
        """One week: the cohort's week, then its bookkeeping (in persons)."""
        model = self.model
        wk = model.week_context
        ppm = model.persons_per_mover
        self.leaving = step_cohort(self, wk, ppm)
        leaving = len(self.leaving) * ppm  # preparing from this week on, as rows made after the week
        stock = wk.tally.stock
        oi = self.origin_index
        loc = self.location
        stock[oi, loc, State.STAYING] += self.weight
        stock[oi, loc, State.ASPIRING] += self.aspiring
        stock[oi, loc, State.PREPARING] += leaving
        if self.time_in_state < MAX_WEEKS_IN_STATE:
            self.time_in_state += 1
        if self.remit_household:
            wk.tally.remit_receivers[oi] += self.weight + self.aspiring + leaving

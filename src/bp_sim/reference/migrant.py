"""`Migrant`: one row of people who move (a mover, a group abroad, returnees) as a plain Mesa agent.

It holds the same state as one row of the engine's struct-of-arrays population
(`population.POP_DTYPES`), as Python attributes, `weight` (the persons the row stands for) and
`key` (its identity) among them. The persons of a row share every attribute and every decision
but one: each may die on a leg on their own (`borders.resolve_crossing`). Every counter counts
the row's persons (`weight`), money its persons' money. Each week `step` applies the rule of
the state the migrant starts the week in (`dispatch.RULES`, the twin of `kernel.step_agent`),
then does the end-of-week bookkeeping of `kernel.advance_chunk`: weeks in state, the stock count
by origin, place and state, the stranded count and the households that share next week's
remittances. People at home who have never left are not migrants but cohorts (`cohort.Cohort`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from bp_sim import tally as T
from bp_sim.population import POP_DTYPES
from bp_sim.reference.dispatch import RULES
from bp_sim.states import FLAG_REMIT_HOUSEHOLD, FLAG_STRANDED, State

if TYPE_CHECKING:
    from bp_sim.reference.model import ReferenceModel

MAX_WEEKS_IN_STATE = 32767  # time_in_state is an int16 in the engine: it stops counting there

_AT_HOME_RECEIVING = frozenset({State.STAYING, State.ASPIRING, State.PREPARING, State.REINTEGRATED})


def set_row(agent: mesa.Agent, row: dict) -> None:
    """The fields of one population row (`population.POP_DTYPES`, all of them and no other) as the
    agent's attributes: what a `Migrant` and a `Cohort` are made from."""
    if set(row) != set(POP_DTYPES):
        raise TypeError(f"a row has the fields {', '.join(POP_DTYPES)}; got {', '.join(sorted(row))}")
    for name in POP_DTYPES:
        setattr(agent, name, row[name])


def join_means(group, held: int, m: Migrant) -> None:
    """Migrant m's persons join `group` (a cohort or a settled group holding `held` persons who
    share its means, `kernel.join`): its skill, awareness and money become the persons-weighted
    means over those held and those joining, and its weight grows by m's."""
    total = held + m.weight
    group.skill = int((held * group.skill + m.weight * m.skill) / total + 0.5)
    group.awareness = int((held * group.awareness + m.weight * m.awareness) / total + 0.5)
    group.savings = (held * group.savings + m.weight * m.savings) / total
    group.income = (held * group.income + m.weight * m.income) / total
    group.debt = (held * group.debt + m.weight * m.debt) / total
    group.weight += m.weight


class Migrant(mesa.Agent):
    """A row of persons on the Silk Routes: life-cycle state, place, money and skills, shared by
    its `weight` persons.

    Codes are those of `bp_sim.states`; node and edge ids are those of the network.
    """

    model: ReferenceModel
    state: int  # life-cycle state (`State`); DEAD_MISSING once no one of the row is left
    legal: int  # legal status (`Legal`)
    channel: int  # how the persons set out (`Channel`)
    flags: int  # bit flags (`FLAG_*`), among them the fixed household trait (`remit_household`)
    origin: int  # node id of the origin
    origin_index: int  # index of the origin among the origins (fixed: `World.origin_index[origin]`)
    location: int  # node id where the persons are (the start node while on a leg)
    destination: int  # node id the persons are heading for, -1 none
    edge: int  # leg being travelled, -1 at a node
    leg_left: int  # weeks left on the current leg or flight
    time_in_state: int  # weeks since the last change of state
    skill: int  # 0..255, read as 0..1
    awareness: int  # 0..255, read as 0..1: information on risks and routes
    savings: float  # USD, per person
    income: float  # USD earned this week, per person
    debt: float  # USD owed (to smugglers, recruiters), per person
    weight: int  # persons the row stands for (falls only as some of them die on a leg)
    key: int  # the row's identity, unique among rows and cohorts (the engine keys its draws by it)

    def __init__(self, model: ReferenceModel, *, origin_index: int, **row: int | float) -> None:
        """`row`: one value per field of `population.POP_DTYPES` (state, legal, ..., weight, key)."""
        super().__init__(model)
        self.origin_index = origin_index
        set_row(self, row)

    @property
    def remit_household(self) -> bool:
        """Lives in a household with a migrant sending money home: a fixed trait, drawn once per
        cohort or row with the initial population (`FLAG_REMIT_HOUSEHOLD`), taken along by the
        movers leaving a cohort, and never changed."""
        return (self.flags & FLAG_REMIT_HOUSEHOLD) != 0

    def step(self) -> None:
        """One week: the rule of the starting state, then the week's bookkeeping (in persons)."""
        wk = self.model.week_context
        before = self.state
        rule = RULES[before]
        if rule is not None:
            rule(self, wk)
        after = self.state
        if after != before:
            self.time_in_state = 0
        elif self.time_in_state < MAX_WEEKS_IN_STATE:
            self.time_in_state += 1
        tally = wk.tally
        oi = self.origin_index
        loc = self.location
        tally.stock[oi, loc, after] += self.weight  # a row of the dead has no one left: 0
        if after == State.TRANSIT_SMUGGLED and self.flags & FLAG_STRANDED:
            tally.ints[oi, T.I_STRANDED] += self.weight
        if loc == self.origin and after in _AT_HOME_RECEIVING and self.remit_household:
            # Those who share in remittances arriving next week (returnees re-establishing do not).
            tally.remit_receivers[oi] += self.weight

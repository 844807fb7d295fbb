"""`ReferenceModel`: the engine's model with the population advanced by plain Mesa agents.

Everything sized by the network is the engine's own (scenario, policy, World arrays, the weekly
market, route, queue and attitude updates, the Recorder and the outputs): those are aggregates,
shared by design. Only the per-agent week differs: one `Cohort` per cohort and one `Migrant`
per row of the same initial population, drawing from `model.rng`. Each week the migrants are
stepped in random order (`AgentSet.shuffle_do`), then the cohorts; then the movers who left the
cohorts become migrants, appended in cohort order (stepped from next week on), as the engine's
spawn pass appends their rows, then the settled groups abroad (`SettledGroup`) and their
returners; and the migrants staying at home or settled with a permit join their groups. This
is the readable specification of the rules and the baseline a Mesa user would write; it is slow
on purpose (no Numba, no vectorisation over agents).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mesa
import numpy as np

from bp_sim import tally as T
from bp_sim.model import SilkRoutesModel
from bp_sim.network import Network
from bp_sim.population import POP_DTYPES, Population, rejoin_group, settled_group
from bp_sim.reference.cohort import Cohort
from bp_sim.reference.cohorts import mover
from bp_sim.reference.migrant import Migrant
from bp_sim.reference.settled import SettledGroup, returner
from bp_sim.reference.week import Week, make_week
from bp_sim.scenario import Scenario
from bp_sim.states import N_STATES, State
from bp_sim.world import WAIT_BUCKETS


def table_rows(pop: Population) -> list[dict]:
    """The rows of a struct-of-arrays table as dicts of Python values, one per row."""
    columns = {field: getattr(pop, field).tolist() for field in POP_DTYPES}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


class ReferenceModel(SilkRoutesModel):
    """The plain-Mesa twin of `SilkRoutesModel` (same arguments, same outputs).

    `model.pop` and `model.cohorts` hold every row and cohort (the initial population, each
    mover as it left its cohort, less the migrants who rejoined a cohort: `model.pop` always has
    one row per migrant, in the order of `migrant_rows`); they are brought up to date from the agents after every week when
    `check_invariants` is on (for `verify`), or on demand with `sync_population()`.
    """

    engine = "reference"
    makes_agents_later = True  # the cohorts and migrants, below, and the movers week by week

    def __init__(self, scenario: Scenario | str | Path | None = None, *, agents: int | None = None,
                 seed: int | None = None, check_invariants: bool = False, network: Network | None = None,
                 persons_per_mover: int | None = None, persons_per_agent_abroad: float | None = None) -> None:
        super().__init__(scenario, agents=agents, seed=seed, check_invariants=check_invariants, network=network,
                         persons_per_mover=persons_per_mover, persons_per_agent_abroad=persons_per_agent_abroad)
        net = self.net
        # One chunk: the agents count into a single row of every counter.
        self.tally = T.new_tally(1, len(net.origin_nodes), net.n_nodes, N_STATES, net.n_edges, self.n_asylum,
                                 WAIT_BUCKETS)
        self.week_context: Week | None = None  # what the agents read this week (`week.make_week`)
        origin_index = self.world.origin_index
        # Both kept in the order of the engine's tables (the AgentSets are visited shuffled), to
        # write the tables back and to append the movers in the engine's order.
        self.cohort_rows: list[Cohort] = [
            Cohort(self, **row, aspiring=aspiring, origin_index=int(origin_index[row["origin"]]))
            for row, aspiring in zip(table_rows(self.cohorts.rows), self.cohorts.aspiring.tolist(), strict=True)]
        self.migrant_rows: list[Migrant] = [Migrant(self, **row, origin_index=int(origin_index[row["origin"]]))
                                            for row in table_rows(self.pop)]
        self.settled_rows: list[SettledGroup] = [
            SettledGroup(self, **row, employed=employed, origin_index=int(origin_index[row["origin"]]))
            for row, employed in zip(table_rows(self.settled.rows), self.settled.employed.tolist(), strict=True)]
        self.settled_in_use = {int(g) for g in np.flatnonzero(self.settled.rows.weight)}  # ever joined
        # A new row's key: any key no row or cohort has (the engine derives them with rng.child_key).
        self.next_key = 1 + max(int(self.cohorts.rows.key.max(initial=0)), int(self.pop.key.max(initial=0)))
        self._agent_ids = mesa.Agent._ids[self]  # Mesa's id counter of this model, lent back to make agents
        self.forget_agent_ids()

    @property
    def migrants(self) -> mesa.agent.AgentSet:
        """Every row as a `Migrant` (movers, people abroad, returnees, the dead)."""
        return self.agents_by_type.get(Migrant) or mesa.agent.AgentSet([], random=self.random)

    @property
    def cohort_agents(self) -> mesa.agent.AgentSet:
        """Every cohort at home as a `Cohort`."""
        return self.agents_by_type.get(Cohort) or mesa.agent.AgentSet([], random=self.random)

    @property
    def settled_agents(self) -> mesa.agent.AgentSet:
        """Every settled group abroad as a `SettledGroup`."""
        return self.agents_by_type.get(SettledGroup) or mesa.agent.AgentSet([], random=self.random)

    @contextmanager
    def making_agents(self) -> Iterator[None]:
        """Mesa's agent-id counter of this model, put back while new agents are made and dropped
        again after (`forget_agent_ids`: the class-level counter keeps a model alive)."""
        mesa.Agent._ids[self] = self._agent_ids
        try:
            yield
        finally:
            self.forget_agent_ids()

    def advance_population(self, t: int) -> T.Tally:
        """Every migrant one week, in random order, then every cohort; then the movers who left the
        cohorts become migrants (from next week on). Returns this week's counters."""
        self.week_context = make_week(t, self.world, self.p_arr[0], self.rng, self.tally)  # p_arr: the record the kernels read
        self.row_steps += self.rows_in_use
        self.migrants.shuffle_do("step")
        self.cohort_agents.shuffle_do("step")
        # Only the groups that hold someone (most of the 100,000 never do; an empty one does nothing).
        held = [self.settled_rows[g] for g in sorted(self.settled_in_use) if self.settled_rows[g].weight > 0]
        mesa.agent.AgentSet(held, random=self.random).shuffle_do("step")
        self.make_movers()
        self.join_groups()
        totals = T.collect(self.tally)
        self.add_dead(totals)
        return totals

    def make_movers(self) -> None:
        """This week's movers as new migrants, cohort by cohort in cohort order, then the
        returners group by group (as the engine's spawn passes make their rows), each with a new
        key; their rows appended to `pop`."""
        ppm = self.persons_per_mover
        new: list[Migrant] = []
        with self.making_agents():
            for c in self.cohort_rows:
                for channel, destination in c.leaving:
                    new.append(mover(c, channel, destination, self.next_key, ppm))
                    self.next_key += 1
                c.leaving = []
            for g in self.settled_rows:
                for persons in g.leaving:
                    new.append(returner(g, persons, self.next_key))
                    self.next_key += 1
                g.leaving = []
        if not new:
            return
        first = len(self.migrant_rows)
        self.migrant_rows.extend(new)
        self.rows.reserve(len(new))
        self.rows.use(first + len(new))
        for field in POP_DTYPES:
            getattr(self.pop, field)[first:] = [getattr(m, field) for m in new]

    def join_groups(self) -> None:
        """Every migrant staying at home joins its rejoin cohort, every permit holder at a
        destination with settled groups its group, and is removed, the last migrant taking its
        place in `migrant_rows` (as `kernel.join_groups` moves the last row)."""
        rows = self.migrant_rows
        pair_slot = self.settled.pair_slot
        for i in range(len(rows) - 1, -1, -1):  # from the last down, as the engine
            m = rows[i]
            if m.state == State.STAYING:
                self.cohort_rows[self.n_cohorts + rejoin_group(m.origin_index, m.flags, m.skill)].join(m)
            elif m.state == State.REGULAR_RESIDENT and pair_slot[m.origin_index, m.location] >= 0:
                g = settled_group(int(pair_slot[m.origin_index, m.location]), m.flags, m.skill)
                self.settled_rows[g].join(m)
                self.settled_in_use.add(g)
            else:
                continue
            m.remove()
            last = rows.pop()
            if i < len(rows):
                rows[i] = last
        self.rows.use(len(rows))

    def apply_agent_rule(self, kernel, twin_rule, t: int) -> None:
        """A per-agent rule of a mechanism of its own: `twin_rule(migrant, week)` for every
        migrant, in random order (the engine runs the compiled `kernel` over its rows instead)."""
        week = make_week(t, self.world, self.p_arr[0], self.rng, self.tally)
        self.migrants.shuffle_do(twin_rule, week)

    def sync_population(self) -> None:
        """Copy the agents' attributes into the engine's tables: the migrants into `self.pop` (row i
        is migrant `migrant_rows[i]`), the cohorts into `self.cohorts` (weight, aspiring,
        attributes), the settled groups into `self.settled` (weight, employed, attributes)."""
        for field in POP_DTYPES:
            getattr(self.pop, field)[:] = [getattr(m, field) for m in self.migrant_rows]
            getattr(self.cohorts.rows, field)[:] = [getattr(c, field) for c in self.cohort_rows]
        self.cohorts.aspiring[:] = [c.aspiring for c in self.cohort_rows]
        used = np.array(sorted(self.settled_in_use), np.int64)  # the others are as they were made
        for field in POP_DTYPES:
            getattr(self.settled.rows, field)[used] = [getattr(self.settled_rows[g], field) for g in used]
        self.settled.employed[used] = [self.settled_rows[g].employed for g in used]

    def verify(self, tot: T.Tally) -> None:
        """The engine's invariants, checked on the agents' current state."""
        self.sync_population()
        super().verify(tot)

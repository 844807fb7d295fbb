"""`ReferenceModel`: the engine's model with the population advanced by plain Mesa agents.

Everything sized by the network is the engine's own (scenario, policy, World arrays, the weekly
market, route, queue and attitude updates, the Recorder and the outputs): those are aggregates,
shared by design. Only the per-agent week differs: one `Migrant` per row of the same initial
population, stepped in random order with `AgentSet.shuffle_do`, drawing from `model.rng`.
This is the readable specification of the rules and the baseline a Mesa user would write; it is
slow on purpose (no Numba, no vectorisation over agents).
"""

from __future__ import annotations

from pathlib import Path

from bp_sim import tally as T
from bp_sim.model import SilkRoutesModel
from bp_sim.network import Network
from bp_sim.population import POP_DTYPES
from bp_sim.reference.migrant import Migrant
from bp_sim.reference.week import Week, make_week
from bp_sim.scenario import Scenario
from bp_sim.states import N_STATES
from bp_sim.world import WAIT_BUCKETS


class ReferenceModel(SilkRoutesModel):
    """The plain-Mesa twin of `SilkRoutesModel` (same arguments, same outputs).

    `model.pop` holds the initial population; it is brought up to date from the migrants after
    every week when `check_invariants` is on (for `verify`), or on demand with
    `sync_population()`.
    """

    engine = "reference"
    makes_agents_later = True  # the migrants, below

    def __init__(self, scenario: Scenario | str | Path | None = None, *, agents: int | None = None,
                 seed: int | None = None, check_invariants: bool = False, network: Network | None = None) -> None:
        super().__init__(scenario, agents=agents, seed=seed, check_invariants=check_invariants, network=network)
        net = self.net
        # One chunk: the migrants count into a single row of every counter.
        self.tally = T.new_tally(1, len(net.origin_nodes), net.n_nodes, N_STATES, net.n_edges, self.n_asylum,
                                 WAIT_BUCKETS)
        self.week_context: Week | None = None  # what the migrants read this week (`week.make_week`)
        origin_index = self.world.origin_index
        columns = {field: getattr(self.pop, field).tolist() for field in POP_DTYPES}
        rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
        # Kept in population-row order (the AgentSet is visited shuffled) to write `pop` back.
        self.migrant_rows: list[Migrant] = []
        for row in rows:
            self.migrant_rows.append(Migrant(self, **row, origin_index=int(origin_index[row["origin"]])))
        self.migrants = self.agents_by_type[Migrant]
        self.forget_agent_ids()

    def advance_population(self, t: int) -> T.Tally:
        """Every migrant one week, in random order; returns this week's counters."""
        self.week_context = make_week(t, self.world, self.p_arr[0], self.rng, self.tally)  # p_arr: the record the kernels read
        self.migrants.shuffle_do("step")
        return T.collect(self.tally)

    def apply_agent_rule(self, kernel, twin_rule, t: int) -> None:
        """A per-agent rule of a mechanism of its own: `twin_rule(migrant, week)` for every
        migrant, in random order (the engine runs the compiled `kernel` instead)."""
        week = make_week(t, self.world, self.p_arr[0], self.rng, self.tally)
        self.migrants.shuffle_do(twin_rule, week)

    def sync_population(self) -> None:
        """Copy the migrants' attributes into `self.pop` (row i is the i-th migrant created)."""
        for field in POP_DTYPES:
            getattr(self.pop, field)[:] = [getattr(m, field) for m in self.migrant_rows]

    def verify(self, tot: T.Tally) -> None:
        """The engine's invariants, checked on the migrants' current state."""
        self.sync_population()
        super().verify(tot)

"""SilkRoutesModel: the Mesa model that ties network, population, mechanisms and outcomes.

Locations are Mesa agents on a `mesa.discrete_space.Network` and hold the node aggregates
(persons present by state). The population lives in structs of arrays in two resolutions
(`population`: weighted cohorts at home, rows of `persons_per_mover` persons for everyone who
moves) and is advanced by the Numba kernels in `kernel.py`. One step is one week: the phases of `phases.WEEK`, in order
(`STEP_ORDER` is read from them).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import mesa
import numpy as np
from mesa.discrete_space import FixedAgent
from mesa.discrete_space import Network as NetworkSpace

from bp_sim import checks
from bp_sim import tally as T
from bp_sim.build import build_world
from bp_sim.errors import InputError
from bp_sim.invariants import check_week
from bp_sim.kernel import (
    advance_cohorts,
    advance_rows,
    advance_settled,
    groups_in_use,
    join_all,
    join_groups,
    spawn_movers,
    spawn_returners,
)
from bp_sim.network import Network, load_network
from bp_sim.outcomes import Recorder
from bp_sim.parameters import Scalars, make_scalars
from bp_sim.phases import STEP_ORDER, WEEK, Phase, step_order
from bp_sim.policy_build import policy_from_scenario
from bp_sim.population import Population, Rows, initial_population, settled_groups, settled_pair_slots
from bp_sim.rng import seed_key
from bp_sim.scenario import Scenario, check_shares_over_time, load_scenario
from bp_sim.states import N_STATES, State
from bp_sim.validate import MIN_AGENTS, agents_key, check_memory, expected_rows, population_size, resolutions
from bp_sim.world import WAIT_BUCKETS

__all__ = ["STEP_ORDER", "Location", "SilkRoutesModel"]

class Location(FixedAgent):
    """A place on the Silk Routes network: a Mesa agent holding its node's aggregates."""

    def __init__(self, model: SilkRoutesModel, node: int, cell) -> None:
        super().__init__(model)
        row = model.net.nodes.iloc[node]
        self.node = node
        self.node_id: str = row.node_id
        self.name: str = row["name"]
        self.kind: str = row.kind
        self.lat: float = float(row.lat)
        self.lon: float = float(row.lon)
        self.cell = cell

    @property
    def persons_by_state(self) -> np.ndarray:
        """Persons here by state at the end of the last week (zeros before the first)."""
        last = self.model.last
        if last is None:
            return np.zeros(N_STATES)
        return last.stock[:, self.node, :].sum(axis=0)

    @property
    def persons(self) -> float:
        """Living persons at this place (the dead and missing excluded)."""
        return float(self.persons_by_state.sum() - self.persons_by_state[State.DEAD_MISSING])


class SilkRoutesModel(mesa.Model):
    """Migration along the Silk Routes, one week per step.

    Args:
        scenario: a Scenario, a path to a scenario TOML, a bundled name, or None (baseline).
        agents: cohorts at home (overrides the scenario): the stay-at-home resolution.
        persons_per_mover: persons in each row of people who move (overrides the scenario; 1: every
            mover is one person).
        persons_per_agent_abroad: persons in each row of the people abroad at the start
            (overrides the scenario; default persons_per_mover).
        seed: random seed (overrides the scenario). The same seed gives identical outputs.
        check_invariants: verify after every step that no agent was lost or created and that
            every agent's state is consistent (used in tests; costs a pass over the arrays).
        network: a loaded Network (default: the shipped data).
    """

    engine: str = "numba"  # written to run_info.json; the reference twin says "reference"

    makes_agents_later = False  # a subclass that adds agents after this __init__ calls forget_agent_ids itself

    week_phases: tuple[Phase, ...] = WEEK  # the week, in order (a subclass may add a phase: `phases.inserted`)

    def __init__(self, scenario: Scenario | str | Path | None = None, *, agents: int | None = None,
                 seed: int | None = None, check_invariants: bool = False,
                 network: Network | None = None, persons_per_mover: int | None = None,
                 persons_per_agent_abroad: float | None = None) -> None:
        net = network if network is not None else load_network()
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario, net)
        seed = scenario.seed if seed is None else seed
        seed = checks.whole("seed", seed, 0, None, "a whole number")
        super().__init__(rng=seed)
        self.scenario = scenario
        self.net = net
        self.seed = int(seed)
        self.seed_key = seed_key(self.seed)
        self.check_invariants = check_invariants
        self.p_base: Scalars = make_scalars(scenario.parameters)
        check_shares_over_time(scenario)  # a scenario made in code skips the checks of reading a file
        self.p = self.p_base
        self.p_arr = None  # the parameter record in force (a one-element array), set by the policy phase
        self.params_in_force: dict[str, float] | None = None
        self.in_force: dict | None = None  # the settings in force this week, by scope (Policy.current)
        self.world, self.base = build_world(net, self.p_base)
        self.policy = policy_from_scenario(scenario, net, self.p_base, self.base)

        self.persons_per_mover, self.persons_per_agent_abroad = resolutions(
            scenario, persons_per_mover, persons_per_agent_abroad)
        n_cohorts = self._population_size(agents)
        self.cohorts, abroad = initial_population(net, self.world, self.p_base, n_cohorts,
                                                  self.persons_per_agent_abroad, self.seed_key)
        self.rows = Rows(abroad)
        self.n_cohorts = n_cohorts  # home cohorts; the rejoin cohorts follow them in `cohorts`
        self.n_agents = n_cohorts  # the `agents` asked for: cohorts at home
        self.persons_total = int(self.cohorts.rows.weight.sum() + abroad.weight.sum())
        home = int(self.cohorts.rows.weight.sum())
        self.persons_per_agent = home / n_cohorts  # persons per cohort at the start (the stay-at-home weight)
        self.cohort_bounds = T.chunk_bounds(len(self.cohorts.aspiring))
        self.settled = settled_groups(settled_pair_slots(self.world), net.origin_nodes, self.world.income_week)
        self.settled_bounds = T.chunk_bounds(len(self.settled.employed))
        self.chunk_returners = np.zeros(T.MAX_CHUNKS, np.int64)
        self.chunk_joiners = np.zeros(T.MAX_CHUNKS, np.int64)
        self.joiners = np.zeros(0, np.int64)  # the rows that may join a group this week (`advance_rows`)
        st = self.settled  # the 2020 permit holders start in their settled groups
        self.rows.use(join_all(self.rows.full, self.rows.n, self.cohorts.rows, self.cohorts.aspiring, n_cohorts,
                               st.rows, st.employed, st.pair_slot, self.world.origin_index))
        self._row_bounds = (-1, None)  # (rows, their chunk bounds), remade when the rows grow
        self.chunk_leavers = np.zeros(T.MAX_CHUNKS, np.int64)
        n_o = len(net.origin_nodes)
        self.n_asylum = int((self.world.asylum_index >= 0).sum())
        self.tally = T.new_tally(T.MAX_CHUNKS, n_o, net.n_nodes, N_STATES, net.n_edges, self.n_asylum, WAIT_BUCKETS)
        self.dead_total = np.zeros((n_o, net.n_nodes), np.int64)  # persons dead or missing so far
        self.row_steps = 0  # rows stepped so far (cohorts and rows, week by week)
        self.recorder = Recorder.allocate(scenario.weeks, n_o, net.n_nodes, N_STATES, net.n_edges)

        self.last: T.Tally | None = None  # last week's summed tallies (None before the first week)
        self.this_week: T.Tally | None = None  # this week's, once the population phase has run
        self._totals = (T.new_totals(self.tally), T.new_totals(self.tally))  # this week's and last week's
        # Mechanism state kept between weeks (aggregates only, never per agent), owned by each
        # mechanism's adapter (`phases.Phase.state`).
        self.states = {ph.name: ph.state(self) for ph in self.week_phases if ph.state is not None}
        self.phase_seconds: dict[str, float] | None = None  # per phase, when profiling (`profile_phases`)
        self.week = 0
        self.dead_count = 0

        self.space = NetworkSpace(net.graph, random=self.random)
        for node, node_id in enumerate(net.nodes.node_id):
            Location(self, node, self.space._cells[node_id])
        self.locations = self.agents_by_type[Location]
        if not self.makes_agents_later:
            self.forget_agent_ids()

    @property
    def pop(self) -> Population:
        """The rows in use: movers, people abroad and returnees (the cohorts are `cohorts.rows`)."""
        return self.rows.pop

    @property
    def rows_in_use(self) -> int:
        """Rows of the population now: the home cohorts, the rejoin cohorts and settled groups
        that hold someone, and the individual rows."""
        c, n = self.cohorts, self.n_cohorts
        groups = groups_in_use(c.rows.weight, c.aspiring, n) + groups_in_use(self.settled.rows.weight, None, 0)
        return n + groups + self.rows.n

    def forget_agent_ids(self) -> None:
        """Drop Mesa's agent-id counter of this model, once it makes no more agents.

        Mesa 3.3.1 counts agent ids in a class-level dict keyed by the model, which keeps every
        model that ever made an agent alive for the whole process (mesa/mesa#3179, fixed after
        3.3.1, which needs a newer Python): ~15 MB a run at 200,000 agents, in the dashboard's
        server and in every sweep or comparison worker that runs model after model.
        """
        mesa.Agent._ids.pop(self, None)

    # ------------------------------------------------------------------ set-up helpers
    def _population_size(self, agents: int | None) -> int:
        if agents is not None:
            agents = checks.whole("agents", agents, MIN_AGENTS, None, "a whole number of cohorts")
        n = population_size(self.scenario, agents, self.net, self.p_base)
        rows = expected_rows(self.scenario, n, self.net, self.p_base, self.persons_per_mover,
                             self.persons_per_agent_abroad)
        check_memory(self.scenario, n, self.net, agents_key(self.scenario, agents, "agents"), engine=self.engine,
                     rows=rows)
        return n

    def set_scenario(self, scenario: Scenario) -> None:
        """Put the levers, events and place settings of `scenario` in force from this week on.

        For live controls (the dashboard): weeks already run keep their results. What was fixed
        when the model was built cannot change mid-run: the scalar parameters the world and the
        population were made with, and the calendar.
        """
        if scenario.parameters != self.scenario.parameters:
            raise InputError("scenario.parameters", scenario.parameters,
                             "the running model's parameters (start a new model to change them)")
        if scenario.start_date != self.scenario.start_date:
            raise InputError("scenario.start_date", scenario.start_date,
                             f"{self.scenario.start_date}, the running model's start")
        check_shares_over_time(scenario)
        self.policy = policy_from_scenario(scenario, self.net, self.p_base, self.base)
        self.scenario = scenario

    @property
    def date(self) -> dt.date:
        """First day of the current week."""
        return self.scenario.start_date + dt.timedelta(weeks=self.week)

    # ------------------------------------------------------------------ the week
    @property
    def step_order(self) -> tuple[str, ...]:
        """This model's week, phase by phase ('name: what it does')."""
        return step_order(self.week_phases)

    def step(self) -> None:
        """Advance one week: every phase of `week_phases`, in order (timed when profiling)."""
        t = self.week
        timer = self.phase_seconds
        for phase in self.week_phases:
            if timer is None:
                phase.run(self, t)
            else:
                start = time.perf_counter()
                phase.run(self, t)
                timer[phase.name] = timer.get(phase.name, 0.0) + time.perf_counter() - start
        self.week += 1

    def profile_phases(self) -> None:
        """From now on, add up the wall time each phase takes (`phase_seconds`)."""
        self.phase_seconds = {ph.name: 0.0 for ph in self.week_phases}

    def row_bounds(self) -> np.ndarray:
        """Chunk bounds of the rows in use (a function of their number alone)."""
        n, bounds = self._row_bounds
        if n != self.rows.n:
            bounds = T.chunk_bounds(self.rows.n)
            self._row_bounds = (self.rows.n, bounds)
        return bounds

    def advance_population(self, t: int) -> T.Tally:
        """Everyone one week (the Numba kernels); returns this week's counters summed.

        The rows first, then the cohorts, then the settled groups abroad; then the movers who left
        the cohorts and the returners who left the settled groups become rows (from next week
        on), the arrays grown first if they must, and the rows staying at home or settled with a
        permit join their groups (`kernel.join_groups`). The reference twin
        (`bp_sim.reference`) overrides this with one Mesa agent per row and per cohort.
        """
        totals = self._totals[t % 2]  # the other one is `last`, which this week reads
        bounds = self.row_bounds()
        self.row_steps += self.rows_in_use
        w, cohorts, ppm = self.world, self.cohorts, self.persons_per_mover
        if len(self.joiners) < self.rows.n:
            self.joiners = np.zeros(self.rows.capacity, np.int64)
        advance_rows(self.pop, w, self.p_arr, self.seed_key, t, bounds, self.tally, self.joiners, self.chunk_joiners)
        advance_cohorts(cohorts.rows, cohorts.aspiring, cohorts.plan, w, self.p_arr, self.seed_key, t,
                        self.cohort_bounds, self.tally, ppm, self.chunk_leavers)
        st = self.settled
        advance_settled(st.rows, st.employed, st.plan, w, self.p_arr, self.seed_key, t, self.settled_bounds,
                        self.tally, ppm, self.chunk_returners)
        new = int(self.chunk_leavers.sum())
        back = int(self.chunk_returners.sum())
        self.rows.reserve(new + back)
        if new:
            spawn_movers(cohorts.rows, cohorts.plan, self.rows.full, self.rows.n, w, self.p_arr, self.seed_key, t,
                         self.cohort_bounds, self.chunk_leavers, ppm)
            self.rows.use(self.rows.n + new)
        if back:
            spawn_returners(st.rows, st.plan, self.rows.full, self.rows.n, t, self.settled_bounds,
                            self.chunk_returners, ppm)
            self.rows.use(self.rows.n + back)
        self.rows.use(join_groups(self.rows.full, self.rows.n, self.joiners, bounds, self.chunk_joiners, cohorts.rows,
                                  cohorts.aspiring, self.n_cohorts, st.rows, st.employed, st.pair_slot,
                                  w.origin_index))
        chunks = max(len(bounds), len(self.cohort_bounds), len(self.settled_bounds)) - 1
        T.sum_chunks_into(self.tally, totals, chunks)
        self.add_dead(totals)
        return totals

    def add_dead(self, totals: T.Tally) -> None:
        """This week's dead and missing added to those before: their stock by origin and place."""
        self.dead_total += totals.dead
        totals.stock[:, :, State.DEAD_MISSING] += self.dead_total

    def apply_agent_rule(self, kernel, twin_rule, t: int) -> None:
        """A per-agent rule of a mechanism of its own, for a phase to call: the compiled
        `kernel(pop, world, p_arr, seed_key, t)` over every agent (the reference twin runs
        `twin_rule(migrant, week)` on each of its migrants instead)."""
        kernel(self.pop, self.world, self.p_arr, self.seed_key, t)

    # ------------------------------------------------------------------ checks and outputs
    def verify(self, tot: T.Tally) -> None:
        """The invariants of `invariants.check_week` after this week (raises InvariantError)."""
        self.dead_count = check_week(self.pop, self.cohorts, self.settled, self.persons_total, self.net.n_nodes, self.dead_count,
                                     tot, self.week)

    def run(self, weeks: int | None = None, progress=None) -> None:
        """Run the scenario's horizon (or `weeks`), calling progress(week, total) if given."""
        total = self.scenario.weeks if weeks is None else weeks
        for k in range(total):
            self.step()
            if progress is not None:
                progress(k + 1, total)

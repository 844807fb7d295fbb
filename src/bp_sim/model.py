"""SilkRoutesModel: the Mesa model that ties network, population, mechanisms and outcomes.

Locations are Mesa agents on a `mesa.discrete_space.Network` and hold the node aggregates
(persons present by state). The migrant population lives in struct-of-arrays and is advanced
by the Numba kernel in `kernel.py`. One step is one week; `STEP_ORDER` is the week, in order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import mesa
import numpy as np
from mesa.discrete_space import FixedAgent
from mesa.discrete_space import Network as NetworkSpace

from bp_sim import tally as T
from bp_sim.build import build_world
from bp_sim.errors import InputError
from bp_sim.kernel import advance_population
from bp_sim.mechanisms.attitudes import host_migrant_stock, update_attitudes
from bp_sim.mechanisms.origin import update_origins, update_place_aspiration
from bp_sim.mechanisms.quotas import update_quota_chances
from bp_sim.mechanisms.routing import build_route_tables, new_route_memory, route_inputs_changed
from bp_sim.mechanisms.smuggling import update_market
from bp_sim.network import Network, load_network
from bp_sim.outcomes import Recorder, weekly_outcomes
from bp_sim.parameters import Scalars, make_scalars, params_array
from bp_sim.policy_build import policy_from_scenario
from bp_sim.population import initial_population
from bp_sim.rng import seed_key
from bp_sim.scenario import Scenario, check_shares_over_time, load_scenario
from bp_sim.settings import write_into_world
from bp_sim.states import N_STATES, State
from bp_sim.validate import agents_key, check_memory, population_size
from bp_sim.world import WAIT_BUCKETS

STEP_ORDER = (
    "policy: levers and dated events in force this week (policy.Policy.current)",
    "origin conditions: income growth, climate shocks, conflict (mechanisms.origin)",
    "smuggling market: fees, interception, death risk, departures (mechanisms.smuggling)",
    "routes: next-leg tables by information level (mechanisms.routing)",
    "queues and quotas: regular slots, asylum decisions, resettlement (model._update_queues_and_quotas)",
    "remittances arriving at origins are shared out (model._update_queues_and_quotas)",
    "population kernel: every agent one week (kernel.advance_population)",
    "attitudes and discrimination at destinations (mechanisms.attitudes)",
    "outcomes recorded; this week's tallies kept as last, which location agents read (outcomes.Recorder)",
)


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
        return last.stock[:, self.node, :].sum(axis=0) * self.model.persons_per_agent

    @property
    def persons(self) -> float:
        """Living persons at this place (the dead and missing excluded)."""
        return float(self.persons_by_state.sum() - self.persons_by_state[State.DEAD_MISSING])


class SilkRoutesModel(mesa.Model):
    """Migration along the Silk Routes, one week per step.

    Args:
        scenario: a Scenario, a path to a scenario TOML, a bundled name, or None (baseline).
        agents: population size in agents (overrides the scenario).
        seed: random seed (overrides the scenario). The same seed gives identical outputs.
        check_invariants: verify after every step that no agent was lost or created and that
            every agent's state is consistent (used in tests; costs a pass over the arrays).
        network: a loaded Network (default: the shipped data).
    """

    engine: str = "numba"  # written to run_info.json; the reference twin says "reference"

    makes_agents_later = False  # a subclass that adds agents after this __init__ calls forget_agent_ids itself

    def __init__(self, scenario: Scenario | str | Path | None = None, *, agents: int | None = None,
                 seed: int | None = None, check_invariants: bool = False,
                 network: Network | None = None) -> None:
        net = network if network is not None else load_network()
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario, net)
        seed = scenario.seed if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise InputError("seed", seed, "a non-negative integer")
        super().__init__(rng=int(seed))
        self.scenario = scenario
        self.net = net
        self.seed = int(seed)
        self.seed_key = seed_key(self.seed)
        self.check_invariants = check_invariants
        self.p_base: Scalars = make_scalars(scenario.parameters)
        check_shares_over_time(scenario)  # a scenario made in code skips the checks of reading a file
        self.p = self.p_base
        self._params_in_force: dict[str, float] | None = None
        self.world, self.base = build_world(net, self.p_base)
        self.policy = policy_from_scenario(scenario, net, self.p_base, self.base)

        n_agents = self._population_size(agents)
        self.pop, self.persons_per_agent = initial_population(net, self.world, self.p_base, n_agents,
                                                              self.seed_key)
        self.n_agents = n_agents
        self.bounds = T.chunk_bounds(n_agents)
        n_o = len(net.origin_nodes)
        self.n_asylum = int((self.world.asylum_index >= 0).sum())
        self.tally = T.new_tally(len(self.bounds) - 1, n_o, net.n_nodes, N_STATES, net.n_edges,
                                 self.n_asylum, WAIT_BUCKETS)
        self.recorder = Recorder.allocate(scenario.weeks, n_o, net.n_nodes, N_STATES, net.n_edges)

        # Mechanism state kept between weeks (aggregates only, never per agent).
        self.shock_left = np.zeros(net.n_nodes, np.int64)
        self.attitude = np.full(net.n_nodes, self.p_base.attitude_baseline)
        self.last: T.Tally | None = None
        self._no_tally = T.new_totals(self.tally)  # what `last` would be before week 0
        self._totals = (T.new_totals(self.tally), T.new_totals(self.tally))  # this week's and last week's
        self._route_memory = new_route_memory(net.n_edges)
        self._settings_applied: dict | None = None  # the policy settings last written into the World
        self.week = 0
        self.dead_count = int((self.pop.state == State.DEAD_MISSING).sum())

        self.space = NetworkSpace(net.graph, random=self.random)
        for node, node_id in enumerate(net.nodes.node_id):
            Location(self, node, self.space._cells[node_id])
        self.locations = self.agents_by_type[Location]
        if not self.makes_agents_later:
            self.forget_agent_ids()

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
        if agents is not None and (isinstance(agents, bool) or not isinstance(agents, int | np.integer) or agents < 100):
            raise InputError("agents", agents, "an integer of at least 100")
        n = population_size(self.scenario, None if agents is None else int(agents), self.net, self.p_base)
        check_memory(self.scenario, n, self.net, agents_key(self.scenario, agents, "agents"), engine=self.engine)
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
    def step(self) -> None:
        """Advance one week (see STEP_ORDER)."""
        t = self.week
        w, net = self.world, self.net
        arrays, params = self.policy.current(t)
        if params is not self._params_in_force and params != self._params_in_force:
            self._params_in_force = params
            self.p_arr = params_array(params)  # what the compiled code reads
            self.p = self.p_arr[0]
            self._route_scalars = np.array([self.p.value_of_time_usd_week, self.p.risk_cost_usd,
                                            self.p.death_aversion, self.p.risk_perception_floor])
        p = self.p_arr  # the compiled weekly code reads the parameter record in it, as the kernels do
        node, edge, corridor = arrays["node"], arrays["edge"], arrays["corridor"]
        if arrays is not self._settings_applied:  # the same settings as last week are already in the World
            write_into_world(w, arrays)
            self._settings_applied = arrays
        update_origins(w.is_origin, w.climate_exposure, w.conflict, self.base["income_week"], self.base["conflict"],
                       p, node["climate_resilience"], node["livelihood_boost"], node["climate_shock"], self.seed_key,
                       t, self.shock_left, w.shock_severity, w.income_week)
        update_place_aspiration(w.origin_index, w.income_week, w.conflict, w.shock_severity, w.diaspora_ratio,
                                self.p_arr, w.aspiration)

        ppa = self.persons_per_agent
        demand = self.last.demand * ppa if self.last is not None else np.zeros(net.n_edges)
        update_market(p, self.base["fee"], self.base["enforcement"], self.base["death"], edge["enforcement"],
                      edge["capacity_mult"], edge["rescue"], w.edge_smuggled, demand, w.edge_cost,
                      w.edge_intercept, w.edge_death, w.edge_depart)
        self._update_route_tables()
        self._update_queues_and_quotas(p, node, corridor)

        tot = self._advance_population(t)

        update_attitudes(p, self.attitude, node["narrative_campaign"], node["anti_discrimination"],
                         tot.arrivals * ppa, host_migrant_stock(tot.stock, w.origin_node, ppa), w.discrimination)
        self.recorder.record(t, weekly_outcomes(tot, ppa, w.edge_frontex), tot, w.edge_cost)
        self.last = tot
        if self.check_invariants:
            self.verify(tot)
        self.week += 1

    def _advance_population(self, t: int) -> T.Tally:
        """Every migrant one week (the Numba kernel); returns this week's counters summed.

        The reference twin (`bp_sim.reference`) overrides this with one Mesa agent per migrant.
        """
        totals = self._totals[t % 2]  # the other one is `last`, which this week reads
        advance_population(self.pop, self.world, self.p_arr, self.seed_key, t, self.bounds, self.tally, totals)
        return totals

    def _update_route_tables(self) -> None:
        """Next-leg tables, rebuilt only in weeks when a fee, risk, open leg or parameter changed."""
        w, scalars = self.world, self._route_scalars
        if route_inputs_changed(self._route_memory, w.edge_cost, w.edge_weeks, w.edge_death, w.edge_intercept,
                                w.edge_open, scalars):
            build_route_tables(w.edge_src, w.edge_dst, w.edge_cost, w.edge_weeks, w.edge_death, w.edge_intercept,
                               w.edge_border, w.edge_open, w.dest_nodes, self.net.n_nodes, *scalars,
                               w.next_edge, w.money_to_go)

    def _update_queues_and_quotas(self, p, node, corridor) -> None:
        """Regular slot chances, asylum decision chances, resettlement, remittance shares."""
        w, last = self.world, self.last
        first_week = last is None
        last = self._no_tally if first_week else last
        update_quota_chances(p, self.persons_per_agent, self.base["regular_slots"], corridor["regular_slots_mult"],
                             node["asylum_capacity_mult"], w.asylum_index, first_week, last.applicants,
                             last.pending, last.remit_in, last.remit_receivers, last.refugees,
                             w.regular_cdf, w.slot_prob, w.decide_prob, w.remit_per_agent_week, w.resettle_prob)

    # ------------------------------------------------------------------ checks and outputs
    def verify(self, tot: T.Tally) -> None:
        """Invariants: no agent lost or created, valid codes, the dead stay dead, origins at home."""
        pop = self.pop
        counted = int(tot.stock.sum())
        if counted != self.n_agents:
            raise AssertionError(f"week {self.week}: {counted} agents counted, {self.n_agents} exist")
        if pop.state.min() < 0 or pop.state.max() >= N_STATES:
            raise AssertionError(f"week {self.week}: state code out of range")
        n = self.net.n_nodes
        if pop.location.min() < 0 or pop.location.max() >= n:
            raise AssertionError(f"week {self.week}: location out of range")
        dead = int((pop.state == State.DEAD_MISSING).sum())
        new_dead = int(tot.ints[T.I_DEATHS])
        if dead != self.dead_count + new_dead:
            raise AssertionError(f"week {self.week}: dead went from {self.dead_count} to {dead}, "
                                 f"{new_dead} deaths recorded")
        self.dead_count = dead
        home = (pop.state == State.STAYING) | (pop.state == State.ASPIRING) | (pop.state == State.PREPARING) \
            | (pop.state == State.RETURNED) | (pop.state == State.REINTEGRATED)
        if np.any(pop.location[home] != pop.origin[home]):
            raise AssertionError(f"week {self.week}: an agent at home is away from its origin")
        if np.any(pop.savings < -1e-3) or np.any(pop.debt < -1e-3):
            raise AssertionError(f"week {self.week}: negative savings or debt")

    def run(self, weeks: int | None = None, progress=None) -> None:
        """Run the scenario's horizon (or `weeks`), calling progress(week, total) if given."""
        total = self.scenario.weeks if weeks is None else weeks
        for k in range(total):
            self.step()
            if progress is not None:
                progress(k + 1, total)

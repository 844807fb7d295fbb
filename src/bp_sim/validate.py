"""Everything about a run that can be checked before it starts, checked before it starts.

A scenario file is validated when it is read; what needs the network and the parameters put
together (lever places turned into indices, events' targets, shares that must not pass one
whole, the memory the population needs) is checked here, by building the run's policy without
its population. `run`, `compare` and `sweep` call this before simulating or writing anything,
so an input error never surfaces after a long simulation, in a worker process, or after an
output folder was made.
"""

from __future__ import annotations

from bp_sim import tally as T
from bp_sim.build import build_world
from bp_sim.memory import check_fits, recorded_bytes_per_week
from bp_sim.network import Network
from bp_sim.parameters import make_scalars
from bp_sim.policy_build import policy_from_scenario
from bp_sim.population import total_persons
from bp_sim.scenario import Scenario, check_shares_over_time
from bp_sim.states import N_STATES

DEFAULT_AGENTS = 200_000
MIN_AGENTS = 100


def population_size(sc: Scenario, agents: int | None, net: Network, p) -> int:
    """Agents to run: the argument, else the scenario's `agents`, else its persons per agent, else the default."""
    if agents is not None:
        return int(agents)
    if sc.agents is not None:
        return sc.agents
    if sc.persons_per_agent is not None:
        return max(MIN_AGENTS, round(total_persons(net, p) / sc.persons_per_agent))
    return DEFAULT_AGENTS


def agents_key(sc: Scenario, agents: int | None, option: str = "--agents") -> str:
    """The key a user set the population size with (named when it is too large)."""
    if agents is not None:
        return option
    if sc.agents is not None:
        return "population.agents"
    return "population.persons_per_agent" if sc.persons_per_agent is not None else "agents (the default)"


def check_memory(sc: Scenario, n_agents: int, net: Network, key: str, processes: int = 1,
                 engine: str = "numba") -> None:
    """Refuse `processes` runs of `n_agents` at once that this machine's memory cannot hold."""
    per_week = recorded_bytes_per_week(len(net.origin_nodes), net.n_nodes, N_STATES, net.n_edges, T.N_EDGE)
    check_fits(key, n_agents, sc.weeks, per_week, processes, engine=engine)


def check_runnable(sc: Scenario, net: Network, agents: int | None = None, *, option: str = "--agents",
                   processes: int = 1, engine: str = "numba") -> int:
    """Raise the InputError a model build would raise, without building the population; return
    the number of agents the run will have."""
    p = make_scalars(sc.parameters)
    check_shares_over_time(sc)  # a scenario made in code, or changed after it was read (a sweep's point)
    _, base = build_world(net, p)
    policy_from_scenario(sc, net, p, base)
    n_agents = population_size(sc, agents, net, p)
    check_memory(sc, n_agents, net, agents_key(sc, agents, option), processes, engine)
    return n_agents

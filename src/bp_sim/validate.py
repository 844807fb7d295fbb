"""Everything about a run that can be checked before it starts, checked before it starts.

A scenario file is validated when it is read; what needs the network and the parameters put
together (lever places turned into indices, events' targets, shares that must not pass one
whole, the memory the population needs) is checked here, by building the run's policy without
its population. `run`, `compare` and `sweep` call this before simulating or writing anything,
so an input error never surfaces after a long simulation, in a worker process, or after an
output folder was made.
"""

from __future__ import annotations

from bp_sim import checks
from bp_sim import tally as T
from bp_sim.build import build_world
from bp_sim.memory import check_fits, recorded_bytes_per_week
from bp_sim.network import Network
from bp_sim.parameters import make_scalars
from bp_sim.policy_build import policy_from_scenario
from bp_sim.population import REJOIN_PER_ORIGIN, home_persons, total_persons
from bp_sim.scenario import Scenario, check_shares_over_time
from bp_sim.states import N_STATES

# The defaults below keep the README's main job about as fast as before people moved at their own resolution and
# keep every rare-outcome CV under 15% (benchmarks/README.md, "Coarser default resolutions, measured").
DEFAULT_AGENTS = 5_000  # cohorts at home: about 127,000 persons each
MIN_AGENTS = 100
DEFAULT_PERSONS_PER_MOVER = 150  # persons per row of movers
DEFAULT_PERSONS_PER_AGENT_ABROAD = 300.0  # persons per row of the people abroad at the start (the 2020 stocks)
MAX_PERSONS_PER_MOVER = 1_000_000
# Rows of movers a run makes, per person of the population and year, at one person per mover:
# the baseline 2020-2024 made 0.0098 (benchmarks/README.md, "Two resolutions"); rounded up.
MOVER_ROWS_PER_PERSON_YEAR = 0.012


def population_size(sc: Scenario, agents: int | None, net: Network, p) -> int:
    """Cohorts to run: the argument, else the scenario's `agents`, else its persons per agent
    (persons at home / cohorts), else the default."""
    if agents is not None:
        return int(agents)
    if sc.agents is not None:
        return sc.agents
    if sc.persons_per_agent is not None:
        return max(MIN_AGENTS, round(home_persons(net, p) / sc.persons_per_agent))
    return DEFAULT_AGENTS


def resolutions(sc: Scenario, persons_per_mover: int | None = None,
                persons_per_agent_abroad: float | None = None) -> tuple[int, float]:
    """Persons per row of movers and per row abroad at the start: the arguments, else the
    scenario's `[population]`, else the defaults."""
    ppm = persons_per_mover if persons_per_mover is not None else sc.persons_per_mover
    ppm = DEFAULT_PERSONS_PER_MOVER if ppm is None else ppm
    ppm = checks.whole("persons_per_mover", ppm, 1, MAX_PERSONS_PER_MOVER, "a whole number of persons")
    abroad = persons_per_agent_abroad if persons_per_agent_abroad is not None else sc.persons_per_agent_abroad
    abroad = DEFAULT_PERSONS_PER_AGENT_ABROAD if abroad is None else checks.number("persons_per_agent_abroad", abroad, 1, 1e8)
    return int(ppm), float(abroad)


def set_resolutions(sc: Scenario, persons_per_mover: int | None, persons_per_agent_abroad: float | None,
                    prefix: str = "--") -> None:
    """The command line's (or a sweep file's) resolutions put into the scenario (checked), so every
    run of it uses them; `prefix` names where they came from in an error ("--" options, "run." keys)."""
    def name(key: str) -> str:
        return "--" + key.replace("_", "-") if prefix == "--" else prefix + key

    if persons_per_mover is not None:
        sc.persons_per_mover = checks.whole(name("persons_per_mover"), persons_per_mover, 1, MAX_PERSONS_PER_MOVER,
                                            "a whole number of persons")
    if persons_per_agent_abroad is not None:
        sc.persons_per_agent_abroad = checks.number(name("persons_per_agent_abroad"), persons_per_agent_abroad, 1, 1e8)


def expected_rows(sc: Scenario, n_cohorts: int, net: Network, p, persons_per_mover: int,
                  persons_per_agent_abroad: float) -> int:
    """Rows a run will hold at its end, roughly: the cohorts (home and rejoin), settled groups, the rows abroad and
    the movers made (`MOVER_ROWS_PER_PERSON_YEAR`), for the memory check."""
    total = total_persons(net, p)
    abroad = total - home_persons(net, p)
    movers = MOVER_ROWS_PER_PERSON_YEAR * total * sc.years / persons_per_mover
    groups = REJOIN_PER_ORIGIN * len(net.origin_nodes) * (1 + len(net.destination_nodes))  # rejoin, settled
    return int(n_cohorts + groups + abroad / persons_per_agent_abroad + movers)


def agents_key(sc: Scenario, agents: int | None, option: str = "--agents") -> str:
    """The key a user set the population size with (named when it is too large)."""
    if agents is not None:
        return option
    if sc.agents is not None:
        return "population.agents"
    return "population.persons_per_agent" if sc.persons_per_agent is not None else "agents (the default)"


def check_memory(sc: Scenario, n_agents: int, net: Network, key: str, processes: int = 1,
                 engine: str = "numba", rows: int | None = None) -> None:
    """Refuse `processes` runs of `n_agents` cohorts (and `rows` rows in all at the end, if
    known) at once that this machine's memory cannot hold."""
    per_week = recorded_bytes_per_week(len(net.origin_nodes), net.n_nodes, N_STATES, net.n_edges, T.N_EDGE)
    check_fits(key, n_agents, sc.weeks, per_week, processes, engine=engine, rows=rows)


def check_runnable(sc: Scenario, net: Network, agents: int | None = None, *, option: str = "--agents",
                   processes: int = 1, engine: str = "numba") -> int:
    """Raise the InputError a model build would raise, without building the population; return
    the number of agents the run will have."""
    p = make_scalars(sc.parameters)
    check_shares_over_time(sc)  # a scenario made in code, or changed after it was read (a sweep's point)
    _, base = build_world(net, p)
    policy_from_scenario(sc, net, p, base)
    n_agents = population_size(sc, agents, net, p)
    ppm, abroad = resolutions(sc)
    check_memory(sc, n_agents, net, agents_key(sc, agents, option), processes, engine,
                 expected_rows(sc, n_agents, net, p, ppm, abroad))
    return n_agents

"""The migrant population as a struct of arrays, and its initial state from the data.

One agent stands for `persons_per_agent` persons. Every agent lives in the same set of flat
NumPy arrays (about 30 bytes an agent); there are no per-agent Python objects. The initial
state places agents at their origins in proportion to population, and abroad in proportion to
the UN DESA 2020 bilateral stocks (refugees in first-asylum countries split between registered
and undocumented).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from bp_sim.mechanisms.common import income_factor, level_byte, skill_of
from bp_sim.rng import normal, uniform
from bp_sim.states import (
    D_HOUSEHOLD,
    D_INIT_AWARENESS,
    D_INIT_EMPLOYED,
    D_INIT_SAVINGS,
    D_INIT_SKILL,
    D_INIT_STATUS,
    FLAG_EMPLOYED,
    FLAG_REMIT_HOUSEHOLD,
    Legal,
    State,
)
from bp_sim.tally import chunk_bounds

POP_DTYPES = {
    "state": np.int8,
    "legal": np.int8,
    "channel": np.int8,
    "flags": np.uint8,
    "origin": np.int16,  # node id of the origin
    "location": np.int16,  # node id where the agent is (start node while on a leg)
    "destination": np.int16,  # node id the agent is heading for, -1 none
    "edge": np.int16,  # edge being travelled, -1 at a node
    "leg_left": np.int16,  # weeks left on the current leg
    "time_in_state": np.int16,  # weeks since the last change of state
    "skill": np.uint8,  # 0..255 -> 0..1
    "awareness": np.uint8,  # 0..255 -> 0..1, information on risks and routes
    "savings": np.float32,  # USD
    "income": np.float32,  # USD earned this week
    "debt": np.float32,  # USD owed (to smugglers, recruiters)
}

Population = namedtuple("Population", tuple(POP_DTYPES))


def bytes_per_agent() -> int:
    """State bytes an agent needs."""
    return int(sum(np.dtype(t).itemsize for t in POP_DTYPES.values()))


def allocate(n: int) -> Population:
    """Arrays for n agents, zeroed (destination and edge at -1)."""
    arrays = {k: np.zeros(n, dtype=t) for k, t in POP_DTYPES.items()}
    arrays["destination"][:] = -1
    arrays["edge"][:] = -1
    return Population(**arrays)


@dataclass(frozen=True)
class Group:
    """A block of persons who start alike: origin, location, state and legal status."""

    origin: int
    location: int
    state: int
    legal: int
    persons: float


def apportion(persons: np.ndarray, n_agents: int) -> np.ndarray:
    """Agents per group in proportion to persons, summing exactly to n_agents (largest remainder)."""
    quota = persons / persons.sum() * n_agents
    counts = np.floor(quota).astype(np.int64)
    short = n_agents - counts.sum()
    if short > 0:
        order = np.argsort(-(quota - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def initial_groups(net, p) -> list[Group]:
    """Who is where at the start: people at home, and the diaspora by corridor and status."""
    groups: list[Group] = []
    nodes = net.nodes
    for o in net.origin_nodes:
        groups.append(Group(o, o, State.STAYING, Legal.NATIONAL, float(nodes.population.iloc[o])))
    for row in net.corridors.itertuples(index=False):
        o, d, stock = net.node_id[row.origin], net.node_id[row.destination], float(row.stock_2020)
        if not stock > 0 or o == d:
            continue
        refugee_like = nodes.conflict_intensity.iloc[o] >= p.init_refugee_conflict_threshold
        if refugee_like and nodes.is_first_asylum.iloc[d]:
            reg = p.init_registered_share_first_asylum
            groups.append(Group(o, d, State.PROTECTED, Legal.REFUGEE, stock * reg))
            groups.append(Group(o, d, State.IRREGULAR_RESIDENT, Legal.IRREGULAR, stock * (1 - reg)))
        elif refugee_like and nodes.asylum_system.iloc[d]:
            pend = p.init_pending_share
            prot = p.init_protected_share
            groups.append(Group(o, d, State.ASYLUM_PENDING, Legal.ASYLUM_SEEKER, stock * pend))
            groups.append(Group(o, d, State.PROTECTED, Legal.REFUGEE, stock * prot))
            groups.append(Group(o, d, State.REGULAR_RESIDENT, Legal.VISA, stock * (1 - pend - prot)))
        else:
            groups.append(Group(o, d, State.REGULAR_RESIDENT, Legal.VISA, stock))
    return groups


def total_persons(net, p) -> float:
    return float(sum(g.persons for g in initial_groups(net, p)))


@njit(cache=True)
def _draw_range(pop, start, stop, seed, income_week, skill_sd, savings_weeks, savings_log_sd, awareness_mean,
                awareness_sd, employed_share, pending_spread_weeks, origin_index, remit_households):
    """Initial skill, awareness, savings, employment, waiting time and household of agents start..stop-1."""
    for i in range(start, stop):
        # A fixed draw per person: their household has a migrant sending money home, or not.
        if uniform(seed, i, 0, D_HOUSEHOLD) < remit_households[origin_index[pop.origin[i]]]:
            pop.flags[i] |= FLAG_REMIT_HOUSEHOLD
        z = normal(seed, i, 0, D_INIT_SKILL)
        pop.skill[i] = level_byte(0.5 + skill_sd * z)
        z = normal(seed, i, 0, D_INIT_AWARENESS)
        pop.awareness[i] = level_byte(awareness_mean + awareness_sd * z)
        z = normal(seed, i, 0, D_INIT_SAVINGS)
        weekly = income_week[pop.location[i]] * income_factor(skill_of(pop, i))
        # Lognormal with mean 1: exp(sd * z - sd^2 / 2).
        pop.savings[i] = weekly * savings_weeks * np.exp(savings_log_sd * z - 0.5 * savings_log_sd**2)
        s = pop.state[i]
        if s == State.PROTECTED or s == State.REGULAR_RESIDENT or s == State.IRREGULAR_RESIDENT:
            if uniform(seed, i, 0, D_INIT_EMPLOYED) < employed_share:
                pop.flags[i] |= FLAG_EMPLOYED
        if s == State.ASYLUM_PENDING:
            pop.time_in_state[i] = int(uniform(seed, i, 0, D_INIT_STATUS) * pending_spread_weeks)


@njit(parallel=True, cache=True)
def _draw_attributes(pop, bounds, seed, income_week, skill_sd, savings_weeks, savings_log_sd, awareness_mean,
                     awareness_sd, employed_share, pending_spread_weeks, origin_index, remit_households):
    # Writes happen in a called function: Numba loses writes to arrays reached through a tuple
    # directly inside a prange body (tests/test_population.py guards this).
    for c in prange(bounds.shape[0] - 1):
        _draw_range(pop, bounds[c], bounds[c + 1], seed, income_week, skill_sd, savings_weeks, savings_log_sd,
                    awareness_mean, awareness_sd, employed_share, pending_spread_weeks, origin_index,
                    remit_households)


def initial_population(net, world, p, n_agents: int, seed_key) -> tuple[Population, float]:
    """Build the starting population; returns it and persons_per_agent."""
    groups = initial_groups(net, p)
    persons = np.array([g.persons for g in groups])
    counts = apportion(persons, n_agents)
    pop = allocate(n_agents)
    for field in ("origin", "location", "state", "legal"):
        values = np.array([getattr(g, field) for g in groups])
        getattr(pop, field)[:] = np.repeat(values, counts)
    _draw_attributes(pop, chunk_bounds(n_agents), seed_key, world.income_week, p.init_skill_sd,
                     p.init_savings_weeks, p.init_savings_log_sd, p.init_awareness_mean, p.init_awareness_sd,
                     p.init_employed_share, p.init_pending_spread_weeks, world.origin_index,
                     world.remit_households)
    return pop, float(persons.sum()) / n_agents

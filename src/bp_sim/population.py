"""The population in two resolutions, as structs of arrays, and its initial state from the data.

People at home live in weighted cohorts: a row of `Population` (fixed in number, `agents`) whose
`weight` is the persons of that cohort staying at home, with its aspiring persons beside it
(`Cohorts.aspiring`); every cohort keeps its own skill, awareness, savings and household
remittance link. Whoever leaves a cohort to prepare a move becomes a row of its own of
`persons_per_mover` persons (1: every mover is one person), taking the cohort's attributes with
it; the cohort's weight falls by as much. People abroad at the start (the UN DESA 2020 stocks,
refugees in first-asylum countries split between registered and undocumented) are rows of about
`persons_per_agent_abroad` persons each. Movers, people abroad and returnees share one growing
table (`Rows`): it grows between weeks, never inside a kernel, by doubling its capacity.
Every row has a stable `key` that random draws are keyed by, never its slot. Two kinds of
groups take rows out of it again: people back at home and staying rejoin cohorts (the rejoin
cohorts after the home cohorts in `Cohorts`), and permit holders at a destination (the 2020 ones
among them from the start) live in settled groups (`Settled`).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from bp_sim.jit import inline_rule
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
    FLAG_STRANDED,
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
    "weight": np.int32,  # persons the row stands for (a cohort: its persons staying at home)
    "key": np.uint64,  # stable identity: the draws of the row are keyed by it (rng)
}

Population = namedtuple("Population", tuple(POP_DTYPES))


# Columns of `Cohorts.plan`: what each cohort's leavers drew this week, kept so that the spawn
# pass makes exactly the rows the week decided (`kernel.spawn_movers`).
PLAN_TRY_REGULAR = 0  # persons (in movers) who tried for a regular slot
PLAN_SEEK = 1  # persons (in movers) who set out to seek protection or go irregularly (asylum first)
PLAN_ASYLUM = 2  # of PLAN_SEEK, the first ones seek protection, the rest go irregularly
PLAN_LEAVERS = 3  # movers who start preparing: rows to make
N_PLAN = 4


class Cohorts(namedtuple("Cohorts", ("rows", "aspiring", "plan"))):
    """People at home by cohort: `rows` (a Population whose weight is the persons staying),
    `aspiring` (int64 persons of each cohort who wish to move) and `plan` (int64 (cohorts,
    N_PLAN): this week's leavers' draws). The home cohorts come first, then the rejoin cohorts
    (`rejoin_cohorts`)."""


# Rejoin cohorts: whoever is back at home and staying (a returnee re-established without support,
# a mover who gave up) leaves the rows for a cohort of those alike in origin, history and
# household (every flag a person at home can carry) and skill band, so the people who came back
# stop costing a row each (`kernel.join_groups`). The band is the top bits of the skill byte: 16
# bands, each 16 levels wide (a resolution choice, like the chunk size, not a model parameter).
REJOIN_SKILL_BANDS = 16
REJOIN_FLAG_SHIFT = 2  # flags below (employed, stranded) mean nothing at home and are dropped
REJOIN_FLAG_GROUPS = 1 << (8 - REJOIN_FLAG_SHIFT)  # every combination of the flags kept
REJOIN_PER_ORIGIN = REJOIN_FLAG_GROUPS * REJOIN_SKILL_BANDS
REJOIN_KEY_BASE = 1 << 62  # rejoin cohort g has key REJOIN_KEY_BASE + g: no initial row's, no child's
assert FLAG_EMPLOYED | FLAG_STRANDED == (1 << REJOIN_FLAG_SHIFT) - 1  # the flags dropped at home


@inline_rule
def rejoin_group(origin_index, flags, skill) -> int:
    """Index among the rejoin cohorts of a person at home of this origin, flags and skill."""
    kept = np.int64(flags) >> REJOIN_FLAG_SHIFT
    band = np.int64(skill) * REJOIN_SKILL_BANDS >> 8
    return (np.int64(origin_index) * REJOIN_FLAG_GROUPS + kept) * REJOIN_SKILL_BANDS + band


def rejoin_cohorts(origin_nodes: np.ndarray, income_week: np.ndarray) -> Population:
    """The rejoin cohorts, empty, for each origin (in the order of `origin_nodes`): every
    combination of kept flags and skill band, at the band's middle skill until someone joins."""
    n_o = len(origin_nodes)
    pop = allocate(n_o * REJOIN_PER_ORIGIN)
    g = np.arange(len(pop.state))
    node = np.asarray(origin_nodes)[g // REJOIN_PER_ORIGIN]
    pop.origin[:] = node
    pop.location[:] = node
    pop.state[:] = State.STAYING
    pop.legal[:] = Legal.NATIONAL
    pop.flags[:] = ((g // REJOIN_SKILL_BANDS) % REJOIN_FLAG_GROUPS) << REJOIN_FLAG_SHIFT
    width = 256 // REJOIN_SKILL_BANDS
    pop.skill[:] = (g % REJOIN_SKILL_BANDS) * width + width // 2
    pop.income[:] = income_week[node]
    pop.weight[:] = 0
    pop.key[:] = REJOIN_KEY_BASE + g.astype(np.uint64)
    return pop


# Settled groups abroad: permit holders living at a destination (REGULAR_RESIDENT) leave the rows
# for a group of those alike in origin, place, flags and skill band (the rejoin cohorts' layout,
# one block of REJOIN_PER_ORIGIN groups per origin and destination), which works, sends money and
# lets its returners go in rows (`settled.step_settled`, `kernel.join_groups`).
SETTLED_KEY_BASE = 1 << 61  # settled group g has key SETTLED_KEY_BASE + g (below the rejoin cohorts')
# Columns of `Settled.plan`: this week's returners, made into rows by `kernel.spawn_returners`.
PLAN_RETURN_ROWS = 0  # rows of persons_per_mover persons
PLAN_RETURN_LAST = 1  # persons in one more, smaller row (0: none)
N_SETTLED_PLAN = 2


class Settled(namedtuple("Settled", ("rows", "employed", "plan", "pair_slot"))):
    """Settled groups abroad: `rows` (a Population in REGULAR_RESIDENT whose weight is the group's
    persons), `employed` (int64 persons of each group with a job), `plan` (int64 (groups,
    N_SETTLED_PLAN): this week's returners) and `pair_slot` (int32 (origins, nodes): the block of
    groups of origin index o at node d, -1 where permit holders stay rows)."""


@inline_rule
def settled_group(slot, flags, skill) -> int:
    """Index among the settled groups of a permit holder of this pair block, flags and skill."""
    return rejoin_group(slot, flags, skill)  # the same layout, with pair blocks for origins


def settled_pair_slots(world) -> np.ndarray:
    """The block of settled groups of each (origin index, node): every origin at every destination
    but itself, numbered origin by origin; -1 elsewhere."""
    n_o = len(world.origin_node)
    possible = np.zeros((n_o, len(world.dest_index)), bool)
    possible[:, world.dest_index >= 0] = True
    possible[np.arange(n_o), world.origin_node] = False
    slots = np.full(possible.shape, -1, np.int32)
    slots[possible] = np.arange(int(possible.sum()), dtype=np.int32)
    return slots


def settled_groups(pair_slot: np.ndarray, origin_nodes, income_week: np.ndarray) -> Settled:
    """The settled groups, empty: for each pair block, every combination of kept flags and skill
    band (permit holders with a visa), at the band's middle skill until someone joins."""
    n_pairs = int(pair_slot.max(initial=-1)) + 1
    pop = allocate(n_pairs * REJOIN_PER_ORIGIN)
    g = np.arange(len(pop.state))
    oi, node = np.nonzero(pair_slot >= 0)
    order = np.argsort(pair_slot[oi, node])
    block = g // REJOIN_PER_ORIGIN
    pop.origin[:] = np.asarray(origin_nodes)[oi[order]][block]
    pop.location[:] = node[order][block]
    pop.destination[:] = pop.location
    pop.state[:] = State.REGULAR_RESIDENT
    pop.legal[:] = Legal.VISA
    pop.flags[:] = ((g // REJOIN_SKILL_BANDS) % REJOIN_FLAG_GROUPS) << REJOIN_FLAG_SHIFT
    width = 256 // REJOIN_SKILL_BANDS
    pop.skill[:] = (g % REJOIN_SKILL_BANDS) * width + width // 2
    pop.weight[:] = 0
    pop.key[:] = SETTLED_KEY_BASE + g.astype(np.uint64)
    n = len(pop.state)
    return Settled(pop, np.zeros(n, np.int64), np.zeros((n, N_SETTLED_PLAN), np.int64), pair_slot)


def bytes_per_agent() -> int:
    """State bytes a row needs."""
    return int(sum(np.dtype(t).itemsize for t in POP_DTYPES.values()))


def allocate(n: int) -> Population:
    """Arrays for n rows, zeroed (destination and edge at -1, weight 1, key = slot)."""
    arrays = {k: np.zeros(n, dtype=t) for k, t in POP_DTYPES.items()}
    arrays["destination"][:] = -1
    arrays["edge"][:] = -1
    arrays["weight"][:] = 1
    arrays["key"][:] = np.arange(n, dtype=np.uint64)
    return Population(**arrays)


class Rows:
    """The growing table of individual rows (movers, people abroad, returnees).

    `pop` is a view of the `n` rows in use over arrays with room for more; `reserve` makes room
    between weeks, doubling the capacity when it must grow, so a steady run allocates nothing
    week by week and the arrays reach their final size in a few copies.
    """

    def __init__(self, pop: Population) -> None:
        self._full = pop
        self.n = len(pop.state)
        self.pop = pop
        self.grown = 0  # how many times the arrays were reallocated

    @property
    def capacity(self) -> int:
        return len(self._full.state)

    @property
    def full(self) -> Population:
        """The arrays with their spare room (rows n.. are not in use)."""
        return self._full

    def reserve(self, extra: int) -> None:
        """Room for `extra` more rows after the n in use."""
        need = self.n + extra
        if need <= self.capacity:
            return
        cap = max(need, 2 * self.capacity, 1024)
        bigger = allocate(cap)
        for old, new in zip(self._full, bigger, strict=True):
            new[: self.n] = old[: self.n]
        self._full = bigger
        self.grown += 1
        self.pop = Population(*(a[: self.n] for a in self._full))

    def use(self, n: int) -> None:
        """The first n rows are in use (after a spawn pass wrote rows n_old..n-1)."""
        if n > self.capacity:
            raise ValueError(f"{n} rows in use but room for {self.capacity}")
        if n != self.n:
            self.n = n
            self.pop = Population(*(a[:n] for a in self._full))

    @property
    def nbytes(self) -> int:
        return int(sum(a.nbytes for a in self._full))


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


def home_persons(net, p) -> float:
    """Persons at home at the start (the cohorts' weight)."""
    return float(sum(g.persons for g in initial_groups(net, p) if g.state == State.STAYING))


def total_persons(net, p) -> float:
    return float(sum(g.persons for g in initial_groups(net, p)))


def split_whole(persons: int, rows: int) -> np.ndarray:
    """`persons` (whole) over `rows` rows as evenly as whole numbers allow (the first ones +1)."""
    base, extra = divmod(int(persons), int(rows))
    out = np.full(rows, base, np.int64)
    out[:extra] += 1
    return out


@njit(cache=True)
def _draw_range(pop, start, stop, seed, income_week, skill_sd, savings_weeks, savings_log_sd, awareness_mean,
                awareness_sd, employed_share, pending_spread_weeks, origin_index, remit_households):
    """Initial skill, awareness, savings, employment, waiting time and household of rows start..stop-1,
    keyed by each row's key (a cohort and everyone who later leaves it share these draws)."""
    for i in range(start, stop):
        key = pop.key[i]
        # A fixed draw per cohort or row: its household has a migrant sending money home, or not.
        if uniform(seed, key, 0, D_HOUSEHOLD) < remit_households[origin_index[pop.origin[i]]]:
            pop.flags[i] |= FLAG_REMIT_HOUSEHOLD
        z = normal(seed, key, 0, D_INIT_SKILL)
        pop.skill[i] = level_byte(0.5 + skill_sd * z)
        z = normal(seed, key, 0, D_INIT_AWARENESS)
        pop.awareness[i] = level_byte(awareness_mean + awareness_sd * z)
        z = normal(seed, key, 0, D_INIT_SAVINGS)
        weekly = income_week[pop.location[i]] * income_factor(skill_of(pop, i))
        # Lognormal with mean 1: exp(sd * z - sd^2 / 2).
        pop.savings[i] = weekly * savings_weeks * np.exp(savings_log_sd * z - 0.5 * savings_log_sd**2)
        s = pop.state[i]
        if s == State.PROTECTED or s == State.REGULAR_RESIDENT or s == State.IRREGULAR_RESIDENT:
            if uniform(seed, key, 0, D_INIT_EMPLOYED) < employed_share:
                pop.flags[i] |= FLAG_EMPLOYED
        if s == State.ASYLUM_PENDING:
            pop.time_in_state[i] = int(uniform(seed, key, 0, D_INIT_STATUS) * pending_spread_weeks)


@njit(parallel=True, cache=True)
def _draw_attributes(pop, bounds, seed, income_week, skill_sd, savings_weeks, savings_log_sd, awareness_mean,
                     awareness_sd, employed_share, pending_spread_weeks, origin_index, remit_households):
    # Writes happen in a called function: Numba loses writes to arrays reached through a tuple
    # directly inside a prange body (tests/test_population.py guards this).
    for c in prange(bounds.shape[0] - 1):
        _draw_range(pop, bounds[c], bounds[c + 1], seed, income_week, skill_sd, savings_weeks, savings_log_sd,
                    awareness_mean, awareness_sd, employed_share, pending_spread_weeks, origin_index,
                    remit_households)


def _fill(groups: list[Group], rows_per_group: np.ndarray, first_key: int) -> Population:
    """Rows for the groups (whole persons split evenly over each group's rows), keys from first_key."""
    pop = allocate(int(rows_per_group.sum()))
    for field in ("origin", "location", "state", "legal"):
        values = np.array([getattr(g, field) for g in groups])
        getattr(pop, field)[:] = np.repeat(values, rows_per_group)
    weights = [split_whole(round(g.persons), r) for g, r in zip(groups, rows_per_group, strict=True) if r > 0]
    pop.weight[:] = np.concatenate(weights) if weights else np.zeros(0, np.int64)
    pop.key[:] = np.arange(first_key, first_key + len(pop.key), dtype=np.uint64)
    return pop


def _draw(pop: Population, world, p, seed_key) -> None:
    _draw_attributes(pop, chunk_bounds(len(pop.state)), seed_key, world.income_week, p.init_skill_sd,
                     p.init_savings_weeks, p.init_savings_log_sd, p.init_awareness_mean, p.init_awareness_sd,
                     p.init_employed_share, p.init_pending_spread_weeks, world.origin_index,
                     world.remit_households)


def concatenate(first: Population, second: Population) -> Population:
    """The rows of `first`, then those of `second`."""
    return Population(*(np.concatenate([a, b]) for a, b in zip(first, second, strict=True)))


def abroad_rows(groups: list[Group], persons_per_row: float) -> np.ndarray:
    """Rows per group abroad: about `persons_per_row` persons each, at least one per group with a person."""
    return np.array([max(1, round(g.persons / persons_per_row)) if round(g.persons) >= 1 else 0 for g in groups],
                    np.int64)


def initial_population(net, world, p, n_cohorts: int, persons_per_agent_abroad: float,
                       seed_key) -> tuple[Cohorts, Population]:
    """The starting cohorts at home (n_cohorts rows, apportioned over origins by population, then
    the empty rejoin cohorts) and the rows abroad; keys 0.. for the home cohorts, then on for the
    rows abroad (the rejoin cohorts' from REJOIN_KEY_BASE)."""
    groups = initial_groups(net, p)
    home = [g for g in groups if g.state == State.STAYING]
    abroad = [g for g in groups if g.state != State.STAYING]
    counts = apportion(np.array([g.persons for g in home]), n_cohorts)
    rows = _fill(home, counts, 0)
    _draw(rows, world, p, seed_key)
    rows = concatenate(rows, rejoin_cohorts(net.origin_nodes, world.income_week))
    n = len(rows.state)
    cohorts = Cohorts(rows, np.zeros(n, np.int64), np.zeros((n, N_PLAN), np.int64))
    pop = _fill(abroad, abroad_rows(abroad, persons_per_agent_abroad), n_cohorts)
    _draw(pop, world, p, seed_key)
    return cohorts, pop

"""Shared helpers of the mechanism tests.

Rule-level tests call a mechanism's Numba functions directly: the per-row rules on a tiny
population (a few rows, or a few thousand alike; each row one person unless a test gives it a
`weight`) in the World of the bundled network (tens of nodes, about a hundred legs: the arrays
the population kernel reads, at their base values), and the weekly aggregate updates on small
hand-made arrays. The rules draw keyed random numbers (`bp_sim.rng`, keyed by each row's `key`),
so a test's outcome depends only on its seed; a chance of 1 (or 0) makes a transition certain
(or impossible), and comparing two settings on the same rows, seed and week compares them with
common random numbers. Every counter counts persons (a row counts its weight).

The compiled rules write one origin's line of the counters (`ints()`, `money()`: the kernel hands
each row its origin's line); the per-leg, dead and returns counters are by origin
(`edge_counters()`, `dead_counters()`, `return_counters()`).

The twin's rules (`bp_sim.reference`) run on the same people as plain objects (`twin_people`)
in a `twin_week` of the same World; they draw from a NumPy generator, so a comparison with the
engine uses chances of 0 or 1, or compares shares. The twin's week counts by origin
(`wk.tally.ints` is (origins, N_INT)): `twin_ints(wk)` sums it over origins.

Effect tests run the whole model twice on the same seed (paired runs), with a scenario tweak.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from bp_sim.build import build_world
from bp_sim.mechanisms.common import update_destination_appeal
from bp_sim.mechanisms.remittances import update_remittance_factors
from bp_sim.mechanisms.returns import step_return
from bp_sim.mechanisms.routing import build_tables_of, fill_border_costs, route_scalars
from bp_sim.parameters import as_dict, make_scalars, params_array
from bp_sim.population import POP_DTYPES, Population, allocate
from bp_sim.reference.week import Week, make_week
from bp_sim.rng import seed_key
from bp_sim.states import FLAG_REMIT_HOUSEHOLD, N_STATES, Channel, State
from bp_sim.tally import N_EDGE, N_INT, N_MONEY, new_tally
from bp_sim.world import WAIT_BUCKETS, World

from ..conftest import baseline, network, run

P = make_scalars()
P_ARR = params_array(as_dict(P))  # what the compiled weekly updates take, as the kernels do
SEED = seed_key(11)
WEEK = 3  # the week the rules are stepped in (any week: draws are keyed by it)


# ------------------------------------------------------------------ rule level: parameters, world, people
def scalars(**overrides: float):
    """The default parameter record with some values changed (validated as a scenario's are)."""
    return make_scalars(overrides)


def scalars_array(**overrides: float) -> np.recarray:
    """The one-element parameter array the weekly updates read, with some values changed."""
    return params_array(as_dict(make_scalars(overrides)))


def node(name: str) -> int:
    """Node id of a place of the bundled network ('AFG', 'TUR', 'DEU' ...)."""
    return network().node_id[name]


def edge(label: str) -> int:
    """Edge index of a leg of the bundled network ('TUR->GRC_EVROS' ...)."""
    return network().edge_index(label)


def origin_of(name: str, w: World) -> int:
    """Origin index of an origin node."""
    return int(w.origin_index[node(name)])


def world(p=P, *, routes: bool = False) -> World:
    """A fresh World at its base values (tests may write into it). routes: also fill the next-leg
    and money-to-go tables, as the model does before its first week, for rules that travel or
    choose a destination."""
    w, _ = build_world(network(), p)
    rebuild_appeal(w, p)
    rebuild_remittances(w, p)
    if routes:
        rebuild_routes(w, p)
    return w


def rebuild_appeal(w: World, p=P) -> None:
    """Destination appeal from the World's income and diaspora, as the weekly phase sets it
    (call again after changing `w.income_week` or `w.network_share`)."""
    update_destination_appeal(params_array(as_dict(p)), w.dest_nodes, w.income_week, w.network_share, w.dest_appeal)


def rebuild_remittances(w: World, p=P) -> None:
    """The per-corridor remittance factors (formal share, mean cost, volume) from `w.remit_cost`,
    as the quotas adapter sets them each week (call again after changing `w.remit_cost`)."""
    update_remittance_factors(params_array(as_dict(p)), w.remit_cost, w.remit_formal, w.remit_mean_cost,
                              w.remit_volume)


def rebuild_routes(w: World, p=P) -> None:
    """Fill the route tables of `w` from its current edge arrays (after a test changed them)."""
    build_tables_of(w, network().n_nodes, route_scalars(p))
    fill_border_costs(w)


def population(n: int, **fields) -> Population:
    """n rows, zeroed (destination and edge -1, weight 1, key = slot), with the given fields set (a
    value or an array)."""
    pop = allocate(n)
    for name, value in fields.items():
        getattr(pop, name)[:] = value
    return pop


def ints() -> np.ndarray:
    """A fresh line of the integer counters a rule writes (`tally.I_*`, persons): one origin's line
    of a chunk's counters, as the kernel hands it to the rules of that origin's rows."""
    return np.zeros(N_INT, np.int64)


def money() -> np.ndarray:
    """A fresh line of the money sums a rule writes (`tally.M_*`, USD), one origin's as `ints`."""
    return np.zeros(N_MONEY, np.float64)


def edge_counters() -> np.ndarray:
    """A fresh (origins, edges, N_EDGE) block of per-leg counters (`tally.E_*`, persons by origin)."""
    return np.zeros((len(network().origin_nodes), network().n_edges, N_EDGE), np.int64)


def dead_counters() -> np.ndarray:
    """A fresh (origins, nodes) counter of the dead and missing, by origin and the place they set off from."""
    return np.zeros((len(network().origin_nodes), network().n_nodes), np.int64)


def return_counters() -> np.ndarray:
    """A fresh (origins, nodes, 2) counter of returns setting off, by origin and the place they leave
    (`returns.R_VOLUNTARY`, `R_FORCED`)."""
    return np.zeros((len(network().origin_nodes), network().n_nodes, 2), np.int64)


def per_node(dtype=np.int64) -> np.ndarray:
    """A fresh per-node counter (arrivals, refugees, demand-like tallies)."""
    return np.zeros(network().n_nodes, dtype)


def per_origin(dtype=np.int64) -> np.ndarray:
    """A fresh per-origin counter (claims, remittances in)."""
    return np.zeros(len(network().origin_nodes), dtype)


# ------------------------------------------------------------------ rule level: the reference twin
def twin_week(w: World, p=P, *, seed: int = 0) -> Week:
    """The week the twin's rules read: `w` as lists, `p` as floats, a generator, a fresh tally row."""
    net = network()
    n_asylum = int((np.asarray(w.asylum_index) >= 0).sum())
    tally = new_tally(1, len(net.origin_nodes), net.n_nodes, N_STATES, net.n_edges, n_asylum, WAIT_BUCKETS)
    return make_week(WEEK, w, p, np.random.default_rng(seed), tally)


def twin_people(pop: Population, w: World) -> list[SimpleNamespace]:
    """The rows of `pop` as the twin's migrants: every field as an attribute (plus the fixed
    `origin_index` and `remit_household` of `reference.migrant.Migrant`)."""
    people = []
    for i in range(pop.state.size):
        m = SimpleNamespace(**{k: getattr(pop, k)[i].item() for k in POP_DTYPES})
        m.origin_index = int(w.origin_index[m.origin])
        m.remit_household = bool(m.flags & FLAG_REMIT_HOUSEHOLD)
        people.append(m)
    return people


def twin_ints(wk: Week) -> np.ndarray:
    """The twin week's integer counters summed over origins (what one engine line of `ints()` holds
    when every row is of one origin)."""
    return np.asarray(wk.tally.ints).sum(axis=0)


def twin_money(wk: Week) -> np.ndarray:
    """The twin week's money sums summed over origins."""
    return np.asarray(wk.tally.money).sum(axis=0)


def field(people: list[SimpleNamespace], name: str) -> np.ndarray:
    """One attribute of the twin's migrants as an array (to compare with the engine's column)."""
    return np.array([getattr(m, name) for m in people])


def engine_and_twin(pop: Population, people: list[SimpleNamespace]) -> tuple[dict, dict]:
    """Every field of the engine's people and of the twin's, as {name: array}: one check, both engines."""
    return {k: getattr(pop, k) for k in POP_DTYPES}, {k: field(people, k) for k in POP_DTYPES}


# ------------------------------------------------------------------ rule level: the way home
def travel_home(pop: Population, w: World, p=P, *, max_weeks: int = 60) -> np.ndarray:
    """Step everyone on the way home (TRANSIT_REGULAR, channel RETURN) with `returns.step_return`
    week by week, as the kernel does, until all are home; returns the weeks each took (counting
    the week it set off on its first leg). Fails if someone is not home within max_weeks."""
    weeks = np.zeros(pop.state.size, np.int64)
    for week in range(1, max_weeks + 1):
        going = np.flatnonzero((pop.state == State.TRANSIT_REGULAR) & (pop.channel == Channel.RETURN))
        if going.size == 0:
            return weeks
        for i in going:
            step_return(pop, i, w, p)
        weeks[going] = week
    raise AssertionError(f"not home after {max_weeks} weeks")



# ------------------------------------------------------------------ effect level: paired model runs
# Cohorts at home. Since the two resolutions (issue 13) effects rest on the movers (rows of the
# default 100 persons) and the people abroad, not on the number of cohorts: a few thousand do.
AGENTS = 5_000


def pair(change, weeks=104, agents=AGENTS, seed=3):
    return run(baseline(), agents=agents, weeks=weeks, seed=seed), run(change(baseline()), agents=agents,
                                                                         weeks=weeks, seed=seed)


def edge_sum(m, label, col):
    e = m.net.edge_index(label)
    return m.recorder.edges[: m.recorder.steps_done, e, col].sum()


def base_net_corridors():
    return [f"{r.origin}->{r.destination}" for r in network().corridors.itertuples(index=False)]

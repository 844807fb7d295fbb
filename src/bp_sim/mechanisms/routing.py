"""Mechanism 3: route choice over the graph by generalised cost.

Each week, for every destination and every level of information, a shortest-path table gives
the next leg to take from every node. A leg's generalised cost is its money cost (smuggling
fee or fare), the value of the time it takes, and its risk as perceived: people with little
information under-rate the risk of death and interception (Hinsch & Bijak 2021). Closed legs
are left out, so when a route closes or its fees rise, people re-plan at the next node.
The tables are tiny (levels x destinations x nodes) and rebuilt once a week.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.mechanisms.channels import cost_to_first_border
from bp_sim.world import N_INFO_LEVELS


@njit(cache=True)
def build_route_tables(edge_src, edge_dst, edge_cost, edge_weeks, edge_death, edge_intercept,
                       edge_border, edge_open, dest_nodes, n_nodes, value_of_time, risk_cost, death_aversion,
                       risk_perception_floor, next_edge, money_to_go):
    """Fill next_edge (K, D, N) by Bellman-Ford towards each destination, and money_to_go (K, D, N):
    the fees and fares still to pay along the path that level k itself follows."""
    n_edges = edge_src.shape[0]
    dist = np.empty(n_nodes)
    for k in range(N_INFO_LEVELS):
        perception = risk_perception_floor + (1.0 - risk_perception_floor) * (k + 0.5) / N_INFO_LEVELS
        for di in range(dest_nodes.shape[0]):
            dist[:] = np.inf
            dist[dest_nodes[di]] = 0.0
            nxt = next_edge[k, di]
            nxt[:] = -1
            for _ in range(n_nodes):
                changed = False
                for e in range(n_edges):
                    if not edge_open[e]:
                        continue
                    b = edge_dst[e]
                    if dist[b] == np.inf:
                        continue
                    # Interception only happens where a border is crossed.
                    risk = (edge_death[e] * death_aversion + edge_intercept[e] * edge_border[e]) * perception
                    c = edge_cost[e] + value_of_time * edge_weeks[e] + risk_cost * risk
                    a = edge_src[e]
                    if dist[b] + c < dist[a] - 1e-9:
                        dist[a] = dist[b] + c
                        nxt[a] = e
                        changed = True
                if not changed:
                    break
    # Money still to pay along each level's own path (levels weigh risk differently, so their
    # paths, and what the paths cost, can differ).
    for k in range(N_INFO_LEVELS):
        for di in range(dest_nodes.shape[0]):
            for n in range(n_nodes):
                total = 0.0
                node = n
                hops = 0
                reachable = node == dest_nodes[di]
                while node != dest_nodes[di] and hops <= n_nodes:
                    e = next_edge[k, di, node]
                    if e < 0:
                        break
                    total += edge_cost[e]
                    node = edge_dst[e]
                    hops += 1
                    reachable = node == dest_nodes[di]
                money_to_go[k, di, n] = total if reachable else np.inf


@njit(cache=True)
def fill_border_costs(w) -> None:
    """`World.cost_to_border` from the route tables: `cost_to_first_border` of every (level,
    destination, node), once per rebuild of the tables, so that people preparing read it instead
    of following the path every week (a call, ~150 ns a row-week, for 30,000 rows waiting to afford
    the first leg)."""
    for k in range(w.next_edge.shape[0]):
        for di in range(w.next_edge.shape[1]):
            for node in range(w.next_edge.shape[2]):
                w.cost_to_border[k, di, node] = cost_to_first_border(w, k, di, node)


ROUTE_EDGE_INPUTS = 5  # per-edge arrays the tables depend on: cost, weeks, death, interception, open
ROUTE_SCALAR_INPUTS = 4  # value of time, risk cost, death aversion, risk perception floor


def new_route_memory(n_edges: int) -> np.ndarray:
    """What `route_inputs_changed` compares against: NaN at first, so the first week builds."""
    return np.full(ROUTE_EDGE_INPUTS * n_edges + ROUTE_SCALAR_INPUTS, np.nan)


@njit(cache=True)
def _remember(memory, start, values) -> bool:
    """Copy values into memory[start:], saying whether any differed (NaN counts as different)."""
    changed = False
    for j in range(values.shape[0]):
        value = float(values[j])
        if memory[start + j] != value:  # NaN (never built) differs from everything
            memory[start + j] = value
            changed = True
    return changed


@njit(cache=True)
def route_inputs_changed(memory, edge_cost, edge_weeks, edge_death, edge_intercept, edge_open, scalars) -> bool:
    """Whether any input of the route tables differs from the last build's (and remember these).

    scalars: value of time, risk cost, death aversion, risk perception floor. The tables are a
    pure function of these inputs and the fixed graph, so skipping a rebuild when none changed is
    exact; fees move only when demand presses on smugglers' capacity, so most weeks none does.
    """
    n = edge_cost.shape[0]
    changed = _remember(memory, 0, edge_cost)
    changed |= _remember(memory, n, edge_weeks)
    changed |= _remember(memory, 2 * n, edge_death)
    changed |= _remember(memory, 3 * n, edge_intercept)
    changed |= _remember(memory, 4 * n, edge_open)
    changed |= _remember(memory, 5 * n, scalars)
    return changed


class RouteTables:
    """The weekly route-table adapter and its state: the inputs of the last build (`memory`), so
    the tables are rebuilt only in weeks when a fee, risk, open leg or parameter changed."""

    def __init__(self, model) -> None:
        self.memory = new_route_memory(model.net.n_edges)
        self._scalars_of: tuple[object, np.ndarray] | None = None  # (parameter record, its route scalars)

    def step(self, model, t: int) -> None:
        """Next-leg tables by information level, rebuilt when an input changed."""
        w, p = model.world, model.p
        if self._scalars_of is None or self._scalars_of[0] is not p:  # the parameters in force changed
            self._scalars_of = (p, np.array([p.value_of_time_usd_week, p.risk_cost_usd, p.death_aversion,
                                             p.risk_perception_floor]))
        scalars = self._scalars_of[1]
        if route_inputs_changed(self.memory, w.edge_cost, w.edge_weeks, w.edge_death, w.edge_intercept,
                                w.edge_open, scalars):
            build_route_tables(w.edge_src, w.edge_dst, w.edge_cost, w.edge_weeks, w.edge_death, w.edge_intercept,
                               w.edge_border, w.edge_open, w.dest_nodes, model.net.n_nodes, *scalars,
                               w.next_edge, w.money_to_go)
            fill_border_costs(w)

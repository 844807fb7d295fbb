"""Mechanism 3: route choice over the graph by generalised cost.

Each week, for every destination and every level of information, a shortest-path table gives
the next leg of least generalised cost from every node. A leg's generalised cost is its money
cost (smuggling fee or fare), the value of the time it takes, and its risk as perceived: people
with little information under-rate the risk of death and interception (Hinsch & Bijak 2021).
Closed legs are left out, so when a route closes or its fees rise, people re-plan at the next node.

Travellers do not all take that one leg: smugglers' networks, information and preferences differ
more than the graph says. At each node the "efficient" legs (after Dial's stochastic assignment,
Dial 1971: legs that lead farther from the origins, in generalised cost from the nearest origin,
and whose end's own best path does not come back through this node) and the best leg share the
travellers by a logit of their excess generalised cost over the best one (the leg's cost plus the
cost-to-go from its end, less this node's), with scale `route_choice_scale_usd` (0: everyone takes
the best leg, as before this rule). So when a route is enforced part of its flow moves to the
next-best route, in proportion, and parallel routes (the Aegean, Evros and Bulgaria; Hungary and
Bosnia-Croatia) all carry some of it.
The tables are tiny (levels x destinations x nodes, and x legs) and rebuilt only when an input changes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.mechanisms.channels import cost_to_first_border
from bp_sim.world import N_INFO_LEVELS


@njit(cache=True, inline="always")
def generalised_cost(e, edge_cost, edge_weeks, edge_death, edge_intercept, edge_border, value_of_time, risk_cost,
                     death_aversion, perception) -> float:
    """USD-equivalent cost of leg e: money, time and perceived risk (interception only where a border
    is crossed)."""
    risk = (edge_death[e] * death_aversion + edge_intercept[e] * edge_border[e]) * perception
    return edge_cost[e] + value_of_time * edge_weeks[e] + risk_cost * risk


@njit(cache=True)
def comes_back(nxt, edge_dst, start, node, n_nodes) -> bool:
    """Whether the best path from `start` passes through `node`."""
    here = start
    for _ in range(n_nodes):
        e = nxt[here]
        if e < 0:
            return False
        here = edge_dst[e]
        if here == node:
            return True
    return False


@njit(cache=True)
def fill_edge_shares(k, di, dist, reach, nxt, edge_dst, edge_cost, edge_weeks, edge_death, edge_intercept,
                     edge_border, edge_open, node_out_start, n_nodes, value_of_time, risk_cost, death_aversion,
                     perception, scale, share) -> None:
    """share (E,): of the travellers at each node bound for destination di, the share taking each leg.

    The best leg and the efficient legs (farther from the origins, and whose end's best path does
    not come back here) by a logit of their excess generalised cost; scale 0: the best leg alone."""
    share[:] = 0.0
    for a in range(n_nodes):
        best = nxt[a]
        if best < 0:
            continue
        total = 0.0
        if scale > 0.0:
            for e in range(node_out_start[a], node_out_start[a + 1]):
                b = edge_dst[e]
                if e != best and (not edge_open[e] or dist[b] == np.inf or not reach[b] > reach[a] + 1e-9
                                  or comes_back(nxt, edge_dst, b, a, n_nodes)):
                    continue
                c = generalised_cost(e, edge_cost, edge_weeks, edge_death, edge_intercept, edge_border,
                                     value_of_time, risk_cost, death_aversion, perception)
                excess = max(0.0, dist[b] + c - dist[a])  # USD over the best leg's path
                share[e] = np.exp(-excess / scale)
                total += share[e]
        if total > 0.0:
            for e in range(node_out_start[a], node_out_start[a + 1]):
                share[e] /= total
        else:
            share[best] = 1.0


@njit(cache=True)
def build_route_tables(edge_src, edge_dst, edge_cost, edge_weeks, edge_death, edge_intercept,
                       edge_border, edge_open, dest_nodes, n_nodes, node_out_start, is_origin, value_of_time,
                       risk_cost, death_aversion, risk_perception_floor, route_choice_scale, next_edge, edge_share,
                       money_to_go):
    """Fill next_edge (K, D, N) by Bellman-Ford towards each destination, edge_share (K, D, E) by the
    logit over each node's efficient legs, and money_to_go (K, D, N): the fees and fares still to pay
    along the least-cost path of level k."""
    n_edges = edge_src.shape[0]
    dist = np.empty(n_nodes)
    reach = np.empty(n_nodes)  # generalised cost from the nearest origin (the "farther from the origins" order)
    for k in range(N_INFO_LEVELS):
        perception = risk_perception_floor + (1.0 - risk_perception_floor) * (k + 0.5) / N_INFO_LEVELS
        if route_choice_scale > 0.0:
            reach[:] = np.inf
            for n in range(n_nodes):
                if is_origin[n]:
                    reach[n] = 0.0
            for _ in range(n_nodes):
                changed = False
                for e in range(n_edges):
                    a = edge_src[e]
                    if not edge_open[e] or reach[a] == np.inf:
                        continue
                    c = generalised_cost(e, edge_cost, edge_weeks, edge_death, edge_intercept, edge_border,
                                         value_of_time, risk_cost, death_aversion, perception)
                    if reach[a] + c < reach[edge_dst[e]] - 1e-9:
                        reach[edge_dst[e]] = reach[a] + c
                        changed = True
                if not changed:
                    break
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
                    c = generalised_cost(e, edge_cost, edge_weeks, edge_death, edge_intercept, edge_border,
                                         value_of_time, risk_cost, death_aversion, perception)
                    a = edge_src[e]
                    if dist[b] + c < dist[a] - 1e-9:
                        dist[a] = dist[b] + c
                        nxt[a] = e
                        changed = True
                if not changed:
                    break
            fill_edge_shares(k, di, dist, reach, nxt, edge_dst, edge_cost, edge_weeks, edge_death, edge_intercept,
                             edge_border, edge_open, node_out_start, n_nodes, value_of_time, risk_cost,
                             death_aversion, perception, route_choice_scale, edge_share[k, di])
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


def route_scalars(p) -> np.ndarray:
    """The parameters the route tables depend on, in `build_route_tables`' order."""
    return np.array([p.value_of_time_usd_week, p.risk_cost_usd, p.death_aversion, p.risk_perception_floor,
                     p.route_choice_scale_usd])


def build_tables_of(w, n_nodes: int, scalars: np.ndarray, next_edge=None, edge_share=None, money_to_go=None) -> None:
    """`build_route_tables` from the world's arrays (into the world's tables unless others are given)."""
    build_route_tables(w.edge_src, w.edge_dst, w.edge_cost, w.edge_weeks, w.edge_death, w.edge_intercept,
                       w.edge_border, w.edge_open, w.dest_nodes, n_nodes, w.node_out_start, w.is_origin,
                       *scalars, w.next_edge if next_edge is None else next_edge,
                       w.edge_share if edge_share is None else edge_share,
                       w.money_to_go if money_to_go is None else money_to_go)


ROUTE_EDGE_INPUTS = 5  # per-edge arrays the tables depend on: cost, weeks, death, interception, open
ROUTE_SCALAR_INPUTS = 5  # value of time, risk cost, death aversion, risk perception floor, route choice scale


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

    scalars: value of time, risk cost, death aversion, risk perception floor, route choice scale. The tables are a
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
            self._scalars_of = (p, route_scalars(p))
        scalars = self._scalars_of[1]
        if route_inputs_changed(self.memory, w.edge_cost, w.edge_weeks, w.edge_death, w.edge_intercept,
                                w.edge_open, scalars):
            build_tables_of(w, model.net.n_nodes, scalars)
            fill_border_costs(w)

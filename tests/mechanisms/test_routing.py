"""Tests of mechanism 3, route choice (`bp_sim.mechanisms.routing`): next-leg tables by generalised cost.

Rule-level tests of the weekly aggregate `build_route_tables` on a four-node graph (closed legs
avoided, risk weighed by information, unreachable destinations) and of the rebuild check
`route_inputs_changed`. Model-level displacement of flows by enforcement is in `test_smuggling`.
"""

import numpy as np

from bp_sim.mechanisms.routing import build_route_tables
from bp_sim.world import N_INFO_LEVELS

from .helpers import world


def test_routes_avoid_closed_legs_and_informed_people_avoid_risky_ones():
    # 0 -> 1 -> 3 (cheap, risky) and 0 -> 2 -> 3 (dearer, safe)
    src = np.array([0, 0, 1, 2]); dst = np.array([1, 2, 3, 3])
    cost = np.array([100.0, 600.0, 100.0, 100.0]); weeks = np.ones(4, np.int16)
    death = np.array([0.0, 0.0, 0.002, 0.0]); inter = np.zeros(4)
    dest = np.array([3], np.int16)
    nxt = np.full((N_INFO_LEVELS, 1, 4), -1, np.int32); money = np.zeros((N_INFO_LEVELS, 1, 4))
    build_route_tables(src, dst, cost, weeks, death, inter, np.ones(4, np.uint8), np.ones(4, np.uint8), dest, 4,
                       0.0, 20000.0, 20.0, 0.3, nxt, money)
    assert nxt[0, 0, 0] == 0  # the least informed take the risky, cheap way
    assert nxt[N_INFO_LEVELS - 1, 0, 0] == 1  # the best informed the safe one
    closed = np.array([1, 0, 1, 1], np.uint8)
    border = np.ones(4, np.uint8)
    build_route_tables(src, dst, cost, weeks, death, inter, border, closed, dest, 4, 0.0, 20000.0, 20.0, 0.3, nxt, money)
    assert (nxt[:, 0, 0] == 0).all()  # only way left
    assert (money[:, 0, 0] == 200.0).all()
    build_route_tables(src, dst, cost, weeks, death, inter, border, np.zeros(4, np.uint8), dest, 4, 0.0, 1.0, 1.0, 0.3,
                       nxt, money)
    assert (nxt[:, 0, 0] == -1).all() and np.isinf(money[:, 0, 0]).all()


def path_cost(w, k, di, n) -> float:
    """edge_cost summed along level k's own next legs from n to destination di (inf if none)."""
    total, node, d = 0.0, n, w.dest_nodes[di]
    for _ in range(w.edge_src.shape[0]):
        if node == d:
            return total
        e = w.next_edge[k, di, node]
        if e < 0:
            return np.inf
        total += w.edge_cost[e]
        node = w.edge_dst[e]
    return np.inf


def test_money_to_go_is_the_cost_of_each_information_levels_own_path():
    """ODD 8.2: money_to_go (levels, destinations, nodes) is what an agent of each level pays
    along the path it follows itself, not along the middle level's path."""
    # 0 -> 1 -> 3 (cheap, risky: the least informed) and 0 -> 2 -> 3 (dearer, safe: the best informed)
    src = np.array([0, 0, 1, 2]); dst = np.array([1, 2, 3, 3])
    cost = np.array([100.0, 600.0, 100.0, 100.0]); ones = np.ones(4, np.uint8)
    nxt = np.full((N_INFO_LEVELS, 1, 4), -1, np.int32); money = np.zeros((N_INFO_LEVELS, 1, 4))
    build_route_tables(src, dst, cost, np.ones(4, np.int16), np.array([0.0, 0.0, 0.002, 0.0]), np.zeros(4), ones,
                       ones, np.array([3], np.int16), 4, 0.0, 20000.0, 20.0, 0.3, nxt, money)
    assert nxt[0, 0, 0] == 0 and nxt[N_INFO_LEVELS - 1, 0, 0] == 1
    assert money[0, 0, 0] == 200.0 and money[N_INFO_LEVELS - 1, 0, 0] == 700.0
    assert (money[:, 0, 3] == 0.0).all() and (money[:, 0, 1] == 100.0).all()

    w = world(routes=True)  # the bundled network at its base values
    k_n, d_n, n_n = w.next_edge.shape
    assert w.money_to_go.shape == (k_n, d_n, n_n)
    walked = np.array([[[path_cost(w, k, di, n) for n in range(n_n)] for di in range(d_n)] for k in range(k_n)])
    np.testing.assert_array_equal(w.money_to_go, walked)
    assert (walked[0] != walked[-1]).any()  # the levels' paths do cost differently somewhere (BGD -> ITA ...)


def test_route_tables_are_rebuilt_exactly_when_an_input_changes():
    from bp_sim.mechanisms.routing import new_route_memory, route_inputs_changed

    cost = np.array([100.0, 600.0, 100.0]); weeks = np.ones(3, np.int16); death = np.zeros(3)
    inter = np.zeros(3); open_ = np.ones(3, np.uint8); scalars = np.array([10.0, 2e4, 20.0, 0.3])
    memory = new_route_memory(3)

    def changed():
        return route_inputs_changed(memory, cost, weeks, death, inter, open_, scalars)

    assert changed()  # never built
    assert not changed()  # the same inputs: keep the tables
    for inputs, k, value in ((cost, 1, 601.0), (weeks, 0, 2), (death, 2, 0.01), (inter, 0, 0.2), (open_, 2, 0),
                             (scalars, 3, 0.4)):
        inputs[k] = value
        assert changed(), (inputs, k)  # any one input changed: rebuild, once
        assert not changed()

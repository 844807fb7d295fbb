"""Tests of mechanism 3, route choice (`bp_sim.mechanisms.routing`): next-leg tables by generalised cost.

Rule-level tests of the weekly aggregate `build_route_tables` on a four-node graph (closed legs
avoided, risk weighed by information, unreachable destinations) and of the rebuild check
`route_inputs_changed`. Model-level displacement of flows by enforcement is in `test_smuggling`.
"""

import numpy as np
import pytest

from bp_sim.mechanisms.routing import build_route_tables
from bp_sim.parameters import make_scalars
from bp_sim.world import N_INFO_LEVELS

from .helpers import P, network, node, rebuild_routes, world


def tables(src, dst, cost, weeks, death, inter, border, open_, dest, n, value_of_time, risk_cost, death_aversion,
           floor, nxt, money, *, scale=0.0, origins=(0,)):
    """`build_route_tables` on a small graph given edge by edge (sorted by source), returning the
    legs' shares (K, D, E) as well."""
    order = np.argsort(src, kind="stable")
    assert (order == np.arange(len(src))).all(), "edges sorted by source, as the network keeps them"
    start = np.searchsorted(np.asarray(src), np.arange(n + 1)).astype(np.int32)
    is_origin = np.isin(np.arange(n), origins).astype(np.uint8)
    share = np.zeros((N_INFO_LEVELS, len(dest), len(src)))
    build_route_tables(np.asarray(src), np.asarray(dst), cost, weeks, death, inter, border, open_, dest, n, start,
                       is_origin, value_of_time, risk_cost, death_aversion, floor, scale, nxt, share, money)
    return share


def test_routes_avoid_closed_legs_and_informed_people_avoid_risky_ones():
    # 0 -> 1 -> 3 (cheap, risky) and 0 -> 2 -> 3 (dearer, safe)
    src = np.array([0, 0, 1, 2]); dst = np.array([1, 2, 3, 3])
    cost = np.array([100.0, 600.0, 100.0, 100.0]); weeks = np.ones(4, np.int16)
    death = np.array([0.0, 0.0, 0.002, 0.0]); inter = np.zeros(4)
    dest = np.array([3], np.int16)
    nxt = np.full((N_INFO_LEVELS, 1, 4), -1, np.int32); money = np.zeros((N_INFO_LEVELS, 1, 4))
    tables(src, dst, cost, weeks, death, inter, np.ones(4, np.uint8), np.ones(4, np.uint8), dest, 4,
           0.0, 20000.0, 20.0, 0.3, nxt, money)
    assert nxt[0, 0, 0] == 0  # the least informed take the risky, cheap way
    assert nxt[N_INFO_LEVELS - 1, 0, 0] == 1  # the best informed the safe one
    closed = np.array([1, 0, 1, 1], np.uint8)
    border = np.ones(4, np.uint8)
    tables(src, dst, cost, weeks, death, inter, border, closed, dest, 4, 0.0, 20000.0, 20.0, 0.3, nxt, money)
    assert (nxt[:, 0, 0] == 0).all()  # only way left
    assert (money[:, 0, 0] == 200.0).all()
    tables(src, dst, cost, weeks, death, inter, border, np.zeros(4, np.uint8), dest, 4, 0.0, 1.0, 1.0, 0.3,
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
    tables(src, dst, cost, np.ones(4, np.int16), np.array([0.0, 0.0, 0.002, 0.0]), np.zeros(4), ones,
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
    inter = np.zeros(3); open_ = np.ones(3, np.uint8); scalars = np.array([10.0, 2e4, 20.0, 0.3, 0.0])
    memory = new_route_memory(3)

    def changed():
        return route_inputs_changed(memory, cost, weeks, death, inter, open_, scalars)

    assert changed()  # never built
    assert not changed()  # the same inputs: keep the tables
    for inputs, k, value in ((cost, 1, 601.0), (weeks, 0, 2), (death, 2, 0.01), (inter, 0, 0.2), (open_, 2, 0),
                             (scalars, 3, 0.4), (scalars, 4, 500.0)):
        inputs[k] = value
        assert changed(), (inputs, k)  # any one input changed: rebuild, once
        assert not changed()


def test_parallel_routes_share_travellers_by_a_logit_of_their_excess_cost_and_never_go_back():
    """Two routes from 0 to 3 (via 1, cheaper by 300 USD; via 2) and return legs 1 -> 0, 3 -> 1:
    at scale 0 all take the best leg; at scale s the dearer one gets exp(-300 / s) of the best's
    weight; a leg back towards the origins never gets a share."""
    src = np.array([0, 0, 1, 1, 2, 3]); dst = np.array([1, 2, 0, 3, 3, 1])
    cost = np.array([100.0, 400.0, 0.0, 100.0, 100.0, 0.0]); weeks = np.ones(6, np.int16)
    zero = np.zeros(6); ones = np.ones(6, np.uint8); dest = np.array([3], np.int16)
    nxt = np.full((N_INFO_LEVELS, 1, 4), -1, np.int32); money = np.zeros((N_INFO_LEVELS, 1, 4))
    share = tables(src, dst, cost, weeks, zero, zero, ones, ones, dest, 4, 0.0, 0.0, 0.0, 0.3, nxt, money)
    assert (share[:, 0, 0] == 1.0).all() and (share[:, 0, 1] == 0.0).all()  # scale 0: the best leg alone
    for scale in (100.0, 300.0, 1000.0):
        share = tables(src, dst, cost, weeks, zero, zero, ones, ones, dest, 4, 0.0, 0.0, 0.0, 0.3, nxt, money,
                       scale=scale)
        assert share[0, 0, 1] / share[0, 0, 0] == pytest.approx(np.exp(-300.0 / scale))
        assert share[0, 0, 0] + share[0, 0, 1] == pytest.approx(1.0)
        assert share[0, 0, 2] == 0.0 and share[0, 0, 5] == 0.0  # back towards the origin: never
        assert share[0, 0, 3] == 1.0 and share[0, 0, 4] == 1.0  # one way on from 1 and from 2
        assert (money[:, 0, 0] == 200.0).all()  # what is still to pay: along the best path
    closed = ones.copy(); closed[0] = 0  # the cheaper route closes: all on the other
    share = tables(src, dst, cost, weeks, zero, zero, ones, closed, dest, 4, 0.0, 0.0, 0.0, 0.3, nxt, money,
                   scale=300.0)
    assert share[0, 0, 1] == 1.0 and share[0, 0, 0] == 0.0


def test_on_the_silk_routes_the_parallel_crossings_all_carry_travellers_and_enforcement_displaces_them():
    """At TUR, bound for Greece, the Aegean, Evros and Bulgarian legs all get a share when the scale
    is positive (one leg alone at 0), each node's shares sum to one, and raising interception on
    Evros moves share from Evros to the other two."""
    grc = node("GRC")
    legs = {name: e for e in range(network().n_edges)
            if (name := network().edge_label(e)) in ("TUR->TUR_AEGEAN", "TUR->GRC_EVROS", "TUR->BGR_BORDER")}
    assert len(legs) == 3
    w0 = world(P, routes=True)  # the default scale, 0
    di = list(w0.dest_nodes).index(grc)
    assert sum(w0.edge_share[1, di, e] > 0 for e in legs.values()) == 1
    p = make_scalars({"route_choice_scale_usd": 1000.0})
    w = world(p, routes=True)
    shares = {name: w.edge_share[1, di, e] for name, e in legs.items()}
    assert all(v > 0.01 for v in shares.values()), shares
    for k in range(N_INFO_LEVELS):
        for d in range(len(w.dest_nodes)):
            for a in range(network().n_nodes):
                out = w.edge_share[k, d, w.node_out_start[a]:w.node_out_start[a + 1]]
                assert out.sum() == pytest.approx(1.0) or (out.sum() == 0.0 and w.next_edge[k, d, a] < 0)
    w.edge_intercept[legs["TUR->GRC_EVROS"]] += 0.2
    rebuild_routes(w, p)
    after = {name: w.edge_share[1, di, e] for name, e in legs.items()}
    assert after["TUR->GRC_EVROS"] < shares["TUR->GRC_EVROS"]
    assert after["TUR->TUR_AEGEAN"] > shares["TUR->TUR_AEGEAN"] and after["TUR->BGR_BORDER"] > shares["TUR->BGR_BORDER"]


@pytest.mark.parametrize("engine", ["engine", "twin"])
def test_a_traveller_takes_the_legs_in_their_shares(engine):
    """choose_leg (both engines): over many uniform draws, each leg is taken in its share."""
    from bp_sim.mechanisms.common import choose_leg
    from bp_sim.reference.movement import choose_leg as twin_choose_leg

    p = make_scalars({"route_choice_scale_usd": 1000.0})
    w = world(p, routes=True)
    tur, di = node("TUR"), list(w.dest_nodes).index(node("GRC"))
    pick = choose_leg if engine == "engine" else twin_choose_leg
    draws = (np.arange(20_000) + 0.5) / 20_000
    taken = np.bincount([pick(w, 1, di, tur, float(u)) for u in draws], minlength=w.edge_src.shape[0])
    lo, hi = w.node_out_start[tur], w.node_out_start[tur + 1]
    np.testing.assert_allclose(taken[lo:hi] / draws.size, w.edge_share[1, di, lo:hi], atol=1e-3)
    assert taken.sum() == taken[lo:hi].sum()

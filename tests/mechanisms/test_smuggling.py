"""Tests of mechanism 6, the smuggling market (`bp_sim.mechanisms.smuggling`): fees, capacity, risk.

Rule-level tests of the weekly aggregate `update_market` on three hand-made legs (enforcement
raises fees, interception and death risk; disrupted networks move fewer and charge more), then
the effect of enforcement on one crossing on paired model runs (its flow falls, the flow moves
to the other crossings, its fee rises).
"""

import numpy as np

from bp_sim.mechanisms.smuggling import update_market
from bp_sim.tally import E_CROSSINGS, E_INTERCEPTIONS

from .helpers import P_ARR, P, edge_sum, pair


# ------------------------------------------------------------------ rule level
def test_enforcement_raises_fee_interception_and_death_risk_and_capacity_limits_departures():
    n = 3
    base_fee = np.array([1000.0, 1000.0, 50.0])
    base_enf = np.array([0.5, 0.5, 0.1])
    death = np.array([0.001, 0.001, 0.0])
    smuggled = np.array([True, True, False])
    out = [np.zeros(n) for _ in range(4)]
    update_market(P_ARR, base_fee, base_enf, death, np.array([0.5, 0.9, 0.1]), np.array([1.0, 1.0, 1.0]), np.zeros(n),
                  smuggled, np.zeros(n), *out)
    cost, intercept, dth, depart = out
    assert cost[1] > cost[0] * 1.3 and intercept[1] > intercept[0] and dth[1] > dth[0]
    assert cost[2] == 50.0
    update_market(P_ARR, base_fee, base_enf, death, base_enf, np.array([0.1, 1.0, 1.0]), np.zeros(n), smuggled,
                  np.full(n, P.smuggler_capacity_weekly * 0.5), *out)
    assert depart[0] < depart[1]  # a disrupted network moves fewer per week
    assert cost[0] > cost[1]  # and charges more


def test_search_and_rescue_cuts_the_death_risk_and_no_demand_leaves_the_base_fee():
    n = 2
    base_fee, base_enf, death = np.full(n, 1000.0), np.full(n, 0.5), np.full(n, 0.01)
    cost, intercept, dth, depart = (np.zeros(n) for _ in range(4))
    update_market(P_ARR, base_fee, base_enf, death, base_enf, np.ones(n), np.array([0.0, 1.0]),
                  np.ones(n, np.bool_), np.zeros(n), cost, intercept, dth, depart)
    assert dth[1] < dth[0] == death[0]  # rescue, at base enforcement
    assert (cost == base_fee).all() and np.allclose(intercept, P.intercept_max * 0.5)
    assert np.allclose(depart, P.hub_departure_weekly)  # within capacity: the usual chance of a departure


# ------------------------------------------------------------------ effect level
def test_enforcement_on_one_crossing_cuts_it_and_displaces_flow():
    def surge(sc):
        sc.routes = {**sc.routes, "TUR->GRC_EVROS": {"enforcement": 1.0}}
        return sc

    base, more = pair(surge)
    assert edge_sum(base, "TUR->GRC_EVROS", E_CROSSINGS) + edge_sum(base, "TUR->GRC_EVROS", E_INTERCEPTIONS) > 0
    assert edge_sum(more, "TUR->GRC_EVROS", E_CROSSINGS) < 0.5 * edge_sum(base, "TUR->GRC_EVROS", E_CROSSINGS)
    other = ("TUR->BGR_BORDER", "TUR_AEGEAN->GRC_ISLANDS", "TUR_AEGEAN->ITA_CALABRIA")
    assert sum(edge_sum(more, e, E_CROSSINGS) for e in other) > sum(edge_sum(base, e, E_CROSSINGS) for e in other)
    fee = more.net.edge_index("TUR->GRC_EVROS")
    last = more.recorder.steps_done - 1
    assert more.recorder.edge_fee[last, fee] > base.recorder.edge_fee[last, fee] * 1.1

"""Mechanism functions tested on their own: direction and size of effects."""

import itertools

import numpy as np

from bp_sim.mechanisms.asylum import decision_chances
from bp_sim.mechanisms.attitudes import update_attitudes
from bp_sim.mechanisms.origin import aspiration_hazard
from bp_sim.mechanisms.remittances import formal_share
from bp_sim.mechanisms.routing import build_route_tables
from bp_sim.mechanisms.smuggling import update_market
from bp_sim.parameters import as_dict, make_scalars, params_array
from bp_sim.states import FLAG_RETURNEE, FLAG_SUPPORTED
from bp_sim.world import N_INFO_LEVELS

P = make_scalars()
P_ARR = params_array(as_dict(P))  # what the compiled weekly updates take, as the kernels do


def test_aspiration_rises_with_gap_conflict_shock_network_and_falls_with_support():
    base = aspiration_hazard(P, 50.0, 0.0, 0.0, 0.0, 0, 0)
    assert aspiration_hazard(P, 25.0, 0.0, 0.0, 0.0, 0, 0) > base  # poorer: bigger gap
    assert aspiration_hazard(P, 50.0, 0.8, 0.0, 0.0, 0, 0) > 2 * base
    assert aspiration_hazard(P, 50.0, 0.0, 1.0, 0.0, 0, 0) > base
    assert aspiration_hazard(P, 50.0, 0.0, 0.0, 0.1, 0, 0) > base
    assert aspiration_hazard(P, 50.0, 0.0, 0.0, 0.0, FLAG_RETURNEE, 0) > base
    supported_now = aspiration_hazard(P, 50.0, 0.0, 0.0, 0.0, FLAG_SUPPORTED, 0)
    supported_later = aspiration_hazard(P, 50.0, 0.0, 0.0, 0.0, FLAG_SUPPORTED, 520)
    assert supported_now < supported_later <= base * 1.0001  # support fades (short-term effect)


def test_asylum_queue_is_first_in_first_out_within_capacity():
    pending = np.zeros((1, 20))
    pending[0, 10] = 5  # the oldest claims
    pending[0, 6] = 10
    pending[0, 2] = 10  # too young to decide (min 4 weeks)
    chances = decision_chances(pending, np.array([10.0]), 4)
    assert chances[0, 10] == 1.0  # all the oldest decided
    assert np.isclose(chances[0, 6], 0.5)  # the rest of capacity shared by the next
    assert chances[0, 2] == 0.0
    assert np.isclose((chances * pending).sum(), 10.0)  # exactly the capacity


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


def test_routes_avoid_closed_legs_and_informed_people_avoid_risky_ones():
    # 0 -> 1 -> 3 (cheap, risky) and 0 -> 2 -> 3 (dearer, safe)
    src = np.array([0, 0, 1, 2]); dst = np.array([1, 2, 3, 3])
    cost = np.array([100.0, 600.0, 100.0, 100.0]); weeks = np.ones(4, np.int16)
    death = np.array([0.0, 0.0, 0.002, 0.0]); inter = np.zeros(4)
    dest = np.array([3], np.int16)
    nxt = np.full((N_INFO_LEVELS, 1, 4), -1, np.int32); money = np.zeros((1, 4))
    build_route_tables(src, dst, cost, weeks, death, inter, np.ones(4, np.uint8), np.ones(4, np.uint8), dest, 4,
                       0.0, 20000.0, 20.0, 0.3, nxt, money)
    assert nxt[0, 0, 0] == 0  # the least informed take the risky, cheap way
    assert nxt[N_INFO_LEVELS - 1, 0, 0] == 1  # the best informed the safe one
    closed = np.array([1, 0, 1, 1], np.uint8)
    border = np.ones(4, np.uint8)
    build_route_tables(src, dst, cost, weeks, death, inter, border, closed, dest, 4, 0.0, 20000.0, 20.0, 0.3, nxt, money)
    assert (nxt[:, 0, 0] == 0).all()  # only way left
    assert money[0, 0] == 200.0
    build_route_tables(src, dst, cost, weeks, death, inter, border, np.zeros(4, np.uint8), dest, 4, 0.0, 1.0, 1.0, 0.3,
                       nxt, money)
    assert (nxt[:, 0, 0] == -1).all() and np.isinf(money[0, 0])


def test_formal_remittances_fall_with_cost():
    shares = [formal_share(P, c) for c in (0.02, 0.05, 0.08, 0.12)]
    assert all(a > b for a, b in itertools.pairwise(shares))
    assert shares[0] > 0.9 and shares[-1] < 0.2


def test_attitudes_fall_with_sudden_arrivals_and_rise_with_campaigns():
    att = np.full(2, 0.5); disc = np.zeros(2)
    update_attitudes(P_ARR, att, np.zeros(2), np.zeros(2), np.array([0.0, 5000.0]), np.array([1e5, 1e5]), disc)
    assert att[1] < att[0] and disc[1] > disc[0]
    att2 = np.full(2, 0.5)
    for _ in range(100):
        update_attitudes(P_ARR, att2, np.array([0.0, 1.0]), np.zeros(2), np.zeros(2), np.ones(2) * 1e5, disc)
    assert att2[1] > att2[0] + 0.1


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

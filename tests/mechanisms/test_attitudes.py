"""Tests of mechanism 14, host-society attitudes and discrimination (`bp_sim.mechanisms.attitudes`).

Rule-level tests of the weekly aggregate updates on small per-node arrays: `update_attitudes`
(the direction of arrivals and campaigns) and `host_migrant_stock` (whom a host counts as its
migrant population). The model-level effect of attitudes on employment is in `test_labour`.
"""

from types import SimpleNamespace

import numpy as np

from bp_sim.mechanisms.attitudes import Attitudes, host_migrant_stock, update_attitudes
from bp_sim.states import N_STATES, State

from .helpers import P_ARR, P


def test_attitudes_fall_with_sudden_arrivals_and_rise_with_campaigns():
    att = np.full(2, 0.5); disc = np.zeros(2)
    update_attitudes(P_ARR, att, np.zeros(2), np.zeros(2), np.array([0.0, 5000.0]), np.array([1e5, 1e5]), disc)
    assert att[1] < att[0] and disc[1] > disc[0]
    att2 = np.full(2, 0.5)
    for _ in range(100):
        update_attitudes(P_ARR, att2, np.array([0.0, 1.0]), np.zeros(2), np.zeros(2), np.ones(2) * 1e5, disc)
    assert att2[1] > att2[0] + 0.1


def test_anti_discrimination_law_lowers_discrimination_at_the_same_attitude():
    att = np.full(3, 0.3); disc = np.zeros(3)
    update_attitudes(P_ARR, att, np.zeros(3), np.array([0.0, 0.5, 1.0]), np.zeros(3), np.ones(3) * 1e5, disc)
    assert att[0] == att[1] == att[2]
    assert disc[0] > disc[1] > disc[2] == 0.0
    assert np.isclose(disc[1], 0.5 * disc[0])
    assert ((att >= 0) & (att <= 1)).all()


def test_host_stock_counts_the_living_away_from_their_origin_not_passing_through_in_persons():
    # Two origins (nodes 0 and 1) and three nodes; node 2 hosts only.
    stock = np.zeros((2, 3, N_STATES), np.int64)
    stock[0, 0, State.STAYING] = 1000  # at home: not a migrant
    stock[0, 1, State.PROTECTED] = 4
    stock[0, 2, State.REGULAR_RESIDENT] = 3
    stock[0, 2, State.DEAD_MISSING] = 50  # the dead are not counted
    stock[0, 2, State.TRANSIT_SMUGGLED] = 30  # nor those passing through
    stock[1, 1, State.STAYING] = 700  # at home
    stock[1, 1, State.TRANSIT_REGULAR] = 9  # on a flight out, at home still
    stock[1, 2, State.ASYLUM_PENDING] = 5
    stock[1, 2, State.DETAINED] = 1  # held there: counted
    stock[1, 0, State.EXPLOITED] = 2
    # The stock and the arrivals are counted in persons (every row its weight): no conversion.
    out = host_migrant_stock(stock, np.zeros(3, np.int64), np.array([0, 1], np.int16), np.full(3, np.nan))
    assert out.tolist() == [2.0, 4.0, 9.0]
    arrived = host_migrant_stock(stock, np.array([0, 1, 4], np.int64), np.array([0, 1], np.int16), np.full(3, np.nan))
    assert arrived.tolist() == [2.0, 3.0, 5.0]  # this week's arrivals were not there before
    fewer = host_migrant_stock(stock, np.array([5, 0, 0], np.int64), np.array([0, 1], np.int16), np.full(3, np.nan))
    assert fewer.tolist() == [0.0, 4.0, 9.0]  # never below none


def test_the_arrival_surge_is_relative_to_the_migrants_living_there_before_the_arrivals():
    # ODD 8.12: "sudden arrivals relative to the migrant population already there". At node 1, 200
    # migrants lived there before the week; 20 arrived (counted in the end-of-week stock) and 300
    # are passing through. The surge is 20/200, not 20/520. The weekly adapter, as the model calls it.
    stock = np.zeros((1, 3, N_STATES), np.int64)  # one origin, at node 0
    stock[0, 0, State.STAYING] = 5000
    stock[0, 1, State.REGULAR_RESIDENT] = 120
    stock[0, 1, State.PROTECTED] = 80
    stock[0, 1, State.ASYLUM_PENDING] = 20  # this week's arrivals, claims lodged
    stock[0, 1, State.TRANSIT_SMUGGLED] = 300  # passing through (or waiting for a departure)
    # Counts in persons: the model has no persons-per-agent factor for the adapter to apply.
    model = SimpleNamespace(
        net=SimpleNamespace(n_nodes=3), p_base=P, p_arr=P_ARR,
        world=SimpleNamespace(origin_node=np.array([0], np.int16), discrimination=np.zeros(3)),
        in_force={"node": {"narrative_campaign": np.zeros(3), "anti_discrimination": np.zeros(3)}},
        this_week=SimpleNamespace(arrivals=np.array([0, 20, 0], np.int64), stock=stock))
    adapter = Attitudes(model)
    adapter.step(model, 0)
    surge = 20 / 200
    assert np.isclose(adapter.attitude[1], P.attitude_baseline - P.attitude_arrival_effect * surge), adapter.attitude
    assert adapter.attitude[0] == adapter.attitude[2] == P.attitude_baseline  # no arrivals: at the baseline

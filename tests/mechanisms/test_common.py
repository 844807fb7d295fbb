"""Tests of the helpers shared by the per-agent rules (`bp_sim.mechanisms.common`).

Rule-level tests on tiny populations in the bundled network's World with its route tables:
paying from savings and then credit, the budget, skill, income and information levels, the keyed
Gumbel draw, and destination choice (only reachable, affordable places other than here and
home; a better-paid destination gains choosers). Common has no model-level effect of its own.
"""

import numpy as np

from bp_sim.mechanisms.common import (
    budget,
    choose_destination,
    gumbel,
    income_factor,
    info_level,
    journey_credit,
    pay,
    skill_of,
    update_destination_appeal,
)
from bp_sim.states import Channel, Legal, State
from bp_sim.world import N_INFO_LEVELS

from .helpers import P_ARR, SEED, WEEK, P, node, origin_of, population, rebuild_appeal, world


def test_pay_uses_savings_then_credit_and_pays_nothing_beyond_it():
    pop = population(3, savings=np.array([500.0, 200.0, 200.0]), debt=np.array([0.0, 0.0, 900.0]))
    assert pay(pop, 0, 300.0, 1000.0) and pop.savings[0] == 200.0 and pop.debt[0] == 0.0
    assert pay(pop, 1, 700.0, 1000.0) and pop.savings[1] == 0.0 and pop.debt[1] == 500.0
    assert not pay(pop, 2, 700.0, 1000.0)  # 900 owed + 500 more would pass the limit
    assert pop.savings[2] == 200.0 and pop.debt[2] == 900.0  # nothing paid
    assert budget(pop, 2, 1000.0) == 300.0 and budget(pop, 2, 500.0) == 200.0  # credit used up: savings only


def test_skill_income_and_information_levels_span_their_ranges():
    pop = population(256, skill=np.arange(256), awareness=np.arange(256), income=100.0)
    assert skill_of(pop, 0) == 0.0 and skill_of(pop, 255) == 1.0
    assert income_factor(0.0) == 0.5 and income_factor(1.0) == 1.5
    levels = [info_level(pop, i) for i in range(256)]
    assert levels[0] == 0 and levels[-1] == N_INFO_LEVELS - 1 and sorted(levels) == levels
    assert set(levels) == set(range(N_INFO_LEVELS))
    assert journey_credit(pop, 0, P) == min(P.max_debt_usd, P.credit_income_weeks * 100.0)


def test_gumbel_draws_are_keyed_and_standard():
    draws = np.array([gumbel(SEED, i, WEEK, 1000) for i in range(20000)])
    assert gumbel(SEED, 7, WEEK, 1000) == draws[7]  # the same keys, the same draw
    assert gumbel(SEED, 7, WEEK, 1001) != draws[7]
    assert abs(draws.mean() - np.euler_gamma) < 0.03 and abs(draws.std() - np.pi / np.sqrt(6)) < 0.03


def travellers(n, place="AFG"):
    return population(n, state=State.ASPIRING, legal=Legal.NATIONAL, origin=node("AFG"), location=node(place),
                      awareness=128)


def choices(w, pop, spend, channel=Channel.IRREGULAR, asylum_only=False, may_stay=False):
    """Each row's choice, drawn with the row's own key (as the rules of one row do)."""
    oi = origin_of("AFG", w)
    return np.array([choose_destination(pop, i, pop.key[i], w, P, SEED, WEEK, pop.location[i], oi, channel, spend,
                                        asylum_only, may_stay) for i in range(pop.state.size)])


def test_destinations_are_reachable_affordable_and_neither_here_nor_home():
    w = world(routes=True)
    afg, irn = node("AFG"), node("IRN")
    pop = travellers(500, "IRN")
    chosen = choices(w, pop, 1e6)
    assert (chosen >= 0).all() and not np.isin(chosen, [afg, irn]).any()
    assert np.isin(chosen, w.dest_nodes).all() and len(set(chosen)) > 3
    di = w.dest_index[chosen]
    assert (w.next_edge[info_level(pop, 0), di, irn] >= 0).all()  # a route there
    asylum = choices(w, pop, 1e6, Channel.ASYLUM, True)
    assert (w.asylum_index[asylum] >= 0).all()
    assert (choices(w, pop, -P.journey_credit_usd - 1.0) == -1).all()  # nothing affordable
    poor = choices(w, pop, 100.0)  # what can be paid with the credit expected on the way
    k = info_level(pop, 0)  # everyone's level: the money to go along their own path
    assert (poor >= 0).all() and (w.money_to_go[k, w.dest_index[poor], irn] <= 100.0 + P.journey_credit_usd).all()
    assert w.money_to_go[k, w.dest_index[node("GBR")], irn] > 100.0 + P.journey_credit_usd and node("GBR") not in poor
    stay = choices(w, pop, 1e6, may_stay=True)  # re-planning in transit: here is a candidate too, home never
    assert irn in stay and afg not in stay and (stay != irn).any()


def test_a_choice_is_drawn_with_the_key_it_is_given_not_the_row():
    """The draws follow the key passed in (a row's `key`, or a would-be mover's `rng.unit_key`): the
    same row with another key chooses as the row of that key; the same keys in another order, the
    same choices."""
    w = world(routes=True)
    pop = travellers(300, "IRN")
    chosen = choices(w, pop, 1e6)
    oi = origin_of("AFG", w)
    with_keys = [choose_destination(pop, 0, np.uint64(k), w, P, SEED, WEEK, pop.location[0], oi, Channel.IRREGULAR,
                                    1e6, False, False) for k in range(300)]
    assert with_keys == chosen.tolist()  # row 0 drawing with key k: row k's choice (the rows are alike)
    pop.key[:] = pop.key[::-1].copy()
    assert (choices(w, pop, 1e6) == chosen[::-1]).all()


def test_a_better_paid_destination_gains_choosers_and_keeps_its_own():
    w = world(routes=True)
    pop = travellers(2000)
    before = choices(w, pop, 1e6) == node("DEU")
    w.income_week[node("DEU")] *= 10.0
    rebuild_appeal(w)
    after = choices(w, pop, 1e6) == node("DEU")
    assert after.sum() > before.sum() and after[before].all()  # the same draws: everyone who chose it still does


def test_destination_appeal_is_income_and_diaspora_there_per_origin():
    """update_destination_appeal: dest_weight_income x ln(income + 1) + dest_weight_network x
    ln(share + 1e-4) for every (origin, destination), bit for bit what choose_destination used to
    compute per candidate; it follows income and the weights."""
    w = world()
    update_destination_appeal(P_ARR, w.dest_nodes, w.income_week, w.network_share, w.dest_appeal)
    d = w.dest_nodes.astype(int)
    expected = (P.dest_weight_income * np.log(w.income_week[d] + 1.0))[None, :] \
        + P.dest_weight_network * np.log(w.network_share[:, d] + 1e-4)
    np.testing.assert_allclose(w.dest_appeal, expected, rtol=1e-15)
    richer = w.income_week.copy()
    richer[d[0]] *= 2.0
    before = w.dest_appeal.copy()
    update_destination_appeal(P_ARR, w.dest_nodes, richer, w.network_share, w.dest_appeal)
    assert (w.dest_appeal[:, 0] > before[:, 0]).all() and np.array_equal(w.dest_appeal[:, 1:], before[:, 1:])

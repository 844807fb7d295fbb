"""Tests of mechanism 4, movement along routes (`bp_sim.mechanisms.movement`).

Rule-level tests of the per-agent rules on tiny populations in the bundled network's World with
its route tables: regular travellers fly and arrive with a permit (or as resettled refugees);
arrivals lodge a claim, register as refugees or stay without status, and only first claims are
counted; irregular travellers wait at hubs, pay for and take the next leg of their route, or are
stranded and work informally when they cannot pay. Border outcomes at a leg's end are tested in
`test_borders`; the model-level effects of routes in `test_smuggling`.
"""

import numpy as np

from bp_sim.mechanisms.common import choose_destination
from bp_sim.mechanisms.movement import arrive, step_transit_regular, step_transit_smuggled
from bp_sim.reference import common as twin_common
from bp_sim.reference import movement as twin_movement
from bp_sim.states import FLAG_CLAIMED, FLAG_EMPLOYED, FLAG_STRANDED, Channel, Legal, State
from bp_sim.tally import E_CROSSINGS, I_ASYLUM_APPLICATIONS, I_SMUGGLED_LEGS, M_SMUGGLER_REVENUE
from bp_sim.world import N_INFO_LEVELS

from .helpers import (
    SEED,
    WEEK,
    P,
    dead_counters,
    edge,
    edge_counters,
    ints,
    money,
    node,
    origin_of,
    per_node,
    per_origin,
    population,
    rebuild_appeal,
    rebuild_routes,
    return_counters,
    scalars,
    twin_people,
    twin_week,
    world,
)


def test_regular_travellers_fly_and_arrive_with_a_permit_or_as_resettled_refugees():
    w = world()
    deu = node("DEU")
    pop = population(2, state=State.TRANSIT_REGULAR, legal=Legal.VISA, origin=node("AFG"), location=node("AFG"),
                     destination=deu, leg_left=2, channel=np.array([Channel.REGULAR, Channel.RESETTLEMENT]))
    counts, arrivals = ints(), per_node()
    for i in range(2):
        step_transit_regular(pop, i, w, P, SEED, WEEK, counts, arrivals)
    assert (pop.location == node("AFG")).all() and (pop.leg_left == 1).all() and arrivals.sum() == 0  # in the air
    for i in range(2):
        step_transit_regular(pop, i, w, P, SEED, WEEK, counts, arrivals)
    assert (pop.location == deu).all() and arrivals[deu] == 2 and arrivals.sum() == 2
    assert pop.state[0] == State.REGULAR_RESIDENT and pop.legal[0] == Legal.VISA and pop.flags[0] & FLAG_EMPLOYED
    assert pop.state[1] == State.PROTECTED and pop.legal[1] == Legal.REFUGEE


def arrivals_at(place, n, channel, flags=0):
    return population(n, state=State.TRANSIT_SMUGGLED, legal=Legal.IRREGULAR, origin=node("AFG"),
                      location=node(place), destination=node(place), channel=channel, flags=flags | FLAG_STRANDED)


def test_arrivals_lodge_claims_and_only_first_claims_are_counted():
    p = scalars(lodge_prob_asylum=1.0)
    w = world(p)
    oi, deu = origin_of("AFG", w), node("DEU")
    pop = arrivals_at("DEU", 10, Channel.ASYLUM, np.array([0] * 6 + [FLAG_CLAIMED] * 4))
    counts, arrivals, claims = ints(), per_node(), per_origin()
    for i in range(10):
        arrive(pop, i, w, p, SEED, WEEK, counts, arrivals, claims)
    assert (pop.state == State.ASYLUM_PENDING).all() and (pop.legal == Legal.ASYLUM_SEEKER).all()
    assert (pop.flags & FLAG_CLAIMED).all() and not (pop.flags & FLAG_STRANDED).any()
    assert arrivals[deu] == 10 and counts[I_ASYLUM_APPLICATIONS] == 6 and claims[oi] == 6 and claims.sum() == 6


def test_arrivals_in_first_asylum_register_as_refugees_at_the_registration_rate():
    w = world()
    irn = node("IRN")
    outcomes = {}
    for rate in (0.0, 1.0):
        w.registration_rate[irn] = rate
        pop, counts, claims = arrivals_at("IRN", 20, Channel.ASYLUM), ints(), per_origin()
        for i in range(20):
            arrive(pop, i, w, P, SEED, WEEK, counts, per_node(), claims)
        assert claims.sum() == 0 and counts[I_ASYLUM_APPLICATIONS] == 0  # not an EU/UK claim
        outcomes[rate] = (set(pop.state.tolist()), set(pop.legal.tolist()))
    assert outcomes[1.0] == ({State.PROTECTED}, {Legal.REFUGEE})
    assert outcomes[0.0] == ({State.IRREGULAR_RESIDENT}, {Legal.IRREGULAR})


def test_economic_arrivals_who_lodge_no_claim_stay_without_status():
    p = scalars(lodge_prob_irregular=0.0)
    w = world(p)
    pop, counts = arrivals_at("DEU", 5, Channel.IRREGULAR), ints()
    for i in range(5):
        arrive(pop, i, w, p, SEED, WEEK, counts, per_node(), per_origin())
    assert (pop.state == State.IRREGULAR_RESIDENT).all() and counts[I_ASYLUM_APPLICATIONS] == 0


def in_transit(n, place, dest, savings):
    return population(n, state=State.TRANSIT_SMUGGLED, legal=Legal.IRREGULAR, channel=Channel.IRREGULAR,
                      origin=node("AFG"), location=node(place), destination=node(dest), savings=savings,
                      awareness=0)


def travel(pop, w, p):
    counts, sums, per_edge, demand = ints(), money(), edge_counters(), np.zeros(w.edge_src.shape[0], np.int64)
    arrivals, claims, dead, returns = per_node(), per_origin(), dead_counters(), return_counters()
    for i in range(pop.state.size):
        step_transit_smuggled(pop, i, w, p, SEED, WEEK, counts, sums, per_edge, demand, arrivals, claims, dead,
                              returns)
    return counts, sums, per_edge, demand


def test_travellers_wait_at_hubs_then_pay_for_and_take_the_next_leg_of_their_route():
    w = world(routes=True)
    w.edge_intercept[:] = 0.0
    w.edge_death[:] = 0.0
    e = int(w.next_edge[0, w.dest_index[node("GRC")], node("TUR")])
    assert e >= 0 and w.edge_smuggled[e] and w.edge_weeks[e] == 1
    assert all(w.next_edge[k, w.dest_index[node("GRC")], node("TUR")] == e for k in range(N_INFO_LEVELS))
    cost = float(w.edge_cost[e])
    w.edge_depart[e] = 0.0  # no boat, car or smuggler this week
    pop = in_transit(20, "TUR", "GRC", 1e5)
    pop.weight[:] = 3  # rows of 3 persons: 60 in all, each row paying for each of its persons
    counts, sums, _, demand = travel(pop, w, P)
    assert demand[e] == 60 and demand.sum() == 60  # ready to go: counted as demand on the leg, in persons
    assert (pop.location == node("TUR")).all() and (pop.savings == 1e5).all() and sums.sum() == 0
    w.edge_depart[e] = 1.0
    counts, sums, per_edge, demand = travel(pop, w, P)
    assert demand[e] == 60 and counts[I_SMUGGLED_LEGS] == 60
    assert np.isclose(sums[M_SMUGGLER_REVENUE], 60 * cost)
    assert np.allclose(pop.savings, np.float32(1e5) - np.float32(cost))  # paid from savings (each person's own)
    assert (pop.location == w.edge_dst[e]).all() and (pop.edge == -1).all()  # a one-week leg, crossed
    oi = origin_of("AFG", w)
    assert per_edge[oi, e, E_CROSSINGS] == 60 and per_edge[oi, e].sum() == per_edge.sum()  # all AFG's, on the leg


def test_travellers_who_cannot_pay_are_stranded_and_work_informally():
    w = world(routes=True)
    tur = node("TUR")
    pop = in_transit(5, "TUR", "DEU", 0.0)  # no savings and no income: no credit either
    counts, sums, _, demand = travel(pop, w, P)
    assert (pop.flags & FLAG_STRANDED).all() and (pop.location == tur).all() and (pop.edge == -1).all()
    assert demand.sum() == 0 and sums.sum() == 0 and counts[I_SMUGGLED_LEGS] == 0
    assert np.allclose(pop.savings, P.transit_wage_share * w.income_week[tur])
    rich = in_transit(1, "TUR", "DEU", 1e5)
    rich.flags[0] = FLAG_STRANDED
    travel(rich, w, P)
    assert not rich.flags[0] & FLAG_STRANDED  # could pay: no longer stranded


def test_a_traveller_at_their_destination_arrives():
    w = world(routes=True)
    pop = in_transit(1, "DEU", "DEU", 100.0)
    pop.channel[0] = Channel.ASYLUM
    travel(pop, w, scalars(lodge_prob_asylum=1.0))
    assert pop.state[0] == State.ASYLUM_PENDING


def passing_through_aut(p, aut_income_mult=1.0):
    """A World where the leg AUT->DEU is closed (DEU cannot be reached from AUT any more), and
    travellers at AUT on their way to DEU, with money enough for anywhere."""
    w = world(p)
    w.edge_open[edge("AUT->DEU")] = 0
    w.income_week[node("AUT")] *= aut_income_mult
    rebuild_appeal(w, p)
    rebuild_routes(w, p)
    assert (w.next_edge[:, w.dest_index[node("DEU")], node("AUT")] == -1).all()
    pop = in_transit(3000, "AUT", "DEU", 1e5)
    pop.awareness[:] = np.arange(3000) % 256  # every information level
    return w, pop


def test_a_traveller_re_planning_at_a_destination_it_passes_through_may_stay_there():
    """ODD 8.1: re-planning at AUT (a destination) on the way to DEU, staying in AUT is one of the
    candidates, with its own utility (nothing left to pay); the traveller who picks it arrives."""
    p = scalars(lodge_prob_irregular=0.0)  # stayers settle without a claim
    aut = node("AUT")
    for mult, some_go_on in ((1.0, True), (1e8, False)):  # AUT as it is; AUT by far the best place
        w, pop = passing_through_aut(p, mult)
        twin, wk = twin_people(pop, w), twin_week(w, p)  # the twin from the same start
        travel(pop, w, p)
        for m in twin:
            twin_movement.step_transit_smuggled(m, wk)
        engine_stayed = (pop.location == aut) & (pop.state == State.IRREGULAR_RESIDENT)
        twin_stayed = np.array([m.location == aut and m.state == State.IRREGULAR_RESIDENT for m in twin])
        for label, stayed, went_on in (
                ("engine", engine_stayed, pop.state == State.TRANSIT_SMUGGLED),
                ("twin", twin_stayed, np.array([m.state == State.TRANSIT_SMUGGLED for m in twin]))):
            assert (stayed | went_on).all(), label
            assert stayed.sum() > 0, label  # some decide to stay where they are ...
            assert went_on.any() == some_go_on and stayed.all() != some_go_on, label  # ... as one candidate
        assert (pop.destination[engine_stayed] == aut).all() and (pop.destination != node("DEU")).all()
        assert wk.tally.arrivals[aut] == twin_stayed.sum()
        assert abs(engine_stayed.mean() - twin_stayed.mean()) < 0.05  # the same choice, in distribution


def test_affordability_and_re_planning_read_money_to_go_at_the_agents_own_level():
    """ODD 8.2: from BGD the least informed go to ITA over LBY (about 3 200 USD to pay), the best
    informed by the direct leg (10 000 USD). With 1 000 USD and no income (4 000 USD with what
    they expect to earn on the way), ITA is within reach for the first and not for the second,
    in the destination choice and in the re-plan check, in both engines."""
    bgd, ita = node("BGD"), node("ITA")
    w = world(routes=True)
    di = w.dest_index[ita]
    low, high = 0, N_INFO_LEVELS - 1
    spend = 1000.0
    assert w.money_to_go[low, di, bgd] <= spend + P.journey_credit_usd < w.money_to_go[high, di, bgd]
    assert w.money_to_go[high, di, bgd] > (spend + P.journey_credit_usd) * P.replan_cost_ratio
    assert w.money_to_go[low, di, bgd] < (spend + P.journey_credit_usd) * P.replan_cost_ratio
    level = np.where(np.arange(200) % 2 == 0, low, high)
    awareness = np.where(level == low, 0, 255)

    # Choosing a destination at home: ITA made by far the best place, chosen wherever affordable.
    rich_ita = world(routes=True)
    rich_ita.income_week[ita] *= 1e8
    rebuild_appeal(rich_ita)
    oi = origin_of("BGD", rich_ita)
    home = population(200, state=State.ASPIRING, legal=Legal.NATIONAL, origin=bgd, location=bgd, awareness=awareness)
    engine = np.array([choose_destination(home, i, home.key[i], rich_ita, P, SEED, WEEK, bgd, oi, Channel.IRREGULAR,
                                          spend, False, False) for i in range(200)])
    wk = twin_week(rich_ita)
    twin = np.array([twin_common.choose_destination(m, wk, bgd, Channel.IRREGULAR, spend, False, False)
                     for m in twin_people(home, rich_ita)])
    for chosen in (engine, twin):
        assert (chosen[level == low] == ita).all() and not (chosen[level == high] == ita).any()

    # Re-planning in transit at BGD, heading for ITA: only the best informed find it too dear.
    travellers = population(200, state=State.TRANSIT_SMUGGLED, legal=Legal.NATIONAL, channel=Channel.IRREGULAR,
                            origin=bgd, location=bgd, destination=ita, savings=spend, awareness=awareness)
    twin_travellers, wk = twin_people(travellers, w), twin_week(w)
    travel(travellers, w, P)
    for m in twin_travellers:
        twin_movement.step_transit_smuggled(m, wk)
    for dest in (travellers.destination, np.array([m.destination for m in twin_travellers])):
        assert (dest[level == low] == ita).all()  # keep going: the way over LBY is within reach
        assert not (dest[level == high] == ita).any()  # re-planned to a place they can pay for

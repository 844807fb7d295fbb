"""Tests of mechanism 2, channel choice and preparing to leave (`bp_sim.mechanisms.channels`).

Rule-level tests of the per-agent rules on tiny populations in the bundled network's World with
its route tables (a regular corridor is drawn by its slots among those the person qualifies for
and can pay; slots bind; risk-awareness deters irregular departures; a regular move is paid
before leaving; the money needed to get out), then the effect of more regular slots on paired
model runs.
"""

import numpy as np

from bp_sim.mechanisms.channels import cost_to_first_border, pick_regular_corridor, step_aspiring, step_preparing
from bp_sim.states import Channel, Legal, State
from bp_sim.tally import I_IRREGULAR_DEPARTURES, I_REGULAR_DEPARTURES, I_REGULAR_DEPARTURES_EUROPE
from bp_sim.world import N_INFO_LEVELS

from ..conftest import total
from .helpers import SEED, WEEK, P, base_net_corridors, ints, node, origin_of, pair, population, scalars, world


def aspiring(n, place="AFG", **fields):
    return population(n, state=State.ASPIRING, origin=node(place), location=node(place), skill=255,
                      savings=1e5, **fields)


def slots_to(w, oi, shares):
    """Give origin oi regular slots at the named nodes in the given shares (the cumulative table)."""
    weights = np.zeros(w.regular_cdf.shape[1])
    for place, share in shares.items():
        weights[node(place)] = share
    w.regular_cdf[oi, :] = np.cumsum(weights) / weights.sum()


# ------------------------------------------------------------------ rule level
def test_a_regular_corridor_is_drawn_by_its_slots_among_those_the_person_qualifies_for():
    w = world()
    oi = origin_of("AFG", w)
    pop = aspiring(3)
    pop.skill[1] = 0  # below the skill threshold of Europe
    pop.savings[2] = 0.0
    pop.debt[2] = P.regular_max_debt_usd  # cannot pay any regular move
    draws = (np.arange(1000) + 0.5) / 1000
    assert all(pick_regular_corridor(pop, 0, w, P, oi, u) == -1 for u in draws[::100])  # no slots at all
    slots_to(w, oi, {"DEU": 0.25, "SAU": 0.75})
    picked = np.array([pick_regular_corridor(pop, 0, w, P, oi, u) for u in draws])
    assert set(picked) == {node("DEU"), node("SAU")}
    assert np.isclose((picked == node("DEU")).mean(), 0.25, atol=0.002)  # in proportion to slots
    assert all(pick_regular_corridor(pop, 1, w, P, oi, u) == node("SAU") for u in draws[::50])
    assert all(pick_regular_corridor(pop, 2, w, P, oi, u) == -1 for u in draws[::50])


def test_regular_applicants_are_counted_and_slots_bind():
    p = scalars(regular_try_weekly=1.0, regular_info_floor=1.0, aspiration_give_up_weekly=0.0, asylum_seek_weekly=0.0,
                irregular_go_weekly=0.0)
    w = world(p, routes=True)
    oi, sau = origin_of("AFG", w), node("SAU")
    slots_to(w, oi, {"SAU": 1.0})
    for chance in (1.0, 0.0):
        w.slot_prob[oi, sau] = chance
        pop, counts, applicants = aspiring(40), ints(), np.zeros(w.slot_prob.shape, np.int64)
        for i in range(40):
            step_aspiring(pop, i, w, p, SEED, WEEK, counts, applicants)
        assert applicants[oi, sau] == 40 and applicants.sum() == 40
        if chance:
            assert (pop.state == State.PREPARING).all() and (pop.channel == Channel.REGULAR).all()
            assert (pop.destination == sau).all()
        else:
            assert (pop.state == State.ASPIRING).all() and (pop.channel == Channel.NONE).all()


def test_risk_awareness_deters_irregular_departures():
    p = scalars(regular_try_weekly=0.0, aspiration_give_up_weekly=0.0, asylum_seek_weekly=0.0,
                irregular_go_weekly=1.0, campaign_deterrence=0.5)
    w = world(p, routes=True)
    going = []
    for awareness in (0, 255):
        pop, counts = aspiring(2000, awareness=awareness), ints()
        for i in range(2000):
            step_aspiring(pop, i, w, p, SEED, WEEK, counts, np.zeros(w.slot_prob.shape, np.int64))
        left = pop.state == State.PREPARING
        assert (pop.channel[left] == Channel.IRREGULAR).all() and (pop.state[~left] == State.ASPIRING).all()
        assert (pop.destination[left] >= 0).all() and (pop.destination[left] != node("AFG")).all()
        going.append(left.mean())
    assert going[0] == 1.0 and abs(going[1] - 0.5) < 0.03


def test_a_regular_move_is_paid_before_leaving_or_the_person_goes_back_to_looking():
    w = world()
    weeks = int(P.prepare_weeks_regular)
    pop = population(4, state=State.PREPARING, channel=Channel.REGULAR, origin=node("AFG"), location=node("AFG"),
                     destination=np.array([node("SAU"), node("DEU"), node("DEU"), node("DEU")]),
                     time_in_state=np.array([weeks, weeks, weeks, weeks - 1]), savings=1e5)
    pop.savings[2] = 0.0
    pop.debt[2] = P.regular_max_debt_usd
    counts = ints()
    for i in range(4):
        step_preparing(pop, i, w, P, SEED, WEEK, counts)
    assert (pop.state[:2] == State.TRANSIT_REGULAR).all() and (pop.legal[:2] == Legal.VISA).all()
    assert (pop.leg_left[:2] == int(P.air_travel_weeks)).all()
    assert pop.savings[1] < 1e5 - w.regular_cost[node("DEU")] + 1.0  # paid
    assert counts[I_REGULAR_DEPARTURES] == 2 and counts[I_REGULAR_DEPARTURES_EUROPE] == 1  # DEU, not SAU
    assert pop.state[2] == State.ASPIRING and pop.channel[2] == Channel.NONE  # short of money
    assert pop.state[3] == State.PREPARING  # not ready yet


def test_irregular_departure_waits_for_the_money_to_reach_the_first_border():
    w = world(routes=True)
    afg, deu = node("AFG"), node("DEU")
    di = w.dest_index[deu]
    for k in range(N_INFO_LEVELS):
        # Walk the route to the first border leg: what cost_to_first_border adds up.
        first, at, legs = 0.0, afg, []
        while True:
            e = w.next_edge[k, di, at]
            legs.append(e)
            first += w.edge_cost[e]
            if w.edge_border[e]:
                break
            at = w.edge_dst[e]
        assert len(legs) >= 2  # the way out of Afghanistan has an inland leg before the border
        assert np.isclose(cost_to_first_border(w, k, di, afg), first)
        assert first < w.money_to_go[k, di, afg]
    assert cost_to_first_border(w, 1, di, deu) == 0.0  # already there
    need = cost_to_first_border(w, 0, di, afg)
    p = scalars(aspiration_give_up_weekly=0.0)
    pop = population(2, state=State.PREPARING, channel=Channel.IRREGULAR, origin=afg, location=afg, destination=deu,
                     time_in_state=int(p.prepare_weeks_irregular), savings=np.array([0.0, 10 * need]))
    counts = ints()
    for i in range(2):
        step_preparing(pop, i, w, p, SEED, WEEK, counts)
    assert pop.state[0] == State.PREPARING and pop.state[1] == State.TRANSIT_SMUGGLED
    assert counts[I_IRREGULAR_DEPARTURES] == 1


# ------------------------------------------------------------------ effect level
def test_more_regular_slots_raise_regular_departures():
    def slots(sc):
        sc.corridors = {c: {"regular_slots_mult": 3.0} for c in base_net_corridors()}
        return sc

    base, more = pair(slots, weeks=52)
    assert total(more, "regular_departures") > 1.1 * total(base, "regular_departures")
    assert total(more, "irregular_departures") <= total(base, "irregular_departures")

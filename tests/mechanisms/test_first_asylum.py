"""Tests of mechanism 9, first-asylum countries and onward movement (`bp_sim.mechanisms.first_asylum`).

Rule-level tests of the per-agent rules on tiny populations in the bundled network's World with
its route tables (resettlement out of first asylum, to an asylum system drawn by the diaspora;
onward movement falls with reception quality; secondary movement from the EU entry countries),
then the effect of better reception on paired model runs.
"""

import numpy as np

from bp_sim.mechanisms.first_asylum import resettlement_destination, step_first_asylum
from bp_sim.mechanisms.movement import step_transit_smuggled
from bp_sim.reference import first_asylum as twin_first_asylum
from bp_sim.reference import movement as twin_movement
from bp_sim.states import FLAG_CLAIMED, FLAG_EMPLOYED, Channel, Legal, State
from bp_sim.tally import I_ASYLUM_APPLICATIONS, I_IRREGULAR_DEPARTURES, I_ONWARD, I_RESETTLED

from ..conftest import total
from .helpers import (
    SEED,
    WEEK,
    dead_counters,
    edge_counters,
    field,
    ints,
    money,
    node,
    origin_of,
    pair,
    per_node,
    per_origin,
    population,
    return_counters,
    scalars,
    twin_ints,
    twin_people,
    twin_week,
    world,
)


def refugees_in(place, n, state=State.PROTECTED, legal=Legal.REFUGEE):
    return population(n, state=state, legal=legal, origin=node("AFG"), location=node(place), savings=1e5,
                      income=100.0, flags=FLAG_EMPLOYED, awareness=128)


def step_all(pop, w, p):
    counts, refugees = ints(), per_node()
    left = np.array([step_first_asylum(pop, i, w, p, SEED, WEEK, counts, refugees) for i in range(pop.state.size)])
    return left, counts, refugees


# ------------------------------------------------------------------ rule level
def test_resettlement_goes_to_an_asylum_system_drawn_by_the_diaspora():
    w = world()
    oi = origin_of("AFG", w)
    pop = refugees_in("IRN", 1000)
    w.network_share[oi, :] = 0.0
    w.network_share[oi, node("SWE")] = 1.0
    chosen = np.array([resettlement_destination(pop, i, w, SEED, WEEK, oi) for i in range(1000)])
    assert (w.asylum_index[chosen] >= 0).all()
    assert (chosen == node("SWE")).mean() > 0.85  # log(1.01) against log(0.01) for the others


def test_registered_refugees_in_first_asylum_are_resettled_with_the_weeks_chance():
    w = world(routes=True)
    p = scalars(onward_weekly=0.0)
    irn = node("IRN")
    for chance in (0.0, 1.0):
        w.resettle_prob[irn] = chance
        pop = refugees_in("IRN", 30)
        left, counts, refugees = step_all(pop, w, p)
        assert refugees[irn] == 30 and refugees.sum() == 30  # the pool the quota is shared over
        if chance == 0.0:
            assert not left.any() and (pop.state == State.PROTECTED).all() and counts.sum() == 0
            continue
        assert left.all() and counts[I_RESETTLED] == 30
        assert (pop.state == State.TRANSIT_REGULAR).all() and (pop.channel == Channel.RESETTLEMENT).all()
        assert (w.asylum_index[pop.destination] >= 0).all() and (pop.leg_left == int(p.air_travel_weeks)).all()
        assert not (pop.flags & FLAG_EMPLOYED).any()


def test_onward_movement_from_first_asylum_falls_with_reception_quality():
    p = scalars(onward_weekly=0.8)
    w = world(p, routes=True)
    irn = node("IRN")
    w.resettle_prob[:] = 0.0
    moved = []
    for quality in (0.0, 0.5, 1.0):
        w.reception_quality[irn] = quality
        pop = refugees_in("IRN", 2000, State.IRREGULAR_RESIDENT, Legal.IRREGULAR)
        left, counts, refugees = step_all(pop, w, p)
        assert refugees.sum() == 0  # only registered refugees are in the resettlement pool
        assert counts[I_ONWARD] == counts[I_IRREGULAR_DEPARTURES] == left.sum()
        assert (pop.state[left] == State.TRANSIT_SMUGGLED).all() and (pop.channel[left] == Channel.ASYLUM).all()
        assert (w.asylum_index[pop.destination[left]] >= 0).all()  # towards an asylum system
        moved.append(left.mean())
    assert abs(moved[0] - 0.8) < 0.03 and abs(moved[1] - 0.4) < 0.03 and moved[2] == 0.0


def test_registered_refugees_move_on_from_first_asylum_less_than_unregistered_people():
    # ODD 8.10: registration (PG5.5; the lever refugee_registration) acts on onward movement, not
    # only on the status given on arrival. Same people and draws, registered or not. Engine and twin.
    p = scalars(onward_weekly=0.8)
    w = world(p, routes=True)
    w.resettle_prob[:] = 0.0
    w.reception_quality[node("IRN")] = 0.0
    n = 3000
    moved, twin_moved = {}, {}
    for state, legal in ((State.PROTECTED, Legal.REFUGEE), (State.IRREGULAR_RESIDENT, Legal.IRREGULAR)):
        pop = refugees_in("IRN", n, state, legal)
        people, wk = twin_people(pop, w), twin_week(w, p)
        moved[state] = step_all(pop, w, p)[0]
        twin_moved[state] = np.array([twin_first_asylum.step_first_asylum(m, wk) for m in people])
        assert (field(people, "state")[twin_moved[state]] == State.TRANSIT_SMUGGLED).all()
    registered, unregistered = moved[State.PROTECTED], moved[State.IRREGULAR_RESIDENT]
    assert abs(unregistered.mean() - 0.8) < 0.03 and abs(twin_moved[State.IRREGULAR_RESIDENT].mean() - 0.8) < 0.03
    assert registered.mean() < unregistered.mean() - 0.1, "registration does not act on onward movement"
    assert (registered <= unregistered).all()  # same draws: the registered who move on are among the others
    factor = p.registered_onward_factor
    assert abs(registered.mean() - 0.8 * factor) < 0.03
    assert abs(twin_moved[State.PROTECTED].mean() - 0.8 * factor) < 0.03


def test_secondary_movement_leaves_the_entry_country_for_another_asylum_system():
    p = scalars(secondary_movement_weekly=1.0)
    w = world(p, routes=True)
    grc = node("GRC")
    assert w.entry_country[grc] and not w.is_first_asylum[grc]
    pop = refugees_in("GRC", 200, State.IRREGULAR_RESIDENT, Legal.IRREGULAR)
    left, counts, _ = step_all(pop, w, p)
    assert left.all() and counts[I_ONWARD] == 200
    assert (pop.destination != grc).all() and (w.asylum_index[pop.destination] >= 0).all()


# Who moves on, from where: (place, state, legal status, flags) and what they are on arrival.
MOVERS = (
    ("GRC", State.PROTECTED, Legal.REFUGEE, FLAG_CLAIMED, State.PROTECTED, Legal.REFUGEE),  # recognised in GRC
    ("GRC", State.PROTECTED, Legal.REFUGEE, 0, State.PROTECTED, Legal.REFUGEE),  # protected there from the start
    ("GRC", State.IRREGULAR_RESIDENT, Legal.REJECTED, FLAG_CLAIMED, State.IRREGULAR_RESIDENT, Legal.REJECTED),
    ("GRC", State.IRREGULAR_RESIDENT, Legal.IRREGULAR, 0, State.ASYLUM_PENDING, Legal.ASYLUM_SEEKER),  # never claimed
    ("TUR", State.PROTECTED, Legal.REFUGEE, 0, State.ASYLUM_PENDING, Legal.ASYLUM_SEEKER),  # registered in Türkiye
    ("TUR", State.IRREGULAR_RESIDENT, Legal.IRREGULAR, 0, State.ASYLUM_PENDING, Legal.ASYLUM_SEEKER),
)
PER_GROUP = 40


def movers(w):
    groups = [refugees_in(place, PER_GROUP, state, legal) for place, state, legal, *_ in MOVERS]
    pop = population(PER_GROUP * len(MOVERS))
    for name in pop._fields:
        getattr(pop, name)[:] = np.concatenate([getattr(g, name) for g in groups])
    pop.flags[:] |= np.repeat([flags for *_, flags, _, _ in MOVERS], PER_GROUP).astype(np.uint8)
    pop.key[:] = np.arange(pop.key.size, dtype=np.uint64)  # one key a row (each group's were 0..)
    return pop


def test_secondary_movers_keep_their_status_where_they_arrive_and_join_no_new_queue():
    """ODD 8.7. A refugee protected in GRC or ITA who moves on stays protected where they arrive,
    with no new claim and no new decision; a claimant rejected there is not examined again (Dublin:
    the state that decided stays responsible) and stays without status, still rejected. Those who
    never claimed in the EU, and refugees registered in a first-asylum country (a registration
    that does not travel), lodge a first claim on arrival as before. Engine and twin."""
    p = scalars(secondary_movement_weekly=1.0, onward_weekly=1.0, lodge_prob_asylum=1.0,
                registered_onward_factor=1.0)  # everyone moves on (ODD 8.10 damps the registered otherwise)
    w = world(p, routes=True)
    w.resettle_prob[:] = 0.0
    w.reception_quality[node("TUR")] = 0.0
    pop = movers(w)
    n = pop.state.size
    twin, wk = twin_people(pop, w), twin_week(w, p)
    counts = ints()
    assert all(step_first_asylum(pop, i, w, p, SEED, WEEK, counts, per_node()) for i in range(n))
    assert all(twin_first_asylum.step_first_asylum(m, wk) for m in twin)
    expected_in_transit = np.repeat([legal if place == "GRC" else Legal.IRREGULAR for place, _, legal, *_ in MOVERS],
                                    PER_GROUP)
    claims_before = pop.flags & FLAG_CLAIMED
    # On the way: the status from GRC travels with them, the registration in Türkiye does not.
    for label, legal, state, dest in (
            ("engine", pop.legal, pop.state, pop.destination),
            ("twin", np.array([m.legal for m in twin]), np.array([m.state for m in twin]),
             np.array([m.destination for m in twin]))):
        assert (state == State.TRANSIT_SMUGGLED).all() and (w.asylum_index[dest] >= 0).all(), label
        assert (legal == expected_in_transit).all(), label
    # Arrival: put each at its destination and let it take its next step there.
    pop.location[:] = pop.destination
    counts, arrivals, claims = ints(), per_node(), per_origin()
    for i in range(n):
        step_transit_smuggled(pop, i, w, p, SEED, WEEK, counts, money(), edge_counters(),
                              np.zeros(w.edge_src.shape[0], np.int64), arrivals, claims, dead_counters(),
                              return_counters())
    wk = twin_week(w, p, seed=1)
    for m in twin:
        m.location = m.destination
        twin_movement.step_transit_smuggled(m, wk)
    first_claims = PER_GROUP * sum(place == "TUR" or legal == Legal.IRREGULAR for place, _, legal, *_ in MOVERS)
    for label, state, legal, n_claims, n_arrivals in (
            ("engine", pop.state, pop.legal, counts[I_ASYLUM_APPLICATIONS], arrivals.sum()),
            ("twin", np.array([m.state for m in twin]), np.array([m.legal for m in twin]),
             twin_ints(wk)[I_ASYLUM_APPLICATIONS], wk.tally.arrivals.sum())):
        for k, (place, before_state, before_legal, flags, after_state, after_legal) in enumerate(MOVERS):
            group = slice(k * PER_GROUP, (k + 1) * PER_GROUP)
            assert (state[group] == after_state).all() and (legal[group] == after_legal).all(), (
                label, place, before_state.name, before_legal.name, flags)
        assert n_arrivals == n and n_claims == first_claims, label
    assert claims.sum() == first_claims
    kept = claims_before != 0
    assert (pop.flags[kept] & FLAG_CLAIMED).all()  # the record of the earlier claim stays


# ------------------------------------------------------------------ effect level
def test_better_reception_in_first_asylum_lowers_onward_movement():
    def reception(sc):
        sc.nodes = {d: {"reception_quality": 1.0} for d in ("IRN", "PAK", "TUR")}
        return sc

    base, more = pair(reception, weeks=52)
    assert total(more, "onward_from_first_asylum") < 0.2 * total(base, "onward_from_first_asylum")

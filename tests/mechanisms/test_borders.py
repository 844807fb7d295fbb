"""Tests of mechanism 5, border crossing (`bp_sim.mechanisms.borders`): interception, detention, death.

Rule-level tests of the per-agent rules on tiny populations in the bundled network's World, on
one leg (Türkiye -> Evros, a border counted by Frontex that enters the EU): who crosses is
counted once on arrival in Europe; the intercepted are pushed back, detained or removed (only
if their origin readmits them); the dead are identified more where forensic capacity is
greater; detainees are removed or released after the detention time. The model-level effect of
enforcement on a crossing is in `test_smuggling`.
"""


from bp_sim.mechanisms.borders import resolve_crossing, send_home, step_detained
from bp_sim.states import FLAG_ENTERED_EU, FLAG_IDENTIFIED, FLAG_STRANDED, Legal, State
from bp_sim.tally import (
    E_CROSSINGS,
    E_DEATHS,
    E_DETECTIONS,
    E_INTERCEPTIONS,
    I_ARRIVALS_EUROPE,
    I_DEATHS,
    I_DETECTIONS,
    I_INTERCEPTIONS,
    I_MISSING_IDENTIFIED,
    I_RETURNS_FORCED,
)

from .helpers import SEED, WEEK, P, edge, edge_counters, ints, node, origin_of, population, scalars, world

EVROS = "TUR->GRC_EVROS"


def on_the_leg(n, e, legal=Legal.IRREGULAR):
    return population(n, state=State.TRANSIT_SMUGGLED, legal=legal, origin=node("AFG"), location=node("TUR"),
                      destination=node("DEU"), edge=e, flags=FLAG_STRANDED)


def cross(pop, w, p):
    counts, per_edge = ints(), edge_counters()
    for i in range(pop.state.size):
        resolve_crossing(pop, i, w, p, SEED, WEEK, counts, per_edge)
    return counts, per_edge


def test_a_safe_crossing_lands_everyone_across_and_counts_arrivals_in_europe_once():
    p = scalars(detection_prob=1.0)
    w = world(p)
    e = edge(EVROS)
    assert w.edge_border[e] and w.edge_eu_entry[e] and w.edge_frontex[e]
    w.edge_intercept[e] = 0.0
    w.edge_death[e] = 0.0
    pop = on_the_leg(30, e, Legal.NATIONAL)
    counts, per_edge = cross(pop, w, p)
    assert (pop.location == node("GRC_EVROS")).all() and (pop.edge == -1).all()
    assert (pop.state == State.TRANSIT_SMUGGLED).all() and (pop.legal == Legal.IRREGULAR).all()  # no papers abroad
    assert (pop.flags & FLAG_ENTERED_EU).all()
    assert counts[I_ARRIVALS_EUROPE] == 30 and counts[I_DETECTIONS] == 30 and counts[I_INTERCEPTIONS] == 0
    assert per_edge[e, E_CROSSINGS] == 30 and per_edge[e, E_DETECTIONS] == 30 and per_edge.sum() == 60
    pop.location[:] = node("TUR")
    pop.edge[:] = e
    counts, _ = cross(pop, w, p)  # across again (pushed back to Türkiye, say): not a new arrival
    assert counts[I_ARRIVALS_EUROPE] == 0 and counts[I_DETECTIONS] == 30


def test_the_intercepted_are_pushed_back_detained_or_removed_if_their_origin_readmits_them():
    e = edge(EVROS)
    cases = (
        # pushback share, detain share, readmission -> state, place, forced returns
        (1.0, 0.0, 1.0, State.TRANSIT_SMUGGLED, "TUR", 0),
        (0.0, 1.0, 1.0, State.DETAINED, "TUR", 0),
        (0.0, 0.0, 1.0, State.RETURNED, "AFG", 25),
        (0.0, 0.0, 0.0, State.TRANSIT_SMUGGLED, "TUR", 0),  # no readmission: pushed back instead
    )
    for pushback, detain, readmission, state, place, removed in cases:
        p = scalars(intercept_pushback_share=pushback, intercept_detain_share=detain)
        w = world(p)
        w.edge_intercept[e] = 1.0
        w.readmission[origin_of("AFG", w)] = readmission
        pop = on_the_leg(25, e)
        counts, per_edge = cross(pop, w, p)
        assert (pop.state == state).all() and (pop.location == node(place)).all() and (pop.edge == -1).all()
        assert counts[I_INTERCEPTIONS] == 25 and per_edge[e, E_INTERCEPTIONS] == 25
        assert per_edge[e, E_CROSSINGS] == 0 and counts[I_RETURNS_FORCED] == removed
        assert counts[I_ARRIVALS_EUROPE] == 0


def test_interception_happens_only_at_borders():
    w = world()
    inland = edge("TUR->TUR_AEGEAN")
    assert not w.edge_border[inland]
    w.edge_intercept[inland] = 1.0
    w.edge_death[inland] = 0.0
    pop = on_the_leg(10, inland)
    counts, per_edge = cross(pop, w, P)
    assert counts[I_INTERCEPTIONS] == 0 and per_edge[inland, E_CROSSINGS] == 10
    assert (pop.location == node("TUR_AEGEAN")).all() and (pop.legal == Legal.IRREGULAR).all()


def test_the_dead_are_identified_more_where_forensic_capacity_is_greater():
    e = edge(EVROS)
    found = []
    for capacity in (0.0, 1.0):
        w = world()
        w.edge_intercept[e] = 0.0
        w.edge_death[e] = 1.0
        w.forensic_capacity[node("GRC_EVROS")] = capacity
        pop = on_the_leg(2000, e)
        counts, per_edge = cross(pop, w, P)
        assert (pop.state == State.DEAD_MISSING).all() and (pop.location == node("TUR")).all()
        assert counts[I_DEATHS] == per_edge[e, E_DEATHS] == 2000 and per_edge[e, E_CROSSINGS] == 0
        identified = (pop.flags & FLAG_IDENTIFIED) > 0
        assert counts[I_MISSING_IDENTIFIED] == identified.sum()
        found.append(identified)
    low, high = found
    assert abs(low.mean() - P.identification_floor * P.identification_max) < 0.03
    assert abs(high.mean() - P.identification_max) < 0.03 and high[low].all()  # same draws: a superset


def test_detainees_are_held_then_removed_if_readmitted_or_released():
    weeks = int(P.detention_weeks)
    for readmission in (0.0, 1.0):
        w = world()
        w.readmission[origin_of("AFG", w)] = readmission
        pop = population(2000, state=State.DETAINED, legal=Legal.IRREGULAR, origin=node("AFG"), location=node("TUR"),
                         destination=node("DEU"), time_in_state=weeks - 1)
        counts = ints()
        for i in range(2000):
            step_detained(pop, i, w, P, SEED, WEEK, counts)
        assert (pop.state == State.DETAINED).all() and counts.sum() == 0  # still held
        pop.time_in_state[:] = weeks
        for i in range(2000):
            step_detained(pop, i, w, P, SEED, WEEK, counts)
        home = pop.state == State.RETURNED
        assert ((pop.state == State.TRANSIT_SMUGGLED) | home).all() and counts[I_RETURNS_FORCED] == home.sum()
        assert (pop.location[home] == node("AFG")).all() and (pop.location[~home] == node("TUR")).all()
        if readmission == 0.0:
            assert not home.any()
        else:
            assert abs(home.mean() - P.detention_removal_share) < 0.03


def test_sending_home_resets_the_journey():
    pop = on_the_leg(1, edge(EVROS))
    pop.location[0] = node("GRC_EVROS")
    send_home(pop, 0)
    assert pop.location[0] == node("AFG") and pop.state[0] == State.RETURNED and pop.legal[0] == Legal.NATIONAL
    assert pop.destination[0] == -1 and pop.edge[0] == -1 and not pop.flags[0] & FLAG_STRANDED

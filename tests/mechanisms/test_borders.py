"""Tests of mechanism 5, border crossing (`bp_sim.mechanisms.borders`): interception, detention, death.

Rule-level tests of the per-row rules on tiny populations in the bundled network's World, on
one leg (Türkiye -> Evros, a border counted by Frontex that enters the EU): who crosses is
counted once on arrival in Europe; the intercepted are pushed back, detained or removed (only
if their origin readmits them: on the way home, counted as forced returns from where they were
stopped); each person of a row dies or goes missing on its own (a binomial count within the
row, in both engines: the row's weight falls by the dead, the survivors cross, the counters are
by origin); the dead are identified more where forensic capacity is greater; detainees are
removed or released after the detention time. The model-level effect of enforcement on a
crossing is in `test_smuggling`.
"""

import numpy as np

from bp_sim.mechanisms.borders import resolve_crossing, send_home, step_detained
from bp_sim.mechanisms.returns import R_FORCED
from bp_sim.reference import borders as twin_borders
from bp_sim.states import FLAG_ENTERED_EU, FLAG_IDENTIFIED, FLAG_STRANDED, Channel, Legal, State
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

from .helpers import (
    SEED,
    WEEK,
    P,
    dead_counters,
    edge,
    edge_counters,
    engine_and_twin,
    ints,
    node,
    origin_of,
    population,
    return_counters,
    scalars,
    travel_home,
    twin_ints,
    twin_people,
    twin_week,
    world,
)

EVROS = "TUR->GRC_EVROS"


def on_the_leg(n, e, legal=Legal.IRREGULAR, origin="AFG", weight=1):
    return population(n, state=State.TRANSIT_SMUGGLED, legal=legal, origin=node(origin), location=node("TUR"),
                      destination=node("DEU"), edge=e, flags=FLAG_STRANDED, weight=weight)


def cross(pop, w, p, *, everything=False):
    """Every row's crossing: the counters of one origin's line (ints), per leg by origin; with
    `everything`, also the dead (by origin and place) and the returns setting off."""
    counts, per_edge, dead, returns = ints(), edge_counters(), dead_counters(), return_counters()
    for i in range(pop.state.size):
        resolve_crossing(pop, i, w, p, SEED, WEEK, counts, per_edge, dead, returns)
    return (counts, per_edge, dead, returns) if everything else (counts, per_edge)


def test_a_safe_crossing_lands_everyone_across_and_counts_arrivals_in_europe_once():
    p = scalars(detection_prob=1.0)
    w = world(p)
    e = edge(EVROS)
    assert w.edge_border[e] and w.edge_eu_entry[e] and w.edge_frontex[e]
    w.edge_intercept[e] = 0.0
    w.edge_death[e] = 0.0
    oi = origin_of("AFG", w)
    pop = on_the_leg(30, e, Legal.NATIONAL, weight=np.arange(1, 31))  # rows of 1 to 30 persons: 465
    persons = int(pop.weight.sum())
    counts, per_edge, dead, returns = cross(pop, w, p, everything=True)
    assert (pop.location == node("GRC_EVROS")).all() and (pop.edge == -1).all()
    assert (pop.state == State.TRANSIT_SMUGGLED).all() and (pop.legal == Legal.IRREGULAR).all()  # no papers abroad
    assert (pop.flags & FLAG_ENTERED_EU).all() and (pop.weight == np.arange(1, 31)).all()  # everyone across
    assert counts[I_ARRIVALS_EUROPE] == persons and counts[I_DETECTIONS] == persons and counts[I_INTERCEPTIONS] == 0
    assert per_edge[oi, e, E_CROSSINGS] == persons and per_edge[oi, e, E_DETECTIONS] == persons
    assert per_edge.sum() == 2 * persons and dead.sum() == 0 and returns.sum() == 0  # all of them AFG's
    pop.location[:] = node("TUR")
    pop.edge[:] = e
    counts, _ = cross(pop, w, p)  # across again (pushed back to Türkiye, say): not a new arrival
    assert counts[I_ARRIVALS_EUROPE] == 0 and counts[I_DETECTIONS] == persons


def test_the_intercepted_are_pushed_back_detained_or_removed_if_their_origin_readmits_them():
    e = edge(EVROS)
    cases = (
        # pushback share, detain share, readmission -> state, forced returns (persons)
        (1.0, 0.0, 1.0, State.TRANSIT_SMUGGLED, 0),
        (0.0, 1.0, 1.0, State.DETAINED, 0),
        (0.0, 0.0, 1.0, State.TRANSIT_REGULAR, 50),  # removed: on the way home from Türkiye
        (0.0, 0.0, 0.0, State.TRANSIT_SMUGGLED, 0),  # no readmission: pushed back instead
    )
    for pushback, detain, readmission, state, removed in cases:
        p = scalars(intercept_pushback_share=pushback, intercept_detain_share=detain)
        w = world(p)
        oi = origin_of("AFG", w)
        w.edge_intercept[e] = 1.0
        w.readmission[oi] = readmission
        pop = on_the_leg(25, e, weight=2)  # 50 persons
        counts, per_edge, dead, returns = cross(pop, w, p, everything=True)
        # Still where they were stopped, off the leg, every row whole (all of a row are stopped together).
        assert (pop.state == state).all() and (pop.location == node("TUR")).all() and (pop.edge == -1).all()
        assert (pop.weight == 2).all() and dead.sum() == 0
        assert counts[I_INTERCEPTIONS] == 50 and per_edge[oi, e, E_INTERCEPTIONS] == 50
        assert per_edge[oi, e, E_CROSSINGS] == 0 and counts[I_RETURNS_FORCED] == removed
        assert counts[I_ARRIVALS_EUROPE] == 0
        # Removals are counted when they set off: forced, AFG's, from Türkiye.
        assert returns[oi, node("TUR"), R_FORCED] == removed == returns.sum()
        if removed:
            assert (pop.channel == Channel.RETURN).all() and (pop.destination == node("AFG")).all()
            travel_home(pop, w, p)
            assert (pop.state == State.RETURNED).all() and (pop.location == node("AFG")).all()
            assert (pop.legal == Legal.NATIONAL).all()


def test_interception_happens_only_at_borders():
    w = world()
    inland = edge("TUR->TUR_AEGEAN")
    assert not w.edge_border[inland]
    w.edge_intercept[inland] = 1.0
    w.edge_death[inland] = 0.0
    pop = on_the_leg(10, inland)
    counts, per_edge = cross(pop, w, P)
    assert counts[I_INTERCEPTIONS] == 0 and per_edge[origin_of("AFG", w), inland, E_CROSSINGS] == 10
    assert (pop.location == node("TUR_AEGEAN")).all() and (pop.legal == Legal.IRREGULAR).all()


def test_the_dead_are_identified_more_where_forensic_capacity_is_greater():
    e = edge(EVROS)
    found = []
    for capacity in (0.0, 1.0):
        w = world()
        w.edge_intercept[e] = 0.0
        w.edge_death[e] = 1.0
        w.forensic_capacity[node("GRC_EVROS")] = capacity
        oi = origin_of("AFG", w)
        pop = on_the_leg(2000, e)
        counts, per_edge, dead, _ = cross(pop, w, P, everything=True)
        assert (pop.state == State.DEAD_MISSING).all() and (pop.location == node("TUR")).all()
        assert (pop.weight == 0).all()  # rows of the dead: no one left
        assert counts[I_DEATHS] == per_edge[oi, e, E_DEATHS] == 2000 and per_edge[oi, e, E_CROSSINGS] == 0
        assert dead[oi, node("TUR")] == 2000 == dead.sum()  # by origin and the place they set off from
        identified = (pop.flags & FLAG_IDENTIFIED) > 0
        assert counts[I_MISSING_IDENTIFIED] == identified.sum()
        found.append(identified)
    low, high = found
    assert abs(low.mean() - P.identification_floor * P.identification_max) < 0.03
    assert abs(high.mean() - P.identification_max) < 0.03 and high[low].all()  # same draws: a superset


def test_each_person_of_a_row_dies_on_their_own_and_the_survivors_cross_in_both_engines():
    """ODD 7.5: the dead of a crossing are a binomial count within the row (`rng.binomial` keyed by
    the row's key; the twin draws from its generator). The row's weight falls by its dead, the
    survivors cross; deaths are counted by origin (ints, per leg, and the dead by the place they set
    off from); a row with no one left is a row of the dead (weight 0); identified bodies are among
    the dead. Rows of AFG and of PAK on the same leg: each origin's counts are its own rows'."""
    e = edge(EVROS)
    death, weight, n = 0.1, 200, 100  # 20 expected dead a row
    w = world()
    w.edge_intercept[e] = 0.0
    w.edge_death[e] = death
    tur, evros = node("TUR"), node("GRC_EVROS")
    by_origin = {}
    for origin in ("AFG", "PAK"):
        pop = on_the_leg(n, e, origin=origin, weight=weight)
        pop.key[:] += 1000 * len(by_origin)  # each origin's rows their own keys
        people, wk = twin_people(pop, w), twin_week(w, P, seed=len(by_origin))
        counts, per_edge, dead, returns = cross(pop, w, P, everything=True)
        for m in people:
            twin_borders.resolve_crossing(m, wk)
        oi = origin_of(origin, w)
        engine, twin = engine_and_twin(pop, people)
        for label, got, tallied, edges, dead_by, n_returns in (
                ("engine", engine, counts, per_edge, dead, returns.sum()),
                ("twin", twin, twin_ints(wk), wk.tally.edge, wk.tally.dead, wk.tally.returns.sum())):
            died = weight - got["weight"]
            assert (died >= 0).all() and died.std() > 0, label  # each row its own count
            assert abs(died.mean() - weight * death) < 1.5, (label, died.mean())  # sd of the mean 0.42
            assert abs(died.var() - weight * death * (1 - death)) < 8.0, (label, died.var())  # binomial: 18
            survived = got["weight"] > 0
            assert survived.all(), label  # P(all 200 dead) is nil
            assert (got["location"] == evros).all() and (got["state"] == State.TRANSIT_SMUGGLED).all(), label
            assert tallied[I_DEATHS] == died.sum() == edges[oi, e, E_DEATHS] == dead_by[oi, tur], label
            assert edges[oi, e, E_CROSSINGS] == got["weight"].sum() == n * weight - died.sum(), label
            assert tallied[I_ARRIVALS_EUROPE] == got["weight"].sum(), label  # only the survivors arrive
            assert 0 <= tallied[I_MISSING_IDENTIFIED] <= died.sum() and n_returns == 0, label
            assert edges.sum() == edges[oi].sum() and dead_by.sum() == dead_by[oi].sum(), label  # only this origin
        by_origin[origin] = pop.weight.copy()
        # The same rows again at a lower risk: the engine's count per row is monotone in the chance.
        safer = on_the_leg(n, e, origin=origin, weight=weight)
        safer.key[:] = pop.key
        w.edge_death[e] = death / 2
        cross(safer, w, P)
        w.edge_death[e] = death
        assert (safer.weight >= pop.weight).all() and safer.weight.sum() > pop.weight.sum()
    # The draws are keyed by the row's key, not its slot: the same keys in reverse order lose the same.
    again = on_the_leg(n, e, origin="PAK", weight=weight)
    again.key[:] = 1000 + np.arange(n)[::-1]
    cross(again, w, P)
    assert (again.weight[::-1] == by_origin["PAK"]).all()
    # Death certain: the whole row is dead, in both engines.
    w.edge_death[e] = 1.0
    pop = on_the_leg(5, e, weight=weight)
    people, wk = twin_people(pop, w), twin_week(w, P)
    counts, per_edge, dead, _ = cross(pop, w, P, everything=True)
    for m in people:
        twin_borders.resolve_crossing(m, wk)
    for got in engine_and_twin(pop, people):
        assert (got["weight"] == 0).all() and (got["state"] == State.DEAD_MISSING).all()
        assert (got["location"] == tur).all()
    oi = origin_of("AFG", w)
    assert counts[I_DEATHS] == twin_ints(wk)[I_DEATHS] == 5 * weight == dead[oi, tur] == wk.tally.dead[oi, tur]
    assert per_edge[oi, e, E_CROSSINGS] == 0 == wk.tally.edge[oi, e, E_CROSSINGS]


def test_detainees_are_held_then_removed_if_readmitted_or_released():
    weeks = int(P.detention_weeks)
    for readmission in (0.0, 1.0):
        w = world()
        w.readmission[origin_of("AFG", w)] = readmission
        pop = population(2000, state=State.DETAINED, legal=Legal.IRREGULAR, origin=node("AFG"), location=node("TUR"),
                         destination=node("DEU"), time_in_state=weeks - 1)
        counts, returns = ints(), return_counters()
        for i in range(2000):
            step_detained(pop, i, w, P, SEED, WEEK, counts, returns)
        assert (pop.state == State.DETAINED).all() and counts.sum() == 0 and returns.sum() == 0  # still held
        pop.time_in_state[:] = weeks
        for i in range(2000):
            step_detained(pop, i, w, P, SEED, WEEK, counts, returns)
        removed = (pop.state == State.TRANSIT_REGULAR) & (pop.channel == Channel.RETURN)  # on the way home
        assert ((pop.state == State.TRANSIT_SMUGGLED) | removed).all() and counts[I_RETURNS_FORCED] == removed.sum()
        assert returns[origin_of("AFG", w), node("TUR"), R_FORCED] == removed.sum() == returns.sum()
        assert (pop.location == node("TUR")).all() and (pop.destination[removed] == node("AFG")).all()
        if readmission == 0.0:
            assert not removed.any()
        else:
            assert abs(removed.mean() - P.detention_removal_share) < 0.03
            travel_home(pop, w)
            assert (pop.state[removed] == State.RETURNED).all() and (pop.location[removed] == node("AFG")).all()
            assert (pop.state[~removed] == State.TRANSIT_SMUGGLED).all() and (pop.location[~removed] == node("TUR")).all()


def test_sending_home_resets_the_journey():
    pop = on_the_leg(1, edge(EVROS))
    pop.location[0] = node("GRC_EVROS")
    send_home(pop, 0)
    # On the way home from where they are: heading for the origin, off the leg, no longer stranded.
    assert pop.state[0] == State.TRANSIT_REGULAR and pop.channel[0] == Channel.RETURN
    assert pop.location[0] == node("GRC_EVROS") and pop.destination[0] == node("AFG")
    assert pop.edge[0] == -1 and pop.leg_left[0] == 0 and not pop.flags[0] & FLAG_STRANDED
    weeks = travel_home(pop, world())  # no way home over the network from Evros: a flight
    assert weeks[0] == 1 + int(P.air_travel_weeks)
    assert pop.location[0] == node("AFG") and pop.state[0] == State.RETURNED and pop.legal[0] == Legal.NATIONAL
    assert pop.destination[0] == -1 and pop.edge[0] == -1 and pop.channel[0] == Channel.NONE


def test_intercepted_attempts_are_detections_only_where_frontex_counts_attempts():
    """On SRB -> HUN_ENTRY (attempts counted) every intercepted attempt is a detection, in both
    engines; on Evros (crossings only) none is. The attempt stays at the leg's start, pushed back."""
    p = scalars(detection_prob=1.0, intercept_pushback_share=1.0, intercept_detain_share=0.0)
    for label, counted in (("SRB->HUN_ENTRY", True), (EVROS, False)):
        w = world(p)
        e = edge(label)
        assert bool(w.edge_attempts_counted[e]) == counted and w.edge_frontex[e] > 0
        w.edge_intercept[e] = 1.0
        oi = origin_of("AFG", w)
        pop = on_the_leg(20, e, weight=3)  # 60 persons, all stopped
        people = twin_people(pop, w)
        counts, per_edge = cross(pop, w, p)
        assert counts[I_INTERCEPTIONS] == 60 and per_edge[oi, e, E_CROSSINGS] == 0
        assert counts[I_DETECTIONS] == (60 if counted else 0) == per_edge[oi, e, E_DETECTIONS]
        wk = twin_week(w, p)
        for m in people:
            twin_borders.resolve_crossing(m, wk)
        assert twin_ints(wk)[I_DETECTIONS] == (60 if counted else 0)

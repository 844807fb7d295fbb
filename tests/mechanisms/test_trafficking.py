"""Tests of mechanism 7, trafficking and exploitation (`bp_sim.mechanisms.trafficking`).

Rule-level tests of the per-agent rules on tiny populations in the bundled network's World
(debt raises and labour inspection lowers the weekly risk; identified victims are protected
where there is a protection system and assisted home elsewhere: a voluntary return counted by
origin and the place they leave, then the way home), then the effects of labour inspection and
victim identification on paired model runs.
"""

import itertools

import numpy as np

from bp_sim.mechanisms.returns import R_VOLUNTARY
from bp_sim.mechanisms.trafficking import debt_vulnerability, maybe_exploited, step_exploited
from bp_sim.reference import trafficking as twin
from bp_sim.states import FLAG_EMPLOYED, FLAG_IDENTIFIED, FLAG_STRANDED, Channel, Legal, State
from bp_sim.tally import I_RETURNS_VOLUNTARY, I_TRAFFICKED, I_TRAFFICKED_IDENTIFIED

from ..conftest import total
from .helpers import (
    SEED,
    WEEK,
    P,
    engine_and_twin,
    field,
    ints,
    node,
    origin_of,
    pair,
    population,
    return_counters,
    scalars,
    travel_home,
    twin_ints,
    twin_people,
    twin_week,
    world,
)

PLACES = ("IRN", "PAK", "TUR", "GRC", "DEU", "ITA", "FRA", "GBR", "AFG_IRN_BORDER", "PAK_IRN_BORDER", "IND")


# ------------------------------------------------------------------ rule level
def test_debt_raises_vulnerability_from_one_towards_its_ceiling():
    values = [debt_vulnerability(P, d) for d in (0.0, 500.0, P.debt_reference_usd, 1e5, 1e9)]
    assert values[0] == 1.0
    assert all(a < b for a, b in itertools.pairwise(values))
    assert np.isclose(values[2], 1.0 + 0.5 * P.trafficking_debt_effect)  # half the effect at the reference debt
    assert values[-1] < 1.0 + P.trafficking_debt_effect


def exploited_among(n, w, *, debt=0.0, hazard=0.3):
    """How many of n irregular residents in Türkiye fall into exploitation this week (and the people)."""
    pop = population(n, state=State.IRREGULAR_RESIDENT, legal=Legal.IRREGULAR, origin=node("AFG"),
                     location=node("TUR"), debt=debt, flags=FLAG_EMPLOYED)
    counts = ints()
    became = np.array([maybe_exploited(pop, i, w, P, SEED, WEEK, counts, hazard) for i in range(n)])
    assert counts[I_TRAFFICKED] == became.sum() == (pop.state == State.EXPLOITED).sum()
    assert not (pop.flags[became] & FLAG_EMPLOYED).any()  # victims lose their job
    return became


def test_exploitation_risk_rises_with_debt_and_falls_with_labour_inspection():
    w = world()
    n = 3000
    base = exploited_among(n, w)
    assert abs(base.mean() - 0.3) < 0.03
    indebted = exploited_among(n, w, debt=P.debt_reference_usd)
    assert indebted.sum() > base.sum() and indebted[base].all()  # same draws: every base victim, and more
    w.labour_inspection[node("TUR")] = 1.0
    inspected = exploited_among(n, w)
    assert inspected.sum() < base.sum() and base[inspected].all()
    assert abs(inspected.mean() - 0.3 * (1.0 - P.inspection_effect)) < 0.02


def victims(n, place, debt=300.0):
    return population(n, state=State.EXPLOITED, legal=Legal.IRREGULAR, origin=node("AFG"), location=node(place),
                      debt=debt, destination=node(place))


def test_identified_victims_are_protected_where_there_is_asylum_and_sent_home_elsewhere():
    p = scalars(victim_identification_max=1.0)
    w = world(p)
    w.victim_identification[:] = 1.0  # identification certain
    for place, state, legal, home in (("DEU", State.PROTECTED, Legal.REFUGEE, False),
                                      ("IRN", State.PROTECTED, Legal.REFUGEE, False),  # first asylum
                                      ("SAU", State.TRANSIT_REGULAR, Legal.IRREGULAR, True)):  # on the way home
        pop, counts, returns = victims(20, place), ints(), return_counters()
        for i in range(20):
            step_exploited(pop, i, w, p, SEED, WEEK, counts, returns)
        assert (pop.state == state).all() and (pop.legal == legal).all() and (pop.location == node(place)).all()
        assert (pop.debt == 0).all() and (pop.flags & FLAG_IDENTIFIED).all()
        assert counts[I_TRAFFICKED_IDENTIFIED] == 20
        assert counts[I_RETURNS_VOLUNTARY] == (20 if home else 0)
        assert returns[origin_of("AFG", w), node(place), R_VOLUNTARY] == returns.sum() == (20 if home else 0)
        if home:  # assisted home: travels there, and is a returnee on arrival
            assert (pop.channel == Channel.RETURN).all() and (pop.destination == node("AFG")).all()
            travel_home(pop, w, p)
            assert (pop.state == State.RETURNED).all() and (pop.location == node("AFG")).all()
            assert (pop.legal == Legal.NATIONAL).all()


def stranded_travellers(n, place, destination):
    """n people in irregular transit at `place`, stranded (cannot pay the next leg), heading on."""
    return population(n, state=State.TRANSIT_SMUGGLED, legal=Legal.IRREGULAR, channel=Channel.ASYLUM,
                      origin=node("AFG"), location=node(place), destination=node(destination), flags=FLAG_STRANDED)


def test_exploited_travellers_are_no_longer_stranded_whatever_becomes_of_them():
    # ODD 8.5: falling into exploitation ends the journey's stranding (FLAG_STRANDED cleared), so a
    # victim who escapes, is protected or is assisted home never carries it on. Engine and twin.
    free = scalars(victim_identification_max=0.0, exploitation_escape_weekly=1.0)  # escape certain
    found = scalars(victim_identification_max=1.0)  # identification certain (with the node's effort 1)
    w = world()
    w.labour_inspection[:] = 0.0  # exploitation certain at hazard 1
    w.victim_identification[:] = 1.0
    n = 10
    for place, destination in (("LBY", "ITA"), ("SRB", "DEU"), ("TUR", "DEU")):  # TUR: first asylum
        # Escaped; protected (first asylum) or assisted home (on the way home, in regular transit).
        for p, state in ((free, None), (found, State.PROTECTED if place == "TUR" else State.TRANSIT_REGULAR)):
            pop, counts, returns = stranded_travellers(n, place, destination), ints(), return_counters()
            people, wk = twin_people(pop, w), twin_week(w, p)
            for i in range(n):
                assert maybe_exploited(pop, i, w, p, SEED, WEEK, counts, 1.0)
                assert twin.maybe_exploited(people[i], wk, 1.0)
            for flags, states in ((pop.flags, pop.state), (field(people, "flags"), field(people, "state"))):
                assert (states == State.EXPLOITED).all()
                assert not (flags & FLAG_STRANDED).any(), (place, "stranded while exploited")
            for i in range(n):
                step_exploited(pop, i, w, p, SEED, WEEK, counts, returns)
                twin.step_exploited(people[i], wk)
            for flags, states in ((pop.flags, pop.state), (field(people, "flags"), field(people, "state"))):
                assert (states != State.EXPLOITED).all() and (state is None or (states == state).all())
                assert not (flags & FLAG_STRANDED).any(), (place, state, "stranded after exploitation")
            if state == State.TRANSIT_REGULAR:
                travel_home(pop, w, p)
                assert (pop.state == State.RETURNED).all() and not (pop.flags & FLAG_STRANDED).any()


def test_victims_escaping_in_transit_resume_the_journey_and_at_a_destination_stay_without_status():
    # ODD 8.4: a victim exploited on the way (its destination set and elsewhere) who escapes is a
    # traveller again where it is, heading for the same destination; one exploited where it lives
    # (at its destination, or with none: the initial diaspora) stays there without status. An
    # identified victim at a node without asylum is assisted home: a voluntary return. Engine and twin.
    free = scalars(victim_identification_max=0.0, exploitation_escape_weekly=1.0)
    found = scalars(victim_identification_max=1.0)
    w = world()
    w.victim_identification[:] = 1.0
    n = 10
    for place, destination, legal in (("LBY", "ITA", Legal.IRREGULAR), ("SRB", "DEU", Legal.IRREGULAR),
                                      ("TUR", "DEU", Legal.IRREGULAR), ("AFG_IRN_BORDER", "TUR", Legal.NATIONAL),
                                      ("TUR", "TUR", Legal.IRREGULAR), ("SAU", None, Legal.IRREGULAR)):
        dest = -1 if destination is None else node(destination)
        in_transit = dest >= 0 and dest != node(place)
        pop = population(n, state=State.EXPLOITED, legal=legal, channel=Channel.IRREGULAR, origin=node("AFG"),
                         location=node(place), destination=dest, debt=300.0)
        people, wk, counts, returns = twin_people(pop, w), twin_week(w, free), ints(), return_counters()
        for i in range(n):
            step_exploited(pop, i, w, free, SEED, WEEK, counts, returns)
            twin.step_exploited(people[i], wk)
        for got in engine_and_twin(pop, people):
            assert (got["location"] == node(place)).all() and (got["destination"] == dest).all()
            assert (got["edge"] == -1).all()
            if in_transit:
                assert (got["state"] == State.TRANSIT_SMUGGLED).all(), (place, destination, "did not resume")
                assert (got["legal"] == legal).all() and (got["channel"] == Channel.IRREGULAR).all()
            else:
                assert (got["state"] == State.IRREGULAR_RESIDENT).all() and (got["legal"] == Legal.IRREGULAR).all()
        assert counts.sum() == 0 and wk.tally.ints.sum() == 0  # an escape is neither a departure nor a return
        assert returns.sum() == 0 and wk.tally.returns.sum() == 0
    pop = population(n, state=State.EXPLOITED, legal=Legal.IRREGULAR, channel=Channel.IRREGULAR, origin=node("AFG"),
                     location=node("LBY"), destination=node("ITA"), debt=300.0)
    people, wk, counts, returns = twin_people(pop, w), twin_week(w, found), ints(), return_counters()
    for i in range(n):
        step_exploited(pop, i, w, found, SEED, WEEK, counts, returns)
        twin.step_exploited(people[i], wk)
    oi, lby = origin_of("AFG", w), node("LBY")
    for got, tallied, set_off in zip(engine_and_twin(pop, people), (counts, twin_ints(wk)), (returns, wk.tally.returns),
                                     strict=True):
        # Assisted home from Libya: on the way, heading for the origin; counted as a voluntary return there.
        assert (got["state"] == State.TRANSIT_REGULAR).all() and (got["channel"] == Channel.RETURN).all()
        assert (got["location"] == lby).all() and (got["destination"] == node("AFG")).all()
        assert tallied[I_RETURNS_VOLUNTARY] == n == tallied[I_TRAFFICKED_IDENTIFIED]
        assert set_off[oi, lby, R_VOLUNTARY] == n == set_off.sum()
    travel_home(pop, w, found)
    assert (pop.state == State.RETURNED).all() and (pop.location == node("AFG")).all() and (pop.destination == -1).all()


def test_unidentified_victims_work_off_debt_or_escape():
    w = world()
    stay = scalars(victim_identification_max=0.0, exploitation_escape_weekly=0.0)
    pop, counts, returns = victims(10, "TUR", debt=np.linspace(0.0, 500.0, 10)), ints(), return_counters()
    pop.income[:] = 80.0
    for i in range(10):
        step_exploited(pop, i, w, stay, SEED, WEEK, counts, returns)
    assert (pop.state == State.EXPLOITED).all() and (pop.income == 0).all() and counts.sum() == 0
    assert np.allclose(pop.debt, np.maximum(0.0, np.linspace(0.0, 500.0, 10) - stay.exploitation_debt_payoff_weekly))
    escape = scalars(victim_identification_max=0.0, exploitation_escape_weekly=1.0)
    for i in range(10):
        step_exploited(pop, i, w, escape, SEED, WEEK, counts, returns)
    assert (pop.state == State.IRREGULAR_RESIDENT).all() and (pop.legal == Legal.IRREGULAR).all()
    assert counts[I_TRAFFICKED_IDENTIFIED] == 0 and returns.sum() == 0


# ------------------------------------------------------------------ effect level
def test_labour_inspection_lowers_exploitation():
    def inspect(sc):
        sc.nodes = {d: {"labour_inspection": 1.0} for d in PLACES}
        return sc

    base, more = pair(inspect, weeks=104)
    assert total(more, "trafficking_victims") < 0.6 * total(base, "trafficking_victims")


def test_victim_identification_finds_more_victims():
    def identify(sc):
        sc.nodes = {d: {"victim_identification": 1.0} for d in PLACES}
        sc.parameters = {**sc.parameters, "victim_identification_max": 0.5}
        return sc

    base, more = pair(identify, weeks=104)
    assert total(more, "trafficking_victims_identified") > 1.2 * total(base, "trafficking_victims_identified")
    assert total(more, "exploited") < total(base, "exploited")

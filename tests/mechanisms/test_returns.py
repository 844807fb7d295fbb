"""Tests of mechanism 12, return and reintegration (`bp_sim.mechanisms.returns`).

Rule-level tests of the per-row rules on tiny populations in the bundled network's World
(removal needs the origin's readmission; permit holders return at their destination's rate;
refugees do not repatriate into war; only stranded travellers take assisted return; whoever goes
home sets off from where they are, counted by origin and the place they leave, and travels the
way home leg by leg, paying the fares from their savings as far as they reach, or flies where no
leg leads home; reintegration support marks returnees), then the effects of reintegration
support and of a deportation campaign on paired model runs.
"""

import numpy as np

from bp_sim.mechanisms.returns import (
    R_FORCED,
    R_VOLUNTARY,
    step_leave_destination,
    step_return,
    step_returned,
    step_stranded_return,
)
from bp_sim.mechanisms.transitions import send_home
from bp_sim.reference import returns as twin_returns
from bp_sim.states import FLAG_EMPLOYED, FLAG_RETURNEE, FLAG_STRANDED, FLAG_SUPPORTED, Channel, Legal, State
from bp_sim.tally import I_REINTEGRATED, I_RETURNS_FORCED, I_RETURNS_VOLUNTARY

from ..conftest import baseline, run, total
from .helpers import (
    AGENTS,
    SEED,
    WEEK,
    P,
    engine_and_twin,
    ints,
    node,
    origin_of,
    pair,
    population,
    return_counters,
    scalars,
    travel_home,
    twin_people,
    twin_week,
    world,
)

N = 50


def residents(state, legal, place="DEU", n=N, origin="AFG"):
    return population(n, state=state, legal=legal, origin=node(origin), location=node(place), flags=FLAG_EMPLOYED)


def leave(pop, w, p=P):
    counts, returns = ints(), return_counters()
    went = np.array([step_leave_destination(pop, i, w, p, SEED, WEEK, counts, returns) for i in range(pop.state.size)])
    return went, counts, returns


def assert_sent_home(pop, w, place="DEU"):
    """On the way home from `place` (not yet home: returns travel), out of work; then, travelled
    home, returnees and nationals at their origin."""
    assert (pop.state == State.TRANSIT_REGULAR).all() and (pop.channel == Channel.RETURN).all()
    assert (pop.location == node(place)).all() and (pop.destination == pop.origin).all() and (pop.edge == -1).all()
    assert not (pop.flags & FLAG_EMPLOYED).any()
    travel_home(pop, w)
    assert (pop.state == State.RETURNED).all() and (pop.location == pop.origin).all()
    assert (pop.legal == Legal.NATIONAL).all() and (pop.destination == -1).all() and (pop.channel == Channel.NONE).all()


# ------------------------------------------------------------------ rule level
def test_removal_of_people_without_status_needs_the_origins_readmission():
    w = world()
    oi, other = origin_of("AFG", w), origin_of("PAK", w)
    w.deportation_weekly[node("DEU")] = 1.0
    w.readmission[oi] = 0.0
    w.readmission[other] = 0.0
    p = scalars(irregular_return_weekly=0.0)
    pop = residents(State.IRREGULAR_RESIDENT, Legal.REJECTED)
    pop.weight[:] = 3  # rows of 3 persons: 150
    went, counts, returns = leave(pop, w, p)
    assert not went.any() and (pop.state == State.IRREGULAR_RESIDENT).all() and counts.sum() == 0
    assert returns.sum() == 0
    w.readmission[oi] = 1.0  # AFG readmits its nationals; PAK still does not
    went, counts, returns = leave(pop, w, p)
    assert went.all() and counts[I_RETURNS_FORCED] == 3 * N and counts[I_RETURNS_VOLUNTARY] == 0
    assert returns[oi, node("DEU"), R_FORCED] == 3 * N == returns.sum()  # removals of AFG's from Germany
    assert_sent_home(pop, w)
    assert (pop.weight == 3).all()  # the whole row goes
    pakistanis = residents(State.IRREGULAR_RESIDENT, Legal.REJECTED, origin="PAK")
    went, counts, returns = leave(pakistanis, w, p)
    assert not went.any() and returns.sum() == 0 and counts.sum() == 0  # by origin: PAK does not readmit


def test_permit_holders_return_at_their_destinations_rate_and_are_never_removed():
    w = world()
    w.deportation_weekly[:] = 1.0
    w.readmission[:] = 1.0
    w.return_weekly[node("DEU")] = 0.0
    pop = residents(State.REGULAR_RESIDENT, Legal.VISA)
    went, counts, returns = leave(pop, w)
    assert not went.any() and counts.sum() == 0 and returns.sum() == 0
    w.return_weekly[node("DEU")] = 1.0
    went, counts, returns = leave(pop, w)
    assert went.all() and counts[I_RETURNS_VOLUNTARY] == N and counts[I_RETURNS_FORCED] == 0
    assert returns[origin_of("AFG", w), node("DEU"), R_VOLUNTARY] == N == returns.sum()
    assert_sent_home(pop, w)


def test_refugees_repatriate_as_conflict_at_home_eases():
    w = world()
    w.deportation_weekly[:] = 0.0
    p = scalars(refugee_repatriation_weekly=1.0)
    w.conflict[node("AFG")] = 1.0
    pop = residents(State.PROTECTED, Legal.REFUGEE)
    went, _, returns = leave(pop, w, p)
    assert not went.any() and returns.sum() == 0  # no return into full conflict
    w.conflict[node("AFG")] = 0.5
    went, counts, returns = leave(pop, w, p)
    assert 0.35 < went.mean() < 0.65 and counts[I_RETURNS_VOLUNTARY] == went.sum()
    assert returns[origin_of("AFG", w), node("DEU"), R_VOLUNTARY] == went.sum() == returns.sum()
    assert ((pop.state[~went] == State.PROTECTED) & (pop.location[~went] == node("DEU"))).all()
    back = population(int(went.sum()))
    for name in back._fields:
        getattr(back, name)[:] = getattr(pop, name)[went]
    assert_sent_home(back, w)


def test_only_stranded_travellers_take_assisted_return():
    w = world()
    p = scalars(stranded_return_weekly=1.0)
    pop = population(4, state=State.TRANSIT_SMUGGLED, legal=Legal.IRREGULAR, origin=node("AFG"),
                     location=node("TUR"), destination=node("DEU"), flags=np.array([FLAG_STRANDED, 0, FLAG_STRANDED, 0]))
    counts, returns = ints(), return_counters()
    went = [step_stranded_return(pop, i, w, p, SEED, WEEK, counts, returns) for i in range(4)]
    assert went == [True, False, True, False] and counts[I_RETURNS_VOLUNTARY] == 2
    assert returns[origin_of("AFG", w), node("TUR"), R_VOLUNTARY] == 2 == returns.sum()  # assisted, from Türkiye
    assert (pop.state[[0, 2]] == State.TRANSIT_REGULAR).all() and (pop.channel[[0, 2]] == Channel.RETURN).all()
    assert (pop.location[[0, 2]] == node("TUR")).all() and (pop.destination[[0, 2]] == node("AFG")).all()
    assert not (pop.flags[[0, 2]] & FLAG_STRANDED).any()
    assert (pop.location[[1, 3]] == node("TUR")).all() and (pop.state[[1, 3]] == State.TRANSIT_SMUGGLED).all()
    assert (pop.destination[[1, 3]] == node("DEU")).all()
    travel_home(pop, w, p)
    assert (pop.location[[0, 2]] == node("AFG")).all() and (pop.state[[0, 2]] == State.RETURNED).all()
    assert (pop.state[[1, 3]] == State.TRANSIT_SMUGGLED).all()  # the others were never on the way home


def test_the_way_home_is_travelled_leg_by_leg_paying_the_fares_as_far_as_savings_reach():
    """ODD 7.12: from Iran, an Afghan goes home over the two legs of the fastest way home
    (`World.home_edge`: IRN -> AFG_IRN_BORDER -> AFG), each with its travel time, paying each
    leg's fare from savings as far as they reach (never into debt); someone sent home at home is
    home the next week. Engine and twin, field by field, week by week."""
    w = world()
    oi = origin_of("AFG", w)
    irn, border, afg = node("IRN"), node("AFG_IRN_BORDER"), node("AFG")
    first, second = int(w.home_edge[oi, irn]), int(w.home_edge[oi, border])
    assert (w.edge_src[first], w.edge_dst[first], w.edge_src[second], w.edge_dst[second]) == (irn, border, border, afg)
    assert w.home_edge[oi, afg] == -1  # at home: no leg to take
    fare1, fare2 = float(w.edge_fare[first]), float(w.edge_fare[second])
    weeks1, weeks2 = int(w.edge_weeks[first]), int(w.edge_weeks[second])
    assert weeks1 > 1 and weeks2 > 1 and fare1 > 10.0 and fare2 > 0.0
    savings = np.array([1000.0, fare1 + 5.0, 10.0, 0.0, -20.0, 300.0])
    pop = population(6, state=State.IRREGULAR_RESIDENT, legal=Legal.IRREGULAR, origin=afg,
                     location=np.array([irn] * 5 + [afg]), savings=savings)
    for i in range(6):
        send_home(pop, i)
    people, wk = twin_people(pop, w), twin_week(w)
    seen = []
    for _ in range(1 + weeks1 + weeks2):
        for i in range(6):
            step_return(pop, i, w, P)
        for m in people:
            twin_returns.step_return(m, wk)
        engine, twin = engine_and_twin(pop, people)
        for name in engine:
            if name == "savings":
                assert np.allclose(engine[name], twin[name], rtol=1e-6), name
            else:
                assert np.array_equal(engine[name], twin[name]), name
        seen.append((int(pop.location[0]), int(pop.edge[0]), int(pop.leg_left[0]), int(pop.state[0])))
    transit = int(State.TRANSIT_REGULAR)
    expected = [(irn, first, weeks1, transit)]  # the first week: off on the first leg, its fare paid
    expected += [(irn, first, weeks1 - k, transit) for k in range(1, weeks1)]  # on the leg
    expected += [(border, second, weeks2, transit)]  # across, and straight on the next leg
    expected += [(border, second, weeks2 - k, transit) for k in range(1, weeks2)]
    expected += [(afg, -1, 0, int(State.RETURNED))]  # home
    assert seen == expected
    assert (pop.state == State.RETURNED).all() and (pop.location == afg).all() and (pop.legal == Legal.NATIONAL).all()
    assert (pop.channel == Channel.NONE).all() and (pop.destination == -1).all()
    assert np.isclose(pop.savings[0], 1000.0 - fare1 - fare2, rtol=1e-6)  # both fares
    assert pop.savings[1] == 0.0 and pop.savings[2] == 0.0 and pop.savings[3] == 0.0  # as far as savings reach
    assert pop.savings[4] == -20.0 and pop.savings[5] == 300.0  # nothing paid on credit; home already: no fare


def test_where_no_leg_leads_home_returnees_fly():
    """From Germany no leg of the network leads to Afghanistan (`home_edge` -1): the flight takes
    `air_travel_weeks`, costs the returnee nothing (a removal, or an assisted return) and the person
    is where they set off until they land at home. Engine and twin."""
    p = scalars(air_travel_weeks=3.0)
    w = world(p)
    deu, afg = node("DEU"), node("AFG")
    assert w.home_edge[origin_of("AFG", w), deu] == -1
    pop = population(3, state=State.REGULAR_RESIDENT, legal=Legal.VISA, origin=afg, location=deu, savings=500.0)
    for i in range(3):
        send_home(pop, i)
    people, wk = twin_people(pop, w), twin_week(w, p)
    for week in range(1, 1 + 3 + 1):
        for i in range(3):
            step_return(pop, i, w, p)
        for m in people:
            twin_returns.step_return(m, wk)
        for got in engine_and_twin(pop, people):
            if week <= 3:
                assert (got["location"] == deu).all() and (got["state"] == State.TRANSIT_REGULAR).all(), week
                assert (got["edge"] == -1).all() and (got["leg_left"] == 4 - week).all(), week
            else:
                assert (got["location"] == afg).all() and (got["state"] == State.RETURNED).all()
            assert (got["savings"] == 500.0).all()


def test_returnees_are_reintegrated_with_support_or_marked_as_returnees_without():
    w = world()
    oi = origin_of("AFG", w)
    weeks = int(P.reintegration_weeks)
    for support, state, flag, counted in ((1.0, State.REINTEGRATED, FLAG_SUPPORTED, N),
                                          (0.0, State.STAYING, FLAG_RETURNEE, 0)):
        w.reintegration_support[oi] = support
        pop = population(N, state=State.RETURNED, origin=node("AFG"), location=node("AFG"), channel=Channel.ASYLUM,
                         time_in_state=weeks - 1, income=50.0, flags=FLAG_RETURNEE | FLAG_SUPPORTED)
        counts = ints()
        for i in range(N):
            step_returned(pop, i, w, P, SEED, WEEK, counts)
        assert (pop.state == State.RETURNED).all() and (pop.income == 0).all()  # not yet re-established
        pop.time_in_state[:] = weeks
        for i in range(N):
            step_returned(pop, i, w, P, SEED, WEEK, counts)
        assert (pop.state == state).all() and (pop.channel == 0).all() and counts[I_REINTEGRATED] == counted
        assert (pop.flags & (FLAG_RETURNEE | FLAG_SUPPORTED) == flag).all()  # one mark or the other


# ------------------------------------------------------------------ effect level
def test_reintegration_support_lowers_remigration():
    def support(sc):
        sc.origins = {o: {"reintegration_support": 0.95} for o in ("AFG", "PAK", "BGD", "IRN", "IRQ", "TJK", "UZB")}
        return sc

    def none(sc):
        sc.origins = {o: {"reintegration_support": 0.0} for o in ("AFG", "PAK", "BGD", "IRN", "IRQ", "TJK", "UZB")}
        return sc

    without = run(none(baseline()), agents=AGENTS, weeks=156, seed=5)
    with_support = run(support(baseline()), agents=AGENTS, weeks=156, seed=5)
    assert total(with_support, "reintegrated") > total(without, "reintegrated")
    assert total(with_support, "remigrated") < total(without, "remigrated")


def test_deportation_campaign_raises_forced_returns():
    def campaign(sc):
        sc.nodes = {**sc.nodes, "TUR": {"deportation_weekly": 0.05}}
        return sc

    base, more = pair(campaign, weeks=52)
    assert total(more, "returns_forced") > 1.2 * total(base, "returns_forced")

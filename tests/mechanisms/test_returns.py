"""Tests of mechanism 12, return and reintegration (`bp_sim.mechanisms.returns`).

Rule-level tests of the per-agent rules on tiny populations in the bundled network's World
(removal needs the origin's readmission; permit holders return at their destination's rate;
refugees do not repatriate into war; reintegration support marks returnees), then the effects
of reintegration support and of a deportation campaign on paired model runs.
"""

import numpy as np

from bp_sim.mechanisms.returns import step_leave_destination, step_returned, step_stranded_return
from bp_sim.states import FLAG_EMPLOYED, FLAG_RETURNEE, FLAG_STRANDED, FLAG_SUPPORTED, Channel, Legal, State
from bp_sim.tally import I_REINTEGRATED, I_RETURNS_FORCED, I_RETURNS_VOLUNTARY

from ..conftest import baseline, run, total
from .helpers import AGENTS, SEED, WEEK, P, ints, node, origin_of, pair, population, scalars, world

N = 50


def residents(state, legal, place="DEU", n=N):
    return population(n, state=state, legal=legal, origin=node("AFG"), location=node(place), flags=FLAG_EMPLOYED)


def leave(pop, w, p=P):
    counts = ints()
    went = np.array([step_leave_destination(pop, i, w, p, SEED, WEEK, counts) for i in range(pop.state.size)])
    return went, counts


def assert_home(pop):
    assert (pop.state == State.RETURNED).all() and (pop.location == node("AFG")).all()
    assert (pop.legal == Legal.NATIONAL).all() and not (pop.flags & FLAG_EMPLOYED).any()


# ------------------------------------------------------------------ rule level
def test_removal_of_people_without_status_needs_the_origins_readmission():
    w = world()
    oi = origin_of("AFG", w)
    w.deportation_weekly[node("DEU")] = 1.0
    w.readmission[oi] = 0.0
    p = scalars(irregular_return_weekly=0.0)
    pop = residents(State.IRREGULAR_RESIDENT, Legal.REJECTED)
    went, counts = leave(pop, w, p)
    assert not went.any() and (pop.state == State.IRREGULAR_RESIDENT).all() and counts.sum() == 0
    w.readmission[oi] = 1.0
    went, counts = leave(pop, w, p)
    assert went.all() and counts[I_RETURNS_FORCED] == N and counts[I_RETURNS_VOLUNTARY] == 0
    assert_home(pop)


def test_permit_holders_return_at_their_destinations_rate_and_are_never_removed():
    w = world()
    w.deportation_weekly[:] = 1.0
    w.readmission[:] = 1.0
    w.return_weekly[node("DEU")] = 0.0
    pop = residents(State.REGULAR_RESIDENT, Legal.VISA)
    went, counts = leave(pop, w)
    assert not went.any() and counts.sum() == 0
    w.return_weekly[node("DEU")] = 1.0
    went, counts = leave(pop, w)
    assert went.all() and counts[I_RETURNS_VOLUNTARY] == N and counts[I_RETURNS_FORCED] == 0
    assert_home(pop)


def test_refugees_repatriate_as_conflict_at_home_eases():
    w = world()
    w.deportation_weekly[:] = 0.0
    p = scalars(refugee_repatriation_weekly=1.0)
    w.conflict[node("AFG")] = 1.0
    pop = residents(State.PROTECTED, Legal.REFUGEE)
    went, _ = leave(pop, w, p)
    assert not went.any()  # no return into full conflict
    w.conflict[node("AFG")] = 0.5
    went, counts = leave(pop, w, p)
    assert 0.35 < went.mean() < 0.65 and counts[I_RETURNS_VOLUNTARY] == went.sum()


def test_only_stranded_travellers_take_assisted_return():
    w = world()
    p = scalars(stranded_return_weekly=1.0)
    pop = population(4, state=State.TRANSIT_SMUGGLED, legal=Legal.IRREGULAR, origin=node("AFG"),
                     location=node("TUR"), destination=node("DEU"), flags=np.array([FLAG_STRANDED, 0, FLAG_STRANDED, 0]))
    counts = ints()
    went = [step_stranded_return(pop, i, w, p, SEED, WEEK, counts) for i in range(4)]
    assert went == [True, False, True, False] and counts[I_RETURNS_VOLUNTARY] == 2
    assert (pop.location[[0, 2]] == node("AFG")).all() and (pop.state[[0, 2]] == State.RETURNED).all()
    assert not (pop.flags[[0, 2]] & FLAG_STRANDED).any()
    assert (pop.location[[1, 3]] == node("TUR")).all() and (pop.state[[1, 3]] == State.TRANSIT_SMUGGLED).all()


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

"""Tests of mechanisms 1 and 13, life at the origin and origin conditions (`bp_sim.mechanisms.origin`).

Rule-level tests of the aspiration hazard (its direction in each driver), of the weekly
aggregate updates `update_origins` and `update_place_aspiration` on a few hand-made nodes, and
of the per-agent rule `step_at_home`; then the effect of a climate shock on paired model runs.
"""

import numpy as np

from bp_sim.mechanisms.origin import (
    aspiration_hazard,
    place_aspiration,
    step_at_home,
    update_origins,
    update_place_aspiration,
)
from bp_sim.reference import origin as twin
from bp_sim.states import FLAG_RETURNEE, FLAG_SUPPORTED, State
from bp_sim.tally import I_NEW_ASPIRING

from ..conftest import total
from .helpers import (
    SEED,
    WEEK,
    P,
    field,
    ints,
    node,
    origin_of,
    pair,
    population,
    scalars,
    scalars_array,
    twin_people,
    twin_week,
    world,
)


# ------------------------------------------------------------------ rule level
def test_aspiration_rises_with_gap_conflict_shock_network_and_falls_with_support():
    staying, reintegrated = State.STAYING, State.REINTEGRATED
    base = aspiration_hazard(P, 50.0, 0.0, 0.0, 0.0, staying, 0, 0)
    assert aspiration_hazard(P, 25.0, 0.0, 0.0, 0.0, staying, 0, 0) > base  # poorer: bigger gap
    assert aspiration_hazard(P, 50.0, 0.8, 0.0, 0.0, staying, 0, 0) > 2 * base
    assert aspiration_hazard(P, 50.0, 0.0, 1.0, 0.0, staying, 0, 0) > base
    assert aspiration_hazard(P, 50.0, 0.0, 0.0, 0.1, staying, 0, 0) > base
    assert aspiration_hazard(P, 50.0, 0.0, 0.0, 0.0, staying, FLAG_RETURNEE, 0) > base
    supported_now = aspiration_hazard(P, 50.0, 0.0, 0.0, 0.0, reintegrated, FLAG_SUPPORTED, 0)
    supported_later = aspiration_hazard(P, 50.0, 0.0, 0.0, 0.0, reintegrated, FLAG_SUPPORTED, 520)
    assert supported_now < supported_later <= base * 1.0001  # support fades (short-term effect)


def origin_week(p_arr, step=0, *, forced=(0.0, 0.0, 0.0), resilience=(0.0, 0.0, 0.0), conflict=(0.0, 0.0, 0.0),
                livelihood=(0.0, 0.0, 0.0), exposure=(0.0, 0.0, 0.0), shock_left=None):
    """One week of `update_origins` on three nodes: two origins (0, 1) and a destination (2)."""
    base_income = np.array([20.0, 40.0, 900.0])
    shock_left = np.zeros(3, np.int64) if shock_left is None else shock_left
    severity, income = np.full(3, -1.0), np.full(3, -1.0)  # -1: not written
    update_origins(np.array([1, 1, 0], np.uint8), np.array(exposure), np.array(conflict), base_income, np.zeros(3),
                   p_arr, np.array(resilience), np.array(livelihood), np.array(forced), SEED, step, shock_left,
                   severity, income)
    return severity, income, base_income


def test_origin_income_falls_in_shocks_and_conflict_and_grows_with_time_and_livelihoods():
    calm = scalars_array(climate_shock_weekly=0.0)  # no random shocks: only the scheduled one
    p = calm[0]
    severity, income, base = origin_week(calm, forced=(1.0, 0.0, 1.0))
    assert severity[:2].tolist() == [1.0, 0.0] and severity[2] == -1.0 and income[2] == -1.0  # origins only
    assert np.isclose(income[0], base[0] * (1.0 - p.climate_shock_income_loss)) and income[1] == base[1]
    severity, income, _ = origin_week(calm, forced=(1.0, 0.0, 0.0), resilience=(1.0, 0.0, 0.0))
    assert severity[0] == 0.0 and income[0] == base[0]  # full resilience: the shock is not felt
    _, income, _ = origin_week(calm, conflict=(0.0, 0.5, 0.0), livelihood=(0.25, 0.0, 0.0))
    assert np.isclose(income[1], base[1] * (1.0 - 0.5 * p.conflict_income_penalty))
    assert np.isclose(income[0], base[0] * 1.25)
    _, income, _ = origin_week(calm, 52)
    assert np.allclose(income[:2], base[:2] * (1.0 + p.origin_income_growth_annual))


def test_random_climate_shocks_come_with_exposure_and_last_their_length():
    stormy = scalars_array(climate_shock_weekly=1.0)
    weeks = int(stormy[0].climate_shock_weeks)
    left = np.zeros(3, np.int64)
    severity, _, _ = origin_week(stormy, exposure=(1.0, 0.0, 1.0), shock_left=left)
    assert severity[:2].tolist() == [1.0, 0.0] and left.tolist() == [weeks, 0, 0]  # not at the destination
    for step in range(1, weeks):
        severity, _, _ = origin_week(scalars_array(climate_shock_weekly=0.0), step, exposure=(1.0, 0.0, 1.0),
                                     shock_left=left)
        assert severity[0] == 1.0  # still in the shock
    assert left[0] == 1
    severity, _, _ = origin_week(scalars_array(climate_shock_weekly=0.0), weeks, shock_left=left)
    assert left[0] == 0 and severity[0] == 0.0  # over


def test_place_aspiration_is_written_at_origins_only_and_matches_the_hazard():
    origin_index = np.array([0, -1, 1], np.int16)
    income, conflict = np.array([20.0, 20.0, 20.0]), np.array([0.0, 0.0, 0.8])
    shock, diaspora = np.zeros(3), np.array([0.05, 0.0])
    aspiration = np.full(3, -1.0)
    update_place_aspiration(origin_index, income, conflict, shock, diaspora, scalars_array(), aspiration)
    assert aspiration[1] == -1.0
    assert np.isclose(aspiration[0], aspiration_hazard(P, 20.0, 0.0, 0.0, 0.05, State.STAYING, 0, 0))
    assert aspiration[2] > aspiration[0]  # conflict


def test_people_at_home_start_aspiring_with_the_places_hazard_and_save_from_income():
    w = world()
    afg = node("AFG")
    n = 2000
    for hazard in (0.0, 0.3):
        w.aspiration[afg] = hazard
        pop, counts = population(n, origin=afg, location=afg, skill=128, savings=100.0), ints()
        for i in range(n):
            step_at_home(pop, i, w, P, SEED, WEEK, counts)
        started = int((pop.state == State.ASPIRING).sum())
        assert counts[I_NEW_ASPIRING] == started
        assert started == 0 if hazard == 0.0 else abs(started / n - hazard) < 0.04
        assert (pop.income > 0).all() and (pop.savings < 100.0).all()  # earned; savings drawn down


def test_support_damps_aspiration_by_weeks_since_support_not_since_the_last_change_of_state():
    # ODD 8.3: support damps the wish to leave while the person is REINTEGRATED, the state entered
    # on receiving support, so its weeks in state are the weeks since support. A supported returnee
    # who aspired and gave up is STAYING again with FLAG_SUPPORTED and 0 weeks in state: the
    # support did not hold them, and the damping must not start again at full strength.
    w = world()
    afg = node("AFG")
    place = (w.income_week[afg], w.conflict[afg], w.shock_severity[afg], w.diaspora_ratio[origin_of("AFG", w)])
    p = scalars(aspiration_base=P.aspiration_base * 0.3 / place_aspiration(P, *place))  # a place hazard of 0.3
    w.aspiration[afg] = place_aspiration(p, *place)  # the engine's, once per place; the twin computes it
    assert abs(w.aspiration[afg] - 0.3) < 1e-9
    n = 4000
    damped = 1.0 - (1.0 - p.reintegrated_aspiration_mult)  # the full damping, 0 weeks after support
    started = {}
    for label, state, flags, weeks in (("plain", State.STAYING, 0, 0),
                                       ("supported now", State.REINTEGRATED, FLAG_SUPPORTED, 0),
                                       ("supported long ago", State.REINTEGRATED, FLAG_SUPPORTED, 32767),
                                       ("gave up after support", State.STAYING, FLAG_SUPPORTED, 0)):
        pop = population(n, state=state, origin=afg, location=afg, skill=128, savings=100.0, flags=flags,
                         time_in_state=weeks)
        people, wk = twin_people(pop, w), twin_week(w, p)
        counts = ints()
        for i in range(n):
            step_at_home(pop, i, w, p, SEED, WEEK, counts)
            twin.step_at_home(people[i], wk)
        started[label] = pop.state == State.ASPIRING
        twin_share = (field(people, "state") == State.ASPIRING).mean()
        expected = 0.3 * damped if label == "supported now" else 0.3
        assert abs(started[label].mean() - expected) < 0.03, (label, started[label].mean(), expected)
        assert abs(twin_share - expected) < 0.03, (label, "twin", twin_share, expected)
    # Same draws: the damped start a subset of the others; the rest start exactly as anyone else.
    assert (started["supported now"] <= started["plain"]).all()
    assert (started["supported long ago"] == started["plain"]).all()
    assert (started["gave up after support"] == started["plain"]).all()


# ------------------------------------------------------------------ effect level
def test_climate_shock_raises_aspiration_at_origin():
    def flood(sc):
        sc.events = [*sc.events, {"type": "climate_shock", "date": sc.start_date, "place": "BGD", "value": 1.0,
                                  "ramp_weeks": 0, "label": "test flood"}]
        sc.nodes = {**sc.nodes, "BGD": {"climate_resilience": 0.0}}
        return sc

    base, more = pair(flood, weeks=26)
    assert total(more, "new_aspiring") > total(base, "new_aspiring")

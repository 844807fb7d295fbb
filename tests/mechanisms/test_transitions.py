"""The shared vocabulary of the rules: life-cycle transitions, derived attributes, decision ids.

Each engine helper (`mechanisms.transitions`, `mechanisms.common`) is run on a small population
through a compiled wrapper, as the kernel runs it, and its twin (`reference.transitions`,
`reference.common`) on the same start states as plain Python objects: the two must leave every
field the same.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from numba import njit

from bp_sim import states
from bp_sim.mechanisms import common as ec
from bp_sim.mechanisms import transitions as et
from bp_sim.parameters import as_dict, make_scalars, params_array
from bp_sim.population import POP_DTYPES, allocate
from bp_sim.reference import common as rc
from bp_sim.reference import transitions as rt
from bp_sim.reference.week import params_namespace
from bp_sim.states import (
    FLAG_CLAIMED,
    FLAG_EMPLOYED,
    FLAG_ENTERED_EU,
    FLAG_STRANDED,
    Channel,
    Legal,
    State,
)
from bp_sim.world import N_INFO_LEVELS

P_ARR = params_array(as_dict(make_scalars({"skills_recognition": 0.3, "air_travel_weeks": 2.0})))
P_NS = params_namespace(P_ARR[0])
N = 64
SRC = Path(__file__).resolve().parents[2] / "src" / "bp_sim"


# Compiled wrappers: the helpers are inlined into them as into the kernel.
@njit
def _send_home(pop, i, p_arr):
    et.send_home(pop, i)


@njit
def _arrive_home(pop, i, p_arr):
    et.arrive_home(pop, i)


@njit
def _grant_protection(pop, i, p_arr):
    et.grant_protection(pop, i)


@njit
def _stay_without_status(pop, i, p_arr):
    et.stay_without_status(pop, i)


@njit
def _settle_rejected(pop, i, p_arr):
    et.settle(pop, i, State.IRREGULAR_RESIDENT, Legal.REJECTED)


@njit
def _start_preparing(pop, i, p_arr):
    et.start_preparing(pop, i, Channel.ASYLUM, 7)


@njit
def _fly_out(pop, i, p_arr):
    et.fly_out(pop, i, p_arr[0])


@njit
def _set_out_irregular(pop, i, p_arr):
    et.set_out_irregular(pop, i)


@njit
def _lose_job(pop, i, p_arr):
    et.lose_job(pop, i)


PAIRS = {
    "send_home": (_send_home, lambda m, p: rt.send_home(m)),
    "arrive_home": (_arrive_home, lambda m, p: rt.arrive_home(m)),
    "grant_protection": (_grant_protection, lambda m, p: rt.grant_protection(m)),
    "stay_without_status": (_stay_without_status, lambda m, p: rt.stay_without_status(m)),
    "settle": (_settle_rejected, lambda m, p: rt.settle(m, State.IRREGULAR_RESIDENT, Legal.REJECTED)),
    "start_preparing": (_start_preparing, lambda m, p: rt.start_preparing(m, Channel.ASYLUM, 7)),
    "fly_out": (_fly_out, lambda m, p: rt.fly_out(m, p)),
    "set_out_irregular": (_set_out_irregular, lambda m, p: rt.set_out_irregular(m)),
    "lose_job": (_lose_job, lambda m, p: rt.lose_job(m)),
}


def random_population(n: int = N, seed: int = 5):
    """Start states of every kind, including ones the model never makes (helpers must not care)."""
    rng = np.random.default_rng(seed)
    pop = allocate(n)
    pop.state[:] = rng.integers(0, len(State), n)
    pop.legal[:] = rng.integers(0, len(Legal), n)
    pop.channel[:] = rng.integers(0, len(Channel), n)
    pop.flags[:] = rng.integers(0, 256, n)
    pop.origin[:] = rng.integers(0, 7, n)
    pop.location[:] = rng.integers(0, 40, n)
    pop.destination[:] = rng.integers(-1, 40, n)
    pop.edge[:] = rng.integers(-1, 80, n)
    pop.leg_left[:] = rng.integers(0, 6, n)
    pop.time_in_state[:] = rng.integers(0, 300, n)
    pop.skill[:] = rng.integers(0, 256, n)
    pop.awareness[:] = rng.integers(0, 256, n)
    pop.savings[:] = rng.uniform(0, 5000, n)
    pop.income[:] = rng.uniform(0, 500, n)
    pop.debt[:] = rng.uniform(0, 3000, n)
    pop.weight[:] = rng.integers(0, 1000, n)  # rows of many persons, and rows of the dead (0)
    pop.key[:] = rng.integers(0, 2**63, n, dtype=np.uint64)
    return pop


def copy_population(pop):
    return type(pop)(*(a.copy() for a in pop))


def as_migrant(pop, i) -> SimpleNamespace:
    """Row i as the twin's migrant (the helpers only read and write these attributes)."""
    return SimpleNamespace(**{k: getattr(pop, k)[i].item() for k in POP_DTYPES})


def apply_engine(name, pop, i):
    out = copy_population(pop)
    PAIRS[name][0](out, i, P_ARR)
    return out


def row(pop, i) -> dict:
    return {k: getattr(pop, k)[i].item() for k in POP_DTYPES}


def test_send_home_sets_out_for_the_origin_from_where_the_person_is_and_clears_stranded_only():
    """Returns travel (ODD 7.12): sent home, a person is on the way (TRANSIT_REGULAR, channel
    RETURN) to the origin, off any leg with no leg begun, where they are; status kept until home."""
    pop = random_population()
    for i in range(N):
        before, after = row(pop, i), row(apply_engine("send_home", pop, i), i)
        assert after["state"] == State.TRANSIT_REGULAR and after["channel"] == Channel.RETURN
        assert after["destination"] == before["origin"] and after["location"] == before["location"]
        assert after["edge"] == -1 and after["leg_left"] == 0
        assert after["flags"] == before["flags"] & ~FLAG_STRANDED  # employment, claims, household kept
        untouched = set(POP_DTYPES) - {"state", "channel", "destination", "edge", "leg_left", "flags"}
        assert all(after[k] == before[k] for k in untouched)


def test_arrive_home_makes_a_returnee_and_a_national_at_the_origin():
    pop = random_population()
    for i in range(N):
        before, after = row(pop, i), row(apply_engine("arrive_home", pop, i), i)
        assert after["location"] == before["origin"]
        assert after["destination"] == -1 and after["edge"] == -1 and after["channel"] == Channel.NONE
        assert after["state"] == State.RETURNED and after["legal"] == Legal.NATIONAL
        untouched = set(POP_DTYPES) - {"location", "destination", "edge", "channel", "state", "legal"}
        assert all(after[k] == before[k] for k in untouched)  # flags, savings, weight, key kept


@pytest.mark.parametrize(("name", "state", "legal"), [
    ("grant_protection", State.PROTECTED, Legal.REFUGEE),
    ("stay_without_status", State.IRREGULAR_RESIDENT, Legal.IRREGULAR),
    ("settle", State.IRREGULAR_RESIDENT, Legal.REJECTED),
])
def test_settling_sets_state_and_legal_status_only(name, state, legal):
    pop = random_population()
    for i in range(N):
        before, after = row(pop, i), row(apply_engine(name, pop, i), i)
        assert after["state"] == state and after["legal"] == legal
        assert all(after[k] == before[k] for k in set(POP_DTYPES) - {"state", "legal"})


def test_journeys_start_as_documented():
    pop = random_population()
    for i in range(N):
        before = row(pop, i)
        prep = row(apply_engine("start_preparing", pop, i), i)
        assert (prep["state"], prep["channel"], prep["destination"]) == (State.PREPARING, Channel.ASYLUM, 7)
        assert prep["location"] == before["location"] and prep["edge"] == before["edge"]
        fly = row(apply_engine("fly_out", pop, i), i)
        assert fly["state"] == State.TRANSIT_REGULAR and fly["leg_left"] == 2
        assert fly["destination"] == before["destination"] and fly["legal"] == before["legal"]
        walk = row(apply_engine("set_out_irregular", pop, i), i)
        assert walk["state"] == State.TRANSIT_SMUGGLED and walk["edge"] == -1
        assert walk["destination"] == before["destination"] and walk["flags"] == before["flags"]
        job = row(apply_engine("lose_job", pop, i), i)
        assert job["flags"] == before["flags"] & ~FLAG_EMPLOYED
        assert job["flags"] & (FLAG_CLAIMED | FLAG_ENTERED_EU) == before["flags"] & (FLAG_CLAIMED | FLAG_ENTERED_EU)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_engine_and_twin_helpers_agree(name):
    pop = random_population(seed=11)
    engine_fn, twin_fn = PAIRS[name]
    for i in range(N):
        m = as_migrant(pop, i)
        twin_fn(m, P_NS)
        out = copy_population(pop)
        engine_fn(out, i, P_ARR)
        assert row(out, i) == vars(m), (name, i)
        others = [j for j in range(N) if j != i]
        assert all(np.array_equal(getattr(out, k)[others], getattr(pop, k)[others]) for k in POP_DTYPES)


def test_every_rule_uses_the_helpers():
    """No rule of either engine sets by hand a state or status that only the helpers set
    (returned, preparing, in either transit on setting out, protected, asylum seeker)."""
    by_hand = re.compile(r"[^=!<>]=\s*(State\.(RETURNED|PREPARING|TRANSIT_REGULAR|PROTECTED)"
                         r"|Legal\.(NATIONAL|REFUGEE|ASYLUM_SEEKER))\b")
    for pkg in ("mechanisms", "reference"):
        for path in sorted((SRC / pkg).glob("*.py")):
            if path.name != "transitions.py":
                assert not by_hand.search(path.read_text()), (pkg, path.name, by_hand.search(path.read_text()))


# Derived attributes.
@njit
def _derived(pop, p_arr, skill, recognised, income, awareness, info):
    p = p_arr[0]
    for i in range(pop.skill.shape[0]):
        skill[i] = ec.skill_of(pop, i)
        recognised[i] = ec.recognised_skill(pop, i, p)
        income[i] = ec.income_factor(ec.skill_of(pop, i))
        awareness[i] = ec.awareness_of(pop, i)
        info[i] = ec.info_level(pop, i)


@njit
def _level_bytes(levels, out):
    for j in range(levels.shape[0]):
        out[j] = ec.level_byte(levels[j])


def test_derived_attributes_agree_bit_for_bit_with_the_twin_and_numpy():
    pop = allocate(256)
    pop.skill[:] = np.arange(256)
    pop.awareness[:] = np.arange(256)[::-1]
    out = [np.zeros(256) for _ in range(4)] + [np.zeros(256, dtype=np.int64)]
    _derived(pop, P_ARR, *out)
    skill, recognised, income, awareness, info = out
    p = P_NS
    # The formulas written out once more, vectorised, in the same order of operations.
    np.testing.assert_array_equal(skill, pop.skill / 255.0)
    np.testing.assert_array_equal(
        recognised, pop.skill / 255.0 * (p.skill_recognition_floor + (1.0 - p.skill_recognition_floor) * p.skills_recognition))
    np.testing.assert_array_equal(income, 0.5 + pop.skill / 255.0)
    np.testing.assert_array_equal(awareness, pop.awareness / 255.0)
    np.testing.assert_array_equal(info, pop.awareness.astype(np.int64) * N_INFO_LEVELS // 256)
    assert info.min() == 0 and info.max() == N_INFO_LEVELS - 1
    for i in range(256):
        m = as_migrant(pop, i)
        assert rc.skill_of(m) == skill[i]
        assert rc.recognised_skill(m, p) == recognised[i]
        assert rc.income_factor(rc.skill_of(m)) == income[i]
        assert rc.awareness_of(m) == awareness[i]
        assert rc.info_level(m) == info[i]


def test_level_byte_rounds_and_clips_like_the_initial_draws():
    levels = np.concatenate([np.linspace(-0.5, 1.5, 2001), [0.5 / 255, 1.5 / 255, 254.5 / 255, np.nextafter(1.0, 0)]])
    out = np.zeros(levels.shape[0], dtype=np.int64)
    _level_bytes(levels, out)
    expected = [int(min(max(x, 0.0), 1.0) * 255.0 + 0.5) for x in levels.tolist()]
    assert out.tolist() == expected
    assert out.min() == 0 and out.max() == 255


# Decision ids.
def decision_ids() -> dict[str, int]:
    return {k: v for k, v in vars(states).items() if k.startswith("D_")}


def test_decision_ids_are_distinct_and_reserved_ones_never_drawn():
    ids = decision_ids()
    assert len(set(ids.values())) == len(ids)
    assert max(v for k, v in ids.items() if k != "D_DESTINATION_BASE") < states.D_DESTINATION_BASE
    reserved = {k for k, v in ids.items() if v in states.RESERVED_DECISIONS}
    assert reserved == {"D_DESTINATION", "D_RELEASE", "D_REPLAN", "D_INIT_INCOME"}
    used = set()
    for path in SRC.rglob("*.py"):
        if path.name == "states.py":
            continue
        for n in ast.walk(ast.parse(path.read_text())):
            if isinstance(n, ast.Name):
                used.add(n.id)
            elif isinstance(n, ast.Attribute):
                used.add(n.attr)
    assert not reserved & used
    assert set(ids) - reserved <= used  # every other id is drawn somewhere


def test_decision_ids_keep_their_values():
    # They key the random streams: a changed number changes every output.
    assert decision_ids() == {
        "D_ASPIRE": 1, "D_GIVE_UP": 2, "D_TRY_REGULAR": 3, "D_REGULAR_CORRIDOR": 4, "D_REGULAR_SLOT": 5,
        "D_SEEK_ASYLUM": 6, "D_GO_IRREGULAR": 7, "D_DESTINATION": 8, "D_DEPART_HUB": 9, "D_INTERCEPT": 10,
        "D_INTERCEPT_OUTCOME": 11, "D_DEATH": 12, "D_IDENTIFY_BODY": 13, "D_TRAFFICKED": 14,
        "D_VICTIM_IDENTIFIED": 15, "D_LODGE_CLAIM": 16, "D_ASYLUM_DECIDED": 17, "D_RECOGNISED": 18,
        "D_REMOVAL": 19, "D_JOB": 20, "D_VOLUNTARY_RETURN": 21, "D_FORCED_RETURN": 22, "D_REINTEGRATE": 23,
        "D_ONWARD": 24, "D_RESETTLE": 25, "D_RELEASE": 26, "D_DETECTED": 27, "D_INIT_SKILL": 28,
        "D_INIT_SAVINGS": 29, "D_INIT_AWARENESS": 30, "D_INIT_STATUS": 31, "D_INIT_EMPLOYED": 32,
        "D_REPLAN": 33, "D_INIT_INCOME": 34, "D_CLIMATE": 35, "D_HOUSEHOLD": 36, "D_COHORT_MOVER": 37,
        "D_SETTLED_JOB_FIND": 38, "D_SETTLED_RETURN_EMPLOYED": 39, "D_SETTLED_RETURNER": 40, "D_ROUTE_LEG": 41,
        "D_DESTINATION_BASE": 1000,
    }

"""Tests of the policy ramps (`bp_sim.policy`): how much of a dated change is in force each week,
how a setting moves ('set' towards a value, 'scale' by a factor), and what `Policy.current`
hands out (the same objects while nothing moves; copies of only the arrays a change touches)."""

import numpy as np
import pytest

from bp_sim.policy import Change, Policy, moved


def change(**fields):
    spec = {"scope": "node", "name": "x", "index": 1, "value": 20.0, "start": 10}
    return Change(**{**spec, **fields})


# ------------------------------------------------------------------ Change.weight
def test_a_change_without_ramp_is_off_before_its_start_and_fully_on_from_it():
    ch = change(ramp_weeks=0)
    assert [ch.weight(t) for t in (0, 9)] == [0.0, 0.0]
    assert [ch.weight(t) for t in (10, 11, 500)] == [1.0, 1.0, 1.0]


def test_a_ramped_change_grows_by_equal_steps_and_is_full_after_the_ramp():
    ch = change(ramp_weeks=4)
    assert ch.weight(9) == 0.0
    assert [ch.weight(t) for t in range(10, 16)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]  # in force at its start
    assert ch.weight(1000) == 1.0


def test_a_change_ends_at_its_end_week_even_in_mid_ramp():
    ch = change(ramp_weeks=4, end=12)
    assert [ch.weight(t) for t in (9, 10, 11, 12, 13, 100)] == [0.0, 0.25, 0.5, 0.0, 0.0, 0.0]
    at_once = change(ramp_weeks=0, end=11)
    assert [at_once.weight(t) for t in (10, 11, 12)] == [1.0, 0.0, 0.0]
    assert change(end=10).weight(10) == 0.0  # ends where it starts: never in force


# ------------------------------------------------------------------ moved
def test_set_moves_towards_the_value_and_scale_multiplies_by_the_factor():
    to_20 = change(value=20.0, mode="set")
    assert [moved(10.0, to_20, w) for w in (0.0, 0.25, 0.5, 1.0)] == [10.0, 12.5, 15.0, 20.0]
    times_3 = change(value=3.0, mode="scale")
    assert [moved(10.0, times_3, w) for w in (0.0, 0.5, 1.0)] == [10.0, 20.0, 30.0]
    halve = change(value=0.5, mode="scale")
    assert moved(8.0, halve, 0.5) == 6.0
    # The two modes differ: 'set' 3 is the value 3 whatever the base, 'scale' 3 triples it.
    assert moved(10.0, change(value=3.0, mode="set"), 1.0) == 3.0
    assert np.allclose(moved(np.array([1.0, 4.0]), times_3, 1.0), [3.0, 12.0])


# ------------------------------------------------------------------ Policy.current
def base_policy(*changes):
    base = {"node": {"x": np.array([1.0, 2.0, 3.0]), "y": np.array([5.0, 5.0, 5.0])},
            "edge": {"open": np.ones(4)}}
    return Policy(base=base, params={"p": 0.5, "q": 7.0}, changes=list(changes))


def test_without_active_changes_the_base_objects_are_handed_out_and_reused():
    pol = base_policy(change(start=10))
    arrays, params = pol.current(0)
    assert arrays["node"]["x"] is pol.base["node"]["x"] and arrays["edge"]["open"] is pol.base["edge"]["open"]
    assert params == pol.params
    again = pol.current(5)  # no weight moved: the same answer, the same objects
    assert again is pol.current(0) and again[0] is arrays and again[1] is params


def test_a_change_writes_only_its_entries_into_a_copy():
    pol = base_policy(change(index=1, value=20.0, start=2, ramp_weeks=2))
    base_x = pol.base["node"]["x"].copy()
    first, _ = pol.current(2)
    assert first["node"]["x"].tolist() == [1.0, 11.0, 3.0]  # half way to 20 at index 1 only
    assert first["node"]["x"] is not pol.base["node"]["x"] and (pol.base["node"]["x"] == base_x).all()
    assert first["node"]["y"] is pol.base["node"]["y"] and first["edge"]["open"] is pol.base["edge"]["open"]
    full, _ = pol.current(3)
    assert full["node"]["x"].tolist() == [1.0, 20.0, 3.0] and full is not first
    assert first["node"]["x"].tolist() == [1.0, 11.0, 3.0]  # an earlier answer is not rewritten
    assert pol.current(50)[0] is full  # after the ramp nothing moves: the same objects
    assert (pol.base["node"]["x"] == base_x).all()


def test_changes_to_one_array_combine_and_parameters_move_without_touching_the_base():
    pol = base_policy(change(index=0, value=2.0, start=0, mode="scale"), change(index=slice(1, 3), value=0.0, start=0),
                      Change("param", "p", None, 0.9, start=0, ramp_weeks=2), change(index=2, value=9.0, start=5))
    arrays, params = pol.current(0)
    assert arrays["node"]["x"].tolist() == [2.0, 0.0, 0.0]
    assert params["p"] == pytest.approx(0.7) and params["q"] == 7.0 and pol.params["p"] == 0.5
    arrays, params = pol.current(5)  # later changes apply on top of the earlier ones
    assert arrays["node"]["x"].tolist() == [2.0, 0.0, 9.0] and params["p"] == pytest.approx(0.9)
    assert pol.base["node"]["x"].tolist() == [1.0, 2.0, 3.0]


def test_when_a_change_ends_the_base_values_are_back():
    pol = base_policy(change(index=0, value=-1.0, start=1, end=3))
    assert pol.current(1)[0]["node"]["x"][0] == -1.0
    back, _ = pol.current(3)
    assert back["node"]["x"].tolist() == [1.0, 2.0, 3.0] and back["node"]["x"] is pol.base["node"]["x"]

"""Tests of the weekly quota chances (`bp_sim.mechanisms.quotas`): slots, decisions, resettlement, remittances.

Rule-level tests of the weekly aggregate updates on small hand-made arrays (one or two origins,
three nodes, one or two asylum queues): the cumulative corridor table, and the chances that turn
last week's tallies into per-person draws, which must hand out exactly the slots, decisions and
places there are. The model-level effects of quotas are in `test_channels` (regular slots) and
`test_asylum` (decision capacity).
"""

import numpy as np

from bp_sim.mechanisms.quotas import regular_corridor_cdf, update_quota_chances

from .helpers import scalars_array


def test_the_corridor_table_is_cumulative_by_slots_and_empty_without_slots():
    slots = np.array([[0.0, 2.0, 0.0, 6.0], [0.0, 0.0, 0.0, 0.0]])
    cdf = np.full(slots.shape, -1.0)
    regular_corridor_cdf(slots, cdf)
    assert cdf.tolist() == [[0.0, 0.25, 0.25, 1.0], [0.0, 0.0, 0.0, 0.0]]


def quota_week(p_arr, *, first_week=False, applicants=((0, 40, 3),), pending=None, refugees=(0, 0, 0),
               remit_in=(300.0,), receivers=(4,), capacity_mult=(1.0, 1.0, 1.0), asylum_index=(-1, -1, 0)):
    """One week of `update_quota_chances` on one origin and three nodes; returns what it writes.
    Every count is of persons (applicants, claims pending, receivers, refugees), as the slots,
    capacity and places are: no conversion."""
    base_slots = np.array([[0.0, 20.0, 12.0]])  # persons per week
    pending = np.zeros((1, 12), np.int64) if pending is None else np.asarray(pending, np.int64)
    out = (np.full((1, 3), -1.0), np.full((1, 3), -1.0), np.full(pending.shape, -1.0), np.full(1, -1.0),
           np.full(3, -1.0))  # regular_cdf, slot_prob, decide_prob, remit_per_person_week, resettle_prob
    update_quota_chances(p_arr, base_slots, np.ones((1, 3)), np.array(capacity_mult),
                         np.array(asylum_index, np.int16), first_week, np.array(applicants, np.int64), pending,
                         np.array(remit_in), np.array(receivers, np.int64), np.array(refugees, np.int64), *out)
    return out


def test_before_the_first_week_every_slot_is_open_and_nothing_is_decided_or_paid():
    cdf, slot, decide, remit, resettle = quota_week(scalars_array(), first_week=True)
    assert np.allclose(cdf, [[0.0, 20 / 32, 1.0]])  # the table is set from the first week on
    assert (slot == 1.0).all() and (decide == 0.0).all() and (remit == 0.0).all() and (resettle == 0.0).all()


def test_oversubscribed_slots_are_shared_out_to_exactly_the_slots():
    _, slot, _, _, _ = quota_week(scalars_array())
    # 20 slots a week for 40 applicants; 12 slots for 3 applicants
    assert slot[0, 1] == 0.5 and slot[0, 2] == 1.0 and slot[0, 0] == 1.0
    assert 40 * slot[0, 1] == 20.0
    _, slot, _, _, _ = quota_week(scalars_array(), applicants=((0, 80, 48),))
    assert slot[0, 1] == 0.25 and slot[0, 2] == 0.25 and 80 * slot[0, 1] == 20.0 and 48 * slot[0, 2] == 12.0


def test_decisions_use_exactly_the_capacity_shared_by_queue_size():
    p_arr = scalars_array(asylum_capacity_weekly_total=16.0, asylum_min_weeks=4)
    pending = np.zeros((2, 12), np.int64)
    pending[0, [2, 6, 11]] = [50, 20, 10]  # a long queue; the 2-week-old claims are too young
    pending[1, 8] = 20
    _, _, decide, _, _ = quota_week(p_arr, pending=pending, asylum_index=(-1, 0, 1))
    decided = (decide * pending).sum(axis=1)
    # 16 decisions a week, shared 80:20 by the queues -> 12.8 and 3.2
    assert np.allclose(decided, [12.8, 3.2])
    assert decide[0, 11] == 1.0 and np.isclose(decide[0, 6], 2.8 / 20) and decide[0, 2] == 0.0  # oldest first
    _, _, halved, _, _ = quota_week(p_arr, pending=pending, asylum_index=(-1, 0, 1), capacity_mult=(1.0, 0.5, 1.0))
    assert np.allclose((halved * pending).sum(axis=1), [6.4, 3.2])  # one system's capacity halved


def test_resettlement_places_and_remittances_are_shared_over_those_eligible():
    p_arr = scalars_array(resettlement_per_year=5200.0)  # 100 persons a week
    _, _, _, remit, resettle = quota_week(p_arr, refugees=(0, 300, 100), remit_in=(300.0,), receivers=(4,))
    assert np.allclose(resettle, 0.25) and remit[0] == 75.0  # 100 places for 400 refugees; 300 USD over 4 persons
    _, _, _, remit, resettle = quota_week(p_arr, refugees=(0, 10, 0), remit_in=(300.0,), receivers=(0,))
    assert (resettle == 1.0).all() and remit[0] == 300.0  # more places than refugees; no receivers counted
    _, _, _, _, resettle = quota_week(p_arr, refugees=(0, 0, 0))
    assert (resettle == 0.0).all()

"""Weekly chances that turn quotas and queues into per-person draws (mechanisms 4, 8, 10, 12).

Regular slots, asylum decisions, resettlement places and remittances arriving at origins are
set per corridor, destination or origin; once a week they become chances that the population
kernel draws against, computed from last week's summed tallies, so no agent order matters.
Compiled: it runs every week on network-sized arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.mechanisms.asylum import decision_chances
from bp_sim.mechanisms.remittances import update_remittance_factors
from bp_sim.tally import new_totals


@njit(cache=True)
def regular_corridor_cdf(slots, regular_cdf) -> None:
    """Cumulative choice of destination among an origin's regular corridors, by slots (0 if none)."""
    for o in range(slots.shape[0]):
        total = 0.0
        for d in range(slots.shape[1]):
            total += slots[o, d]
        running = 0.0
        for d in range(slots.shape[1]):
            running += slots[o, d]
            regular_cdf[o, d] = running / total if total > 0 else 0.0


@njit(cache=True)
def update_quota_chances(p_arr, base_slots, slots_mult, asylum_capacity_mult, asylum_index,
                         first_week, applicants, pending, remit_in, remit_receivers, refugees,
                         regular_cdf, slot_prob, decide_prob, remit_per_person_week, resettle_prob) -> None:
    """This week's chances from last week's tallies (applicants, pending claims by weeks waited,
    remittances sent home, refugees registered; all counted in persons); before the first week
    there is no queue yet.

    p_arr: the one-element parameter array the kernels read; base_slots and slots_mult are (origins, nodes) in persons per week and
    a multiplier; asylum_capacity_mult per node. Writes the last five arrays in place.
    """
    p = p_arr[0]
    slots = base_slots * slots_mult  # persons per week
    regular_corridor_cdf(slots, regular_cdf)
    if first_week:
        slot_prob[:] = 1.0
        decide_prob[:] = 0.0
        remit_per_person_week[:] = 0.0
        resettle_prob[:] = 0.0
        return
    for o in range(slots.shape[0]):
        for d in range(slots.shape[1]):
            wanted = float(applicants[o, d])
            slot_prob[o, d] = slots[o, d] / max(wanted, 1e-12) if wanted > slots[o, d] else 1.0
    # Decision capacity is shared among asylum systems by the size of their queues.
    n_queues = pending.shape[0]
    queue = pending.sum(axis=1).astype(decide_prob.dtype)
    queue_total = queue.sum()
    capacity_persons = np.zeros(n_queues)
    for n in range(asylum_index.shape[0]):
        a = asylum_index[n]
        if a >= 0:
            share = queue[a] / queue_total if queue_total > 0 else 1.0 / max(n_queues, 1)
            capacity_persons[a] = p.asylum_capacity_weekly_total * share * asylum_capacity_mult[n]
    decide_prob[:, :] = decision_chances(pending, capacity_persons, int(p.asylum_min_weeks))
    for o in range(remit_in.shape[0]):
        remit_per_person_week[o] = remit_in[o] / max(remit_receivers[o], 1)
    pool = refugees.sum()
    quota = p.resettlement_per_year / 52.0  # persons per week
    resettle_prob[:] = min(1.0, quota / pool) if pool > 0 else 0.0


class QueuesAndQuotas:
    """The weekly quotas adapter: this week's chances from last week's tallies (before the first
    week, from empty ones). Reads `asylum_capacity_mult` and `regular_slots_mult`
    (settings.csv, `argument:quotas`)."""

    def __init__(self, model) -> None:
        self._nothing_yet = new_totals(model.tally)  # what last week's tallies are before week 0

    def step(self, model, t: int) -> None:
        """Regular slot chances, asylum decision chances, resettlement and remittance shares."""
        w, node, corridor = model.world, model.in_force["node"], model.in_force["corridor"]
        first_week = model.last is None
        last = self._nothing_yet if first_week else model.last
        update_quota_chances(model.p_arr, model.base["regular_slots"],
                             corridor["regular_slots_mult"], node["asylum_capacity_mult"], w.asylum_index,
                             first_week, last.applicants, last.pending, last.remit_in, last.remit_receivers,
                             last.refugees, w.regular_cdf, w.slot_prob, w.decide_prob, w.remit_per_person_week,
                             w.resettle_prob)
        update_remittance_factors(model.p_arr, w.remit_cost, w.remit_formal, w.remit_mean_cost, w.remit_volume)

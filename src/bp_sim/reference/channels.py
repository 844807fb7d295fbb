"""Channel choice and preparing to leave (twin of `mechanisms.channels`, mechanism 2).

An aspiring person may apply for a regular slot on a corridor drawn by its slots among those
they qualify for and can pay, and is admitted with the week's slot chance; otherwise people
under threat may seek protection and others go irregularly (campaigns deter a little), towards
a destination they can afford. Preparing people leave after the preparation time: regular
migrants pay and fly; irregular ones wait until they can pay the way out of the country.
A row (returnees aspiring again) decides all its persons together; the aspiring persons of a
cohort decide in movers, with the same chances (`cohorts.leave_cohort`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.common import (
    awareness_of,
    budget,
    choose_destination,
    info_level,
    journey_credit,
    pay,
    recognised_skill,
)
from bp_sim.reference.origin import live_at_origin
from bp_sim.reference.transitions import fly_out, set_out_irregular, start_preparing
from bp_sim.states import FLAG_RETURNEE, FLAG_SUPPORTED, Channel, Legal, State

if TYPE_CHECKING:
    from types import SimpleNamespace

    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week
    from bp_sim.world import World


def pick_regular_corridor(m: Migrant, w: World, p: SimpleNamespace, u: float) -> int:
    """A regular corridor (destination node) the person qualifies for and can pay, drawn in
    proportion to its slots with the uniform draw `u`; -1 if none."""
    skill = recognised_skill(m, p)
    spend = budget(m, p.regular_max_debt_usd)
    weights = []
    prev = 0.0
    for d, c in enumerate(w.regular_cdf[m.origin_index]):
        weight = c - prev
        prev = c
        if weight > 0.0 and skill >= w.skill_threshold[d] and spend >= w.regular_cost[d]:
            weights.append((d, weight))
    total = sum(weight for _, weight in weights)
    if total <= 0.0:
        return -1
    target = u * total
    acc = 0.0
    for d, weight in weights:
        acc += weight
        if target < acc:
            return d
    return weights[-1][0]


def step_aspiring(m: Migrant, wk: Week) -> None:
    """ASPIRING: give up, apply for a regular slot, or set out to seek protection or irregularly."""
    w, p, random = wk.w, wk.p, wk.random
    live_at_origin(m, wk)
    if random() < p.aspiration_give_up_weekly:
        m.state = State.STAYING
        return
    node = m.location
    oi = m.origin_index
    info = p.regular_info_floor + (1.0 - p.regular_info_floor) * w.regular_info[node]
    if random() < p.regular_try_weekly * info:
        d = pick_regular_corridor(m, w, p, random())
        if d >= 0:
            wk.tally.applicants[oi, d] += m.weight
            if random() < w.slot_prob[oi][d]:
                start_preparing(m, Channel.REGULAR, d)
                return
    channel = Channel.NONE
    if random() < p.asylum_seek_weekly * w.conflict[node]:
        channel = Channel.ASYLUM
    else:
        deterrence = 1.0 - p.campaign_deterrence * awareness_of(m)
        if random() < p.irregular_go_weekly * deterrence:
            channel = Channel.IRREGULAR
    if channel == Channel.NONE:
        return
    d = choose_destination(m, wk, node, channel, budget(m, journey_credit(m, p)), False, False)
    if d >= 0:
        start_preparing(m, channel, d)


def cost_to_first_border(w: World, k: int, di: int, node: int) -> float:
    """Money needed to get out of the country: the legs up to and including the first border."""
    total = 0.0
    for _ in range(len(w.edge_src)):
        e = w.next_edge[k][di][node]
        if e < 0:
            break
        total += w.edge_cost[e]
        if w.edge_border[e]:
            break
        node = w.edge_dst[e]
    return total


def step_preparing(m: Migrant, wk: Week) -> None:
    """PREPARING: after the preparation time, leave (regular: pay and fly; else set out)."""
    w, p, ints = wk.w, wk.p, wk.tally.ints[m.origin_index]
    live_at_origin(m, wk)
    if m.channel == Channel.REGULAR:
        if m.time_in_state < p.prepare_weeks_regular:
            return
        if not pay(m, w.regular_cost[m.destination], p.regular_max_debt_usd):
            m.state = State.ASPIRING  # the money fell short: back to looking
            m.channel = Channel.NONE
            return
        fly_out(m, p)
        m.legal = Legal.VISA
        ints[T.I_REGULAR_DEPARTURES] += m.weight
        if w.europe[m.destination]:
            ints[T.I_REGULAR_DEPARTURES_EUROPE] += m.weight
    else:
        if m.time_in_state < p.prepare_weeks_irregular:
            return
        first_border = cost_to_first_border(w, info_level(m), w.dest_index[m.destination], m.location)
        if first_border > budget(m, journey_credit(m, p)):
            # Cannot yet pay the first leg: keep saving, or give up.
            if wk.random() < p.aspiration_give_up_weekly:
                m.state = State.STAYING
                m.channel = Channel.NONE
                m.destination = -1
            return
        set_out_irregular(m)
        ints[T.I_IRREGULAR_DEPARTURES] += m.weight
    if m.flags & (FLAG_RETURNEE | FLAG_SUPPORTED):
        ints[T.I_REMIGRATED] += m.weight

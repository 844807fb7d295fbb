"""Mechanism 2: channel choice (regular pathway, asylum, smuggled) and preparing to leave.

Each week an aspiring person may apply for a regular slot (work visa, labour mobility, family,
study) on a corridor drawn in proportion to the slots it offers, among the corridors whose skill
threshold their recognised skill meets and whose cost they can pay; they are admitted with the
chance slots/applicants of last week on that corridor (quotas bind). Otherwise people under
threat may seek protection, and others may go irregularly; risk-awareness campaigns deter a
little (Tjaden & Dunsch 2021: small effects). The destination is chosen among those they can
afford (`common.choose_destination`).
"""

from __future__ import annotations

from bp_sim.jit import inline_rule, rule
from bp_sim.mechanisms.common import (
    awareness_of,
    budget,
    choose_destination,
    info_level,
    journey_credit,
    pay,
    recognised_skill,
)
from bp_sim.mechanisms.origin import live_at_origin
from bp_sim.mechanisms.transitions import fly_out, set_out_irregular, start_preparing
from bp_sim.rng import uniform
from bp_sim.states import (
    D_GIVE_UP,
    D_GO_IRREGULAR,
    D_REGULAR_CORRIDOR,
    D_REGULAR_SLOT,
    D_SEEK_ASYLUM,
    D_TRY_REGULAR,
    FLAG_RETURNEE,
    FLAG_SUPPORTED,
    Channel,
    Legal,
    State,
)
from bp_sim.tally import I_IRREGULAR_DEPARTURES, I_REGULAR_DEPARTURES, I_REGULAR_DEPARTURES_EUROPE, I_REMIGRATED


@rule
def pick_regular_corridor(pop, i, w, p, oi, u) -> int:
    """A regular corridor the person qualifies for and can pay, drawn by its slots; -1 if none.

    Weights are the corridor's share of the origin's slots, kept only where the person's
    recognised skill meets the destination's threshold and their budget covers the cost.
    """
    cdf = w.regular_cdf[oi]
    skill = recognised_skill(pop, i, p)
    spend = budget(pop, i, p.regular_max_debt_usd)
    total = 0.0
    prev = 0.0
    for d in range(cdf.shape[0]):
        weight = cdf[d] - prev
        prev = cdf[d]
        if weight > 0.0 and skill >= w.skill_threshold[d] and spend >= w.regular_cost[d]:
            total += weight
    if total <= 0.0:
        return -1
    target = u * total
    prev = 0.0
    acc = 0.0
    last = -1
    for d in range(cdf.shape[0]):
        weight = cdf[d] - prev
        prev = cdf[d]
        if weight > 0.0 and skill >= w.skill_threshold[d] and spend >= w.regular_cost[d]:
            acc += weight
            last = d
            if target < acc:
                return d
    return last


@inline_rule
def step_aspiring(pop, i, w, p, seed, t, ints, applicants):
    """ASPIRING: apply for a regular slot, or set out to seek protection or irregularly."""
    node = pop.location[i]
    oi = w.origin_index[node]
    live_at_origin(pop, i, w, p, node, oi, seed)
    if uniform(seed, pop.key[i], t, D_GIVE_UP) < p.aspiration_give_up_weekly:
        pop.state[i] = State.STAYING
        return
    info = p.regular_info_floor + (1.0 - p.regular_info_floor) * w.regular_info[node]
    if uniform(seed, pop.key[i], t, D_TRY_REGULAR) < p.regular_try_weekly * info:
        d = pick_regular_corridor(pop, i, w, p, oi, uniform(seed, pop.key[i], t, D_REGULAR_CORRIDOR))
        if d >= 0:
            applicants[oi, d] += pop.weight[i]
            if uniform(seed, pop.key[i], t, D_REGULAR_SLOT) < w.slot_prob[oi, d]:
                start_preparing(pop, i, Channel.REGULAR, d)
                return
    channel = Channel.NONE
    if uniform(seed, pop.key[i], t, D_SEEK_ASYLUM) < p.asylum_seek_weekly * w.conflict[node]:
        channel = Channel.ASYLUM
    else:
        deterrence = 1.0 - p.campaign_deterrence * awareness_of(pop, i)
        if uniform(seed, pop.key[i], t, D_GO_IRREGULAR) < p.irregular_go_weekly * deterrence:
            channel = Channel.IRREGULAR
    if channel == Channel.NONE:
        return
    d = choose_destination(pop, i, pop.key[i], w, p, seed, t, node, oi, channel, budget(pop, i, journey_credit(pop, i, p)), False,
                           False)
    if d >= 0:
        start_preparing(pop, i, channel, d)


@rule
def cost_to_first_border(w, k, di, node) -> float:
    """Money needed to get out of the country: the legs up to and including the first border."""
    total = 0.0
    for _ in range(w.edge_src.shape[0]):
        e = w.next_edge[k, di, node]
        if e < 0:
            break
        total += w.edge_cost[e]
        if w.edge_border[e]:
            break
        node = w.edge_dst[e]
    return total


@inline_rule
def step_preparing(pop, i, w, p, seed, t, ints):
    """PREPARING: after the preparation time, leave (regular: pay and fly; else set out)."""
    node = pop.location[i]
    oi = w.origin_index[node]
    live_at_origin(pop, i, w, p, node, oi, seed)
    if pop.channel[i] == Channel.REGULAR:
        if pop.time_in_state[i] < p.prepare_weeks_regular:
            return
        if not pay(pop, i, w.regular_cost[pop.destination[i]], p.regular_max_debt_usd):
            pop.state[i] = State.ASPIRING  # the money fell short: back to looking
            pop.channel[i] = Channel.NONE
            return
        fly_out(pop, i, p)
        pop.legal[i] = Legal.VISA
        ints[I_REGULAR_DEPARTURES] += pop.weight[i]
        if w.europe[pop.destination[i]]:
            ints[I_REGULAR_DEPARTURES_EUROPE] += pop.weight[i]
    else:
        if pop.time_in_state[i] < p.prepare_weeks_irregular:
            return
        d = pop.destination[i]
        if w.cost_to_border[info_level(pop, i), w.dest_index[d], node] > budget(pop, i, journey_credit(pop, i, p)):
            # Cannot yet pay the first leg: keep saving, or give up.
            if uniform(seed, pop.key[i], t, D_GIVE_UP) < p.aspiration_give_up_weekly:
                pop.state[i] = State.STAYING
                pop.channel[i] = Channel.NONE
                pop.destination[i] = -1
            return
        set_out_irregular(pop, i)
        ints[I_IRREGULAR_DEPARTURES] += pop.weight[i]
    if pop.flags[i] & (FLAG_RETURNEE | FLAG_SUPPORTED):
        ints[I_REMIGRATED] += pop.weight[i]

"""Helpers shared by the per-agent rules: derived attributes (skill, income, awareness), money,
destination choice. Life-cycle changes are in `transitions`."""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.jit import inline_rule, rule
from bp_sim.rng import uniform
from bp_sim.states import D_DESTINATION_BASE, Channel
from bp_sim.world import N_INFO_LEVELS


@inline_rule
def skill_of(pop, i) -> float:
    """Skill level 0..1 (stored as uint8)."""
    return pop.skill[i] / 255.0


@inline_rule
def recognised_skill(pop, i, p) -> float:
    """Skill as employers and visa officers at destination count it (PG2.1 raises it): for the
    regular corridors' skill thresholds and for wages at destination."""
    s = skill_of(pop, i)
    return s * (p.skill_recognition_floor + (1.0 - p.skill_recognition_floor) * p.skills_recognition)


@inline_rule
def income_factor(skill: float) -> float:
    """Earnings relative to the node's mean income: 0.5 for the least, 1.5 for the most skilled."""
    return 0.5 + skill


@inline_rule
def awareness_of(pop, i) -> float:
    """Awareness of risks and routes 0..1 (stored as uint8)."""
    return pop.awareness[i] / 255.0


@inline_rule
def info_level(pop, i) -> int:
    """Bucket of the awareness scale used to pick the perceived-risk route table."""
    return pop.awareness[i] * N_INFO_LEVELS // 256


@inline_rule
def level_byte(level: float) -> int:
    """A 0..1 level (skill, awareness) as stored, 0..255: clipped, then rounded to nearest.
    The inverse of `skill_of` and `awareness_of` up to rounding."""
    return int(min(max(level, 0.0), 1.0) * 255.0 + 0.5)


@inline_rule
def pay(pop, i, amount: float, max_debt: float) -> bool:
    """Pay from savings, borrowing the rest up to max_debt. False (nothing paid) if unaffordable."""
    s = pop.savings[i]
    if amount <= s:
        pop.savings[i] = s - amount
        return True
    short = amount - s
    if pop.debt[i] + short > max_debt:
        return False
    pop.savings[i] = 0.0
    pop.debt[i] += short
    return True


@inline_rule
def budget(pop, i, max_debt: float) -> float:
    """Money a person can still spend on the journey: savings plus remaining credit."""
    return pop.savings[i] + max(0.0, max_debt - pop.debt[i])


@inline_rule
def gumbel(seed, key, t, decision) -> float:
    """A keyed standard Gumbel draw (key: the row's, or a would-be mover's `rng.unit_key`): adding
    one to each option's utility and taking the best samples a multinomial logit choice."""
    u = uniform(seed, key, t, decision)
    return -np.log(-np.log(u + 1e-300) + 1e-300)


@inline_rule
def journey_credit(pop, i, p) -> float:
    """Credit for an irregular journey: weeks of the person's income, capped (capability grows
    with income, which with falling aspiration gives the migration hump)."""
    return min(p.max_debt_usd, p.credit_income_weeks * pop.income[i])


@njit(cache=True)
def update_destination_appeal(p_arr, dest_nodes, income_week, network_share, dest_appeal) -> None:
    """Each week, the part of a destination's utility in `choose_destination` that is the same for
    everyone of an origin: income there and the origin's diaspora there. Computed once per
    (origin, destination) instead of once per person and candidate (two logarithms each)."""
    p = p_arr[0]
    for o in range(dest_appeal.shape[0]):
        for di in range(dest_nodes.shape[0]):
            d = dest_nodes[di]
            v = p.dest_weight_income * np.log(income_week[d] + 1.0)
            v += p.dest_weight_network * np.log(network_share[o, d] + 1e-4)
            dest_appeal[o, di] = v


@inline_rule
def choose_leg(w, k, di, loc, u) -> int:
    """The leg a traveller at `loc` (information level k, bound for destination di) takes, given
    its uniform draw u: the efficient legs share travellers by `w.edge_share` (routing), the best
    leg (`next_edge`) being one of them; -1 if the destination cannot be reached from here."""
    best = w.next_edge[k, di, loc]
    if best < 0:
        return best
    acc = 0.0
    for e in range(w.node_out_start[loc], w.node_out_start[loc + 1]):
        acc += w.edge_share[k, di, e]
        if u < acc:
            return e
    return best  # rounding: the shares sum to one


@rule
def choose_destination(pop, i, key, w, p, seed, t, loc, oi, channel, spend, asylum_only, may_stay) -> int:
    """Pick a destination reachable from `loc` within `spend` USD (plus what people expect to
    earn or borrow on the way, `journey_credit_usd`), or -1 if none.

    Random utility (Gumbel-max with one keyed draw per candidate): income at the destination,
    the diaspora of the person's origin there, the money still to pay on the way, and for
    people seeking protection the recognition rate of their nationality there. Never the
    person's origin. `loc` itself is a candidate only if `may_stay` (a traveller re-planning at
    a destination it is passing through may stay there: nothing left to pay, its own draw).
    """
    k = info_level(pop, i)
    origin_node = pop.origin[i]
    best = -1
    best_v = -np.inf
    for di in range(w.dest_nodes.shape[0]):
        d = w.dest_nodes[di]
        if d == origin_node:
            continue
        if asylum_only and w.asylum_index[d] < 0:
            continue
        if d == loc:
            if not may_stay:
                continue
        elif w.next_edge[k, di, loc] < 0:
            continue
        m = w.money_to_go[k, di, loc]
        if m > spend + p.journey_credit_usd:
            continue
        v = w.dest_appeal[oi, di]  # income and diaspora there (update_destination_appeal)
        v -= p.dest_weight_cost * m / p.reference_fee_usd
        if channel == Channel.ASYLUM:
            v += p.dest_weight_recognition * w.recognition[oi, d]
        v += gumbel(seed, key, t, D_DESTINATION_BASE + di)
        if v > best_v:
            best_v = v
            best = d
    return best

"""Helpers shared by the rules (twin of `mechanisms.common`): derived attributes (skill, income,
awareness), money, destination choice, and counts of persons out of a group (`binomial`, the twin
of `rng.binomial`). Life-cycle changes are in `transitions`.

They take a `Migrant` (a row) or a `Cohort` alike: both hold the row fields as attributes, and
money and attributes are per person."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bp_sim.states import Channel
from bp_sim.world import N_INFO_LEVELS

if TYPE_CHECKING:
    from types import SimpleNamespace

    import numpy as np

    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def binomial(rng: np.random.Generator, n: int, prob: float) -> int:
    """How many of n persons take a step each takes on their own with chance `prob` (0 for
    n <= 0 or prob <= 0, n for prob >= 1, as `rng.binomial` of the engine)."""
    if n <= 0 or prob <= 0.0:
        return 0
    if prob >= 1.0:
        return n
    return int(rng.binomial(n, prob))


def skill_of(m: Migrant) -> float:
    """Skill level 0..1 (kept as 0..255 like the engine's uint8)."""
    return m.skill / 255.0


def recognised_skill(m: Migrant, p: SimpleNamespace) -> float:
    """Skill as employers and visa officers at destination count it (PG2.1 raises it): for the
    regular corridors' skill thresholds and for wages at destination."""
    return skill_of(m) * (p.skill_recognition_floor + (1.0 - p.skill_recognition_floor) * p.skills_recognition)


def income_factor(skill: float) -> float:
    """Earnings relative to the node's mean income: 0.5 for the least, 1.5 for the most skilled."""
    return 0.5 + skill


def awareness_of(m: Migrant) -> float:
    """Awareness of risks and routes 0..1 (kept as 0..255 like the engine's uint8)."""
    return m.awareness / 255.0


def info_level(m: Migrant) -> int:
    """Bucket of the awareness scale that picks the perceived-risk route table."""
    return m.awareness * N_INFO_LEVELS // 256


def pay(m: Migrant, amount: float, max_debt: float) -> bool:
    """Pay from savings, borrowing the rest up to max_debt. False (nothing paid) if unaffordable."""
    if amount <= m.savings:
        m.savings -= amount
        return True
    short = amount - m.savings
    if m.debt + short > max_debt:
        return False
    m.savings = 0.0
    m.debt += short
    return True


def budget(m: Migrant, max_debt: float) -> float:
    """Money the person can still spend on the journey: savings plus remaining credit."""
    return m.savings + max(0.0, max_debt - m.debt)


def journey_credit(m: Migrant, p: SimpleNamespace) -> float:
    """Credit for an irregular journey: weeks of the person's income, capped."""
    return min(p.max_debt_usd, p.credit_income_weeks * m.income)


def choose_destination(m: Migrant, wk: Week, loc: int, channel: int, spend: float, asylum_only: bool,
                       may_stay: bool) -> int:
    """A destination reachable from `loc` within `spend` USD (plus `journey_credit_usd`), or -1.

    Random utility: income there, the person's diaspora there, the money still to pay, and for
    people seeking protection the recognition rate of their nationality; the best of the
    utilities plus one Gumbel draw each (a multinomial logit choice). Never the origin; `loc`
    itself only if `may_stay` (a traveller re-planning at a destination may stay there).
    """
    w, p = wk.w, wk.p
    k = info_level(m)
    oi = m.origin_index
    best = -1
    best_v = -math.inf
    for di, d in enumerate(w.dest_nodes):
        if d == m.origin:
            continue
        if asylum_only and w.asylum_index[d] < 0:
            continue
        if d == loc:
            if not may_stay:
                continue
        elif w.next_edge[k][di][loc] < 0:
            continue
        money = w.money_to_go[k][di][loc]
        if money > spend + p.journey_credit_usd:
            continue
        v = p.dest_weight_income * math.log(w.income_week[d] + 1.0)
        v += p.dest_weight_network * math.log(w.network_share[oi][d] + 1e-4)
        v -= p.dest_weight_cost * money / p.reference_fee_usd
        if channel == Channel.ASYLUM:
            v += p.dest_weight_recognition * w.recognition[oi][d]
        v += wk.rng.gumbel()
        if v > best_v:
            best_v = v
            best = d
    return best

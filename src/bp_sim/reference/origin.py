"""Life at the origin and the wish to migrate (twin of `mechanisms.origin`, mechanisms 1 and 13).

Everyone living at their origin earns, saves (remittances reach only households with a migrant)
and hears risk-awareness campaigns; people staying (or re-established) may start to wish to move,
with a weekly hazard that grows with the income gap, conflict, climate shocks and the diaspora.
The same rules serve a row of returnees (all its persons at once) and a cohort at home (each of
its persons on their own, `cohorts.step_cohort`).
Origin conditions over time (income growth, shocks) are aggregate and shared with the engine.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.common import income_factor, skill_of
from bp_sim.states import FLAG_RETURNEE, State

if TYPE_CHECKING:
    from types import SimpleNamespace

    from bp_sim.reference.cohort import Cohort
    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def aspiration_hazard(p: SimpleNamespace, income_week: float, conflict: float, shock: float, diaspora_ratio: float,
                      state: int, flags: int, weeks_in_state: int) -> float:
    """Weekly chance that a person at home (STAYING or REINTEGRATED) starts to wish to migrate.

    Support damps it only while the person is REINTEGRATED (entered on receiving support, so the
    weeks in state are the weeks since support); after aspiring again and giving up, it is gone."""
    gap = max(p.reference_dest_income_week / max(income_week, 1e-6), 1.0)
    h = p.aspiration_base * gap**p.aspiration_income_elasticity
    h *= 1.0 + p.aspiration_conflict * conflict
    h *= 1.0 + p.aspiration_climate_shock * shock
    h *= 1.0 + p.aspiration_network * diaspora_ratio
    if state == State.REINTEGRATED:
        # Reintegration support lowers re-migration for a while, then wears off.
        fade = math.exp(-weeks_in_state / p.reintegration_effect_weeks)
        h *= 1.0 - (1.0 - p.reintegrated_aspiration_mult) * fade
    elif flags & FLAG_RETURNEE:
        h *= p.returnee_aspiration_mult
    return min(h, 1.0)


def live_at_origin(m: Migrant | Cohort, wk: Week) -> None:
    """Earn, save, receive remittances (households with a migrant only) and hear campaigns (the
    amounts are per person: `remit_per_person_week` is USD per person of a receiving household)."""
    w, p = wk.w, wk.p
    node = m.location
    inc = w.income_week[node] * income_factor(skill_of(m))
    m.income = inc
    received = w.remit_per_person_week[m.origin_index] if m.remit_household else 0.0
    m.savings = m.savings * (1.0 - p.savings_drawdown_weekly) + inc * p.saving_rate + received
    campaign = w.campaign_intensity[node]
    if campaign > 0.0:
        a = m.awareness
        m.awareness = min(255, a + int((255 - a) * campaign * p.awareness_gain_weekly + 0.5))


def aspiration_of(m: Migrant | Cohort, wk: Week) -> float:
    """This week's chance that a person of `m` (a row at home, or one of a cohort's persons
    staying) starts to wish to migrate."""
    w = wk.w
    node = m.location
    return aspiration_hazard(wk.p, w.income_week[node], w.conflict[node], w.shock_severity[node],
                             w.diaspora_ratio[m.origin_index], m.state, m.flags, m.time_in_state)


def step_at_home(m: Migrant, wk: Week) -> None:
    """STAYING or REINTEGRATED (a row of returnees): live at home; maybe start aspiring, all together."""
    live_at_origin(m, wk)
    if wk.random() < aspiration_of(m, wk):
        m.state = State.ASPIRING
        wk.tally.ints[m.origin_index, T.I_NEW_ASPIRING] += m.weight

"""Mechanisms 1 and 13: life at the origin, aspiration to migrate, origin conditions over time.

Aspiration follows the aspirations-capabilities framework (de Haas 2021): the weekly hazard of
wishing to move grows with the income gap to destinations, insecurity (conflict), climate
shocks and the diaspora network, and falls as origin income rises. Capability is money:
savings grow with income and remittances, and a wish only becomes a move once a channel is
affordable (see `channels`). Together they give the migration hump (Clemens 2014): at low
incomes more income first raises emigration by making moves affordable.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.jit import inline_rule
from bp_sim.mechanisms.common import income_factor, skill_of
from bp_sim.rng import uniform
from bp_sim.states import D_ASPIRE, D_CLIMATE, FLAG_REMIT_HOUSEHOLD, FLAG_RETURNEE, State
from bp_sim.tally import I_NEW_ASPIRING


@inline_rule
def place_aspiration(p, income_week, conflict, shock, diaspora_ratio) -> float:
    """The part of the aspiration hazard that is the same for everyone at a place this week."""
    gap = max(p.reference_dest_income_week / max(income_week, 1e-6), 1.0)
    h = p.aspiration_base * gap**p.aspiration_income_elasticity
    h *= 1.0 + p.aspiration_conflict * conflict
    h *= 1.0 + p.aspiration_climate_shock * shock
    h *= 1.0 + p.aspiration_network * diaspora_ratio
    return h


@inline_rule
def personal_aspiration(p, h, state, flags, weeks_in_state) -> float:
    """The place's hazard h for one person, by their return history (a chance, capped at 1).

    Reintegration support damps it while the person is REINTEGRATED: that state is entered only on
    receiving support, so its weeks in state are the weeks since support. Someone who has aspired
    again since (and given up) stays STAYING with FLAG_SUPPORTED as a record only (for
    `remigrated`): the support did not hold them, and the damping does not start again."""
    if state == State.REINTEGRATED:
        # Reintegration support lowers re-migration for a while, then wears off.
        fade = np.exp(-weeks_in_state / p.reintegration_effect_weeks)
        h *= 1.0 - (1.0 - p.reintegrated_aspiration_mult) * fade
    elif flags & FLAG_RETURNEE:
        h *= p.returnee_aspiration_mult
    return min(h, 1.0)


@inline_rule
def aspiration_hazard(p, income_week, conflict, shock, diaspora_ratio, state, flags, weeks_in_state):
    """Weekly chance that a person at home (STAYING or REINTEGRATED) starts to wish to migrate."""
    h = place_aspiration(p, income_week, conflict, shock, diaspora_ratio)
    return personal_aspiration(p, h, state, flags, weeks_in_state)


@njit(cache=True)
def update_place_aspiration(origin_index, income_week, conflict, shock_severity, diaspora_ratio, p_arr,
                            aspiration) -> None:
    """This week's place part of the hazard at each origin (once per node, not once per person).
    Takes the arrays it needs, not the World: passing the World costs more than the loop."""
    p = p_arr[0]
    for n in range(origin_index.shape[0]):
        oi = origin_index[n]
        if oi >= 0:
            aspiration[n] = place_aspiration(p, income_week[n], conflict[n], shock_severity[n], diaspora_ratio[oi])


@inline_rule
def receives_remittances(pop, i) -> bool:
    """Whether the person's household has a migrant sending money (drawn once per person at the
    start, `population._draw_range`: the diaspora behind it is fixed at its 2020 size)."""
    return (pop.flags[i] & FLAG_REMIT_HOUSEHOLD) != 0


@inline_rule
def live_at_origin(pop, i, w, p, node, oi, seed):
    """Earn, save, receive remittances and hear campaigns, for anyone living at their origin.

    Remittances go only to households with a migrant, so most households save from their own
    income alone: their capability to move grows with it (the migration hump).
    """
    inc = w.income_week[node] * income_factor(skill_of(pop, i))
    pop.income[i] = inc
    share = w.remit_per_person_week[oi]  # read for everyone: a branch on the random flag mispredicts
    received = share if receives_remittances(pop, i) else 0.0
    pop.savings[i] = pop.savings[i] * (1.0 - p.savings_drawdown_weekly) + inc * p.saving_rate + received
    campaign = w.campaign_intensity[node]
    if campaign > 0.0:
        a = pop.awareness[i]
        pop.awareness[i] = min(255, a + int((255 - a) * campaign * p.awareness_gain_weekly + 0.5))


@inline_rule
def step_at_home(pop, i, w, p, seed, t, ints):
    """STAYING or REINTEGRATED: maybe start aspiring."""
    node = pop.location[i]
    oi = w.origin_index[node]
    live_at_origin(pop, i, w, p, node, oi, seed)
    h = personal_aspiration(p, w.aspiration[node], pop.state[i], pop.flags[i], pop.time_in_state[i])
    if uniform(seed, pop.key[i], t, D_ASPIRE) < h:
        pop.state[i] = State.ASPIRING
        ints[I_NEW_ASPIRING] += pop.weight[i]


@njit(cache=True)
def update_origins(is_origin, climate_exposure, conflict, base_income_week, base_conflict, p_arr, resilience,
                   livelihood, forced_shock, seed_key, step, shock_left, shock_severity, income_week) -> None:
    """Weekly origin conditions: income growth, climate shocks by exposure, conflict penalty.

    Runs on the handful of origin nodes (not per agent); writes shock_severity and income_week.
    `shock_left` (weeks left of a shock per node) is the mechanism's own state, kept by the model.
    """
    p = p_arr[0]  # the one-element parameter array the kernels read
    years = step / 52.0
    growth = (1.0 + p.origin_income_growth_annual) ** years
    for n in range(is_origin.shape[0]):
        if not is_origin[n]:
            continue
        if shock_left[n] > 0:
            shock_left[n] -= 1
        elif uniform(seed_key, n, step, D_CLIMATE) < p.climate_shock_weekly * climate_exposure[n]:
            shock_left[n] = int(p.climate_shock_weeks)
        random_shock = 1.0 if shock_left[n] > 0 else 0.0
        # A scheduled shock (a flood or drought event) adds to the random ones.
        severity = max(random_shock, forced_shock[n]) * (1.0 - resilience[n])
        shock_severity[n] = severity
        conflict_excess = max(0.0, conflict[n] - base_conflict[n])
        income_week[n] = (
            base_income_week[n]
            * growth
            * (1.0 - p.conflict_income_penalty * conflict_excess)
            * (1.0 - p.climate_shock_income_loss * severity)
            * (1.0 + livelihood[n])
        )


class OriginConditions:
    """The weekly origin update's adapter and its state: `shock_left` (per node, weeks of climate
    shock left), kept between weeks. Reads the node settings `climate_resilience`,
    `livelihood_boost` and `climate_shock` (settings.csv, `argument:origin`)."""

    def __init__(self, model) -> None:
        self.shock_left = np.zeros(model.net.n_nodes, np.int64)

    def step(self, model, t: int) -> None:
        """Income, climate shocks and conflict at origins, then their aspiration hazard."""
        w, node = model.world, model.in_force["node"]
        update_origins(w.is_origin, w.climate_exposure, w.conflict, model.base["income_week"], model.base["conflict"],
                       model.p_arr, node["climate_resilience"], node["livelihood_boost"], node["climate_shock"],
                       model.seed_key, t, self.shock_left, w.shock_severity, w.income_week)
        update_place_aspiration(w.origin_index, w.income_week, w.conflict, w.shock_severity, w.diaspora_ratio,
                                model.p_arr, w.aspiration)

"""People at home as weighted cohorts: aspiration, giving up, and leaving as movers (mechanisms 1, 2).

A cohort is many people of one origin alike in skill, awareness, savings and household: it holds
the persons staying (`weight`) and the persons aspiring to move (`Cohorts.aspiring`). Each week,
in persons, some of the staying start aspiring and some of the aspiring give up, with the chances
a single person at home has (`origin`, `channels`). Aspiring persons act in movers of
`persons_per_mover` persons: some try for a regular slot (each drawing its corridor and slot, as
one person of `channels.step_aspiring` does), others seek protection or go irregularly (each
choosing its own destination). Whoever wins a slot or finds a destination leaves the cohort as a
row of its own in PREPARING, made by the spawn pass after the week (`kernel.spawn_movers`), which
replays the same keyed draws (`leave_regular`, `leave_other`) so that it makes exactly the movers
the week decided. Counts come from `rng.binomial` and every would-be mover draws with its own
`rng.unit_key`, so paired scenarios share random numbers person by person.

When a cohort's aspiring persons are not a whole number of movers, the last mover forms with
chance (the remainder / `persons_per_mover`) and, if it leaves, takes the persons it lacks from the
cohort's staying: no one is left out for being fewer than a mover, and the expected number who
leave is that of persons deciding one by one.
"""

from __future__ import annotations

import numpy as np

from bp_sim.jit import inline_rule, rule
from bp_sim.mechanisms.channels import pick_regular_corridor
from bp_sim.mechanisms.common import awareness_of, budget, choose_destination, journey_credit
from bp_sim.mechanisms.origin import live_at_origin, personal_aspiration
from bp_sim.population import PLAN_ASYLUM, PLAN_LEAVERS, PLAN_SEEK, PLAN_TRY_REGULAR
from bp_sim.rng import binomial, uniform, unit_key
from bp_sim.states import (
    D_ASPIRE,
    D_COHORT_MOVER,
    D_GIVE_UP,
    D_GO_IRREGULAR,
    D_REGULAR_CORRIDOR,
    D_REGULAR_SLOT,
    D_SEEK_ASYLUM,
    D_TRY_REGULAR,
    Channel,
)
from bp_sim.tally import I_NEW_ASPIRING

BRANCH_REGULAR = 1  # `rng.unit_key` branch of the persons trying for a regular slot
BRANCH_SEEK = 2  # ... of those seeking protection or going irregularly


@rule
def leave_regular(pop, c, w, p, seed, t, oi, j) -> int:
    """The j-th person of cohort c trying for a regular slot this week: the corridor d whose slot
    it won, -2 - d if it applied to d and won none, or -1 if it qualifies for and can pay none."""
    uk = unit_key(pop.key[c], BRANCH_REGULAR, j)
    d = pick_regular_corridor(pop, c, w, p, oi, uniform(seed, uk, t, D_REGULAR_CORRIDOR))
    if d < 0:
        return -1
    if uniform(seed, uk, t, D_REGULAR_SLOT) < w.slot_prob[oi, d]:
        return d
    return -2 - d  # applied to d, no slot


@rule
def leave_other(pop, c, w, p, seed, t, node, oi, j, n_asylum, spend) -> int:
    """The j-th person of cohort c setting out without a slot (the first n_asylum seek
    protection): the destination it chose, or -1 if it can afford none."""
    channel = Channel.ASYLUM if j < n_asylum else Channel.IRREGULAR
    return choose_destination(pop, c, unit_key(pop.key[c], BRANCH_SEEK, j), w, p, seed, t, node, oi, channel,
                              spend, False, False)


@rule
def try_regular(pop, c, w, p, seed, t, oi, tries, applicants, ppm) -> int:
    """The `tries` persons of cohort c trying for a regular slot this week (each its corridor and
    slot draw, counted as applicants): how many won a slot."""
    won = 0
    for j in range(tries):
        d = leave_regular(pop, c, w, p, seed, t, oi, j)
        if d >= 0:
            applicants[oi, d] += ppm
            won += 1
        elif d <= -2:
            applicants[oi, -2 - d] += ppm
    return won


@rule
def set_out(pop, c, w, p, seed, t, node, oi, n, n_asylum) -> int:
    """The n persons of cohort c setting out without a slot (the first n_asylum to seek
    protection): how many found a destination they can afford."""
    spend = budget(pop, c, journey_credit(pop, c, p))
    found = 0
    for j in range(n):
        if leave_other(pop, c, w, p, seed, t, node, oi, j, n_asylum, spend) >= 0:
            found += 1
    return found


@inline_rule
def step_cohort(pop, c, aspiring, plan, w, p, seed, t, ints, applicants, ppm) -> int:
    """One week of cohort c: life at home, aspiration and giving up, and who leaves; returns the
    movers leaving (rows the spawn pass makes), after writing the cohort's draws into plan[c].
    Inlined: most cohorts have no would-be mover in a week, and a call costs more than the rest."""
    node = pop.location[c]
    oi = w.origin_index[node]
    key = pop.key[c]
    live_at_origin(pop, c, w, p, node, oi, seed)
    staying = np.int64(pop.weight[c])
    wishing = aspiring[c]
    h = personal_aspiration(p, w.aspiration[node], pop.state[c], pop.flags[c], pop.time_in_state[c])
    started = binomial(seed, key, t, D_ASPIRE, staying, h)
    gave_up = binomial(seed, key, t, D_GIVE_UP, wishing, p.aspiration_give_up_weekly)
    wishing -= gave_up
    movers = wishing // ppm
    if uniform(seed, key, t, D_COHORT_MOVER) * ppm < wishing - movers * ppm:
        movers += 1  # the last, partial mover (see the module's docstring)
    leavers = 0
    short = 0
    if movers > 0:
        # Regular slots first, then protection or irregular departure (as `channels.step_aspiring`
        # for one person); the loops over persons are calls, made only when someone acts.
        info = p.regular_info_floor + (1.0 - p.regular_info_floor) * w.regular_info[node]
        tries = binomial(seed, key, t, D_TRY_REGULAR, movers, p.regular_try_weekly * info)
        if tries > 0:
            leavers = try_regular(pop, c, w, p, seed, t, oi, tries, applicants, ppm)
        rest = movers - leavers
        seek = binomial(seed, key, t, D_SEEK_ASYLUM, rest, p.asylum_seek_weekly * w.conflict[node])
        deterrence = 1.0 - p.campaign_deterrence * awareness_of(pop, c)
        irregular = binomial(seed, key, t, D_GO_IRREGULAR, rest - seek, p.irregular_go_weekly * deterrence)
        if seek + irregular > 0:
            leavers += set_out(pop, c, w, p, seed, t, node, oi, seek + irregular, seek)
        short = max(0, leavers * ppm - wishing)  # the partial mover tops up from the staying
        if short > staying - started:  # too few at home to form it: it stays
            leavers -= 1
            short = max(0, leavers * ppm - wishing)
        plan[c, PLAN_TRY_REGULAR] = tries
        plan[c, PLAN_SEEK] = seek + irregular
        plan[c, PLAN_ASYLUM] = seek
    plan[c, PLAN_LEAVERS] = leavers
    pop.weight[c] = staying - started + gave_up - short
    aspiring[c] = wishing - (leavers * ppm - short) + started
    ints[I_NEW_ASPIRING] += started
    return leavers

"""People at home as weighted cohorts: aspiration, giving up, and leaving as movers (twin of
`mechanisms.cohorts`, mechanisms 1 and 2).

A cohort (`cohort.Cohort`) is many people of one origin alike in skill, awareness, savings and
household: `weight` persons staying at home and `aspiring` persons wishing to move. Each week, in
persons, some of the staying start aspiring and some of the aspiring give up, with the chances a
single person at home has (`origin`, `channels`). Aspiring persons act in movers of
`persons_per_mover` (ppm) persons: some try for a regular slot (each drawing its corridor and
slot, as one row of `channels.step_aspiring` does), the others may seek protection or go
irregularly (each choosing its own destination). Whoever wins a slot or finds a destination
leaves the cohort as a row of its own in PREPARING (`mover`), made by the model after the week, so
that it is stepped from next week on.

When the aspiring persons are not a whole number of movers, the last mover forms with chance
(the remainder / ppm) and, if it leaves, takes the persons it lacks from the cohort's staying
(unless too few are left at home): no one is left out for being fewer than a mover, and the
expected number who leave is that of persons deciding one by one.

Counts of persons come from `common.binomial`, every would-be mover's decisions from `rng.random`
(the engine keys them to replay them when it makes the rows; the twin draws each once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.channels import pick_regular_corridor
from bp_sim.reference.common import awareness_of, binomial, budget, choose_destination, journey_credit
from bp_sim.reference.migrant import Migrant
from bp_sim.reference.origin import aspiration_of, live_at_origin
from bp_sim.reference.transitions import start_preparing
from bp_sim.states import Channel

if TYPE_CHECKING:
    from bp_sim.reference.cohort import Cohort
    from bp_sim.reference.week import Week

Leaver = tuple[int, int]  # a mover leaving a cohort: (channel, destination node)


def leave_cohort(c: Cohort, wk: Week, movers: int, ppm: int) -> list[Leaver]:
    """The `movers` would-be movers of cohort c acting this week: regular slots first, then
    protection or irregular departure. Returns those who leave, in that order."""
    w, p, random = wk.w, wk.p, wk.random
    node = c.location
    oi = c.origin_index
    info = p.regular_info_floor + (1.0 - p.regular_info_floor) * w.regular_info[node]
    tries = binomial(wk.rng, movers, p.regular_try_weekly * info)
    regular = []
    for _ in range(tries):
        d = pick_regular_corridor(c, w, p, random())
        if d >= 0:
            wk.tally.applicants[oi, d] += ppm
            if random() < w.slot_prob[oi][d]:
                regular.append((Channel.REGULAR, d))
    # Those without a slot (who did not try, or tried and won none) may set out another way.
    rest = movers - len(regular)
    seek = binomial(wk.rng, rest, p.asylum_seek_weekly * w.conflict[node])
    deterrence = 1.0 - p.campaign_deterrence * awareness_of(c)
    irregular = binomial(wk.rng, rest - seek, p.irregular_go_weekly * deterrence)
    spend = budget(c, journey_credit(c, p))
    others = []
    for channel in [Channel.ASYLUM] * seek + [Channel.IRREGULAR] * irregular:
        d = choose_destination(c, wk, node, channel, spend, False, False)
        if d >= 0:
            others.append((channel, d))
    return regular + others


def step_cohort(c: Cohort, wk: Week, ppm: int) -> list[Leaver]:
    """One week of cohort c: life at home, aspiration and giving up, and who leaves. Updates the
    cohort's staying and aspiring persons; returns the movers leaving (ppm persons each)."""
    live_at_origin(c, wk)
    staying = c.weight
    wishing = c.aspiring
    started = binomial(wk.rng, staying, aspiration_of(c, wk))
    gave_up = binomial(wk.rng, wishing, wk.p.aspiration_give_up_weekly)
    wishing -= gave_up
    movers, remainder = divmod(wishing, ppm)
    if wk.random() < remainder / ppm:
        movers += 1  # the last, partial mover (see the module's docstring)
    leaving = leave_cohort(c, wk, movers, ppm) if movers > 0 else []
    short = max(0, len(leaving) * ppm - wishing)  # the partial mover tops up from the staying
    if short > staying - started:  # too few at home to form it: it stays
        leaving.pop()
        short = max(0, len(leaving) * ppm - wishing)
    c.weight = staying - started + gave_up - short
    c.aspiring = wishing - (len(leaving) * ppm - short) + started
    wk.tally.ints[c.origin_index, T.I_NEW_ASPIRING] += started
    return leaving


def mover(c: Cohort, channel: int, destination: int, key: int, ppm: int) -> Migrant:
    """A new row of ppm persons leaving cohort c to prepare a move by `channel` to `destination`:
    the cohort's attributes (household, origin, skill, awareness, money), at home, a national,
    nothing travelled yet. `key`: the new row's identity (unique among rows and cohorts)."""
    m = Migrant(c.model, state=c.state, legal=c.legal, channel=Channel.NONE, flags=c.flags, origin=c.origin,
                location=c.location, destination=-1, edge=-1, leg_left=0, time_in_state=0, skill=c.skill,
                awareness=c.awareness, savings=c.savings, income=c.income, debt=c.debt, weight=ppm, key=key,
                origin_index=c.origin_index)
    start_preparing(m, channel, destination)
    return m

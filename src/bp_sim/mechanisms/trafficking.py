"""Mechanism 7: trafficking and exploitation, in transit and at destination; identification.

The weekly risk of falling into exploitation is higher for people in debt to smugglers, for
those without status, and lower where labour inspection is stronger (PG2.4). Victims are
identified and referred (PG1.5) with a weekly chance; identified victims are protected where
a protection system exists, and otherwise assisted home. Some escape on their own: a victim
exploited on the way travels on, one exploited where it lives stays there without status.
"""

from __future__ import annotations

from bp_sim.jit import inline_rule
from bp_sim.mechanisms.transitions import (
    grant_protection,
    lose_job,
    send_home,
    set_out_irregular,
    stay_without_status,
)
from bp_sim.rng import uniform
from bp_sim.states import D_TRAFFICKED, D_VICTIM_IDENTIFIED, FLAG_IDENTIFIED, FLAG_STRANDED, State
from bp_sim.tally import I_RETURNS_VOLUNTARY, I_TRAFFICKED, I_TRAFFICKED_IDENTIFIED


@inline_rule
def debt_vulnerability(p, debt: float) -> float:
    """1 with no debt, rising towards 1 + trafficking_debt_effect as debt grows."""
    return 1.0 + p.trafficking_debt_effect * debt / (debt + p.debt_reference_usd)


@inline_rule
def maybe_exploited(pop, i, w, p, seed, t, ints, base_hazard: float) -> bool:
    """Apply the weekly exploitation risk; True if the person became a victim. A victim loses
    their job, and a traveller's journey (with its stranding) is over: FLAG_STRANDED is cleared."""
    node = pop.location[i]
    h = base_hazard * debt_vulnerability(p, pop.debt[i]) * (1.0 - p.inspection_effect * w.labour_inspection[node])
    if uniform(seed, pop.key[i], t, D_TRAFFICKED) < h:
        pop.state[i] = State.EXPLOITED
        lose_job(pop, i)
        pop.flags[i] &= ~FLAG_STRANDED
        ints[I_TRAFFICKED] += pop.weight[i]
        return True
    return False


@inline_rule
def step_exploited(pop, i, w, p, seed, t, ints, returns):
    """EXPLOITED: identified and referred, escaped, or still exploited (debt is worked off).

    An escaped victim who was exploited on the way (a destination set, elsewhere) travels on
    towards it; one exploited where they live stays there without status."""
    node = pop.location[i]
    pop.income[i] = 0.0
    pop.debt[i] = max(0.0, pop.debt[i] - p.exploitation_debt_payoff_weekly)
    ident = p.victim_identification_floor + (1.0 - p.victim_identification_floor) * w.victim_identification[node]
    u = uniform(seed, pop.key[i], t, D_VICTIM_IDENTIFIED)
    if u < p.victim_identification_max * ident:
        ints[I_TRAFFICKED_IDENTIFIED] += pop.weight[i]
        pop.flags[i] |= FLAG_IDENTIFIED
        pop.debt[i] = 0.0
        if w.asylum_index[node] >= 0 or w.is_first_asylum[node]:
            grant_protection(pop, i)
        else:
            returns[w.origin_index[pop.origin[i]], node, 0] += pop.weight[i]  # assisted home: voluntary (returns.R_VOLUNTARY)
            send_home(pop, i)
            ints[I_RETURNS_VOLUNTARY] += pop.weight[i]
    elif u > 1.0 - p.exploitation_escape_weekly:
        d = pop.destination[i]
        if d >= 0 and d != node:
            set_out_irregular(pop, i)  # exploited on the way: the journey resumes from here
        else:
            stay_without_status(pop, i)  # exploited where they live: stay there without status

"""Mechanism 5: border crossing: interception, detention, return, death and going missing.

At the end of a leg that crosses a border the traveller may be intercepted with a chance set by
the crossing's enforcement; the intercepted are pushed back to where they set off, detained, or
returned to their origin (if it readmits them; otherwise pushed back). On any leg they may die
or go missing (sea legs far more often); some of the dead are identified, more where forensic
cooperation is stronger (PG5.6).
Crossings on the legs Frontex counts are detected with a fixed chance once across (Frontex counts
people detected entering, not departures prevented or pushed back before entry).
"""

from __future__ import annotations

from bp_sim.jit import inline_rule
from bp_sim.mechanisms.transitions import send_home
from bp_sim.rng import binomial, uniform
from bp_sim.states import (
    D_DEATH,
    D_DETECTED,
    D_IDENTIFY_BODY,
    D_INTERCEPT,
    D_INTERCEPT_OUTCOME,
    D_REMOVAL,
    FLAG_ENTERED_EU,
    FLAG_IDENTIFIED,
    Legal,
    State,
)
from bp_sim.tally import (
    E_CROSSINGS,
    E_DEATHS,
    E_DETECTIONS,
    E_INTERCEPTIONS,
    I_ARRIVALS_EUROPE,
    I_DEATHS,
    I_DETECTIONS,
    I_INTERCEPTIONS,
    I_MISSING_IDENTIFIED,
    I_RETURNS_FORCED,
)


@inline_rule
def resolve_crossing(pop, i, w, p, seed, t, ints, edge_tally, dead, returns):
    """End of a leg: intercepted, or across; on the way each person of the row may die or go
    missing (counted in `dead` by origin and the place they set off from). Crossings of a leg a
    Frontex route counts are detections (with `detection_prob`), and so are its intercepted
    attempts where `attempts_counted` (the Western Balkans' entries: people stopped inside Hungary
    or Croatia and escorted back try again, and Frontex counts each attempt)."""
    e = pop.edge[i]
    pop.edge[i] = -1
    counted = w.edge_frontex[e] > 0
    if w.edge_border[e] and uniform(seed, pop.key[i], t, D_INTERCEPT) < w.edge_intercept[e]:
        ints[I_INTERCEPTIONS] += pop.weight[i]
        edge_tally[w.origin_index[pop.origin[i]], e, E_INTERCEPTIONS] += pop.weight[i]
        if counted and w.edge_attempts_counted[e] and uniform(seed, pop.key[i], t, D_DETECTED) < p.detection_prob:
            # Stopped on the far side's territory and escorted back: a detection for Frontex too.
            ints[I_DETECTIONS] += pop.weight[i]
            edge_tally[w.origin_index[pop.origin[i]], e, E_DETECTIONS] += pop.weight[i]
        r = uniform(seed, pop.key[i], t, D_INTERCEPT_OUTCOME)
        if r < p.intercept_pushback_share:
            return  # pushed back: still at the leg's start
        if r < p.intercept_pushback_share + p.intercept_detain_share:
            pop.state[i] = State.DETAINED
            return
        # Removal home needs the origin to readmit its national; otherwise pushed back.
        if uniform(seed, pop.key[i], t, D_REMOVAL) < w.readmission[w.origin_index[pop.origin[i]]]:
            returns[w.origin_index[pop.origin[i]], pop.location[i], 1] += pop.weight[i]  # forced (returns.R_FORCED)
            send_home(pop, i)
            ints[I_RETURNS_FORCED] += pop.weight[i]
        return
    died = binomial(seed, pop.key[i], t, D_DEATH, pop.weight[i], w.edge_death[e])
    if died > 0:
        # Each person of the row dies or goes missing on its own; the survivors go on across.
        oi = w.origin_index[pop.origin[i]]
        ints[I_DEATHS] += died
        edge_tally[oi, e, E_DEATHS] += died
        dead[oi, pop.location[i]] += died
        ident = p.identification_floor + (1.0 - p.identification_floor) * w.forensic_capacity[w.edge_dst[e]]
        identified = binomial(seed, pop.key[i], t, D_IDENTIFY_BODY, died, ident * p.identification_max)
        ints[I_MISSING_IDENTIFIED] += identified
        pop.weight[i] -= died
        if pop.weight[i] == 0:
            pop.state[i] = State.DEAD_MISSING
            if identified > 0:
                pop.flags[i] |= FLAG_IDENTIFIED
            return
    pop.location[i] = w.edge_dst[e]
    edge_tally[w.origin_index[pop.origin[i]], e, E_CROSSINGS] += pop.weight[i]
    if w.edge_border[e] and pop.legal[i] == Legal.NATIONAL:
        pop.legal[i] = Legal.IRREGULAR  # abroad without papers from the first border on
    if counted and uniform(seed, pop.key[i], t, D_DETECTED) < p.detection_prob:
        ints[I_DETECTIONS] += pop.weight[i]
        edge_tally[w.origin_index[pop.origin[i]], e, E_DETECTIONS] += pop.weight[i]
    if w.edge_eu_entry[e] and not (pop.flags[i] & FLAG_ENTERED_EU):
        pop.flags[i] |= FLAG_ENTERED_EU
        ints[I_ARRIVALS_EUROPE] += pop.weight[i]


@inline_rule
def step_detained(pop, i, w, p, seed, t, ints, returns):
    """DETAINED: after the detention time, removed home (if the origin readmits) or released."""
    if pop.time_in_state[i] < p.detention_weeks:
        return
    oi = w.origin_index[pop.origin[i]]
    if uniform(seed, pop.key[i], t, D_REMOVAL) < p.detention_removal_share * w.readmission[oi]:
        returns[oi, pop.location[i], 1] += pop.weight[i]  # forced (returns.R_FORCED)
        send_home(pop, i)
        ints[I_RETURNS_FORCED] += pop.weight[i]
    else:
        pop.state[i] = State.TRANSIT_SMUGGLED  # released, free to try again (edge is -1 since the crossing)

"""Border crossings and detention (twin of `mechanisms.borders`, mechanism 5).

At the end of a leg that crosses a border the row may be intercepted (pushed back, detained, or
removed home if the origin readmits), all its persons together; otherwise each of its persons
may die or go missing on the leg on their own (a binomial count; some of the dead are
identified), and the survivors are across, detected on Frontex-counted legs, and counted once
on first entering the EU. A row with no one left is a row of the dead. The detained are removed
or released after a while.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.common import binomial
from bp_sim.reference.returns import FORCED, count_return
from bp_sim.reference.transitions import send_home
from bp_sim.states import FLAG_ENTERED_EU, FLAG_IDENTIFIED, Legal, State

if TYPE_CHECKING:
    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def resolve_crossing(m: Migrant, wk: Week) -> None:
    """End of a leg: intercepted, or across; on the way each person may die or go missing
    (counted by origin and the place they set off from)."""
    w, p, random = wk.w, wk.p, wk.random
    ints, edges = wk.tally.ints[m.origin_index], wk.tally.edge
    e = m.edge
    oi = m.origin_index
    m.edge = -1
    if w.edge_border[e] and random() < w.edge_intercept[e]:
        ints[T.I_INTERCEPTIONS] += m.weight
        edges[oi, e, T.E_INTERCEPTIONS] += m.weight
        if w.edge_frontex[e] > 0 and w.edge_attempts_counted[e] and random() < p.detection_prob:
            # Stopped on the far side's territory and escorted back: a detection for Frontex too.
            ints[T.I_DETECTIONS] += m.weight
            edges[oi, e, T.E_DETECTIONS] += m.weight
        r = random()
        if r < p.intercept_pushback_share:
            return  # pushed back: still at the leg's start
        if r < p.intercept_pushback_share + p.intercept_detain_share:
            m.state = State.DETAINED
            return
        # Removal home needs the origin to readmit its national; otherwise pushed back.
        if random() < w.readmission[oi]:
            count_return(m, wk, FORCED)
            send_home(m)
            ints[T.I_RETURNS_FORCED] += m.weight
        return
    died = binomial(wk.rng, m.weight, w.edge_death[e])
    if died > 0:
        ints[T.I_DEATHS] += died
        edges[oi, e, T.E_DEATHS] += died
        wk.tally.dead[oi, m.location] += died
        ident = p.identification_floor + (1.0 - p.identification_floor) * w.forensic_capacity[w.edge_dst[e]]
        identified = binomial(wk.rng, died, ident * p.identification_max)
        ints[T.I_MISSING_IDENTIFIED] += identified
        m.weight -= died
        if m.weight == 0:
            m.state = State.DEAD_MISSING
            if identified > 0:
                m.flags |= FLAG_IDENTIFIED
            return
    m.location = w.edge_dst[e]
    edges[oi, e, T.E_CROSSINGS] += m.weight
    if w.edge_border[e] and m.legal == Legal.NATIONAL:
        m.legal = Legal.IRREGULAR  # abroad without papers from the first border on
    if w.edge_frontex[e] > 0 and random() < p.detection_prob:
        ints[T.I_DETECTIONS] += m.weight
        edges[oi, e, T.E_DETECTIONS] += m.weight
    if w.edge_eu_entry[e] and not m.flags & FLAG_ENTERED_EU:
        m.flags |= FLAG_ENTERED_EU
        ints[T.I_ARRIVALS_EUROPE] += m.weight


def step_detained(m: Migrant, wk: Week) -> None:
    """DETAINED: after the detention time, removed home (if the origin readmits) or released."""
    p = wk.p
    if m.time_in_state < p.detention_weeks:
        return
    if wk.random() < p.detention_removal_share * wk.w.readmission[m.origin_index]:
        count_return(m, wk, FORCED)
        send_home(m)
        wk.tally.ints[m.origin_index, T.I_RETURNS_FORCED] += m.weight
    else:
        m.state = State.TRANSIT_SMUGGLED  # released, free to try again (edge is -1 since the crossing)

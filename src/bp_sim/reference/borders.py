"""Border crossings and detention (twin of `mechanisms.borders`, mechanism 5).

At the end of a leg that crosses a border the traveller may be intercepted (pushed back,
detained, or removed home if the origin readmits); on any leg they may die or go missing (some
of the dead are identified); otherwise they are across, detected on Frontex-counted legs, and
counted once on first entering the EU. The detained are removed or released after a while.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.transitions import send_home
from bp_sim.states import FLAG_ENTERED_EU, FLAG_IDENTIFIED, Legal, State

if TYPE_CHECKING:
    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def resolve_crossing(m: Migrant, wk: Week) -> None:
    """End of a leg: intercepted, dead or missing, or across."""
    w, p, random = wk.w, wk.p, wk.random
    ints, edges = wk.tally.ints, wk.tally.edge
    e = m.edge
    m.edge = -1
    if w.edge_border[e] and random() < w.edge_intercept[e]:
        ints[T.I_INTERCEPTIONS] += 1
        edges[e, T.E_INTERCEPTIONS] += 1
        r = random()
        if r < p.intercept_pushback_share:
            return  # pushed back: still at the leg's start
        if r < p.intercept_pushback_share + p.intercept_detain_share:
            m.state = State.DETAINED
            return
        # Removal home needs the origin to readmit its national; otherwise pushed back.
        if random() < w.readmission[m.origin_index]:
            send_home(m)
            ints[T.I_RETURNS_FORCED] += 1
        return
    if random() < w.edge_death[e]:
        m.state = State.DEAD_MISSING
        ints[T.I_DEATHS] += 1
        edges[e, T.E_DEATHS] += 1
        ident = p.identification_floor + (1.0 - p.identification_floor) * w.forensic_capacity[w.edge_dst[e]]
        if random() < ident * p.identification_max:
            ints[T.I_MISSING_IDENTIFIED] += 1
            m.flags |= FLAG_IDENTIFIED
        return
    m.location = w.edge_dst[e]
    edges[e, T.E_CROSSINGS] += 1
    if w.edge_border[e] and m.legal == Legal.NATIONAL:
        m.legal = Legal.IRREGULAR  # abroad without papers from the first border on
    if w.edge_frontex[e] > 0 and random() < p.detection_prob:
        ints[T.I_DETECTIONS] += 1
        edges[e, T.E_DETECTIONS] += 1
    if w.edge_eu_entry[e] and not m.flags & FLAG_ENTERED_EU:
        m.flags |= FLAG_ENTERED_EU
        ints[T.I_ARRIVALS_EUROPE] += 1


def step_detained(m: Migrant, wk: Week) -> None:
    """DETAINED: after the detention time, removed home (if the origin readmits) or released."""
    p = wk.p
    if m.time_in_state < p.detention_weeks:
        return
    if wk.random() < p.detention_removal_share * wk.w.readmission[m.origin_index]:
        send_home(m)
        wk.tally.ints[T.I_RETURNS_FORCED] += 1
    else:
        m.state = State.TRANSIT_SMUGGLED  # released, free to try again (edge is -1 since the crossing)

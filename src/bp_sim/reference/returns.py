"""Return, removal and reintegration (twin of `mechanisms.returns`, mechanism 12).

Residents return voluntarily at a rate by status (permit holders at the destination's rate,
refugees as conflict at home eases, people without status on their own) or are removed with the
destination's effort times the origin's readmission cooperation; stranded travellers may give up
and go home. Returnees are re-established after a while, with support (less likely to leave
again for a time) or without (more likely). Whoever is sent home travels the legs home
(`step_return`, the way home `World.home_edge`) and is counted when setting off, by origin and the
place they leave (`count_return`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.transitions import arrive_home, lose_job, send_home
from bp_sim.states import FLAG_RETURNEE, FLAG_STRANDED, FLAG_SUPPORTED, Channel, Legal, State

if TYPE_CHECKING:
    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


VOLUNTARY, FORCED = 0, 1  # `Tally.returns` columns


def count_return(m: Migrant, wk: Week, kind: int) -> None:
    """A return setting off from where the person is now, by origin: VOLUNTARY or FORCED."""
    wk.tally.returns[m.origin_index, m.location, kind] += m.weight


def step_return(m: Migrant, wk: Week) -> None:
    """TRANSIT_REGULAR on the way home (channel RETURN): travel the leg, or take the next one home
    (or fly where no leg leads home), paying its fare from savings as far as they reach."""
    w = wk.w
    if m.edge >= 0 or m.leg_left > 0:
        m.leg_left -= 1
        if m.leg_left > 0:
            return
        m.location = w.edge_dst[m.edge] if m.edge >= 0 else m.origin
        m.edge = -1
    if m.location == m.origin:
        arrive_home(m)
        return
    e = w.home_edge[m.origin_index][m.location]
    if e < 0:
        m.leg_left = int(wk.p.air_travel_weeks)  # no way home over the network: a flight
        return
    m.savings -= min(w.edge_fare[e], max(m.savings, 0.0))
    m.edge = e
    m.leg_left = w.edge_weeks[e]


def step_leave_destination(m: Migrant, wk: Week) -> bool:
    """Voluntary return or removal of a resident; True if the person went home."""
    w, p, ints = wk.w, wk.p, wk.tally.ints[m.origin_index]
    d = m.location
    oi = m.origin_index
    if m.state == State.REGULAR_RESIDENT:
        voluntary = w.return_weekly[d]
        forced = 0.0
    elif m.state == State.PROTECTED:
        voluntary = p.refugee_repatriation_weekly * (1.0 - w.conflict[m.origin])
        forced = w.deportation_weekly[d] * p.refugee_deportation_factor * w.readmission[oi]
    else:
        voluntary = p.irregular_return_weekly
        effort = w.deportation_weekly[d]
        if m.legal == Legal.REJECTED:
            effort += p.rejected_removal_weekly
        forced = effort * w.readmission[oi]
    if wk.random() < forced:
        count_return(m, wk, FORCED)
        send_home(m)
        lose_job(m)
        ints[T.I_RETURNS_FORCED] += m.weight
        return True
    if wk.random() < voluntary:
        count_return(m, wk, VOLUNTARY)
        send_home(m)
        lose_job(m)
        ints[T.I_RETURNS_VOLUNTARY] += m.weight
        return True
    return False


def step_stranded_return(m: Migrant, wk: Week) -> bool:
    """A stranded traveller may give up and take assisted voluntary return; True if so."""
    if not m.flags & FLAG_STRANDED:
        return False
    if wk.random() < wk.p.stranded_return_weekly:
        count_return(m, wk, VOLUNTARY)
        send_home(m)
        wk.tally.ints[m.origin_index, T.I_RETURNS_VOLUNTARY] += m.weight
        return True
    return False


def step_returned(m: Migrant, wk: Week) -> None:
    """RETURNED: once re-established, reintegrated with support, or back to staying without."""
    m.income = 0.0
    if m.time_in_state < wk.p.reintegration_weeks:
        return
    if wk.random() < wk.w.reintegration_support[m.origin_index]:
        m.state = State.REINTEGRATED
        m.flags = (m.flags | FLAG_SUPPORTED) & ~FLAG_RETURNEE
        wk.tally.ints[m.origin_index, T.I_REINTEGRATED] += m.weight
    else:
        m.state = State.STAYING
        m.flags = (m.flags | FLAG_RETURNEE) & ~FLAG_SUPPORTED
    m.channel = Channel.NONE

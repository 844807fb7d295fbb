"""Mechanism 12: voluntary and forced return, and reintegration at origin.

Permit holders return at a weekly rate (high for temporary labour in the Gulf and Russia,
circular migration); refugees repatriate as conflict at home eases; people without status
return on their own (assisted voluntary return) or are removed. Removal needs the origin to
identify, document and readmit its nationals (PG3.1, PG3.2, PG3.4): its rate is the
destination's removal effort times the origin's readmission cooperation. Deportation campaigns
raise the destination's effort (dated events). Returnees are re-established after a while;
those reached by reintegration support (PG3.5, PG3.6) are less likely to leave again for a time,
those not reached more likely (Kuschminder 2017).

Returns travel: whoever is sent home takes the fastest way home over the network's legs (the
return and deportation legs of routes.csv among them, `World.home_edge`), leg by leg with each
leg's travel time, paying the legs' fares from their savings as far as these reach (assisted
returns and deportations pay the rest); where no way over the network leads home they fly. Only
home do they become returnees. Returns are counted when people set off, by origin and by the
country they leave (`Tally.returns`: the IOM counts "returns to Afghanistan from Iran").
"""

from __future__ import annotations

from bp_sim.jit import inline_rule
from bp_sim.mechanisms.transitions import arrive_home, lose_job, send_home
from bp_sim.rng import uniform
from bp_sim.states import (
    D_FORCED_RETURN,
    D_REINTEGRATE,
    D_VOLUNTARY_RETURN,
    FLAG_RETURNEE,
    FLAG_STRANDED,
    FLAG_SUPPORTED,
    Legal,
    State,
)
from bp_sim.tally import I_REINTEGRATED, I_RETURNS_FORCED, I_RETURNS_VOLUNTARY

R_VOLUNTARY = 0  # `Tally.returns` columns
R_FORCED = 1


@inline_rule
def count_return(pop, i, w, returns, kind) -> None:
    """A return setting off from where the person is now, by origin: voluntary or forced."""
    returns[w.origin_index[pop.origin[i]], pop.location[i], kind] += pop.weight[i]


@inline_rule
def step_return(pop, i, w, p):
    """TRANSIT_REGULAR on the way home (channel RETURN): travel the leg, or take the next one
    home (or fly where no leg leads home); home, a returnee (`transitions.arrive_home`)."""
    e = pop.edge[i]
    if e >= 0 or pop.leg_left[i] > 0:
        pop.leg_left[i] -= 1
        if pop.leg_left[i] > 0:
            return
        pop.location[i] = w.edge_dst[e] if e >= 0 else pop.origin[i]
        pop.edge[i] = -1
    node = pop.location[i]
    if node == pop.origin[i]:
        arrive_home(pop, i)
        return
    e = w.home_edge[w.origin_index[pop.origin[i]], node]
    if e < 0:
        pop.leg_left[i] = int(p.air_travel_weeks)  # no way home over the network: a flight
        return
    pop.savings[i] -= min(w.edge_fare[e], max(pop.savings[i], 0.0))
    pop.edge[i] = e
    pop.leg_left[i] = w.edge_weeks[e]


@inline_rule
def step_leave_destination(pop, i, w, p, seed, t, ints, returns) -> bool:
    """Voluntary return or removal of a resident; True if the person went home."""
    d = pop.location[i]
    oi = w.origin_index[pop.origin[i]]
    s = pop.state[i]
    legal = pop.legal[i]
    if s == State.REGULAR_RESIDENT:
        voluntary = w.return_weekly[d]
        forced = 0.0
    elif s == State.PROTECTED:
        voluntary = p.refugee_repatriation_weekly * (1.0 - w.conflict[pop.origin[i]])
        forced = w.deportation_weekly[d] * p.refugee_deportation_factor * w.readmission[oi]
    else:
        voluntary = p.irregular_return_weekly
        effort = w.deportation_weekly[d]
        if legal == Legal.REJECTED:
            effort += p.rejected_removal_weekly
        forced = effort * w.readmission[oi]
    if uniform(seed, pop.key[i], t, D_FORCED_RETURN) < forced:
        count_return(pop, i, w, returns, R_FORCED)
        send_home(pop, i)
        lose_job(pop, i)
        ints[I_RETURNS_FORCED] += pop.weight[i]
        return True
    if uniform(seed, pop.key[i], t, D_VOLUNTARY_RETURN) < voluntary:
        count_return(pop, i, w, returns, R_VOLUNTARY)
        send_home(pop, i)
        lose_job(pop, i)
        ints[I_RETURNS_VOLUNTARY] += pop.weight[i]
        return True
    return False


@inline_rule
def step_stranded_return(pop, i, w, p, seed, t, ints, returns) -> bool:
    """A stranded traveller may give up and take assisted voluntary return."""
    if not (pop.flags[i] & FLAG_STRANDED):
        return False
    if uniform(seed, pop.key[i], t, D_VOLUNTARY_RETURN) < p.stranded_return_weekly:
        count_return(pop, i, w, returns, R_VOLUNTARY)
        send_home(pop, i)
        pop.flags[i] &= ~FLAG_STRANDED  # already cleared by send_home (the twin does not repeat it)
        ints[I_RETURNS_VOLUNTARY] += pop.weight[i]
        return True
    return False


@inline_rule
def step_returned(pop, i, w, p, seed, t, ints):
    """RETURNED: once re-established, reintegrated with support, or back to staying without."""
    pop.income[i] = 0.0
    if pop.time_in_state[i] < p.reintegration_weeks:
        return
    oi = w.origin_index[pop.origin[i]]
    if uniform(seed, pop.key[i], t, D_REINTEGRATE) < w.reintegration_support[oi]:
        pop.state[i] = State.REINTEGRATED
        pop.flags[i] = (pop.flags[i] | FLAG_SUPPORTED) & ~FLAG_RETURNEE
        ints[I_REINTEGRATED] += pop.weight[i]
    else:
        pop.state[i] = State.STAYING
        pop.flags[i] = (pop.flags[i] | FLAG_RETURNEE) & ~FLAG_SUPPORTED
    pop.channel[i] = 0

"""The weekly population kernel: one parallel pass over all agents.

Agents are cut into fixed chunks (see `tally.chunk_bounds`); chunks run in parallel and each
writes its own row of counters. Each agent takes at most one life-cycle transition a week,
following the rule of the state it starts the week in, in this order of mechanisms:

  at home      origin (aspiration)         -> channels (choice, preparing)
  travelling   giving up (stranded), movement, borders, smuggling payments, trafficking in transit
  held         borders (detention)
  claimant     asylum (queue, decision)
  resident     labour -> remittances -> trafficking -> first asylum -> returns
  victim       trafficking (identification, referral)
  returnee     returns (reintegration)
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from bp_sim.jit import inline_rule, rule
from bp_sim.mechanisms.asylum import step_pending
from bp_sim.mechanisms.borders import step_detained
from bp_sim.mechanisms.channels import step_aspiring, step_preparing
from bp_sim.mechanisms.first_asylum import step_first_asylum
from bp_sim.mechanisms.labour import step_work
from bp_sim.mechanisms.movement import step_transit_regular, step_transit_smuggled
from bp_sim.mechanisms.origin import receives_remittances, step_at_home
from bp_sim.mechanisms.remittances import step_remit
from bp_sim.mechanisms.returns import step_leave_destination, step_returned, step_stranded_return
from bp_sim.mechanisms.trafficking import maybe_exploited, step_exploited
from bp_sim.states import FLAG_STRANDED, State
from bp_sim.tally import I_STRANDED, sum_chunks_into

MAX_WEEKS_IN_STATE = 32767


@inline_rule
def is_resident(s) -> bool:
    """Living at a destination with or without status (the rule `step_resident` applies)."""
    return s == State.PROTECTED or s == State.REGULAR_RESIDENT or s == State.IRREGULAR_RESIDENT


@inline_rule
def step_resident(pop, i, w, p, seed, t, ints, money, remit_in, refugees):
    """PROTECTED, REGULAR_RESIDENT, IRREGULAR_RESIDENT: work, send money home, maybe be exploited,
    move on from a first-asylum or entry country, or leave for home."""
    s = pop.state[i]
    step_work(pop, i, w, p, seed, t, ints)
    step_remit(pop, i, w, p, money, remit_in)
    left = False
    if s == State.IRREGULAR_RESIDENT:
        left = maybe_exploited(pop, i, w, p, seed, t, ints, p.trafficking_irregular_weekly)
    loc = pop.location[i]
    if not left and s != State.REGULAR_RESIDENT and (w.is_first_asylum[loc] or w.entry_country[loc]):
        left = step_first_asylum(pop, i, w, p, seed, t, ints, refugees)
    if not left:
        step_leave_destination(pop, i, w, p, seed, t, ints)


@rule
def step_agent(pop, i, w, p, seed, t, ints, money, edge_tally, demand, pending, arrivals, claims):
    """Advance agent i by one week according to the state it is in (the states other than at home,
    aspiring, preparing and resident, which `advance_chunk` steps itself)."""
    s = pop.state[i]
    if s == State.TRANSIT_REGULAR:
        step_transit_regular(pop, i, w, p, seed, t, ints, arrivals)
    elif s == State.TRANSIT_SMUGGLED:
        if not step_stranded_return(pop, i, w, p, seed, t, ints):
            step_transit_smuggled(pop, i, w, p, seed, t, ints, money, edge_tally, demand, arrivals, claims)
            if pop.state[i] == State.TRANSIT_SMUGGLED and pop.edge[i] < 0:
                maybe_exploited(pop, i, w, p, seed, t, ints, p.trafficking_transit_weekly)
    elif s == State.DETAINED:
        step_detained(pop, i, w, p, seed, t, ints)
    elif s == State.ASYLUM_PENDING:
        step_pending(pop, i, w, p, seed, t, ints, pending)
    elif s == State.EXPLOITED:
        step_exploited(pop, i, w, p, seed, t, ints)
    elif s == State.RETURNED:
        step_returned(pop, i, w, p, seed, t, ints)
    return s


@rule
def advance_chunk(pop, w, p_arr, seed, t, c, start, stop, tally):
    """One week for agents start..stop-1, writing row c of every counter."""
    p = p_arr[0]
    ints = tally.ints[c]
    money = tally.money[c]
    edge_tally = tally.edge[c]
    demand = tally.demand[c]
    applicants = tally.applicants[c]
    pending = tally.pending[c]
    remit_in = tally.remit_in[c]
    arrivals = tally.arrivals[c]
    refugees = tally.refugees[c]
    claims = tally.claims[c]
    stock = tally.stock[c]
    remit_receivers = tally.remit_receivers[c]
    # Stock counts (and remittance receivers) are added in runs: neighbouring agents mostly share
    # a cell (people at home in one origin), and a counter bumped once per agent would chain every
    # add to the one before.
    run_oi, run_loc, run_state, run_length, run_receivers = 0, 0, 0, 0, 0
    for i in range(start, stop):
        before = pop.state[i]
        if before == State.STAYING or before == State.REINTEGRATED:
            # The common case, inlined here: a call passing the World costs more than the rule.
            step_at_home(pop, i, w, p, seed, t, ints)
        elif is_resident(before):
            # The next most common cases (a call passing the World costs about 200 ns), inlined too.
            step_resident(pop, i, w, p, seed, t, ints, money, remit_in, refugees)
        elif before == State.ASPIRING:
            step_aspiring(pop, i, w, p, seed, t, ints, applicants)
        elif before == State.PREPARING:
            step_preparing(pop, i, w, p, seed, t, ints)
        elif before != State.DEAD_MISSING:
            step_agent(pop, i, w, p, seed, t, ints, money, edge_tally, demand, pending, arrivals, claims)
        after = pop.state[i]
        if after != before:
            pop.time_in_state[i] = 0
        elif pop.time_in_state[i] < MAX_WEEKS_IN_STATE:
            pop.time_in_state[i] += 1
        oi = w.origin_index[pop.origin[i]]
        loc = pop.location[i]
        if oi != run_oi or loc != run_loc or after != run_state:
            stock[run_oi, run_loc, run_state] += run_length
            remit_receivers[run_oi] += run_receivers
            run_oi, run_loc, run_state, run_length, run_receivers = oi, loc, after, 0, 0
        run_length += 1
        if after == State.TRANSIT_SMUGGLED and pop.flags[i] & FLAG_STRANDED:
            ints[I_STRANDED] += 1
        if loc == pop.origin[i] and (after <= State.PREPARING or after == State.REINTEGRATED):
            # Those who share in remittances arriving next week (returnees re-establishing do not),
            # added without a branch on the household flag, which is random and would mispredict.
            run_receivers += receives_remittances(pop, i)
    stock[run_oi, run_loc, run_state] += run_length
    remit_receivers[run_oi] += run_receivers


@njit(parallel=True, cache=True)
def advance_population(pop, w, p_arr, seed, t, bounds, tally, totals):
    """One week for every agent; chunks run in parallel, each into its own counter rows, which are
    then summed in chunk order into `totals` (and zeroed for next week)."""
    n_chunks = bounds.shape[0] - 1
    for c in prange(n_chunks):
        # The chunk number as int64: Numba types the loop index int64 when it types this function
        # and uint64 in the parallel loop it then builds, and each type compiles `advance_chunk`
        # again (13 of 60 s of the cold compile here); one type, one compile.
        advance_chunk(pop, w, p_arr, seed, t, np.int64(c), bounds[c], bounds[c + 1], tally)
    sum_chunks_into(tally, totals)

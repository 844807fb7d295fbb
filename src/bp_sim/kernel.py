"""The weekly population kernels: a parallel pass over the rows, one over the cohorts, and the
spawn pass that makes this week's movers.

Rows and cohorts are cut into fixed chunks (see `tally.chunk_bounds`); chunks run in parallel
and each writes its own row of counters (the two passes run one after the other, so they share
the counter rows). Each row takes at most one life-cycle transition a week, following the rule
of the state it starts the week in, in this order of mechanisms:

  at home      origin (aspiration)         -> channels (choice, preparing)
  travelling   giving up (stranded), movement, borders, smuggling payments, trafficking in transit
  held         borders (detention)
  claimant     asylum (queue, decision)
  resident     labour -> remittances -> trafficking -> first asylum -> returns
  victim       trafficking (identification, referral)
  returnee     returns (reintegration)
  cohort       origin and channels for many persons at once (`cohorts.step_cohort`); its leavers
               become rows in PREPARING, made after both passes by `spawn_movers` (stepped from
               next week)

  settled      permit holders abroad in groups (`settled.step_settled`): work, remittances and
               voluntary return in persons; the returners become rows after the passes, made by
               `spawn_returners`

Last, `join_groups` moves every row that came this week to stay at home (a returnee re-established
without support, a mover who gave up) into its rejoin cohort (`population.rejoin_cohorts`), and
every row that came to hold a permit at a destination into its settled group
(`population.settled_groups`): people who came back or settled are groups again, not a row each
for the rest of the run.
"""

from __future__ import annotations

import numpy as np
from numba import literal_unroll, njit, prange

from bp_sim.jit import inline_rule, rule
from bp_sim.mechanisms.asylum import step_pending
from bp_sim.mechanisms.borders import step_detained
from bp_sim.mechanisms.channels import step_aspiring, step_preparing
from bp_sim.mechanisms.cohorts import leave_other, leave_regular, step_cohort
from bp_sim.mechanisms.common import budget, journey_credit
from bp_sim.mechanisms.first_asylum import step_first_asylum
from bp_sim.mechanisms.labour import step_work
from bp_sim.mechanisms.movement import step_transit_regular, step_transit_smuggled
from bp_sim.mechanisms.origin import receives_remittances, step_at_home
from bp_sim.mechanisms.remittances import step_remit
from bp_sim.mechanisms.returns import step_leave_destination, step_return, step_returned, step_stranded_return
from bp_sim.mechanisms.settled import step_settled
from bp_sim.mechanisms.trafficking import maybe_exploited, step_exploited
from bp_sim.population import (
    PLAN_ASYLUM,
    PLAN_LEAVERS,
    PLAN_RETURN_LAST,
    PLAN_RETURN_ROWS,
    PLAN_SEEK,
    PLAN_TRY_REGULAR,
    rejoin_group,
    settled_group,
)
from bp_sim.rng import child_key
from bp_sim.states import FLAG_EMPLOYED, FLAG_STRANDED, Channel, Legal, State
from bp_sim.tally import I_STRANDED

MAX_WEEKS_IN_STATE = 32767


@inline_rule
def is_resident(s) -> bool:
    """Living at a destination with or without status (the rule `step_resident` applies)."""
    return s == State.PROTECTED or s == State.REGULAR_RESIDENT or s == State.IRREGULAR_RESIDENT


@inline_rule
def step_resident(pop, i, w, p, seed, t, ints, money, remit_in, refugees, returns):
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
        step_leave_destination(pop, i, w, p, seed, t, ints, returns)


@inline_rule
def step_smuggled(pop, i, w, p, seed, t, ints, money, edge_tally, demand, arrivals, claims, dead, returns):
    """TRANSIT_SMUGGLED: a stranded traveller may give up; else travel or choose and pay the next
    leg, and at a node risk exploitation."""
    if not step_stranded_return(pop, i, w, p, seed, t, ints, returns):
        step_transit_smuggled(pop, i, w, p, seed, t, ints, money, edge_tally, demand, arrivals, claims, dead, returns)
        if pop.state[i] == State.TRANSIT_SMUGGLED and pop.edge[i] < 0:
            maybe_exploited(pop, i, w, p, seed, t, ints, p.trafficking_transit_weekly)


@rule
def step_agent(pop, i, w, p, seed, t, ints, pending, returns):
    """Advance agent i by one week in the states of a few hundred rows (held, claimant, victim),
    which `advance_chunk` does not step itself: a call is cheaper to compile than inlining them."""
    s = pop.state[i]
    if s == State.DETAINED:
        step_detained(pop, i, w, p, seed, t, ints, returns)
    elif s == State.ASYLUM_PENDING:
        step_pending(pop, i, w, p, seed, t, ints, pending)
    elif s == State.EXPLOITED:
        step_exploited(pop, i, w, p, seed, t, ints, returns)
    return s


@rule
def advance_chunk(pop, w, p_arr, seed, t, c, start, stop, tally, joiners) -> int:
    """One week for rows start..stop-1, writing row c of every counter (the counts and money sums
    into the row's origin's line of it). The rows that came to stay at home or to hold a permit
    this week are listed in joiners[start..] for `join_groups`; returns how many."""
    p = p_arr[0]
    ints_by_origin = tally.ints[c]
    money_by_origin = tally.money[c]
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
    dead = tally.dead[c]
    returns = tally.returns[c]
    # Stock counts (and remittance receivers) are added in runs: neighbouring agents mostly share
    # a cell (people at home in one origin), and a counter bumped once per agent would chain every
    # add to the one before.
    run_oi, run_loc, run_state, run_length, run_receivers = 0, 0, 0, 0, 0
    joining = 0
    for i in range(start, stop):
        row_oi = w.origin_index[pop.origin[i]]
        ints = ints_by_origin[row_oi]
        money = money_by_origin[row_oi]
        before = pop.state[i]
        if before == State.STAYING or before == State.REINTEGRATED:
            # The common case, inlined here: a call passing the World costs more than the rule.
            step_at_home(pop, i, w, p, seed, t, ints)
        elif is_resident(before):
            # The next most common cases (a call passing the World costs about 200 ns), inlined too.
            step_resident(pop, i, w, p, seed, t, ints, money, remit_in, refugees, returns)
        elif before == State.ASPIRING:
            step_aspiring(pop, i, w, p, seed, t, ints, applicants)
        elif before == State.PREPARING:
            step_preparing(pop, i, w, p, seed, t, ints)
        elif before == State.RETURNED:
            step_returned(pop, i, w, p, seed, t, ints)  # 10,000 rows re-establishing at home: a call costs more
        elif before == State.TRANSIT_REGULAR:
            # Flying out and travelling home (some 3,600 rows at the end of 2024): inlined, as a
            # call to `step_agent` passing the World costs more than the leg.
            if pop.channel[i] == Channel.RETURN:
                step_return(pop, i, w, p)
            else:
                step_transit_regular(pop, i, w, p, seed, t, ints, arrivals)
        elif before == State.TRANSIT_SMUGGLED:
            step_smuggled(pop, i, w, p, seed, t, ints, money, edge_tally, demand, arrivals, claims, dead, returns)
        elif before != State.DEAD_MISSING:
            step_agent(pop, i, w, p, seed, t, ints, pending, returns)
        after = pop.state[i]
        if after != before:
            pop.time_in_state[i] = 0
            if after == State.STAYING or after == State.REGULAR_RESIDENT:
                joiners[start + joining] = i
                joining += 1
        elif pop.time_in_state[i] < MAX_WEEKS_IN_STATE:
            pop.time_in_state[i] += 1
        oi = w.origin_index[pop.origin[i]]
        loc = pop.location[i]
        if oi != run_oi or loc != run_loc or after != run_state:
            stock[run_oi, run_loc, run_state] += run_length
            remit_receivers[run_oi] += run_receivers
            run_oi, run_loc, run_state, run_length, run_receivers = oi, loc, after, 0, 0
        run_length += pop.weight[i]
        if after == State.TRANSIT_SMUGGLED and pop.flags[i] & FLAG_STRANDED:
            ints[I_STRANDED] += pop.weight[i]
        if loc == pop.origin[i] and (after <= State.PREPARING or after == State.REINTEGRATED):
            # Those who share in remittances arriving next week (returnees re-establishing do not),
            # added without a branch on the household flag, which is random and would mispredict.
            run_receivers += receives_remittances(pop, i) * pop.weight[i]
    stock[run_oi, run_loc, run_state] += run_length
    remit_receivers[run_oi] += run_receivers
    return joining


@njit(parallel=True, cache=True)
def advance_rows(pop, w, p_arr, seed, t, bounds, tally, joiners, chunk_joiners):
    """One week for every row; chunks run in parallel, each into its own counter rows, listing
    the rows that may join a group (chunk c's chunk_joiners[c] of them from joiners[bounds[c]])."""
    n_chunks = bounds.shape[0] - 1
    for c in prange(n_chunks):
        # The chunk number as int64: Numba types the loop index int64 when it types this function
        # and uint64 in the parallel loop it then builds, and each type compiles `advance_chunk`
        # again (13 of 60 s of the cold compile here); one type, one compile.
        chunk_joiners[c] = advance_chunk(pop, w, p_arr, seed, t, np.int64(c), bounds[c], bounds[c + 1], tally,
                                         joiners)


@rule
def advance_cohort_chunk(pop, aspiring, plan, w, p_arr, seed, t, c, start, stop, tally, ppm) -> int:
    """One week for cohorts start..stop-1 into counter row c; returns the movers they let go."""
    p = p_arr[0]
    ints_by_origin = tally.ints[c]
    applicants = tally.applicants[c]
    stock = tally.stock[c]
    remit_receivers = tally.remit_receivers[c]
    leaving = 0
    for i in range(start, stop):
        if pop.weight[i] == 0 and aspiring[i] == 0:
            leavers = 0  # an empty rejoin cohort: no one to step (its money is set when someone joins)
            plan[i, PLAN_LEAVERS] = 0
        else:
            leavers = step_cohort(pop, i, aspiring, plan, w, p, seed, t,
                                  ints_by_origin[w.origin_index[pop.origin[i]]], applicants, ppm)
        leaving += leavers
        oi = w.origin_index[pop.location[i]]
        loc = pop.location[i]
        stock[oi, loc, State.STAYING] += pop.weight[i]
        stock[oi, loc, State.ASPIRING] += aspiring[i]
        stock[oi, loc, State.PREPARING] += leavers * ppm
        if pop.time_in_state[i] < MAX_WEEKS_IN_STATE:
            pop.time_in_state[i] += 1
        if receives_remittances(pop, i):
            remit_receivers[oi] += pop.weight[i] + aspiring[i] + leavers * ppm
    return leaving


@njit(parallel=True, cache=True)
def advance_cohorts(pop, aspiring, plan, w, p_arr, seed, t, bounds, tally, ppm, chunk_leavers):
    """One week for every cohort, chunks in parallel; chunk_leavers[c]: the movers chunk c lets go."""
    for c in prange(bounds.shape[0] - 1):
        chunk_leavers[c] = advance_cohort_chunk(pop, aspiring, plan, w, p_arr, seed, t, np.int64(c), bounds[c],
                                                bounds[c + 1], tally, ppm)


@rule
def write_new_row(rows, r, table, c, state, legal, channel, destination, weight, key) -> None:
    """Row r: `weight` persons leaving group c of `table` (a cohort or a settled group) with its
    attributes (household and flags, origin, place, skill, awareness, money), in `state` with
    `legal` status, `channel` and `destination`, at a node, nothing travelled yet."""
    rows.state[r] = state
    rows.legal[r] = legal
    rows.channel[r] = channel
    rows.flags[r] = table.flags[c]
    rows.origin[r] = table.origin[c]
    rows.location[r] = table.location[c]
    rows.destination[r] = destination
    rows.edge[r] = -1
    rows.leg_left[r] = 0
    rows.time_in_state[r] = 0
    rows.skill[r] = table.skill[c]
    rows.awareness[r] = table.awareness[c]
    rows.savings[r] = table.savings[c]
    rows.income[r] = table.income[c]
    rows.debt[r] = table.debt[c]
    rows.weight[r] = weight
    rows.key[r] = key


@inline_rule
def write_mover(rows, r, pop, c, key, channel, destination, ppm) -> None:
    """Row r: a mover of ppm persons leaving cohort c to prepare a move by `channel` to `destination`."""
    write_new_row(rows, r, pop, c, State.PREPARING, Legal.NATIONAL, channel, destination, ppm, key)


@rule
def spawn_chunk(pop, plan, rows, r, w, p_arr, seed, t, start, stop, ppm) -> None:
    """The movers of cohorts start..stop-1, written from row r on: each cohort's leavers' draws
    replayed (`cohorts.leave_regular`, `leave_other`), so exactly the movers the week decided."""
    p = p_arr[0]
    for c in range(start, stop):
        n = plan[c, PLAN_LEAVERS]
        if n == 0:
            continue
        node = pop.location[c]
        oi = w.origin_index[node]
        key = pop.key[c]
        made = 0
        for j in range(plan[c, PLAN_TRY_REGULAR]):
            if made == n:
                break
            d = leave_regular(pop, c, w, p, seed, t, oi, j)
            if d >= 0:
                write_mover(rows, r, pop, c, child_key(key, t, made), Channel.REGULAR, d, ppm)
                r += 1
                made += 1
        spend = budget(pop, c, journey_credit(pop, c, p))
        n_asylum = plan[c, PLAN_ASYLUM]
        for j in range(plan[c, PLAN_SEEK]):
            if made == n:
                break
            d = leave_other(pop, c, w, p, seed, t, node, oi, j, n_asylum, spend)
            if d >= 0:
                channel = Channel.ASYLUM if j < n_asylum else Channel.IRREGULAR
                write_mover(rows, r, pop, c, child_key(key, t, made), channel, d, ppm)
                r += 1
                made += 1


@njit(cache=True)
def chunk_offsets(first, chunk_rows, n_chunks) -> np.ndarray:
    """The first new row of each chunk's rows, from `first` on, chunk after chunk (a spawn pass
    writes chunk c's chunk_rows[c] rows from offsets[c]: the same rows whatever the thread count)."""
    offsets = np.empty(n_chunks, np.int64)
    r = first
    for c in range(n_chunks):
        offsets[c] = r
        r += chunk_rows[c]
    return offsets


@njit(parallel=True, cache=True)
def spawn_movers(pop, plan, rows, first, w, p_arr, seed, t, bounds, chunk_leavers, ppm) -> None:
    """This week's movers as rows first.. (cohort chunk by chunk, in cohort order: the same rows
    whatever the thread count); `rows` has room for them (`population.Rows.reserve`)."""
    offsets = chunk_offsets(first, chunk_leavers, bounds.shape[0] - 1)
    for c in prange(bounds.shape[0] - 1):
        spawn_chunk(pop, plan, rows, offsets[c], w, p_arr, seed, t, bounds[c], bounds[c + 1], ppm)


@rule
def advance_settled_chunk(groups, employed, plan, w, p_arr, seed, t, c, start, stop, tally, ppm) -> int:
    """One week for settled groups start..stop-1 into counter row c; returns the rows of
    returners they let go."""
    p = p_arr[0]
    rows = 0
    for g in range(start, stop):
        if groups.weight[g] == 0:
            plan[g, PLAN_RETURN_ROWS] = 0  # an empty group: no one to step
            plan[g, PLAN_RETURN_LAST] = 0
            continue
        oi = w.origin_index[groups.origin[g]]
        rows += step_settled(groups, employed, plan, g, w, p, seed, t, tally.ints[c, oi], tally.money[c, oi],
                             tally.remit_in[c], tally.returns[c], tally.stock[c], ppm)
    return rows


@njit(parallel=True, cache=True)
def advance_settled(groups, employed, plan, w, p_arr, seed, t, bounds, tally, ppm, chunk_rows):
    """One week for every settled group, chunks in parallel; chunk_rows[c]: the returners' rows
    chunk c lets go."""
    for c in prange(bounds.shape[0] - 1):
        chunk_rows[c] = advance_settled_chunk(groups, employed, plan, w, p_arr, seed, t, np.int64(c), bounds[c],
                                              bounds[c + 1], tally, ppm)


@inline_rule
def write_returner(rows, r, groups, g, key, persons) -> None:
    """Row r: `persons` of settled group g on their way home (as `transitions.send_home` and
    `lose_job` leave a permit holder)."""
    write_new_row(rows, r, groups, g, State.TRANSIT_REGULAR, groups.legal[g], Channel.RETURN, groups.origin[g],
                  persons, key)


@rule
def spawn_returners_chunk(groups, plan, rows, r, t, start, stop, ppm) -> None:
    """The returners of groups start..stop-1, written from row r on, group by group."""
    for g in range(start, stop):
        full = plan[g, PLAN_RETURN_ROWS]
        last = plan[g, PLAN_RETURN_LAST]
        key = groups.key[g]
        for j in range(full):
            write_returner(rows, r, groups, g, child_key(key, t, j), ppm)
            r += 1
        if last > 0:
            write_returner(rows, r, groups, g, child_key(key, t, full), last)
            r += 1


@njit(parallel=True, cache=True)
def spawn_returners(groups, plan, rows, first, t, bounds, chunk_rows, ppm) -> None:
    """This week's returners from the settled groups as rows first.. (chunk by chunk in group
    order: the same rows whatever the thread count); `rows` has room for them."""
    offsets = chunk_offsets(first, chunk_rows, bounds.shape[0] - 1)
    for c in prange(bounds.shape[0] - 1):
        spawn_returners_chunk(groups, plan, rows, offsets[c], t, bounds[c], bounds[c + 1], ppm)


@inline_rule
def weighted_mean(held, a, joining, b) -> float:
    """The mean of a (held persons) and b (joining persons)."""
    return (held * a + joining * b) / (held + joining)


@rule
def join(table, c, held, rows, i) -> None:
    """Row i's persons join group c of `table` (a cohort or a settled group), which holds `held`
    persons: its skill, awareness and money become the persons-weighted means over those held
    and those joining."""
    held = np.float64(held)
    joining = np.float64(rows.weight[i])
    table.skill[c] = int(weighted_mean(held, np.float64(table.skill[c]), joining, np.float64(rows.skill[i])) + 0.5)
    table.awareness[c] = int(weighted_mean(held, np.float64(table.awareness[c]), joining,
                                           np.float64(rows.awareness[i])) + 0.5)
    table.savings[c] = weighted_mean(held, np.float64(table.savings[c]), joining, np.float64(rows.savings[i]))
    table.income[c] = weighted_mean(held, np.float64(table.income[c]), joining, np.float64(rows.income[i]))
    table.debt[c] = weighted_mean(held, np.float64(table.debt[c]), joining, np.float64(rows.debt[i]))
    table.weight[c] += rows.weight[i]


@inline_rule
def join_cohort(cohorts, aspiring, c, rows, i) -> None:
    """Row i's persons join cohort c (its staying and aspiring persons share its means)."""
    join(cohorts, c, cohorts.weight[c] + aspiring[c], rows, i)


@rule
def join_row(rows, i, n, cohorts, aspiring, first_rejoin, groups, employed, pair_slot, origin_index) -> int:
    """Row i (of n in use) joins its group if it stays at home (its rejoin cohort) or holds a
    permit at a destination with settled groups (its group, employed or not by its flag), and
    leaves the table, the last row taking its slot. Returns the rows in use after."""
    s = rows.state[i]
    oi = origin_index[rows.origin[i]]
    if s == State.STAYING:
        join_cohort(cohorts, aspiring, first_rejoin + rejoin_group(oi, rows.flags[i], rows.skill[i]), rows, i)
    elif s == State.REGULAR_RESIDENT and pair_slot[oi, rows.location[i]] >= 0:
        g = settled_group(pair_slot[oi, rows.location[i]], rows.flags[i], rows.skill[i])
        if rows.flags[i] & FLAG_EMPLOYED:
            employed[g] += rows.weight[i]
        join(groups, g, groups.weight[g], rows, i)
    else:
        return n
    n -= 1
    if i < n:
        for column in literal_unroll(rows):
            column[i] = column[n]
    return n


@njit(cache=True)
def join_groups(rows, n, joiners, bounds, chunk_joiners, cohorts, aspiring, first_rejoin, groups, employed,
                pair_slot, origin_index) -> int:
    """The rows `advance_rows` listed join their groups (`join_row`), from the highest slot down,
    so that the last row, moved into a slot that left, is never one still to join. Returns the
    rows left in use. Serial: the same result whatever the thread count."""
    for c in range(bounds.shape[0] - 2, -1, -1):
        for k in range(chunk_joiners[c] - 1, -1, -1):
            n = join_row(rows, joiners[bounds[c] + k], n, cohorts, aspiring, first_rejoin, groups, employed,
                         pair_slot, origin_index)
    return n


@njit(cache=True)
def groups_in_use(weight, aspiring, start) -> int:
    """Groups from `start` on that hold someone (weight, or aspiring where given), counted in place."""
    n = 0
    for g in range(start, weight.shape[0]):
        if weight[g] > 0 or (aspiring is not None and aspiring[g] > 0):
            n += 1
    return n


@njit(cache=True)
def join_all(rows, n, cohorts, aspiring, first_rejoin, groups, employed, pair_slot, origin_index) -> int:
    """Every row that may join a group does (the initial population's permit holders), from the
    highest slot down. Returns the rows left in use."""
    for i in range(n - 1, -1, -1):
        n = join_row(rows, i, n, cohorts, aspiring, first_rejoin, groups, employed, pair_slot, origin_index)
    return n

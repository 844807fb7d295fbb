"""Which rules a migrant follows in a week, by the state it starts the week in.

The twin of `kernel.step_agent`: one rule (or a fixed sequence) per state, each making at most
one life-cycle transition; in a sequence a later rule runs only if the earlier ones left the
person where they were. `RULES[state]` is the rule for that state (None: nothing happens). A
migrant is a row of persons who take each step together (only death on a leg takes them one by
one); cohorts at home have a week of their own (`cohorts.step_cohort`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bp_sim.reference.asylum import step_pending
from bp_sim.reference.borders import step_detained
from bp_sim.reference.channels import step_aspiring, step_preparing
from bp_sim.reference.first_asylum import step_first_asylum
from bp_sim.reference.labour import step_work
from bp_sim.reference.movement import step_transit_regular, step_transit_smuggled
from bp_sim.reference.origin import step_at_home
from bp_sim.reference.remittances import step_remit
from bp_sim.reference.returns import step_leave_destination, step_return, step_returned, step_stranded_return
from bp_sim.reference.trafficking import maybe_exploited, step_exploited
from bp_sim.states import N_STATES, Channel, State

if TYPE_CHECKING:
    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week

Rule = Callable[["Migrant", "Week"], None]


def step_flying_or_going_home(m: Migrant, wk: Week) -> None:
    """TRANSIT_REGULAR: on the way home (channel RETURN), or flying to a destination."""
    if m.channel == Channel.RETURN:
        step_return(m, wk)
    else:
        step_transit_regular(m, wk)


def step_travelling(m: Migrant, wk: Week) -> None:
    """TRANSIT_SMUGGLED: give up if stranded; else travel; then the risk of trafficking at a node."""
    if step_stranded_return(m, wk):
        return
    step_transit_smuggled(m, wk)
    if m.state == State.TRANSIT_SMUGGLED and m.edge < 0:
        maybe_exploited(m, wk, wk.p.trafficking_transit_weekly)


def step_resident(m: Migrant, wk: Week) -> None:
    """PROTECTED, REGULAR_RESIDENT, IRREGULAR_RESIDENT: work, send money home, then maybe become
    exploited (without status), move on (first asylum, EU border countries) or go home."""
    s = m.state
    step_work(m, wk)
    step_remit(m, wk)
    left = False
    if s == State.IRREGULAR_RESIDENT:
        left = maybe_exploited(m, wk, wk.p.trafficking_irregular_weekly)
    w = wk.w
    loc = m.location
    if not left and s != State.REGULAR_RESIDENT and (w.is_first_asylum[loc] or w.entry_country[loc]):
        left = step_first_asylum(m, wk)
    if not left:
        step_leave_destination(m, wk)


def _rules() -> tuple[Rule | None, ...]:
    by_state: dict[State, Rule | None] = {
        State.STAYING: step_at_home,
        State.ASPIRING: step_aspiring,
        State.PREPARING: step_preparing,
        State.TRANSIT_REGULAR: step_flying_or_going_home,
        State.TRANSIT_SMUGGLED: step_travelling,
        State.DETAINED: step_detained,
        State.ASYLUM_PENDING: step_pending,
        State.PROTECTED: step_resident,
        State.REGULAR_RESIDENT: step_resident,
        State.IRREGULAR_RESIDENT: step_resident,
        State.EXPLOITED: step_exploited,
        State.RETURNED: step_returned,
        State.REINTEGRATED: step_at_home,
        State.DEAD_MISSING: None,
    }
    assert len(by_state) == N_STATES
    return tuple(by_state[State(s)] for s in range(N_STATES))


RULES: tuple[Rule | None, ...] = _rules()

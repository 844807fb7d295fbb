"""Life-cycle transitions that more than one rule makes, one helper each.

Every rule that sends a person home, settles them where they are with a status, or starts them
on a journey says so with the same helper, so the fields such a change writes (and the ones it
leaves alone) are written down once. The twin's `reference.transitions` has the same helpers
for one Mesa agent. Helpers write only the person's own fields; counters stay with the rules.
"""

from __future__ import annotations

from bp_sim.jit import inline_rule
from bp_sim.states import FLAG_EMPLOYED, FLAG_STRANDED, Channel, Legal, State


@inline_rule
def send_home(pop, i):
    """Sent on the way home (removed, deported, returned on their own, or given up in transit):
    travelling the legs home (`returns.step_return`) from where the person is, heading for the
    origin, off any leg, no longer stranded. Home, `arrive_home` makes them a returnee."""
    pop.state[i] = State.TRANSIT_REGULAR
    pop.channel[i] = Channel.RETURN
    pop.destination[i] = pop.origin[i]
    pop.edge[i] = -1
    pop.leg_left[i] = 0
    pop.flags[i] &= ~FLAG_STRANDED


@inline_rule
def arrive_home(pop, i):
    """Back at the origin as a returnee: no destination, a national again."""
    pop.location[i] = pop.origin[i]
    pop.destination[i] = -1
    pop.edge[i] = -1
    pop.channel[i] = Channel.NONE
    pop.state[i] = State.RETURNED
    pop.legal[i] = Legal.NATIONAL


@inline_rule
def settle(pop, i, state, legal):
    """Take up life where the person is, in `state` with legal status `legal`: on arrival, on an
    asylum decision, or as a trafficking victim referred or escaped."""
    pop.state[i] = state
    pop.legal[i] = legal


@inline_rule
def grant_protection(pop, i):
    """Protected where the person is: recognised, registered, resettled or referred as a victim."""
    settle(pop, i, State.PROTECTED, Legal.REFUGEE)


@inline_rule
def stay_without_status(pop, i):
    """At a destination (or stuck in transit) without papers: arrived without a claim, or escaped."""
    settle(pop, i, State.IRREGULAR_RESIDENT, Legal.IRREGULAR)


@inline_rule
def start_preparing(pop, i, channel, destination):
    """A channel and a destination are chosen: preparing to leave."""
    pop.state[i] = State.PREPARING
    pop.channel[i] = channel
    pop.destination[i] = destination


@inline_rule
def fly_out(pop, i, p):
    """Set out by air (a visa or a resettlement place): in regular transit for the flight time.
    The destination is already set."""
    pop.state[i] = State.TRANSIT_REGULAR
    pop.leg_left[i] = int(p.air_travel_weeks)


@inline_rule
def set_out_irregular(pop, i):
    """Set out over land and sea: in irregular transit, at a node, the next leg still to choose.
    The destination is already set."""
    pop.state[i] = State.TRANSIT_SMUGGLED
    pop.edge[i] = -1


@inline_rule
def lose_job(pop, i):
    """No longer employed (left the place of work: went home, moved on, or fell into exploitation)."""
    pop.flags[i] &= ~FLAG_EMPLOYED

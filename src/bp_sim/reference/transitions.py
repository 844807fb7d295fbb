"""Life-cycle transitions that more than one rule makes (twin of `mechanisms.transitions`).

The same helpers, for one Mesa agent: sent home, settled with a status, set out on a journey.
They write only the migrant's own attributes; counters stay with the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim.states import FLAG_EMPLOYED, FLAG_STRANDED, Channel, Legal, State

if TYPE_CHECKING:
    from types import SimpleNamespace

    from bp_sim.reference.migrant import Migrant


def send_home(m: Migrant) -> None:
    """Sent on the way home (removed, deported, returned on their own, or given up in transit):
    travelling the legs home (`returns.step_return`) from where the person is, heading for the
    origin, off any leg, no longer stranded. Home, `arrive_home` makes them a returnee."""
    m.state = State.TRANSIT_REGULAR
    m.channel = Channel.RETURN
    m.destination = m.origin
    m.edge = -1
    m.leg_left = 0
    m.flags &= ~FLAG_STRANDED


def arrive_home(m: Migrant) -> None:
    """Back at the origin as a returnee: no destination, a national again."""
    m.location = m.origin
    m.destination = -1
    m.edge = -1
    m.channel = Channel.NONE
    m.state = State.RETURNED
    m.legal = Legal.NATIONAL


def settle(m: Migrant, state: int, legal: int) -> None:
    """Take up life where the person is, in `state` with legal status `legal`: on arrival, on an
    asylum decision, or as a trafficking victim referred or escaped."""
    m.state = state
    m.legal = legal


def grant_protection(m: Migrant) -> None:
    """Protected where the person is: recognised, registered, resettled or referred as a victim."""
    settle(m, State.PROTECTED, Legal.REFUGEE)


def stay_without_status(m: Migrant) -> None:
    """At a destination (or stuck in transit) without papers: arrived without a claim, or escaped."""
    settle(m, State.IRREGULAR_RESIDENT, Legal.IRREGULAR)


def start_preparing(m: Migrant, channel: int, destination: int) -> None:
    """A channel and a destination are chosen: preparing to leave."""
    m.state = State.PREPARING
    m.channel = channel
    m.destination = destination


def fly_out(m: Migrant, p: SimpleNamespace) -> None:
    """Set out by air (a visa or a resettlement place): in regular transit for the flight time.
    The destination is already set."""
    m.state = State.TRANSIT_REGULAR
    m.leg_left = int(p.air_travel_weeks)


def set_out_irregular(m: Migrant) -> None:
    """Set out over land and sea: in irregular transit, at a node, the next leg still to choose.
    The destination is already set."""
    m.state = State.TRANSIT_SMUGGLED
    m.edge = -1


def lose_job(m: Migrant) -> None:
    """No longer employed (left the place of work: went home, moved on, or fell into exploitation)."""
    m.flags &= ~FLAG_EMPLOYED

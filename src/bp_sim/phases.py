"""The week, as data: the ordered list of phases `SilkRoutesModel.step` runs.

Each phase is a small function `run(model, t)` with a one-line docstring; a phase whose
mechanism keeps state between weeks names that mechanism's adapter class (`state`), which the
model makes once (`model.states[name]`). `STEP_ORDER`, the ODD's process overview and
`bp-sim run --profile` are all read from `WEEK`, so the week cannot be described one way and
run another. A new weekly mechanism is one line here (see docs/architecture.md, "A new mechanism").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bp_sim.mechanisms.attitudes import Attitudes
from bp_sim.mechanisms.common import update_destination_appeal
from bp_sim.mechanisms.diasporas import Diasporas
from bp_sim.mechanisms.origin import OriginConditions
from bp_sim.mechanisms.quotas import QueuesAndQuotas
from bp_sim.mechanisms.routing import RouteTables
from bp_sim.mechanisms.smuggling import SmugglingMarket
from bp_sim.outcomes import weekly_outcomes
from bp_sim.parameters import params_array
from bp_sim.settings import write_into_world


@dataclass(frozen=True)
class Phase:
    """One step of the week: its name, what it runs, and the state it keeps (an adapter class)."""

    name: str
    run: Callable[[Any, int], None]
    state: type | None = None  # made once per model: state(model), kept in model.states[name]

    @property
    def doc(self) -> str:
        """The first line of the phase function's docstring."""
        return (self.run.__doc__ or "").strip().splitlines()[0]


def policy_in_force(model, t: int) -> None:
    """Levers and dated events in force this week (policy.Policy.current), written into the World."""
    arrays, params = model.policy.current(t)
    if params is not model.params_in_force and params != model.params_in_force:
        model.params_in_force = params
        model.p_arr = params_array(params)  # what the compiled code reads
        model.p = model.p_arr[0]
    if arrays is not model.in_force:  # the same settings as last week are already in the World
        write_into_world(model.world, arrays)
        model.in_force = arrays


def diasporas(model, t: int) -> None:
    """Network shares and diaspora ratios from last week's stock of people abroad (mechanisms.diasporas)."""
    model.states["diasporas"].step(model, t)


def origin_conditions(model, t: int) -> None:
    """Income growth, climate shocks and conflict at origins, and their aspiration (mechanisms.origin)."""
    model.states["origin_conditions"].step(model, t)


def destination_appeal(model, t: int) -> None:
    """What each destination is worth to each origin's people this week, before cost and draws (mechanisms.common)."""
    w = model.world
    update_destination_appeal(model.p_arr, w.dest_nodes, w.income_week, w.network_share, w.dest_appeal)


def smuggling_market(model, t: int) -> None:
    """Fees, interception, death risk and departures on every leg (mechanisms.smuggling)."""
    model.states["smuggling_market"].step(model, t)


def route_tables(model, t: int) -> None:
    """Next-leg tables by information level, rebuilt when an input changed (mechanisms.routing)."""
    model.states["route_tables"].step(model, t)


def queues_and_quotas(model, t: int) -> None:
    """Regular slots, asylum decisions, resettlement and remittance shares from last week (mechanisms.quotas)."""
    model.states["queues_and_quotas"].step(model, t)


def population(model, t: int) -> None:
    """Every agent one week: the population kernel (kernel.advance_population; the twin's migrants)."""
    model.this_week = model.advance_population(t)


def attitudes(model, t: int) -> None:
    """Attitudes and discrimination at destinations after this week's arrivals (mechanisms.attitudes)."""
    model.states["attitudes"].step(model, t)


def record_outcomes(model, t: int) -> None:
    """Outcomes recorded; this week's tallies become `last`, which next week and locations read (outcomes)."""
    tot = model.this_week
    model.recorder.record(t, weekly_outcomes(tot, model.world.edge_frontex), tot, model.world.edge_cost,
                          model.world.edge_frontex)
    model.last = tot
    if model.check_invariants:
        model.verify(tot)


WEEK: tuple[Phase, ...] = (
    Phase("policy", policy_in_force),
    # Before both readers of its arrays: the aspiration hazard (origin_conditions reads
    # diaspora_ratio) and destination appeal (network_share), so they use this week's values.
    Phase("diasporas", diasporas, Diasporas),
    Phase("origin_conditions", origin_conditions, OriginConditions),
    Phase("destination_appeal", destination_appeal),
    Phase("smuggling_market", smuggling_market, SmugglingMarket),
    Phase("route_tables", route_tables, RouteTables),
    Phase("queues_and_quotas", queues_and_quotas, QueuesAndQuotas),
    Phase("population", population),
    Phase("attitudes", attitudes, Attitudes),
    Phase("record_outcomes", record_outcomes),
)


def step_order(week: tuple[Phase, ...]) -> tuple[str, ...]:
    """'name: what it does', one per phase in order."""
    return tuple(f"{ph.name}: {ph.doc}" for ph in week)


def inserted(week: tuple[Phase, ...], phase: Phase, after: str) -> tuple[Phase, ...]:
    """`week` with `phase` run right after the phase named `after` (for a mechanism of one's own)."""
    names = [ph.name for ph in week]
    if after not in names:
        raise ValueError(f"no phase {after!r} in the week: {', '.join(names)}")
    if phase.name in names:
        raise ValueError(f"the week already has a phase {phase.name!r}")
    k = names.index(after) + 1
    return (*week[:k], phase, *week[k:])


STEP_ORDER: tuple[str, ...] = step_order(WEEK)

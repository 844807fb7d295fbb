"""One whole-horizon run for the page (`simulate`) and the marks of a scenario's time axis (`marks_of`).

A run is stepped week by week so that it can stop as soon as it is no longer wanted (the lever
moved again, the tab closed): `cancelled()` is asked between weeks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bp_sim.dashboard.results import Mark, Run
from bp_sim.levers.setting import pieces
from bp_sim.model import SilkRoutesModel
from bp_sim.network import Network
from bp_sim.scenario import Scenario
from bp_sim.tally import E_CROSSINGS


def simulate(sc: Scenario, agents: int, seed: int, network: Network,
             cancelled: Callable[[], bool] = lambda: False) -> tuple[Run, float] | None:
    """Run `sc` over its horizon with `agents` agents and `seed`: the Run and persons per agent,
    or None if `cancelled()` turned true between two weeks."""
    model = SilkRoutesModel(sc, agents=agents, seed=seed, network=network)
    weeks, n_edges = sc.weeks, network.n_edges
    death = np.empty((weeks, n_edges), np.float32)
    intercept = np.empty((weeks, n_edges), np.float32)
    for t in range(weeks):
        if cancelled():
            return None
        model.step()
        death[t] = model.world.edge_death  # the settings in force in the week just run
        intercept[t] = model.world.edge_intercept
    rec = model.recorder
    crossings = rec.edges[:weeks, :, E_CROSSINGS].astype(np.float32)
    run = Run(seed=seed, outcomes=rec.outcomes[:weeks].copy(), crossings=crossings, edge_death=death,
              edge_intercept=intercept)
    return run, float(model.persons_per_mover)  # persons per row of movers: what an outcome rests on


def marks_of(sc: Scenario) -> tuple[Mark, ...]:
    """The scenario's scheduled events and the start of each of its lever settings, in date order."""
    marks = []
    for ev in sc.events:
        week = sc.week_of(ev["date"])
        if 0 <= week < sc.weeks:
            marks.append(Mark(week, ev["date"], str(ev.get("label") or ev["type"].replace("_", " ")), "event"))
    for name, schedule in sc.levers.items():
        for s in pieces(schedule):
            day = s.start or sc.start_date
            week = sc.week_of(day)
            if 0 <= week < sc.weeks:
                marks.append(Mark(week, day, f"{name.replace('_', ' ')} {s.value:g}", "lever"))
    return tuple(sorted(marks, key=lambda m: (m.week, m.kind, m.label)))

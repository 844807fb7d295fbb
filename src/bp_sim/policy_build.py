"""A scenario's `Policy`: every setting at its base value, and the dated `Change`s to it.

Base values come from the settings table (`settings.py`: a parameter, a number or the network's
data), then the scenario's per-place settings; dated events and levers become `Change`s, so the
model applies both in one place (`policy.Policy.current`).
"""

from __future__ import annotations

import numpy as np

from bp_sim import settings
from bp_sim.levers.setting import lever_changes
from bp_sim.network import Network
from bp_sim.parameters import as_dict
from bp_sim.policy import Change, Policy
from bp_sim.scenario import EVENT_TYPES, Scenario


def base_settings(net: Network, p, data: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Every setting at its default, by scope: node (N), origin (O), edge (E), corridor (O, N)."""
    n, n_o = net.n_nodes, len(net.origin_nodes)
    shapes = {"node": (n,), "origin": (n_o,), "edge": (net.n_edges,), "corridor": (n_o, n)}
    return {scope: settings.base_values(scope, shape, p, data) for scope, shape in shapes.items()}


def policy_from_scenario(sc: Scenario, net: Network, p, base: dict) -> Policy:
    """Base settings from the table and the scenario; events and levers become Changes."""
    arrays = base_settings(net, p, base)
    for table, scope in settings.SCOPE_OF_TABLE.items():
        for place, values in getattr(sc, table).items():
            idx = net.index_of(scope, place)
            for name, value in values.items():
                arrays[scope][name][idx] = value

    changes: list[Change] = []
    for ev in sc.events:
        start = sc.week_of(ev["date"])
        end = sc.week_of(ev["until"]) if "until" in ev else None
        ramp = ev.get("ramp_weeks", 0)
        label = ev.get("label", ev["type"])
        if ev["type"] == "climate_shock" and end is None:
            end = start + int(p.climate_shock_weeks)
        if ev["type"] == "parameter_change":
            table, _, rest = ev["target"].partition(".")
            if table == "parameters":
                changes.append(Change("param", rest, None, ev["value"], start, ramp, end, label=label))
                continue
            place, _, name = rest.rpartition(".")
            scope = settings.SCOPE_OF_TABLE[table]
        else:
            table, name = EVENT_TYPES[ev["type"]]
            scope = settings.SCOPE_OF_TABLE[table]
            place = ev.get("place", ev.get("route"))
        changes.append(Change(scope, name, net.index_of(scope, place), ev["value"], start, ramp, end, label=label))
    for schedule in sc.levers.values():
        changes.extend(lever_changes(schedule, net, sc))
    return Policy(base=arrays, params=as_dict(p), changes=changes)

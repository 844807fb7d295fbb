"""Policy settings that change over time: base values plus dated, phased changes.

Levers and scheduled events (a conflict surge, a border closure, a deportation campaign, a
parameter changed from a date with a ramp) become `Change`s. Each week `Policy.current(t)`
returns every setting as it stands that week: the base value moved towards each active change
by the share of its ramp completed. This is the one place where settings change over time;
kernels only read the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SCOPES = ("node", "edge", "origin", "corridor", "param")


@dataclass(frozen=True)
class Change:
    """Move `scope.name[index]` to `value` (mode 'set') or by a factor (mode 'scale')."""

    scope: str
    name: str
    index: tuple | int | None
    value: float
    start: int  # first week (step) in force
    ramp_weeks: int = 0  # weeks to reach the full change; 0 = at once
    end: int | None = None  # first week no longer in force; None = until the end
    mode: str = "set"
    label: str = ""

    def weight(self, t: int) -> float:
        """How much of the change is in force in week t (0..1)."""
        if t < self.start or (self.end is not None and t >= self.end):
            return 0.0
        if self.ramp_weeks <= 0:
            return 1.0
        return min(1.0, (t - self.start + 1) / self.ramp_weeks)


@dataclass
class Policy:
    """Base settings per scope and the list of changes to apply over time."""

    base: dict[str, dict[str, np.ndarray]]
    params: dict[str, float]
    changes: list[Change] = field(default_factory=list)
    # The last answer and the weights it was made with: most weeks no change moves, so the same
    # settings are returned again (the caller only reads them) and it can tell nothing changed.
    _last: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def current(self, t: int) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float]]:
        """Settings in force in week t (fresh arrays only where a change is active; the same
        objects as the last call when no change's weight differs from then). Read-only."""
        weights = tuple(ch.weight(t) for ch in self.changes)
        if self._last is not None and self._last[0] == weights:
            return self._last[1]
        answer = self._settings(t)
        self._last = (weights, answer)
        return answer

    def _settings(self, t: int) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float]]:
        arrays = {scope: dict(fields) for scope, fields in self.base.items()}
        params = dict(self.params)
        copied: set[tuple[str, str]] = set()
        for ch in self.changes:
            wgt = ch.weight(t)
            if wgt <= 0.0:
                continue
            if ch.scope == "param":
                old = params[ch.name]
                params[ch.name] = moved(old, ch, wgt)
                continue
            key = (ch.scope, ch.name)
            if key not in copied:
                arrays[ch.scope][ch.name] = arrays[ch.scope][ch.name].copy()
                copied.add(key)
            arr = arrays[ch.scope][ch.name]
            arr[ch.index] = moved(arr[ch.index], ch, wgt)
        return arrays, params


def moved(old, ch: Change, wgt: float):
    """A setting `old` moved by change `ch` at weight `wgt` (the share of its ramp done)."""
    if ch.mode == "scale":
        return old * (1.0 + wgt * (ch.value - 1.0))
    return old + wgt * (ch.value - old)


def policy_from_scenario(sc, net, p, base: dict) -> Policy:
    """Base settings from data, parameter defaults and the scenario; events become Changes."""
    from bp_sim.build import NODE_POLICY_DEFAULTS, ORIGIN_POLICY_DEFAULTS
    from bp_sim.errors import InputError

    n, n_o = net.n_nodes, len(net.origin_nodes)
    node: dict[str, np.ndarray] = {"conflict": base["conflict"].copy(), "climate_shock": np.zeros(n)}
    for name, default in NODE_POLICY_DEFAULTS.items():
        value = getattr(p, default) if isinstance(default, str) else (default or 0.0)
        node[name] = np.full(n, float(value))
    origin = {name: np.full(n_o, float(getattr(p, default))) for name, default in ORIGIN_POLICY_DEFAULTS.items()}
    edge = {"enforcement": base["enforcement"].copy(), "capacity_mult": np.ones(net.n_edges),
            "open": base["open"].copy(), "rescue": np.zeros(net.n_edges)}
    corridor = {"remittance_cost_pct": base["remit_cost"] * 100.0, "regular_slots_mult": np.ones((n_o, n))}
    arrays = {"node": node, "origin": origin, "edge": edge, "corridor": corridor}
    oindex = {net.nodes.node_id.iloc[o]: k for k, o in enumerate(net.origin_nodes)}

    def index_of(scope: str, place: str):
        if scope == "node":
            if place not in net.node_id:
                raise InputError("nodes", place, "a node id of locations.csv")
            return net.node_id[place]
        if scope == "origin":
            if place not in oindex:
                raise InputError("origins", place, "an origin: " + ", ".join(oindex))
            return oindex[place]
        if scope == "edge":
            return net.edge_index(place)
        o, _, d = place.partition("->")
        if o not in oindex or d not in net.node_id:
            raise InputError("corridors", place, "'ORIGIN->DESTINATION' with an origin and a node id")
        return (oindex[o], net.node_id[d])

    scopes = {"nodes": "node", "origins": "origin", "routes": "edge", "corridors": "corridor"}
    for key, scope in scopes.items():
        for place, settings in getattr(sc, key).items():
            idx = index_of(scope, place)
            for name, value in settings.items():
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
            scope_key, _, rest = ev["target"].partition(".")
            if scope_key == "parameters":
                changes.append(Change("param", rest, None, ev["value"], start, ramp, end, label=label))
                continue
            place, _, name = rest.rpartition(".")
            scope = scopes[scope_key]
            changes.append(Change(scope, name, index_of(scope, place), ev["value"], start, ramp, end, label=label))
            continue
        from bp_sim.scenario import EVENT_TYPES

        scope_key, name = EVENT_TYPES[ev["type"]]
        scope = scopes[scope_key]
        place = ev.get("place", ev.get("route"))
        changes.append(Change(scope, name, index_of(scope, place), ev["value"], start, ramp, end, label=label))
    from bp_sim.levers.setting import lever_changes
    from bp_sim.parameters import as_dict

    for setting in sc.levers.values():
        changes.extend(lever_changes(setting, net, sc))
    return Policy(base=arrays, params=as_dict(p), changes=changes)

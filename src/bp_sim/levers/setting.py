"""A scenario's `[levers]` table: validated settings, and the `Change`s they make over time.

    [levers]
    remittance_cost = 3.0                       # from the start, on the lever's default places
    [levers.border_enforcement]
    value = 0.95
    start = 2021-01-01                          # phased in ...
    ramp_weeks = 26                             # ... over half a year
    where = ["TUR->GRC_EVROS", "TUR_AEGEAN->GRC_ISLANDS"]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from bp_sim import checks
from bp_sim.errors import MISSING, InputError, Note, path
from bp_sim.levers.catalogue import LEVERS, Lever
from bp_sim.policy import Change

SETTING_KEYS = ("value", "start", "until", "ramp_weeks", "where")
MAX_PIECES = 1000  # settings one after another in one lever's schedule


@dataclass(frozen=True)
class LeverSetting:
    """How strongly a lever is set, from when, over what ramp, and where (None: its default)."""

    name: str
    value: float
    start: dt.date | None = None
    until: dt.date | None = None
    ramp_weeks: int = 0
    where: tuple[str, ...] | None = None

    def to_toml(self) -> dict:
        out: dict = {"value": self.value}
        if self.start is not None:
            out["start"] = self.start
        if self.until is not None:
            out["until"] = self.until
        if self.ramp_weeks:
            out["ramp_weeks"] = self.ramp_weeks
        if self.where is not None:
            out["where"] = list(self.where)
        return out


PLACE_SETS = {"edge": "legs 'SRC->DST' of routes.csv", "corridor": "corridors 'ORIGIN->DESTINATION'",
              "origin": "origins (origin node ids)", "node": "node ids of locations.csv"}


LeverSchedule = LeverSetting | tuple[LeverSetting, ...]  # one setting, or several one after another


def pieces(schedule: LeverSchedule) -> tuple[LeverSetting, ...]:
    """The settings of a lever's schedule in date order (one, or the pieces of `[[levers.X]]`)."""
    return schedule if isinstance(schedule, tuple) else (schedule,)


def parse_levers(table: object, places: dict[str, set[str] | None] | None = None) -> dict[str, LeverSchedule]:
    """Validate `[levers]`: known lever names, numbers inside their range, dates, places.

    A lever is `lever = value`, a table `[levers.X]`, or an array of tables `[[levers.X]]`: settings
    one after another (a lever moved twice in the dashboard), each but the last ending (`until`)
    on or before the next one starts, so no two are in force at once.
    `places` maps a scope (node, origin, edge, corridor) to its valid names; when given, every
    name in a lever's `where` is checked against the set of the lever's scope.
    """
    if not isinstance(table, dict):
        raise InputError("levers", table, "a table of lever = value or lever = {value = ...}")
    out: dict[str, LeverSchedule] = {}
    for name, raw in table.items():
        key = path("levers", name)
        lv = LEVERS.get(name)
        if lv is None:
            raise InputError(key, Note("an unknown lever"), ", ".join(sorted(LEVERS)))
        if isinstance(raw, list):
            out[name] = _schedule(key, lv, raw, places)
        else:
            out[name] = _setting(key, lv, raw, places)
    return out


def _schedule(key: str, lv: Lever, raw: list, places) -> tuple[LeverSetting, ...]:
    """`[[levers.X]]`: settings in date order that do not overlap."""
    if not raw or len(raw) > MAX_PIECES or not all(isinstance(r, dict) for r in raw):
        raise InputError(key, raw, f"a table, or an array of 1 to {MAX_PIECES} tables [[{key}]] in date order")
    out: list[LeverSetting] = []
    for k, spec in enumerate(raw):
        piece = _setting(f"{key}[{k}]", lv, spec, places)
        if out:
            before = out[-1]
            if before.until is None:
                raise InputError(f"{key}[{k - 1}].until", MISSING,
                                 f"a date on or before {key}[{k}].start (settings of one lever follow each other)")
            if piece.start is None or piece.start < before.until:
                raise InputError(f"{key}[{k}].start", piece.start if piece.start is not None else MISSING,
                                 f"a date on or after {before.until.isoformat()} ({key}[{k - 1}].until)")
        out.append(piece)
    return tuple(out)


def _setting(key: str, lv: Lever, raw: object, places) -> LeverSetting:
    """One setting: `lever = value` or a table with value, start, until, ramp_weeks, where."""
    name = lv.name
    spec = raw if isinstance(raw, dict) else {"value": raw}
    checks.known_keys(key, spec, SETTING_KEYS)
    value = checks.required(key, spec, "value", checks.range_text(lv.low, lv.high, f"({lv.unit})"))
    value = checks.number(f"{key}.value" if isinstance(raw, dict) else key, value, lv.low, lv.high, f"({lv.unit})")
    start = checks.date(f"{key}.start", spec["start"]) if "start" in spec else None
    until = checks.date(f"{key}.until", spec["until"]) if "until" in spec else None
    if start is not None and until is not None:
        checks.after(f"{key}.until", until, start)
    ramp = checks.whole(f"{key}.ramp_weeks", spec.get("ramp_weeks", 0), 0, 5200, "a whole number of weeks")
    where = spec.get("where")
    if where is not None:
        where = _where(f"{key}.where", lv, where, (places or {}).get(lv.scope))
    return LeverSetting(name, value, start, until, ramp, where)


def _where(key: str, lv: Lever, where: object, valid: set[str] | None) -> tuple[str, ...]:
    """A lever's `where`: a non-empty list of names of its scope's places (checked when known)."""
    if lv.scope == "param":
        raise InputError(key, where, "nothing: this lever is model-wide")
    if not isinstance(where, list) or not where or not all(isinstance(x, str) for x in where):
        raise InputError(key, where, f"a non-empty list of {PLACE_SETS[lv.scope]}")
    if valid is not None:
        for w in where:
            if w not in valid:
                raise InputError(key, w, f"{PLACE_SETS[lv.scope]}: {checks.one_of(valid, w)}")
    if len(set(where)) != len(where):
        raise InputError(key, where, "a list without repeated places")
    return tuple(where)


def select(net, targets: str):
    """Indices of a lever's default places, in the layout of its scope's arrays."""
    nodes = net.nodes
    n = net.n_nodes
    n_o = len(net.origin_nodes)
    if targets in ("all_corridors", "corridors_europe", "corridors_other"):
        cols = np.arange(n) if targets == "all_corridors" else np.flatnonzero(
            net.europe if targets == "corridors_europe" else ~net.europe)
        rows = np.repeat(np.arange(n_o), len(cols))
        return rows, np.tile(cols, n_o)
    if targets == "origins":
        return np.array(net.origin_nodes)
    if targets == "destinations":
        return np.flatnonzero(nodes.is_destination.to_numpy())
    if targets == "asylum_systems":
        return np.flatnonzero(nodes.asylum_system.to_numpy())
    if targets == "first_asylum":
        return np.flatnonzero(nodes.is_first_asylum.to_numpy())
    if targets == "all_nodes":
        return np.arange(n)
    routes = net.routes
    if targets == "eu_entry_legs":
        return np.flatnonzero(routes.eu_external_entry.to_numpy())
    if targets == "smuggled_legs":
        return np.flatnonzero(routes.smuggling_fee_usd.to_numpy() > 0)
    if targets == "sea_legs":
        return np.flatnonzero(routes["mode"].to_numpy() == "sea")
    raise ValueError(f"unknown targets {targets!r}")


def _where_indices(net, lv: Lever, where: tuple[str, ...]):
    """The indices of the places a lever's `where` names (`Network.index_of`)."""
    key = f"levers.{lv.name}.where"
    found = [net.index_of(lv.scope, w, key) for w in where]
    if lv.scope == "corridor":
        return np.array([r for r, _ in found]), np.array([c for _, c in found])
    return np.array(found)


def lever_changes(schedule: LeverSchedule, net, scenario) -> list[Change]:
    """The Changes a lever's setting (or each setting of its schedule) makes: from its start
    (default: the scenario's), ramped, until its end."""
    return [change for setting in pieces(schedule) for change in _setting_changes(setting, net, scenario)]


def _setting_changes(setting: LeverSetting, net, scenario) -> list[Change]:
    lv = LEVERS[setting.name]
    start = scenario.week_of(setting.start) if setting.start is not None else 0
    end = scenario.week_of(setting.until) if setting.until is not None else None
    label = f"lever {setting.name}"
    if lv.scope == "param":
        return [Change("param", lv.field, None, setting.value, start, setting.ramp_weeks, end, lv.mode, label)]
    if lv.scope == "origin":
        idx = _where_indices(net, lv, setting.where) if setting.where else np.arange(len(net.origin_nodes))
    elif setting.where:
        idx = _where_indices(net, lv, setting.where)
    elif lv.scope == "node" and lv.targets == "origins":
        idx = np.array(net.origin_nodes)
    else:
        idx = select(net, lv.targets)
    return [Change(lv.scope, lv.field, idx, setting.value, start, setting.ramp_weeks, end, lv.mode, label)]

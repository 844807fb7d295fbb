"""Scenario files: TOML -> a validated `Scenario` (extends, overrides, dated events).

A scenario may `extends` another file (paths relative to itself) and override any of its
settings; tables merge key by key, events add up. Every key is checked: an unknown key, a
wrong type, a value out of range or a missing file raises one `InputError` naming the key, the
value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bp_sim.errors import InputError
from bp_sim.parameters import SPECS, check_value

TOP_KEYS = ("scenario", "population", "parameters", "levers", "nodes", "origins", "routes", "corridors", "events")
SCENARIO_KEYS = ("name", "description", "extends", "start_date", "years", "seed")
POPULATION_KEYS = ("agents", "persons_per_agent")

# Settings a scenario may give per node / origin / route / corridor, with their allowed range.
NODE_FIELDS = {
    "conflict": (0.0, 1.0),
    "deportation_weekly": (0.0, 1.0),
    "reception_quality": (0.0, 1.0),
    "registration_rate": (0.0, 1.0),
    "labour_inspection": (0.0, 1.0),
    "integration_support": (0.0, 1.0),
    "victim_identification": (0.0, 1.0),
    "forensic_capacity": (0.0, 1.0),
    "regular_info": (0.0, 1.0),
    "anti_discrimination": (0.0, 1.0),
    "climate_resilience": (0.0, 1.0),
    "campaign_intensity": (0.0, 1.0),
    "narrative_campaign": (0.0, 1.0),
    "livelihood_boost": (0.0, 5.0),
    "asylum_capacity_mult": (0.0, 100.0),
    "climate_shock": (0.0, 1.0),
}
ORIGIN_FIELDS = {"readmission": (0.0, 1.0), "reintegration_support": (0.0, 1.0)}
ROUTE_FIELDS = {"enforcement": (0.0, 1.0), "capacity_mult": (0.0, 100.0), "open": (0.0, 1.0), "rescue": (0.0, 1.0)}
CORRIDOR_FIELDS = {"remittance_cost_pct": (0.0, 100.0), "regular_slots_mult": (0.0, 100.0)}

# Event types -> (scope, field) they move, and the keys they take.
EVENT_TYPES = {
    "conflict_surge": ("nodes", "conflict"),
    "climate_shock": ("nodes", "climate_shock"),
    "border_closure": ("routes", "open"),
    "border_opening": ("routes", "open"),
    "deportation_campaign": ("nodes", "deportation_weekly"),
    "enforcement_change": ("routes", "enforcement"),
    "parameter_change": (None, None),
}
EVENT_KEYS = ("type", "date", "until", "ramp_weeks", "place", "route", "value", "target", "label")


@dataclass
class Scenario:
    """A validated scenario: where it came from and every setting it makes."""

    name: str = "unnamed"
    description: str = ""
    start_date: dt.date = dt.date(2020, 1, 1)
    years: float = 5.0
    seed: int = 0
    agents: int | None = None
    persons_per_agent: float | None = None
    parameters: dict[str, float] = field(default_factory=dict)
    nodes: dict[str, dict[str, float]] = field(default_factory=dict)
    origins: dict[str, dict[str, float]] = field(default_factory=dict)
    routes: dict[str, dict[str, float]] = field(default_factory=dict)
    corridors: dict[str, dict[str, float]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    levers: dict[str, Any] = field(default_factory=dict)  # name -> levers.LeverSetting
    source: str = ""

    @property
    def weeks(self) -> int:
        return round(self.years * 52)

    def week_of(self, day: dt.date) -> int:
        """Step index of a date (week 0 starts on start_date)."""
        return (day - self.start_date).days // 7

    def to_toml_dict(self) -> dict[str, Any]:
        """The scenario as resolved (no `extends`), ready to write back as TOML."""
        head: dict[str, Any] = {"name": self.name, "description": self.description,
                                "start_date": self.start_date, "years": self.years, "seed": self.seed}
        out: dict[str, Any] = {"scenario": head}
        pop = {k: v for k, v in (("agents", self.agents), ("persons_per_agent", self.persons_per_agent)) if v is not None}
        if pop:
            out["population"] = pop
        for key in ("parameters", "nodes", "origins", "routes", "corridors"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.levers:
            out["levers"] = {name: s.to_toml() for name, s in self.levers.items()}
        if self.events:
            out["events"] = self.events
        return out


def _type_error(where: str, value: object, allowed: str) -> InputError:
    return InputError(where, value, allowed)


def _number(where: str, value: object, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _type_error(where, value, f"a number in [{lo:g}, {hi:g}]")
    if not lo <= float(value) <= hi:
        raise InputError(where, value, f"a number in [{lo:g}, {hi:g}]")
    return float(value)


def parse_date(where: str, value: object) -> dt.date:
    """A TOML date (or an ISO date string) at key `where`, or one InputError naming it."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(where, value, "a date YYYY-MM-DD")


def _table(where: str, value: object) -> dict:
    if not isinstance(value, dict):
        raise InputError(where, value, "a table")
    return value


def _check_keys(where: str, table: dict, allowed) -> None:
    for k in table:
        if k not in allowed:
            raise InputError(f"{where}.{k}" if where else k, "unknown key", ", ".join(allowed))


def _read_toml(path: Path) -> dict:
    if not path.is_file():
        raise InputError("scenario file", str(path), "an existing .toml file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"scenario file {path}", "invalid TOML", f"valid TOML ({exc})") from exc


def _merge(base: dict, over: dict) -> dict:
    """Tables merge key by key (recursively); events are appended; other values replaced."""
    out = dict(base)
    for k, v in over.items():
        if k == "events":
            out[k] = list(base.get(k, [])) + list(v)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _resolve_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    path = path.resolve()
    if path in seen:
        raise InputError("scenario.extends", str(path), "a chain of files without a cycle")
    raw = _read_toml(path)
    head = raw.get("scenario", {})
    if isinstance(head, dict) and "extends" in head:
        parent = head["extends"]
        if not isinstance(parent, str):
            raise InputError("scenario.extends", parent, "a path to another scenario file")
        base = _resolve_raw((path.parent / parent), (*seen, path))
        raw = _merge(base, raw)
        raw["scenario"] = {k: v for k, v in raw["scenario"].items() if k != "extends"}
        if "name" not in head:
            raw["scenario"]["name"] = path.stem
    return raw


def parse_scenario(raw: dict, source: str = "", valid_nodes=None, valid_origins=None,
                   valid_routes=None, valid_corridors=None) -> Scenario:
    """Validate a raw TOML dict (already merged) into a Scenario.

    The valid_* sets, when given, check place names against the network.
    """
    _check_keys("", raw, TOP_KEYS)
    sc = Scenario(source=source)
    head = _table("scenario", raw.get("scenario", {}))
    _check_keys("scenario", head, SCENARIO_KEYS)
    if "name" in head:
        if not isinstance(head["name"], str) or not head["name"]:
            raise InputError("scenario.name", head["name"], "a non-empty string")
        sc.name = head["name"]
    if "description" in head:
        if not isinstance(head["description"], str):
            raise InputError("scenario.description", head["description"], "a string")
        sc.description = head["description"]
    if "start_date" in head:
        sc.start_date = parse_date("scenario.start_date", head["start_date"])
    if "years" in head:
        sc.years = _number("scenario.years", head["years"], 1 / 52, 100)
    if "seed" in head:
        seed = head["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise InputError("scenario.seed", seed, "a non-negative integer")
        sc.seed = seed

    pop = _table("population", raw.get("population", {}))
    _check_keys("population", pop, POPULATION_KEYS)
    if "agents" in pop:
        a = pop["agents"]
        if isinstance(a, bool) or not isinstance(a, int) or not 100 <= a <= 500_000_000:
            raise InputError("population.agents", a, "an integer from 100 to 500000000")
        sc.agents = a
    if "persons_per_agent" in pop:
        sc.persons_per_agent = _number("population.persons_per_agent", pop["persons_per_agent"], 1, 1e8)

    from bp_sim.levers.setting import parse_levers

    sc.levers = parse_levers(raw.get("levers", {}), parse_date)
    params = _table("parameters", raw.get("parameters", {}))
    sc.parameters = {k: check_value("parameters", k, v) for k, v in params.items()}

    for key, fields, valid in (("nodes", NODE_FIELDS, valid_nodes), ("origins", ORIGIN_FIELDS, valid_origins),
                               ("routes", ROUTE_FIELDS, valid_routes),
                               ("corridors", CORRIDOR_FIELDS, valid_corridors)):
        table = _table(key, raw.get(key, {}))
        out: dict[str, dict[str, float]] = {}
        for place, settings in table.items():
            if valid is not None and place not in valid:
                raise InputError(f"{key}.{place}", "unknown place", _allowed_places(valid))
            settings = _table(f"{key}.{place}", settings)
            _check_keys(f"{key}.{place}", settings, tuple(fields))
            out[place] = {f: _number(f"{key}.{place}.{f}", v, *fields[f]) for f, v in settings.items()}
        setattr(sc, key, out)

    events = raw.get("events", [])
    if not isinstance(events, list):
        raise InputError("events", events, "an array of tables [[events]]")
    for k, ev in enumerate(events):
        sc.events.append(_parse_event(f"events[{k}]", ev, sc, valid_nodes, valid_routes))
    return sc


def _allowed_places(valid) -> str:
    names = sorted(valid)
    shown = ", ".join(names[:60])
    return f"one of {shown}" + (" ..." if len(names) > 60 else "")


def _parse_event(where: str, ev: object, sc: Scenario, valid_nodes, valid_routes) -> dict[str, Any]:
    ev = _table(where, ev)
    _check_keys(where, ev, EVENT_KEYS)
    etype = ev.get("type")
    if etype not in EVENT_TYPES:
        raise InputError(f"{where}.type", etype, ", ".join(EVENT_TYPES))
    if "date" not in ev:
        raise InputError(f"{where}.date", None, "a date YYYY-MM-DD (required)")
    out: dict[str, Any] = {"type": etype, "date": parse_date(f"{where}.date", ev["date"])}
    if "until" in ev:
        out["until"] = parse_date(f"{where}.until", ev["until"])
        if out["until"] <= out["date"]:
            raise InputError(f"{where}.until", ev["until"], f"a date after {out['date']}")
    out["ramp_weeks"] = int(_number(f"{where}.ramp_weeks", ev.get("ramp_weeks", 0), 0, 5200))
    if "label" in ev:
        out["label"] = str(ev["label"])
    scope, name = EVENT_TYPES[etype]
    if etype == "parameter_change":
        target = ev.get("target")
        if not isinstance(target, str) or "." not in target:
            raise InputError(f"{where}.target", target,
                             "'parameters.NAME', 'nodes.PLACE.FIELD', 'origins.PLACE.FIELD', "
                             "'routes.SRC->DST.FIELD' or 'corridors.ORIGIN->DEST.FIELD'")
        out["target"] = target
        scope, _, rest = target.partition(".")
        if scope == "parameters":
            spec = SPECS.get(rest)
            if spec is None:
                raise InputError(f"{where}.target", target, "parameters.NAME with NAME in parameters.csv")
            out["value"] = check_value(f"{where}.value ({rest})", rest, ev.get("value"))
            return out
        fields = {"nodes": NODE_FIELDS, "origins": ORIGIN_FIELDS, "routes": ROUTE_FIELDS,
                  "corridors": CORRIDOR_FIELDS}.get(scope)
        place, _, fname = rest.rpartition(".")
        if fields is None or not place or fname not in fields:
            raise InputError(f"{where}.target", target, "SCOPE.PLACE.FIELD with a settable field")
        out["value"] = _number(f"{where}.value", ev.get("value"), *fields[fname])
        return out
    if scope == "nodes":
        place = ev.get("place")
        if not isinstance(place, str) or (valid_nodes is not None and place not in valid_nodes):
            raise InputError(f"{where}.place", place, _allowed_places(valid_nodes or []))
        out["place"] = place
        default = 1.0 if etype == "climate_shock" else None
        value = ev.get("value", default)
        out["value"] = _number(f"{where}.value", value, *NODE_FIELDS[name])
    else:
        route = ev.get("route")
        if not isinstance(route, str) or (valid_routes is not None and route not in valid_routes):
            raise InputError(f"{where}.route", route, "'SRC->DST' naming a leg of routes.csv")
        out["route"] = route
        if etype in ("border_closure", "border_opening"):
            out["value"] = 0.0 if etype == "border_closure" else 1.0
        else:
            out["value"] = _number(f"{where}.value", ev.get("value"), *ROUTE_FIELDS[name])
    return out


def scenarios_dir() -> Path:
    """The bundled scenarios folder (top level of the repository), or ./scenarios."""
    here = Path(__file__).resolve().parents[2] / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"


def find_scenario_file(name_or_path: str | Path | None) -> Path:
    """A path as given, or a bundled scenario by name ('baseline' -> scenarios/baseline.toml)."""
    if name_or_path is None:
        name_or_path = "baseline"
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            raise InputError("scenario", str(p), "an existing .toml file or a bundled scenario name")
        return p
    bundled = scenarios_dir() / f"{p.name}.toml"
    if not bundled.is_file():
        names = sorted(f.stem for f in scenarios_dir().glob("*.toml"))
        raise InputError("scenario", str(name_or_path), "a .toml file or one of " + ", ".join(names))
    return bundled


def load_scenario(name_or_path: str | Path | None = None, net=None) -> Scenario:
    """Read, resolve `extends`, and validate a scenario (place names checked against `net`)."""
    path = find_scenario_file(name_or_path)
    raw = _resolve_raw(path)
    if net is None:
        from bp_sim.network import load_network

        net = load_network()
    return parse_scenario(raw, str(path), **valid_places(net))


def valid_places(net) -> dict[str, set[str]]:
    nodes = set(net.nodes.node_id)
    origins = {net.nodes.node_id.iloc[o] for o in net.origin_nodes}
    routes = {f"{r.source}->{r.target}" for r in net.routes.itertuples(index=False)}
    corridors = {f"{r.origin}->{r.destination}" for r in net.corridors.itertuples(index=False)}
    return {"valid_nodes": nodes, "valid_origins": origins, "valid_routes": routes,
            "valid_corridors": corridors}

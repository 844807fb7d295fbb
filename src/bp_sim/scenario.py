"""Scenario files: TOML -> a validated `Scenario` (extends, overrides, dated events).

A scenario may `extends` another file (paths relative to itself) and override any of its
settings; tables merge key by key, events add up. Every key is checked: an unknown key, a
wrong type, a value out of range or a missing file raises one `InputError` naming the key, the
value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bp_sim import checks
from bp_sim.errors import MISSING, InputError, Note, path
from bp_sim.levers.catalogue import LEVERS
from bp_sim.levers.setting import parse_levers, pieces
from bp_sim.network import PLACE_FORMS, Network, load_network
from bp_sim.parameters import COMBINED, SPECS, SumAtMost, check_combined, check_value
from bp_sim.policy import Change, moved
from bp_sim.settings import SCOPE_OF_TABLE, TABLE_OF_SCOPE, ranges
from bp_sim.userfiles import existing_file, read_toml

TOP_KEYS = ("scenario", "population", "parameters", "levers", "nodes", "origins", "routes", "corridors", "events")
SCENARIO_KEYS = ("name", "title", "description", "extends", "start_date", "years", "seed")
POPULATION_KEYS = ("agents", "persons_per_agent", "persons_per_mover", "persons_per_agent_abroad")
COHORT_SIZE_KEYS = ("agents", "persons_per_agent")  # two ways of saying how many cohorts: a file sets one

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
    title: str = ""  # a human title for menus (the dashboard's presets); the name when empty
    description: str = ""
    start_date: dt.date = dt.date(2020, 1, 1)
    years: float = 5.0
    seed: int = 0
    agents: int | None = None
    persons_per_agent: float | None = None
    persons_per_mover: int | None = None  # persons in each row of movers (1: every mover a person)
    persons_per_agent_abroad: float | None = None  # persons in each row abroad at the start
    parameters: dict[str, float] = field(default_factory=dict)
    nodes: dict[str, dict[str, float]] = field(default_factory=dict)
    origins: dict[str, dict[str, float]] = field(default_factory=dict)
    routes: dict[str, dict[str, float]] = field(default_factory=dict)
    corridors: dict[str, dict[str, float]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    levers: dict[str, Any] = field(default_factory=dict)  # name -> LeverSetting, or a tuple of them in date order
    source: str = ""

    @property
    def weeks(self) -> int:
        return round(self.years * 52)

    def week_of(self, day: dt.date) -> int:
        """Step index of a date (week 0 starts on start_date)."""
        return (day - self.start_date).days // 7

    def to_toml_dict(self) -> dict[str, Any]:
        """The scenario as resolved (no `extends`), ready to write back as TOML."""
        head: dict[str, Any] = {"name": self.name, **({"title": self.title} if self.title else {}),
                                "description": self.description,
                                "start_date": self.start_date, "years": self.years, "seed": self.seed}
        out: dict[str, Any] = {"scenario": head}
        pop = {k: getattr(self, k) for k in POPULATION_KEYS if getattr(self, k) is not None}
        if pop:
            out["population"] = pop
        for key in ("parameters", "nodes", "origins", "routes", "corridors"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.levers:
            out["levers"] = {name: ([p.to_toml() for p in s] if isinstance(s, tuple) else s.to_toml())
                             for name, s in self.levers.items()}
        if self.events:
            out["events"] = self.events
        return out


MAX_SEED = 2**63 - 1
MAX_EXTENDS = 64  # files in one `extends` chain (bundled scenarios use 2)
NAME_CHARS, LABEL_CHARS, DESCRIPTION_CHARS = 200, 200, 20_000


def _scenario_file(where: str, name: object) -> Path:
    return existing_file(where, name, "an existing scenario .toml file")


def _read_toml(path: Path) -> dict:
    return read_toml("scenario file", path)


def _chain(path: Path) -> list[tuple[Path, dict]]:
    """The files of an `extends` chain, the root first (iterative, so a long chain cannot
    overflow the stack; a cycle or a chain of more than MAX_EXTENDS files is refused)."""
    files: list[tuple[Path, dict]] = []
    seen: set[Path] = set()
    while True:
        real = path.resolve()
        if real in seen:
            raise InputError("scenario.extends", str(path), "a chain of files without a cycle", str(files[-1][0]))
        if len(files) >= MAX_EXTENDS:
            raise InputError("scenario.extends", str(path), f"a chain of at most {MAX_EXTENDS} files", str(files[-1][0]))
        seen.add(real)
        raw = _read_toml(path)
        files.append((path, raw))
        head = raw.get("scenario", {})
        if not isinstance(head, dict) or "extends" not in head:
            break
        parent = head["extends"]
        if not isinstance(parent, str) or not parent:
            raise InputError("scenario.extends", parent, "a path to another scenario file", str(path))
        try:
            path = _scenario_file("scenario.extends", path.parent / parent)
        except InputError as exc:
            raise exc.in_file(path) from None
    return files[::-1]


def _merge(base: dict, over: dict) -> dict:
    """Tables merge key by key (recursively); events are appended; other values replaced.

    Both sides have been validated on their own, so `events` is an array on each side. A file
    that sets `population.agents` or `population.persons_per_agent` replaces the other one it
    inherits: they are two ways of saying how many cohorts to run.
    """
    out = dict(base)
    for k, v in over.items():
        if k == "events":
            out[k] = list(base.get(k, [])) + list(v)
        elif k == "population" and isinstance(v, dict) and v:
            kept = dict(base.get(k, {}))
            if any(key in v for key in COHORT_SIZE_KEYS):  # the child's choice replaces the parent's
                kept = {key: val for key, val in kept.items() if key not in COHORT_SIZE_KEYS}
            out[k] = {**kept, **v}
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _resolve_raw(path: Path, places: dict | None = None) -> dict:
    """The merged content of a scenario file and the files it extends. Each file is validated
    on its own first, so an error names the file it is in."""
    merged: dict = {}
    for file, raw in _chain(path):
        own = {k: v for k, v in raw.items()}
        if isinstance(own.get("scenario"), dict):
            own["scenario"] = {k: v for k, v in own["scenario"].items() if k != "extends"}
        try:
            parse_scenario(own, str(file), places)
        except InputError as exc:
            raise exc.in_file(file) from None
        merged = _merge(merged, own)
        if "name" not in (own.get("scenario") or {}):  # named after its file (cleaned: it is not the user's key)
            merged.setdefault("scenario", {})["name"] = "".join(c for c in file.stem if c.isprintable())[:NAME_CHARS] or "unnamed"
    return merged


def parse_scenario(raw: dict, source: str = "", places: dict[str, set[str]] | None = None) -> Scenario:
    """Validate a raw TOML dict (already merged) into a Scenario.

    `places`, when given, maps each scope (node, origin, edge, corridor) to its valid place
    names (`valid_places`), checked for settings, lever `where`s and event targets.
    """
    places = {scope: (places or {}).get(scope) for scope in TABLE_OF_SCOPE}
    checks.known_keys("", raw, TOP_KEYS)
    sc = Scenario(source=source)
    head = checks.table("scenario", raw.get("scenario", {}))
    checks.known_keys("scenario", head, SCENARIO_KEYS)
    if "name" in head:
        sc.name = checks.text("scenario.name", head["name"], required=True, max_chars=NAME_CHARS)
    if "title" in head:
        sc.title = checks.text("scenario.title", head["title"], required=True, max_chars=NAME_CHARS)
    if "description" in head:
        sc.description = checks.text("scenario.description", head["description"], max_chars=DESCRIPTION_CHARS,
                                     multiline=True)
    if "start_date" in head:
        sc.start_date = checks.date("scenario.start_date", head["start_date"], checks.EARLIEST_DATE, checks.LATEST_START)
    if "years" in head:
        sc.years = checks.years("scenario.years", head["years"])
    if "seed" in head:
        sc.seed = checks.whole("scenario.seed", head["seed"], 0, MAX_SEED, "a whole number")

    pop = checks.table("population", raw.get("population", {}))
    checks.known_keys("population", pop, POPULATION_KEYS)
    if "agents" in pop and "persons_per_agent" in pop:
        raise InputError("population.persons_per_agent", pop["persons_per_agent"],
                         "nothing when population.agents is set in the same file (set one of the two)")
    if "agents" in pop:
        sc.agents = checks.whole("population.agents", pop["agents"], 100, 500_000_000, "a whole number of cohorts")
    if "persons_per_agent" in pop:
        sc.persons_per_agent = checks.number("population.persons_per_agent", pop["persons_per_agent"], 1, 1e8)
    if "persons_per_mover" in pop:
        sc.persons_per_mover = checks.whole("population.persons_per_mover", pop["persons_per_mover"], 1, 1_000_000,
                                            "a whole number of persons")
    if "persons_per_agent_abroad" in pop:
        sc.persons_per_agent_abroad = checks.number("population.persons_per_agent_abroad",
                                                    pop["persons_per_agent_abroad"], 1, 1e8)

    sc.levers = parse_levers(raw.get("levers", {}), places)
    params = checks.table("parameters", raw.get("parameters", {}))
    sc.parameters = {k: check_value(k, v) for k, v in params.items()}
    check_combined({**{k: s.value for k, s in SPECS.items()}, **sc.parameters})

    for scope, key in TABLE_OF_SCOPE.items():
        fields, valid = ranges(scope), places[scope]
        table = checks.table(key, raw.get(key, {}))
        out: dict[str, dict[str, float]] = {}
        for place, settings in table.items():
            where = path(key, place)
            if valid is not None and place not in valid:
                raise InputError(where, Note("an unknown place"), checks.one_of(valid, place))
            settings = checks.table(where, settings)
            checks.known_keys(where, settings, tuple(fields))
            out[place] = {f: checks.number(f"{where}.{f}", v, *fields[f]) for f, v in settings.items()}
        setattr(sc, key, out)

    events = checks.array("events", raw.get("events", []), "an array of tables [[events]]")
    for k, ev in enumerate(events):
        sc.events.append(_parse_event(f"events[{k}]", ev, sc, places))
    check_shares_over_time(sc)
    return sc


def check_shares_over_time(sc: Scenario, values: dict[str, float] | None = None,
                           rules: tuple[SumAtMost, ...] = COMBINED, key: str | None = None) -> None:
    """Parameters bound together (COMBINED) stay valid in every week of the run, with the
    parameter_change events and model-wide levers in force that week, applied as the policy
    applies them (in order, each moved by the share of its ramp done).

    Each event is checked alone against the scenario's own values when it is read; two events
    (or an event and a lever) in force at once may still pass one whole. `values` replaces
    parameters (a sweep's highest values); the error names `key`, else the event or lever that
    pushed the sum past the limit.
    """
    bound = {n for rule in rules for n in rule.names}
    moves: list[tuple[str, Change]] = []
    for k, ev in enumerate(sc.events):
        table, _, name = str(ev.get("target", "")).partition(".")
        if ev["type"] == "parameter_change" and table == "parameters" and name in bound:
            end = sc.week_of(ev["until"]) if "until" in ev else None
            moves.append((f"events[{k}].value", Change("param", name, None, ev["value"], sc.week_of(ev["date"]),
                                                       ev.get("ramp_weeks", 0), end)))
    for lever, schedule in sc.levers.items():
        lv = LEVERS[lever]
        if lv.scope != "param" or lv.field not in bound:
            continue
        for setting in pieces(schedule):
            start = sc.week_of(setting.start) if setting.start is not None else 0
            end = sc.week_of(setting.until) if setting.until is not None else None
            moves.append((f"levers.{lever}", Change("param", lv.field, None, setting.value, start, setting.ramp_weeks,
                                                    end, lv.mode)))
    if not moves and values is None:
        return
    base = {n: v for n, v in {**{k: s.value for k, s in SPECS.items()}, **sc.parameters, **(values or {})}.items()
            if n in bound}
    last = None
    for t in range(sc.weeks):
        weights = tuple(ch.weight(t) for _, ch in moves)
        if weights == last:
            continue
        last, now = weights, dict(base)
        for (_, ch), w in zip(moves, weights, strict=True):
            if w > 0.0:
                now[ch.name] = moved(now[ch.name], ch, w)
        for rule in rules:
            total = rule.total(now)
            if total > rule.limit + 1e-12:
                active = [(ch.start, k) for k, ((_, ch), w) in enumerate(zip(moves, weights, strict=True))
                          if w > 0.0 and ch.name in rule.names]  # the one that began last is named
                shown = " + ".join(f"{n} {now[n]:g}" for n in rule.names)
                day = sc.start_date + dt.timedelta(weeks=t)
                raise InputError(key or (moves[max(active)[1]][0] if active else f"parameters.{rule.names[-1]}"),
                                 f"{shown} = {total:g} in the week from {day.isoformat()}",
                                 f"values that keep {' + '.join(rule.names)} at most {rule.limit:g} in every week, "
                                 f"with the events and levers in force then ({rule.why})")


def _place(where: str, place: object, scope: str, places: dict) -> str:
    """A place name of a scope, checked against the network when its names are known."""
    valid = places.get(scope)
    if not isinstance(place, str) or (valid is not None and place not in valid):
        raise InputError(where, place, checks.one_of(valid, place) if valid else PLACE_FORMS[scope])
    return place


def _parse_event(where: str, ev: object, sc: Scenario, places: dict) -> dict[str, Any]:
    ev = checks.table(where, ev)
    checks.known_keys(where, ev, EVENT_KEYS)
    etype = checks.choice(f"{where}.type", ev.get("type", MISSING), EVENT_TYPES)
    day = checks.required(where, ev, "date", "a date YYYY-MM-DD")
    out: dict[str, Any] = {"type": etype, "date": checks.date(f"{where}.date", day)}
    if "until" in ev:
        out["until"] = checks.after(f"{where}.until", checks.date(f"{where}.until", ev["until"]), out["date"])
    out["ramp_weeks"] = checks.whole(f"{where}.ramp_weeks", ev.get("ramp_weeks", 0), 0, 5200, "a whole number of weeks")
    if "label" in ev:
        out["label"] = checks.text(f"{where}.label", ev["label"], max_chars=LABEL_CHARS)
    scope, name = EVENT_TYPES[etype]
    if etype == "parameter_change":
        target = ev.get("target", MISSING)
        forms = ("'parameters.NAME', 'nodes.PLACE.FIELD', 'origins.PLACE.FIELD', "
                 "'routes.SRC->DST.FIELD' or 'corridors.ORIGIN->DEST.FIELD'")
        if not isinstance(target, str) or "." not in target:
            raise InputError(f"{where}.target", target, forms)
        out["target"] = target
        table, _, rest = target.partition(".")
        value = ev.get("value", MISSING)
        if table == "parameters":
            if rest not in SPECS:
                raise InputError(f"{where}.target", target, "parameters.NAME with NAME in parameters.csv")
            out["value"] = check_value(rest, value, key=f"{where}.value")
            check_combined({**{k: s.value for k, s in SPECS.items()}, **sc.parameters, rest: out["value"]},
                           key=f"{where}.value")
            return out
        fields = ranges(SCOPE_OF_TABLE[table]) if table in SCOPE_OF_TABLE else None
        place, _, fname = rest.rpartition(".")
        if fields is None or not place or fname not in fields:
            raise InputError(f"{where}.target", target, "SCOPE.PLACE.FIELD with a settable field: " + forms)
        _place(f"{where}.target", place, SCOPE_OF_TABLE[table], places)
        out["value"] = checks.number(f"{where}.value", value, *fields[fname])
        return out
    if scope == "nodes":
        out["place"] = _place(f"{where}.place", ev.get("place", MISSING), "node", places)
        value = ev.get("value", 1.0 if etype == "climate_shock" else MISSING)
        out["value"] = checks.number(f"{where}.value", value, *ranges("node")[name])
    else:
        out["route"] = _place(f"{where}.route", ev.get("route", MISSING), "edge", places)
        if etype in ("border_closure", "border_opening"):
            checks.absent(where, ev, ("value",), f"a {etype} sets the leg's openness itself")
            out["value"] = 0.0 if etype == "border_closure" else 1.0
        else:
            out["value"] = checks.number(f"{where}.value", ev.get("value", MISSING), *ranges("edge")[name])
    return out


def scenarios_dir() -> Path:
    """The bundled scenarios folder (top level of the repository), or ./scenarios."""
    here = Path(__file__).resolve().parents[2] / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"


def find_scenario_file(name_or_path: str | Path | None, where: str = "scenario") -> Path:
    """A path as given, or a bundled scenario by name ('baseline' -> scenarios/baseline.toml)."""
    if name_or_path is None:
        name_or_path = "baseline"
    text = str(name_or_path)
    allowed = "an existing .toml file or a bundled scenario name"
    if not text or "\x00" in text:
        raise InputError(where, text, allowed)
    p = Path(text)
    try:
        given_as_path = p.suffix == ".toml" or p.exists() or "/" in text
    except (OSError, ValueError):
        given_as_path = True
    if given_as_path:
        return existing_file(where, p, allowed)
    bundled = scenarios_dir() / f"{p.name}.toml"
    if not bundled.is_file():
        names = sorted(f.stem for f in scenarios_dir().glob("*.toml"))
        raise InputError(where, text, "a .toml file or one of " + ", ".join(names))
    return bundled


def load_scenario(name_or_path: str | Path | None = None, net: Network | None = None,
                  where: str = "scenario") -> Scenario:
    """Read, resolve `extends`, and validate a scenario (place names checked against `net`,
    default: the shipped network)."""
    path = find_scenario_file(name_or_path, where)
    places = valid_places(net if net is not None else load_network())
    raw = _resolve_raw(path, places)
    try:
        return parse_scenario(raw, str(path), places)
    except InputError as exc:
        raise exc.in_file(path) from None


def valid_places(net: Network) -> dict[str, set[str]]:
    """Scope (node, origin, edge, corridor) -> the place names a scenario may use there."""
    return {scope: net.place_names(scope) for scope in TABLE_OF_SCOPE}

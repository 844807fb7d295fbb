"""Fuzzing scenario and sweep files (issue 10): every file is accepted, or refused with one
`InputError` naming a key, the value and what is allowed; never any other exception.

Files are made from the bundled examples (scenarios/*.toml, experiments/*.toml, a tiny sweep):
parsed, mutated structurally (a key deleted, renamed or added, a value replaced by any TOML
value or by a name the model knows), written back with tomli_w; or mutated as bytes (flipped,
inserted, deleted, truncated, a value's text replaced by a raw TOML literal). Scenarios extend
nothing, the bundled baseline, or a generated parent file. A few accepted scenarios are built
and stepped, since `check_runnable` promises what a model build would refuse.

The runs are deterministic (derandomized, no example database) and never timed, so CI does
not depend on the machine: BP_SIM_FUZZ_EXAMPLES=2000 runs more examples per test for bug
hunting, and BP_SIM_FUZZ_RANDOM=1 draws new examples each run instead of the fixed ones.
The classes of bugs the fuzzing found have a plain regression test at the end of the file.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import math
import os
import pickle
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from bp_sim import SilkRoutesModel
from bp_sim.build import build_world
from bp_sim.calibration.config import load_config as load_calibration
from bp_sim.errors import InputError
from bp_sim.levers.catalogue import LEVERS
from bp_sim.levers.setting import SETTING_KEYS
from bp_sim.outcomes import OUTCOME_NAMES
from bp_sim.parameters import COMBINED, SPECS, make_scalars
from bp_sim.policy_build import policy_from_scenario
from bp_sim.scenario import (
    EVENT_KEYS,
    EVENT_TYPES,
    POPULATION_KEYS,
    SCENARIO_KEYS,
    Scenario,
    load_scenario,
    scenarios_dir,
    valid_places,
)
from bp_sim.scenario import TOP_KEYS as SCENARIO_TOP_KEYS
from bp_sim.settings import ranges
from bp_sim.sweep import spec as sweep_spec
from bp_sim.sweep.driver import check_before_writing
from bp_sim.sweep.runs import build_scenario, plan
from bp_sim.sweep.spec import count_points, load_experiment
from bp_sim.validate import check_runnable
from tests.conftest import network

NODE_FIELDS, ORIGIN_FIELDS, ROUTE_FIELDS, CORRIDOR_FIELDS = (ranges(s) for s in ("node", "origin", "edge", "corridor"))

BASELINE = scenarios_dir() / "baseline.toml"
EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def experiment_files(table: str) -> list[Path]:
    """The bundled experiments/*.toml whose top table is `table`: "experiment" for sweeps,
    "calibration" for calibration files (each kind has its own loader)."""
    return [p for p in sorted(EXPERIMENTS.glob("*.toml")) if table in tomllib.loads(p.read_text("utf-8"))]
MAX_PLANNED_RUNS = 20_000  # a sweep planning more is checked as far as load_experiment (plan() would be slow)
BUILD_ONE_IN = 8  # accepted scenarios built and stepped: about one in this many


def fuzz_settings(ci_examples: int) -> settings:
    """Settings of a fuzz test: `ci_examples` examples unless BP_SIM_FUZZ_EXAMPLES says more, no
    deadline (the machine's speed never decides), the same examples each run unless told otherwise."""
    examples = int(os.environ.get("BP_SIM_FUZZ_EXAMPLES") or ci_examples)
    return settings(max_examples=examples, deadline=None, database=None, print_blob=False,
                    derandomize=not os.environ.get("BP_SIM_FUZZ_RANDOM"),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example])


# ---------------------------------------------------------------------------------- the check
def names_a_key(exc: InputError) -> None:
    """An InputError as the CLI shows it: a printable key, `KEY: got VALUE; allowed: WHAT`, short."""
    where = exc.where
    assert isinstance(where, str) and where.strip() and where.isprintable(), f"odd key {where!r} in {exc}"
    text = str(exc)
    assert f"{where}: got " in text and "; allowed: " in text, text
    assert isinstance(exc.allowed, str) and exc.allowed.strip(), text
    assert len(text) < 5000 + len(str(exc.file or "")), f"a message of {len(text)} characters: {text[:300]}"
    assert str(pickle.loads(pickle.dumps(exc))) == text


def note(what: str) -> None:
    """Count an outcome in Hypothesis' statistics (pytest --hypothesis-show-statistics), inside a test."""
    if currently_in_test_context():
        event(what)


def accepted_or_refused(check: Callable[[], object]) -> bool:
    """True when `check` passes, False when it raises a well-formed InputError; anything else fails."""
    try:
        check()
    except InputError as exc:
        names_a_key(exc)
        note("refused at " + re.sub(r"\[\d+\]", "[k]", exc.where)[:60])
        return False
    note("accepted")
    return True


# ------------------------------------------------------------------------------ vocabulary
@functools.cache
def places() -> dict[str, list[str]]:
    """Valid place names of the bundled network, sorted (so strategies are deterministic)."""
    return {k: sorted(v) for k, v in valid_places(network()).items()}


def _place_names() -> st.SearchStrategy[str]:
    p = places()
    nodes = st.sampled_from(p["node"])
    return st.one_of(st.sampled_from(p["edge"]), st.sampled_from(p["corridor"]), nodes,
                     st.builds(lambda a, b: f"{a}->{b}", nodes, nodes))  # mostly legs that do not exist


PLACE_NAMES = st.deferred(_place_names)
KNOWN_KEYS = sorted({*SCENARIO_TOP_KEYS, *SCENARIO_KEYS, *POPULATION_KEYS, *NODE_FIELDS, *ORIGIN_FIELDS, *ROUTE_FIELDS,
                     *CORRIDOR_FIELDS, *EVENT_KEYS, *SETTING_KEYS, *LEVERS, *SPECS, *sweep_spec.TOP_KEYS,
                     *sweep_spec.EXPERIMENT_KEYS, *sweep_spec.RUN_KEYS, *sweep_spec.DESIGN_KEYS,
                     *sweep_spec.FACTOR_KEYS, *sweep_spec.TIMING_KEYS})
NAMES = sorted({*EVENT_TYPES, *LEVERS, *SPECS, *OUTCOME_NAMES, *sweep_spec.DESIGNS, *sweep_spec.DISTRIBUTIONS, "all",
                "baseline", "goal1_smuggling_trafficking", "parameters.saving_rate", "parameters.nonexistent",
                "nodes.AFG.conflict", "nodes.AFG.nonexistent", "routes.IRN->TUR.enforcement", "corridors.AFG->DEU.x",
                "origins.AFG.readmission", "routes.BLR->POL_BLR_BORDER.open", "2021-01-01", "2021-02-30", "1/52",
                *(f"parameters.{n}" for rule in COMBINED for n in rule.names)})
ODD_CHARS = [" ", "\u200b", "\t", "\ufeff", "\u00a0", "\n", "\x00", "\x7f", "\u202e", ".", "-", "->", "É"]
PATHS = ["", ".", "/", "/dev/null", "s.toml", "parent.toml", "baseline.toml", "baseline", "missing.toml", "../s.toml",
         str(BASELINE), str(scenarios_dir()), "x" * 300 + ".toml", "a\x00b.toml", "base.toml", "/etc/hostname"]


def odd_keys() -> st.SearchStrategy[str]:
    """Keys a user might mistype: a known key with a stray or invisible character, changed case, any text."""
    known = st.sampled_from(KNOWN_KEYS)
    odd = st.sampled_from(ODD_CHARS)
    rare = st.one_of(known.map(str.upper), st.text(max_size=12), st.just("x" * 30_000))
    return st.one_of(known, known, st.builds(lambda k, c: k + c, known, odd), st.builds(lambda c, k: c + k, odd, known),
                     PLACE_NAMES, rare)


def mostly(usual: st.SearchStrategy, other: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` three times in four, else `other` (so that checks past the first one are reached)."""
    return st.one_of(usual, usual, usual, other)


def _char_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8"), max_size=max_size)


HUGE_INTS = [10**400, -(10**400), 2**63, 2**63 - 1, 2**64, -(2**63), 2**32, 10**4299]
ODD_FLOATS = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, 5e-324, 1 / 52, 1e-300]
DOMAIN_NUMBERS = [0, 1, 2, 3, 4, 8, 64, 100, 1000, 5200, 5201, 0.5, 1.0, 0.0, 0.3, 0.95, 100.0, 1.5, 10.0, 15.0, -1,
                  200_000, 500_000_000, 500_000_001, 99]


def scalars() -> st.SearchStrategy[object]:
    """Any TOML scalar, weighted towards the values a validator might mishandle."""
    return st.one_of(
        st.sampled_from(DOMAIN_NUMBERS), st.integers(), st.sampled_from(HUGE_INTS), st.floats(),
        st.sampled_from(ODD_FLOATS), st.booleans(), _char_text(20), st.sampled_from(NAMES), PLACE_NAMES,
        st.sampled_from(PATHS), st.just("y" * 25_000),
        st.dates(), st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1900, 1, 1), dt.date(2262, 1, 1),
                                     dt.date(2150, 12, 31), dt.date(2151, 1, 1), dt.date(2021, 6, 1)]),
        st.times(), st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    )


def values() -> st.SearchStrategy[object]:
    """Any TOML value: scalars, arrays (mixed, nested) and tables."""
    return st.recursive(scalars(), lambda kids: st.lists(kids, max_size=4) | st.dictionaries(odd_keys(), kids, max_size=3),
                        max_leaves=6)


def events() -> st.SearchStrategy[dict]:
    """A scenario event made of known pieces (often valid, so later checks are reached)."""
    optional = {"until": mostly(st.sampled_from([dt.date(2022, 1, 1), dt.date(2021, 3, 1), dt.date(2030, 1, 1)]), scalars()),
                "ramp_weeks": st.sampled_from([0, 1, 26, 5200, 5201, -1]), "label": _char_text(10),
                "place": PLACE_NAMES, "route": PLACE_NAMES,
                "value": mostly(st.sampled_from([0.0, 0.5, 1.0, 0.2, 2.0]), scalars()), "target": st.sampled_from(NAMES)}
    general = st.fixed_dictionaries({"type": mostly(st.sampled_from(sorted(EVENT_TYPES)), scalars()),
                                     "date": mostly(EVENT_DATES, scalars())}, optional=optional)
    return st.one_of(general, general, sound_events())


EVENT_DATES = st.sampled_from([dt.date(2021, 6, 1), dt.date(2020, 1, 1), "2021-01-01", dt.date(2024, 12, 1)])
TIMING = {"until": st.sampled_from([dt.date(2021, 3, 1), dt.date(2022, 1, 1), dt.date(2030, 1, 1)]),
          "ramp_weeks": st.sampled_from([0, 1, 26]), "label": st.sampled_from(["a label", ""])}


def _sound_events() -> st.SearchStrategy[dict]:
    p = places()
    fixed = {"date": EVENT_DATES, "value": st.sampled_from([0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.9, 1.0])}
    bound = sorted(f"parameters.{n}" for rule in COMBINED for n in rule.names)  # shares that must stay inside one whole
    node = st.fixed_dictionaries({**fixed, "type": st.sampled_from(["conflict_surge", "climate_shock", "deportation_campaign"]),
                                  "place": st.sampled_from(p["node"])}, optional=TIMING)
    border = st.fixed_dictionaries({"type": st.sampled_from(["border_closure", "border_opening"]), "date": EVENT_DATES,
                                    "route": st.sampled_from(p["edge"])}, optional=TIMING)
    enforcement = st.fixed_dictionaries({**fixed, "type": st.just("enforcement_change"),
                                         "route": st.sampled_from(p["edge"])}, optional=TIMING)
    def share_at_most(target: str) -> st.SearchStrategy[dict]:  # a value each event may take alone
        rule = next(r for r in COMBINED if target.partition(".")[2] in r.names)
        room = rule.limit - sum(SPECS[n].value for n in rule.names if n != target.partition(".")[2])
        return st.fixed_dictionaries({"type": st.just("parameter_change"), "date": EVENT_DATES, "target": st.just(target),
                                      "value": st.sampled_from([room, room * 0.9, room / 2, 0.0])}, optional=TIMING)

    share = st.sampled_from(bound).flatmap(share_at_most)
    return st.one_of(node, border, enforcement, share, share)


def sound_events() -> st.SearchStrategy[dict]:
    """Valid events of every type (on real places, values in range), so that several together are reached."""
    return st.deferred(_sound_events)


def lever_settings() -> st.SearchStrategy[object]:
    """A lever's setting: a number, or a table of value, start, until, ramp_weeks and where."""
    where = st.lists(PLACE_NAMES, min_size=1, max_size=3) | st.just([]) | scalars()
    table = st.fixed_dictionaries({}, optional={
        "value": st.sampled_from([0.0, 0.5, 1.0, 3.0, 0.05]) | scalars(),
        "start": st.sampled_from([dt.date(2021, 1, 1), dt.date(2019, 1, 1)]) | scalars(),
        "until": st.sampled_from([dt.date(2022, 1, 1), dt.date(2021, 1, 1)]) | scalars(),
        "ramp_weeks": st.sampled_from([0, 26]) | scalars(), "where": where})
    return st.sampled_from([0.0, 0.5, 1.0, 3.0]) | table | scalars()


def factors() -> st.SearchStrategy[dict]:
    """A sweep factor: values, or low/high with levels or a distribution (and lever timing)."""
    num = st.sampled_from([0.0, 0.05, 0.2, 0.5, 1.0, 3.0, 10.0, 1e-5, -1.0]) | scalars()
    return st.fixed_dictionaries({}, optional={
        "values": st.lists(num, min_size=1, max_size=4) | scalars(), "low": num, "high": num,
        "levels": st.sampled_from([2, 3, 1, 1000, 1001]) | scalars(),
        "distribution": st.sampled_from(sweep_spec.DISTRIBUTIONS) | scalars(), "mode": num, "mean": num, "sd": num,
        "start": st.sampled_from([dt.date(2021, 1, 1)]) | scalars(), "ramp_weeks": st.sampled_from([0, 26]),
        "where": st.lists(PLACE_NAMES, min_size=1, max_size=2) | scalars()})


def edges(low: float, high: float, default: float) -> list[float]:
    """Values at and just inside the ends of an allowed range, and its default."""
    return [low, high, default, math.nextafter(low, high), math.nextafter(high, low), (low + high) / 2]


def at_the_edges(section: str, sweep: bool) -> st.SearchStrategy[tuple[str, object]]:
    """A lever or parameter set to (scenario) or varied over (sweep) the ends of its allowed range."""
    ranges = {n: (lv.low, lv.high, lv.low) for n, lv in LEVERS.items()} if section == "levers" else \
        {n: (sp.low, sp.high, sp.value) for n, sp in SPECS.items()}

    def setting(name: str) -> st.SearchStrategy[tuple[str, object]]:
        lo, hi, default = ranges[name]
        if sweep:
            return st.tuples(st.just(name), st.sampled_from([{"low": lo, "high": hi}, {"values": [lo, hi]},
                                                             {"low": lo, "high": hi, "levels": 2}]))
        return st.tuples(st.just(name), st.sampled_from(edges(lo, hi, default)))

    return st.sampled_from(sorted(ranges)).flatmap(setting)


HEAD_KEYS = {("scenario",): SCENARIO_KEYS, ("population",): POPULATION_KEYS, ("experiment",): sweep_spec.EXPERIMENT_KEYS,
             ("run",): sweep_spec.RUN_KEYS, ("design",): sweep_spec.DESIGN_KEYS}


def key_and_value(at: tuple, sweep: bool) -> st.SearchStrategy[tuple[str, object]]:
    """A key and a value to put in the table at path `at` (the top level is `()`): mostly a key
    that table takes, with a value of about the right kind."""
    generic = st.tuples(odd_keys(), values())
    section, depth = (at[0] if at else None), len(at)
    fields = {"nodes": NODE_FIELDS, "origins": ORIGIN_FIELDS, "routes": ROUTE_FIELDS, "corridors": CORRIDOR_FIELDS}
    share = mostly(st.sampled_from([0.0, 0.5, 1.0, 0.25]), scalars())
    if section in ("levers", "parameters") and depth == 1:
        names = st.sampled_from(sorted(LEVERS if section == "levers" else SPECS))
        setting = lever_settings() if section == "levers" else mostly(st.sampled_from([0.0, 0.5, 1.0, 1e-4]), scalars())
        known = st.tuples(names, factors() if sweep else setting) | at_the_edges(section, sweep)
    elif section in ("levers", "parameters") and depth == 2:
        keys = (*sweep_spec.FACTOR_KEYS, *sweep_spec.TIMING_KEYS) if sweep else SETTING_KEYS
        known = st.tuples(st.sampled_from(keys), share)
    elif section in fields and not sweep and depth == 1:
        known = st.tuples(PLACE_NAMES, st.dictionaries(st.sampled_from(sorted(fields[section])), share, max_size=2))
    elif section in fields and not sweep and depth == 2:
        field_edges = st.sampled_from(sorted(fields[section])).flatmap(
            lambda f: st.tuples(st.just(f), st.sampled_from(edges(*fields[section][f], fields[section][f][0]))))
        known = st.tuples(st.sampled_from(sorted(fields[section])), share) | field_edges
    elif section == "events" and depth == 2:
        known = st.tuples(st.sampled_from(EVENT_KEYS), scalars())
    elif at in HEAD_KEYS:
        known = st.tuples(st.sampled_from(HEAD_KEYS[at]), scalars())
    elif at == ():
        known = st.tuples(st.sampled_from(sweep_spec.TOP_KEYS if sweep else SCENARIO_TOP_KEYS),
                          st.dictionaries(odd_keys(), scalars(), max_size=2))
    else:
        return generic
    return mostly(known, generic)


# ------------------------------------------------------------------------ structural mutation
def slots(doc: dict) -> list[tuple[tuple, object, object]]:
    """Every (path, container, key or index) of a document, the deepest first: values before the
    tables and arrays that hold them (Hypothesis draws, and shrinks towards, the first ones)."""
    out, stack = [], [((), doc)]
    while stack:
        at, node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            out.append(((*at, k), node, k))
            if isinstance(v, dict | list):
                stack.append(((*at, k), v))
    return sorted(out, key=lambda s: (isinstance(s[1][s[2]], dict | list), -len(s[0])))


def containers(doc: dict) -> list[tuple[tuple, object]]:
    """Every table and array of a document, the deepest first, the top level last."""
    return [(at, c[k]) for at, c, k in slots(doc) if isinstance(c[k], dict | list)] + [((), doc)]


def near(value: object) -> st.SearchStrategy[object]:
    """A value like `value` (a number moved, a date shifted, another known name), or any value."""
    if isinstance(value, bool):
        like: st.SearchStrategy[object] = st.just(not value)
    elif isinstance(value, int):  # integer arithmetic only: a 400-digit integer has no float
        like = st.sampled_from([value * 2, -value, value + 1, value - 1, value // 2, value * 10, 0, 1])
    elif isinstance(value, float):
        like = st.sampled_from([value * 2, -value, value + 1, value - 1, value / 2, value * 1.0001, value * 10, 0.0, 1.0])
    elif isinstance(value, dt.date):
        day = value if not isinstance(value, dt.datetime) else value.date()
        shifted = [day + dt.timedelta(days=d) for d in (-3650, -400, -7, -1, 1, 7, 400, 3650)
                   if dt.date.min + dt.timedelta(days=3650) < day < dt.date.max - dt.timedelta(days=3650)]
        like = st.sampled_from([*shifted, day.isoformat(), dt.datetime.combine(day, dt.time(12))])
    elif isinstance(value, str):
        like = st.sampled_from(NAMES) | PLACE_NAMES | st.sampled_from([value + c for c in ODD_CHARS] + [value.upper(), ""])
    elif isinstance(value, list):
        like = st.just(value[:1] * 2) | st.just(value[::-1]) | st.just([]) | st.just([value])
    else:
        like = st.just({})
    return like | values()


def mutate(data: st.DataObject, doc: dict, sweep: bool) -> None:
    """Apply one structural change to `doc`, in place."""
    op = data.draw(st.sampled_from(["replace", "add", "delete", "rename", "replace", "add"]), label="op")
    found = slots(doc)
    if op in ("replace", "delete", "rename") and found:
        at, container, k = data.draw(st.sampled_from(found), label="slot")
        if op == "delete":
            del container[k]
        elif op == "replace" and isinstance(container, dict) and data.draw(st.booleans(), label="known"):
            container[k] = data.draw(key_and_value(at[:-1], sweep), label="value")[1]
        elif op == "replace":
            container[k] = data.draw(near(container[k]), label="value")
        elif isinstance(container, dict):
            new = data.draw(key_and_value(at[:-1], sweep), label="rename")[0]
            container[new] = container.pop(k)
        return
    if not sweep and data.draw(st.integers(0, 3), label="new event") == 1:
        doc.setdefault("events", [])
        if isinstance(doc["events"], list):
            doc["events"].append(data.draw(events(), label="event"))
            return
    at, container = data.draw(st.sampled_from(containers(doc)), label="container")
    if isinstance(container, list):
        addition = events() if at == ("events",) else values()
        container.insert(data.draw(st.integers(0, len(container)), label="index"), data.draw(addition, label="item"))
        return
    k, v = data.draw(key_and_value(at, sweep), label="addition")
    container[k] = v


def mutated(data: st.DataObject, doc: dict, sweep: bool, least: int = 1) -> dict:
    """A copy of `doc` with `least` to 3 structural changes."""
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.sampled_from([n for n in (0, 1, 1, 2, 3) if n >= least]), label="changes")):
        mutate(data, doc, sweep)
    return doc


def dumped(doc: dict) -> bytes:
    """The document as tomli_w writes it (examples it cannot write are skipped)."""
    try:
        return tomli_w.dumps(doc).encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError):
        assume(False)
        raise  # not reached


@functools.cache
def bundled_scenarios() -> dict[str, dict]:
    return {p.stem: tomllib.loads(p.read_text("utf-8")) for p in sorted(scenarios_dir().glob("*.toml"))}


TINY_SWEEP = {"experiment": {"name": "tiny", "scenario": "baseline", "outcomes": ["irregular_departures"]},
              "run": {"replicates": 2, "seed": 5, "years": 8 / 52, "agents": 2000}}


@functools.cache
def bundled_sweeps() -> dict[str, dict]:
    out = {p.stem: tomllib.loads(p.read_text("utf-8")) for p in experiment_files("experiment")}
    out["tiny_grid"] = {**TINY_SWEEP, "design": {"type": "grid"},
                        "levers": {"remittance_cost": {"values": [1.0, 8.0]}, "regular_pathways": {"values": [1.0, 3.0]}}}
    normal = {"distribution": "normal", "mean": 0.2, "sd": 0.1, "low": 0.0, "high": 1.0}
    for design, extra in (("latin", {}), ("sobol", {"second_order": True}), ("morris", {"levels": 4})):
        out[f"tiny_{design}"] = {**TINY_SWEEP, "design": {"type": design, "samples": 4, "seed": 1, **extra},
                                 "levers": {"border_enforcement": {"low": 0.2, "high": 1.0, "where": ["IRN->TUR"]}},
                                 "parameters": {"remit_cost_elasticity": {"low": 0.0, "high": 1.0} if design == "morris"
                                                else normal}}
    return out


def with_parent(data: st.DataObject, doc: dict, folder: Path) -> dict:
    """The scenario extends nothing, the bundled baseline, or a generated (mutated) parent file."""
    choice = data.draw(st.sampled_from(["keep", "none", "bundled", "generated"]), label="extends")
    head = doc.get("scenario")
    if not isinstance(head, dict):
        return doc
    if choice == "none":
        head.pop("extends", None)
    elif choice == "bundled" or (choice == "keep" and head.get("extends") == "baseline.toml"):
        head["extends"] = str(BASELINE)
    elif choice == "generated":
        parent = bundled_scenarios()[data.draw(st.sampled_from(sorted(bundled_scenarios())), label="parent")]
        parent = mutated(data, parent, sweep=False) if data.draw(st.booleans(), label="mutate parent") else parent
        if isinstance(parent.get("scenario"), dict) and "extends" in parent["scenario"]:
            parent["scenario"]["extends"] = str(BASELINE)
        (folder / "parent.toml").write_bytes(dumped(parent))
        head["extends"] = "parent.toml"
    return doc


# ------------------------------------------------------------------------------ byte mutation
RAW_LITERALS = [b"9" * 5000, b"-" + b"9" * 4301, b"1e400", b"-1e400", b"+nan", b"-inf", b"0x7fffffffffffffffff",
                b"0o777", b"0b102", b"1_000", b"2021-02-30", b"2021-13-01", b"0000-01-01", b"1979-05-27T07:32:00Z",
                b"1979-05-27 07:32:00.999999-07:00", b"24:00:00", b"07:32:00", b"2021-01-01T", b"[1, 'a', [2.0], {x = 1}]",
                b"{}", b"[]", b"[" * 40 + b"]" * 40, b"[" * 3000 + b"]" * 3000, b'"\\u0000"', b'"\\U0010FFFF"',
                b'"\\uD800"', b"'''\n'''", b'"""a\nb"""', b"true", b"TRUE", b"inf", b"'baseline.toml'", b'"\xe2\x80\x8b"',
                b'"x"' * 2, b"", b"= 1", b"{ a = { b = { c = 1 } } }", b"1979-05-27T00:32:00.999999999999"]
INSERTS = [b"[", b"]", b"[[", b"]]", b"=", b'"', b"'", b"\n", b"#", b".", b",", b"{", b"}", b"\x00", b"\xff", b"\xc3",
           b"\xe2\x80\x8b", b"\xef\xbb\xbf", b"\xff\xfe", b"-", b"\\", b"\t", b"\r", b"\r\n", b" ", b"9" * 5000,
           b"\n[scenario]\n", b"\n[[events]]\n", b"\n[levers]\n", b"\n[design]\n", b"\nextends = 'parent.toml'\n"]


def mutated_bytes(data: st.DataObject, raw: bytes) -> bytes:
    """A file's bytes after 1 to 4 edits: flip, insert, delete, truncate, or replace a value's text."""
    buf = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        op = data.draw(st.sampled_from(["literal", "insert", "flip", "delete", "truncate", "literal"]), label="edit")
        at = data.draw(st.integers(0, max(len(buf) - 1, 0)), label="at")
        if op == "literal":
            starts = [m.end() for m in re.finditer(rb"(?m)^[^#\[\n]*?= ?", bytes(buf))]
            if starts:
                start = starts[data.draw(st.integers(0, len(starts) - 1), label="line")]
                end = buf.find(b"\n", start)
                end = len(buf) if end < 0 else end
                buf[start:end] = data.draw(st.sampled_from(RAW_LITERALS), label="literal")
        elif op == "insert":
            buf[at:at] = data.draw(st.sampled_from(INSERTS) | st.binary(min_size=1, max_size=6), label="bytes")
        elif op == "flip" and buf:
            buf[at] ^= data.draw(st.integers(1, 255), label="mask")
        elif op == "delete":
            del buf[at: at + data.draw(st.integers(1, 12), label="length")]
        elif op == "truncate":
            del buf[at:]
    return bytes(buf)


# ---------------------------------------------------------------------------------- checks
def check_scenario(path: Path, data: st.DataObject | None = None) -> None:
    """Load and check a scenario; now and then build the model and step it two weeks."""
    net = network()
    sc = load_scenario(path, net)
    check_runnable(sc, net, agents=1000)
    shares_stay_whole(sc)
    if data is not None and data.draw(st.integers(0, BUILD_ONE_IN - 1), label="build") == BUILD_ONE_IN - 3:
        with accepted_means_runnable("the model build"):
            SilkRoutesModel(sc, agents=500, seed=0, network=net, check_invariants=True).run(2)


def shares_stay_whole(sc: Scenario, values: dict[str, float] | None = None) -> None:
    """In every week of an accepted run, the parameters the policy hands the kernels keep the
    shares bound together (COMBINED) inside one whole."""
    net = network()
    p = make_scalars({**sc.parameters, **(values or {})})
    _, base = build_world(net, p)
    policy = policy_from_scenario(sc, net, p, base)
    if not any(ch.scope == "param" for ch in policy.changes):
        return
    for t in range(sc.weeks):
        params = policy.current(t)[1]
        for rule in COMBINED:
            assert rule.total(params) <= rule.limit + 1e-9, f"week {t}: {rule.names} sum to {rule.total(params)}"


def check_sweep(path: Path) -> None:
    """Load a sweep, plan its runs and check it as `bp-sim sweep` does before writing anything."""
    exp = load_experiment(path, network())
    sizes = [len(f.values or ()) for f in exp.factors]
    if count_points(exp.design, len(exp.factors), exp.samples, exp.second_order, sizes) * exp.replicates > MAX_PLANNED_RUNS:
        return
    points, runs = plan(exp)
    assert len(runs) >= 1 and points.shape[1] == len(exp.factors)
    check_before_writing(exp, points, 1)  # the first point only
    highs = {f.name: f.high for f in exp.factors if f.kind == "parameter"}
    shares_stay_whole(exp.scenario, highs)
    last = build_scenario(exp.scenario, exp.factors, dict(zip(exp.names, map(float, points[-1]), strict=True)))
    with accepted_means_runnable("the last design point"):
        check_runnable(last, network(), exp.agents, option="run.agents")


@contextlib.contextmanager
def accepted_means_runnable(what: str) -> Iterator[None]:
    """Inside, after a file was accepted, an InputError is a bug (a refusal that came too late)."""
    try:
        yield
    except InputError as exc:
        raise AssertionError(f"accepted, then refused by {what}: {exc}") from exc


# ----------------------------------------------------------------------------------- the fuzz
@fuzz_settings(300)
@given(data=st.data())
def test_mutated_scenarios_are_accepted_or_refused_by_key(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(bundled_scenarios())), label="scenario")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        doc = copy.deepcopy(bundled_scenarios()[name])
        more = data.draw(st.booleans(), label="more events")  # events together, not only one at a time
        if more:
            extra = st.lists(mostly(sound_events(), events()), min_size=1, max_size=4)
            doc["events"] = doc.get("events", []) + data.draw(extra, label="events")
        doc = mutated(data, doc, sweep=False, least=0 if more else 1)
        doc = with_parent(data, doc, folder)
        (folder / "s.toml").write_bytes(dumped(doc))
        accepted_or_refused(lambda: check_scenario(folder / "s.toml", data))


@fuzz_settings(200)
@given(data=st.data())
def test_scenario_bytes_are_accepted_or_refused_by_key(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(bundled_scenarios())), label="scenario")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "baseline.toml").write_bytes(BASELINE.read_bytes())
        (folder / "parent.toml").write_bytes(BASELINE.read_bytes())
        raw = (scenarios_dir() / f"{name}.toml").read_bytes()
        (folder / "s.toml").write_bytes(mutated_bytes(data, raw))
        accepted_or_refused(lambda: check_scenario(folder / "s.toml"))


@fuzz_settings(250)
@given(data=st.data())
def test_mutated_sweeps_are_accepted_or_refused_by_key(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(bundled_sweeps())), label="sweep")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        doc = mutated(data, bundled_sweeps()[name], sweep=True)
        if data.draw(st.booleans(), label="own base scenario") and isinstance(doc.get("experiment"), dict):
            base = mutated(data, bundled_scenarios()["baseline"], sweep=False)
            (folder / "base.toml").write_bytes(dumped(base))
            doc["experiment"]["scenario"] = "base.toml"
        (folder / "x.toml").write_bytes(dumped(doc))
        accepted_or_refused(lambda: check_sweep(folder / "x.toml"))


BYTE_CHECKS = {"experiment": lambda path: check_sweep(path),  # sweeps
               "calibration": lambda path: load_calibration(path, network())}  # calibration files


@pytest.mark.parametrize("kind", sorted(BYTE_CHECKS))
@fuzz_settings(150)
@given(data=st.data())
def test_experiment_bytes_are_accepted_or_refused_by_key(kind: str, data: st.DataObject) -> None:
    """A sweep or calibration file with a typo, a value out of range or broken TOML is refused by key."""
    name = data.draw(st.sampled_from([p.stem for p in experiment_files(kind)]), label=kind)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "x.toml").write_bytes(mutated_bytes(data, (EXPERIMENTS / f"{name}.toml").read_bytes()))
        accepted_or_refused(lambda: BYTE_CHECKS[kind](folder / "x.toml"))


@fuzz_settings(150)
@given(data=st.data())
def test_valid_events_together_are_accepted_or_refused_by_key(data: st.DataObject) -> None:
    """Events each valid alone, several at once (on the same places and parameters, overlapping or
    not): accepted only if the run they make is valid in every week."""
    name = data.draw(st.sampled_from(["baseline", "goal1_smuggling_trafficking"]), label="scenario")
    doc = copy.deepcopy(bundled_scenarios()[name])
    doc["scenario"].pop("extends", None)
    doc["events"] = doc.get("events", []) + data.draw(st.lists(sound_events(), min_size=2, max_size=6), label="events")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.toml"
        path.write_bytes(dumped(doc))
        accepted_or_refused(lambda: check_scenario(path, data))


@fuzz_settings(80)
@given(data=st.data())
def test_settings_at_the_ends_of_their_ranges_build_and_run(data: st.DataObject) -> None:
    """Parameters, levers and place settings at (or just inside) the ends of their allowed ranges:
    accepted values, so the model must build and step (check_runnable may refuse only shares
    bound together)."""
    doc = copy.deepcopy(bundled_scenarios()["baseline"])
    for section in ("parameters", "levers"):
        doc[section] = dict(data.draw(st.lists(at_the_edges(section, sweep=False), max_size=4), label=section))
    leg = data.draw(st.sampled_from(places()["edge"]), label="leg")
    doc["routes"] = {leg: data.draw(st.fixed_dictionaries({}, optional={
        f: st.sampled_from(edges(lo, hi, lo)) for f, (lo, hi) in ROUTE_FIELDS.items()}), label="leg settings")}
    doc["nodes"] = {"TUR": data.draw(st.fixed_dictionaries({}, optional={
        f: st.sampled_from(edges(lo, hi, lo)) for f, (lo, hi) in NODE_FIELDS.items()}), label="node settings")}
    doc["scenario"]["years"] = data.draw(st.sampled_from([1 / 52, 1.0, 100.0]), label="years")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.toml"
        path.write_bytes(dumped(doc))
        net = network()
        try:
            sc = load_scenario(path, net)
            check_runnable(sc, net, agents=1000)
        except InputError as exc:
            names_a_key(exc)
            assert "whose sum" in exc.allowed, exc  # every value is inside its own range
            note("refused: shares past one whole")
            return
        note("built")
        SilkRoutesModel(sc, agents=500, seed=0, network=net, check_invariants=True).run(2)


def test_the_bundled_files_are_accepted() -> None:
    """The starting points are valid, so a refusal in the fuzz is the mutation's doing."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, doc in bundled_sweeps().items():
            (folder / f"{name}.toml").write_bytes(tomli_w.dumps(doc).encode())
            assert accepted_or_refused(lambda f=folder / f"{name}.toml": check_sweep(f)), name
    calibrations = experiment_files("calibration")
    assert calibrations, "experiments/ holds the default calibration"
    for path in calibrations:
        assert accepted_or_refused(lambda p=path: load_calibration(p, network())), path.name
    for path in sorted(scenarios_dir().glob("*.toml")):
        assert accepted_or_refused(lambda p=path: check_scenario(p)), path.name


@pytest.mark.parametrize("where", ["levers.x", "scenario", 'parameters."rate\\u200b"'])
def test_the_check_accepts_well_formed_errors(where: str) -> None:
    def refuse() -> None:
        raise InputError(where, 1.5, "a number in [0, 1]")

    assert accepted_or_refused(refuse) is False


@pytest.mark.parametrize("error", [ValueError("boom"), KeyError("x"), TypeError("t"), RecursionError()])
def test_the_check_fails_on_any_other_exception(error: Exception) -> None:
    def crash() -> None:
        raise error

    with pytest.raises(type(error)):
        accepted_or_refused(crash)


@pytest.mark.parametrize("where", ["", "  ", "levers.x\n", "rate\u200b"])
def test_the_check_fails_on_an_odd_key(where: str) -> None:
    def refuse() -> None:
        raise InputError(where, 1, "a number")

    with pytest.raises(AssertionError, match="odd key"):
        accepted_or_refused(refuse)


# ------------------------------------------------------------ regressions found by the fuzz
def refusal(check: Callable[[], object], pattern: str) -> InputError:
    """The InputError `check` raises, well formed and matching `pattern`."""
    with pytest.raises(InputError, match=pattern) as info:
        check()
    names_a_key(info.value)
    return info.value


@pytest.mark.parametrize("literal", ["9" * 5000, "-" + "9" * 4301, "1_" + "0" * 4400])
@pytest.mark.parametrize("kind", ["scenario", "sweep"])
def test_an_integer_longer_than_python_reads_from_text_is_refused(tmp_path: Path, kind: str, literal: str) -> None:
    """tomllib lets int() raise ValueError past 4,300 digits (not a TOMLDecodeError)."""
    if kind == "scenario":
        path = tmp_path / "s.toml"
        path.write_text(f"[scenario]\nname = 'x'\nseed = {literal}\n")
        err = refusal(lambda: check_scenario(path), r"scenario file: got .*an integer of over 4,300 digits on line 3")
    else:
        path = tmp_path / "x.toml"
        path.write_text(f"[experiment]\noutcomes = 'all'\n[run]\nseed = {literal}\n")
        err = refusal(lambda: check_sweep(path), r"experiment: got .*an integer of over 4,300 digits on line 4")
    assert "set_int_max_str_digits" not in str(err)


@pytest.mark.parametrize("text", ["[scenario]\n{k} = 1\n", "[levers]\n{k} = 1\n", "[nodes.{k}]\nconflict = 1\n",
                                  "[levers.border_enforcement]\nvalue = 1\n{k} = 2\n", "[parameters]\n{k} = 1\n"])
def test_a_key_of_30000_characters_is_shown_by_its_start_and_length(tmp_path: Path, text: str) -> None:
    """Keys were printed whole (values were already shortened): a 30,000-character message."""
    path = tmp_path / "s.toml"
    path.write_text(text.format(k="k" * 30_000))
    err = refusal(lambda: check_scenario(path), r'"k{120}"\.\.\. \(30,000 characters\): got')
    assert len(str(err)) < 1000


def share_event(target: str, value: float, date: str = "2020-01-01", extra: str = "") -> str:
    return f"[[events]]\ntype = 'parameter_change'\ntarget = 'parameters.{target}'\ndate = {date}\nvalue = {value}\n{extra}"


PUSHBACK_THEN_DETAIN = share_event("intercept_pushback_share", 0.75) + share_event("intercept_detain_share", 0.4, "2021-06-01")


@pytest.mark.parametrize(("text", "pattern"), [
    (PUSHBACK_THEN_DETAIN, r"events\[1\]\.value: got 'intercept_pushback_share 0.75 \+ intercept_detain_share 0.4 = 1.15 "
                           r"in the week from 2021-05-26'"),
    (share_event("init_protected_share", 0.9, extra="ramp_weeks = 52\n") + share_event("init_pending_share", 0.6),
     r"events\[1\]\.value: got 'init_pending_share 0.6 \+ init_protected_share 0.4\d* = 1.0\d* in the week from 2020-01-01'"),
    (share_event("intercept_detain_share", 0.4, "2021-01-01") + share_event("intercept_pushback_share", 0.75, "2020-01-01"),
     r"events\[0\]\.value: .* = 1.15 in the week from 2020-12-30"),
])
def test_events_valid_alone_may_not_push_bound_shares_past_one_together(tmp_path: Path, text: str, pattern: str) -> None:
    """Each parameter_change was checked alone against the scenario's values, so two events
    in force at once ran with shares summing past one whole (the kernels silently cut the rest)."""
    path = tmp_path / "s.toml"
    path.write_text("[scenario]\nstart_date = 2020-01-01\nyears = 3\n" + text)
    err = refusal(lambda: check_scenario(path), pattern)
    assert "in every week" in err.allowed and err.file == str(path)


@pytest.mark.parametrize("text", [
    share_event("intercept_pushback_share", 0.75, extra="until = 2021-01-01\n")
    + share_event("intercept_detain_share", 0.4, "2021-01-01"),  # one after the other
    share_event("intercept_pushback_share", 0.75) + share_event("intercept_detain_share", 0.4, "2031-01-01"),  # after the end
    share_event("intercept_pushback_share", 0.7) + share_event("intercept_detain_share", 0.3),  # 1.0 exactly
])
def test_bound_shares_that_never_pass_one_together_are_accepted(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[scenario]\nstart_date = 2020-01-01\nyears = 3\n" + text)
    check_scenario(path)


def test_bound_shares_set_in_a_parent_and_a_child_are_checked_over_time(tmp_path: Path) -> None:
    (tmp_path / "parent.toml").write_text("[scenario]\nyears = 3\n" + share_event("intercept_pushback_share", 0.75))
    (tmp_path / "s.toml").write_text("[scenario]\nextends = 'parent.toml'\n" + share_event("intercept_detain_share", 0.4))
    err = refusal(lambda: check_scenario(tmp_path / "s.toml"), r"events\[1\]\.value: .* = 1.15 in the week from 2020-01-01")
    assert err.file == str(tmp_path / "s.toml")


@pytest.mark.parametrize(("scenario_years", "run", "factor", "pattern"), [
    (3, "", "[parameters.intercept_detain_share]\nlow = 0.1\nhigh = 0.4\n",
     r"parameters\.intercept_detain_share\.high: got 'intercept_pushback_share 0.75 \+ intercept_detain_share 0.4 = 1.15"),
    (1, "years = 12\n", "[levers.remittance_cost]\nlow = 1.0\nhigh = 3.0\n",
     r"run\.years: got .* = 1.15 in the week from 2029-12-26"),
])
def test_a_sweep_may_not_push_bound_shares_past_one_with_the_base_scenarios_events(
        tmp_path: Path, scenario_years: int, run: str, factor: str, pattern: str) -> None:
    """A factor's range (or a longer horizon) checked against the base scenario's parameters only,
    not against its events."""
    (tmp_path / "base.toml").write_text(f"[scenario]\nstart_date = 2020-01-01\nyears = {scenario_years}\n"
                                        + share_event("intercept_pushback_share", 0.75)
                                        + share_event("intercept_detain_share", 0.4 if run else 0.2, "2030-01-01"))
    (tmp_path / "x.toml").write_text("[experiment]\nscenario = 'base.toml'\noutcomes = 'all'\n[run]\nagents = 1000\n"
                                     f"{run}[design]\ntype = 'latin'\nsamples = 4\n{factor}")
    refusal(lambda: check_sweep(tmp_path / "x.toml"), pattern)

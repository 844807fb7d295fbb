"""Sweep files: TOML -> a validated `Experiment` (base scenario, factors, design, runs, outcomes).

    [experiment]
    name = "smoke_grid"
    scenario = "baseline"                       # bundled name, or a path relative to this file
    outcomes = ["irregular_departures", "remittance_fees_usd"]   # or "all"
    [run]
    replicates = 2                              # replicate r runs with seed + r at every point
    seed = 0
    years = 1.0                                 # horizon (default: the scenario's)
    agents = 20000                              # (default: the scenario's)
    persons_per_mover = 100                     # persons per row of movers (default: the scenario's)
    persons_per_agent_abroad = 100              # persons per row abroad in 2020 (default: as a mover)
    [design]
    type = "grid"                               # grid, latin, sobol or morris
    [levers.remittance_cost]                    # a lever of `bp-sim levers`
    values = [1.0, 3.0, 6.0]                    # a list (grid), or low/high[/levels], or a distribution
    start = 2021-01-01                          # timing of the lever, the same at every point
    [parameters.remit_cost_elasticity]          # a parameter of `bp-sim params`
    low = 0.5
    high = 1.5

Every key is checked before anything runs: an unknown key, a value outside the lever's or
parameter's allowed range, an unknown design or outcome raises one `InputError` naming the key,
the value and what is allowed.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from bp_sim import checks
from bp_sim.errors import InputError, Note
from bp_sim.errors import path as key_path
from bp_sim.levers.catalogue import LEVERS
from bp_sim.levers.setting import LeverSetting, lever_changes, parse_levers
from bp_sim.outcomes import OUTCOME_NAMES
from bp_sim.parameters import SPECS
from bp_sim.scenario import Scenario, check_shares_over_time, load_scenario, valid_places
from bp_sim.targets import Target
from bp_sim.userfiles import existing_file, read_text, read_toml
from bp_sim.validate import set_resolutions

TOP_KEYS = ("experiment", "run", "design", "levers", "parameters")
EXPERIMENT_KEYS = ("name", "description", "scenario", "outcomes")
RUN_KEYS = ("replicates", "seed", "years", "agents", "persons_per_mover", "persons_per_agent_abroad")
DESIGN_KEYS = ("type", "samples", "seed", "levels", "second_order")
DESIGNS = ("grid", "latin", "sobol", "morris")
FACTOR_KEYS = ("values", "low", "high", "levels", "distribution", "mode", "mean", "sd")
TIMING_KEYS = ("start", "until", "ramp_weeks", "where")
DISTRIBUTIONS = ("uniform", "triangular", "normal", "loguniform")
RESERVED_COLUMNS = ("run_id", "point_id", "replicate", "seed", "outcome", "value")
MAX_RUNS = 10_000_000  # a guard against a mistyped sample size, not a limit of the engine
MAX_REPLICATES = 10_000


@dataclass(frozen=True)
class Factor:
    """One lever or parameter that the sweep varies, and how its values are chosen."""

    name: str
    kind: str  # "lever" or "parameter"
    low: float  # support of the values (the truncation bounds of a normal)
    high: float
    values: tuple[float, ...] | None = None  # a fixed list (grid designs)
    distribution: str = "uniform"  # how sampled designs draw it
    mode: float | None = None  # triangular
    mean: float | None = None  # normal
    sd: float | None = None  # normal
    timing: tuple[tuple[str, object], ...] = ()  # lever start/until/ramp_weeks/where, fixed across points

    def setting(self, value: float) -> LeverSetting:
        """The lever setting of this factor at a value (levers only)."""
        t = dict(self.timing)
        where = t.get("where")
        return LeverSetting(self.name, float(value), t.get("start"), t.get("until"), int(t.get("ramp_weeks", 0)),
                            tuple(where) if where is not None else None)

    def describe(self) -> dict:
        """JSON-ready description (written to sweep.json)."""
        out = {"name": self.name, "kind": self.kind, "low": self.low, "high": self.high,
               "distribution": None if self.values is not None else self.distribution}
        if self.values is not None:
            out["values"] = list(self.values)
        for key in ("mode", "mean", "sd"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.timing:
            out["timing"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.timing}
        return out


@dataclass(frozen=True)
class Experiment:
    """A validated sweep: what is run, how many times, and what is kept."""

    name: str
    description: str
    source: str  # the experiment file
    scenario: Scenario  # the base scenario, horizon already set
    factors: tuple[Factor, ...]
    design: str
    samples: int | None  # latin: points; sobol: base samples N; morris: trajectories
    design_seed: int
    levels: int  # morris grid levels
    second_order: bool  # sobol second-order indices
    replicates: int
    seed: int
    agents: int | None
    outcomes: tuple[str, ...]
    raw_text: str = field(default="", repr=False)
    # Made in code, not read from a sweep file (`bp-sim calibrate` builds its waves so):
    points: tuple[tuple[float, ...], ...] | None = None  # design "points": the points themselves, in factor order
    targets: tuple[Target, ...] = ()  # calibration targets whose simulated values are kept beside the outcomes

    @property
    def kept(self) -> tuple[str, ...]:
        """What each run's result file holds, a row each: the outcomes' horizon totals, then the targets' values."""
        return self.outcomes + tuple(t.id for t in self.targets)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    def scenario_fingerprint(self) -> str:
        """Hash of the base scenario's resolved content (a changed scenario means different runs)."""
        text = json.dumps(self.scenario.to_toml_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def fingerprint(self) -> str:
        """Hash of everything that decides which runs exist and what they give (not the wording)."""
        content = {"scenario": self.scenario_fingerprint(), "factors": [f.describe() for f in self.factors],
                   "design": self.design, "samples": self.samples, "design_seed": self.design_seed,
                   "levels": self.levels, "second_order": self.second_order, "replicates": self.replicates,
                   "seed": self.seed, "agents": self.agents, "weeks": self.scenario.weeks,
                   "outcomes": list(self.outcomes)}
        if self.points is not None:
            content["points"] = [list(p) for p in self.points]
        if self.targets:
            content["targets"] = [dataclasses.asdict(t) for t in self.targets]
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]


MIN_NORMAL_MASS = 1e-6  # a truncated normal must keep this much of its probability inside [low, high]


def _allowed(kind: str, name: str) -> tuple[float, float, str]:
    if kind == "lever":
        lv = LEVERS[name]
        return lv.low, lv.high, lv.unit
    spec = SPECS[name]
    return spec.low, spec.high, spec.unit


def parse_factor(kind: str, name: str, raw: object, design: str, places: dict | None = None) -> Factor:
    where = key_path("levers" if kind == "lever" else "parameters", name)
    if kind == "lever" and name not in LEVERS:
        raise InputError(where, Note("an unknown lever"), ", ".join(sorted(LEVERS)) + " (see `bp-sim levers`)")
    if kind == "parameter" and name not in SPECS:
        raise InputError(where, Note("an unknown parameter"), "a parameter of bp_sim/data/parameters.csv (see `bp-sim params`)")
    if name in RESERVED_COLUMNS:
        raise InputError(where, name, "a name other than " + ", ".join(RESERVED_COLUMNS))
    spec = checks.table(where, raw)
    checks.known_keys(where, spec, FACTOR_KEYS + (TIMING_KEYS if kind == "lever" else ()))
    lo_ok, hi_ok, unit = _allowed(kind, name)
    timing: dict[str, object] = {k: spec[k] for k in TIMING_KEYS if k in spec}
    if timing:  # the scenario's own checks of start, until, ramp_weeks and where
        checked = parse_levers({name: {"value": lo_ok, **timing}}, places)[name]
        timing = {k: getattr(checked, k) for k in timing}

    def number(key: str) -> float:
        return checks.number(f"{where}.{key}", spec[key], lo_ok, hi_ok, f"({unit})")

    if "values" in spec:
        if design != "grid":
            raise InputError(f"{where}.values", spec["values"], f"low and high (or a distribution): design '{design}' "
                             "samples from ranges; lists are for design 'grid'")
        vals = checks.numbers(f"{where}.values", spec["values"], lo_ok, hi_ok, f"({unit})")
        checks.absent(where, spec, ("low", "high", "levels", "distribution", "mode", "mean", "sd"),
                      "`values` already lists the values")
        return Factor(name, kind, min(vals), max(vals), values=vals, timing=tuple(timing.items()))
    dist = checks.choice(f"{where}.distribution", spec.get("distribution", "uniform"), DISTRIBUTIONS)
    if dist == "normal":
        for key in ("mean", "sd"):
            checks.required(where, spec, key, "a number", "required by a normal distribution")
        mean = number("mean")
        sd = checks.above(f"{where}.sd", spec["sd"], 0, "a finite number above 0 (a standard deviation)")
        low = number("low") if "low" in spec else lo_ok
        high = number("high") if "high" in spec else hi_ok
        if low < high:
            _check_normal_mass(where, mean, sd, low, high)
    else:
        for key in ("low", "high"):
            checks.required(where, spec, key, checks.range_text(lo_ok, hi_ok, f"({unit})") + ", or `values`")
        low, high = number("low"), number("high")
        mean = sd = None
        checks.absent(where, spec, ("mean", "sd"), "only a normal distribution takes mean and sd")
    checks.ordered(f"{where}.high", low, high)
    mode = None
    if dist == "triangular":
        given = checks.required(where, spec, "mode", "a number from low to high", "required by a triangular distribution")
        mode = checks.number(f"{where}.mode", given, low, high)
    else:
        checks.absent(where, spec, ("mode",), "only a triangular distribution takes a mode")
    if dist == "loguniform":
        checks.above(f"{where}.low", low, 0, "a number above 0 (a log-uniform distribution)")
    if "levels" in spec:
        if design != "grid":
            checks.absent(where, spec, ("levels",), f"design '{design}' samples the range")
        if dist != "uniform" or "distribution" in spec:
            raise InputError(f"{where}.distribution", dist, "nothing: a grid takes `values` or low, high and levels")
        n = checks.whole(f"{where}.levels", spec["levels"], 2, 1000)
        step = (high - low) / (n - 1)
        vals = (*(low + k * step for k in range(n - 1)), high)
        return Factor(name, kind, low, high, values=vals, timing=tuple(timing.items()))
    if design == "grid":
        raise InputError(where, "a range without levels", "`values = [...]`, or low, high and levels = N for a grid")
    if design == "morris" and dist != "uniform":
        raise InputError(f"{where}.distribution", dist, "uniform (Morris screening moves along a uniform grid)")
    return Factor(name, kind, low, high, distribution=dist, mode=mode, mean=mean, sd=sd, timing=tuple(timing.items()))


def _check_normal_mass(where: str, mean: float, sd: float, low: float, high: float) -> None:
    """A truncated normal whose range holds almost none of its probability cannot be sampled
    (its quantiles are NaN or pile up at one end): refuse it, saying how much the range holds."""
    from scipy import stats

    a, b = (low - mean) / sd, (high - mean) / sd
    mass = float(stats.norm.cdf(b) - stats.norm.cdf(a)) if a < 0 else float(stats.norm.sf(a) - stats.norm.sf(b))
    probe = stats.truncnorm.ppf([0.0, 0.5, 1.0], a, b, loc=mean, scale=sd) if mass >= MIN_NORMAL_MASS else [math.nan]
    if mass < MIN_NORMAL_MASS or not all(math.isfinite(x) for x in probe):
        raise InputError(f"{where}.mean", f"mean {mean:g}, sd {sd:g} ({mass:.2g} of the probability in [{low:g}, {high:g}])",
                         f"a normal that keeps at least {MIN_NORMAL_MASS:g} of its probability in [low, high]: "
                         "a mean nearer the range or a wider sd")


def _base_scenario(value: object, experiment_file: Path, net) -> Scenario:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise InputError("experiment.scenario", value, "a bundled scenario name or a path to a scenario .toml")
    candidate = experiment_file.parent / value
    try:
        local = value.endswith(".toml") and candidate.is_file()
    except (OSError, ValueError):
        local = False
    return load_scenario(candidate if local else value, net, where="experiment.scenario")


def _outcomes(value: object) -> tuple[str, ...]:
    if value == "all":
        return OUTCOME_NAMES
    allowed = "\"all\" or a list of: " + ", ".join(OUTCOME_NAMES)
    if not isinstance(value, list) or not value:
        raise InputError("experiment.outcomes", value, allowed)
    for name in value:
        if name not in OUTCOME_NAMES:
            raise InputError("experiment.outcomes", name, allowed)
    if len(set(value)) != len(value):
        raise InputError("experiment.outcomes", value, "a list without repeated names")
    return tuple(value)


def count_points(design: str, n_factors: int, samples: int | None, second_order: bool,
                 grid_sizes: list[int]) -> int:
    """Design points a design gives (before runs with equal values are merged)."""
    if design == "grid":
        n = 1
        for size in grid_sizes:
            n *= size
        return n
    if design == "latin":
        return int(samples or 0)
    if design == "sobol":
        return int(samples or 0) * (2 * n_factors + 2 if second_order else n_factors + 2)
    return int(samples or 0) * (n_factors + 1)


def parse_experiment(raw: dict, path: Path, net=None) -> Experiment:
    """Validate a raw TOML dict into an Experiment (the base scenario is loaded and checked too)."""
    checks.known_keys("", raw, TOP_KEYS)
    head = checks.table("experiment", raw.get("experiment", {}))
    checks.known_keys("experiment", head, EXPERIMENT_KEYS)
    default_name = "".join(c for c in path.stem if c.isprintable())[:200] or "unnamed"  # from the file, cleaned
    name = checks.text("experiment.name", head.get("name", default_name), required=True, max_chars=200)
    description = head.get("description", "")
    if not isinstance(description, str):
        raise InputError("experiment.description", description, "a string")
    outcomes = _outcomes(checks.required("experiment", head, "outcomes", "\"all\" or a list of outcome names"))

    run = checks.table("run", raw.get("run", {}))
    checks.known_keys("run", run, RUN_KEYS)
    replicates = checks.whole("run.replicates", run.get("replicates", 1), 1, MAX_REPLICATES)
    seed = checks.whole("run.seed", run.get("seed", 0), 0, 2**62)
    agents = checks.whole("run.agents", run["agents"], 100, 500_000_000) if "agents" in run else None
    years = checks.years("run.years", run["years"]) if "years" in run else None

    design_t = checks.table("design", raw.get("design", {}))
    checks.known_keys("design", design_t, DESIGN_KEYS)
    design = checks.choice("design.type", design_t.get("type", "grid"), DESIGNS)
    samples = None
    if design == "grid":
        checks.absent("design", design_t, ("samples", "levels", "second_order"), "a grid runs every combination of values")
    else:
        what = {"latin": "points", "sobol": "base samples N (a power of 2)", "morris": "trajectories"}[design]
        given = checks.required("design", design_t, "samples", f"a whole number of {what}", f"required by design '{design}'")
        samples = checks.whole("design.samples", given, 2, 1_000_000)
        if design == "sobol" and samples & (samples - 1):
            raise InputError("design.samples", samples, "a power of 2 (Sobol' sequences balance only then): 2, 4, 8, ...")
    if design != "morris":
        checks.absent("design", design_t, ("levels",), "only design 'morris' takes grid levels")
    levels = checks.whole("design.levels", design_t.get("levels", 4), 2, 100)
    if design == "morris" and levels % 2:
        raise InputError("design.levels", levels, "an even number of levels (Morris steps are half the grid)")
    if design != "sobol":
        checks.absent("design", design_t, ("second_order",), "only design 'sobol' takes it")
    second_order = checks.flag("design.second_order", design_t.get("second_order", False))
    design_seed = checks.whole("design.seed", design_t.get("seed", 0), 0, 2**32 - 1)

    if net is None:
        from bp_sim.network import load_network

        net = load_network()
    scenario = copy.deepcopy(_base_scenario(head.get("scenario", "baseline"), path, net))
    if years is not None:
        scenario.years = float(years)
    set_resolutions(scenario, run.get("persons_per_mover"), run.get("persons_per_agent_abroad"), "run.")

    factors: list[Factor] = []
    places = valid_places(net)
    for kind, key in (("lever", "levers"), ("parameter", "parameters")):
        table = checks.table(key, raw.get(key, {}))
        for fname, spec in table.items():
            factors.append(parse_factor(kind, fname, spec, design, places))
    if not factors:
        raise InputError("levers", Note("none"), "at least one [levers.NAME] or [parameters.NAME] table to vary")
    names = [f.name for f in factors]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"parameters.{dupes[0]}", dupes[0], "a name not also varied as a lever (columns must differ)")
    if design == "sobol" and second_order and len(factors) < 2:
        raise InputError("design.second_order", True, "false with a single factor (second order needs two)")
    _check_combined_ranges(factors, scenario, years is not None)
    for f in factors:  # places named in `where` exist
        if f.kind == "lever":
            try:
                lever_changes(f.setting(f.low), net, scenario)
            except InputError as exc:
                where = f"levers.{f.name}.where"
                raise InputError(where, exc.value, exc.allowed) from None

    grid_sizes = [len(f.values or ()) for f in factors]
    runs = count_points(design, len(factors), samples, second_order, grid_sizes) * replicates
    if runs > MAX_RUNS:
        raise InputError("design", f"{runs} runs", f"at most {MAX_RUNS:,} runs in one sweep")
    return Experiment(name=name, description=description, source=str(path), scenario=scenario,
                      factors=tuple(factors), design=design, samples=samples, design_seed=design_seed,
                      levels=levels, second_order=second_order, replicates=replicates, seed=seed,
                      agents=agents, outcomes=outcomes)


def _check_combined_ranges(factors: list[Factor], scenario: Scenario, years_changed: bool = False) -> None:
    """Parameters bound together (shares of one whole) must stay valid at every design point:
    the largest sum the factors' ranges allow, with the others at the scenario's values, and
    so in every week of the run with the base scenario's events and levers in force (a sum
    only grows with the values it starts from, so the top of the ranges is the worst case)."""
    from bp_sim.parameters import COMBINED

    values = {**{k: s.value for k, s in SPECS.items()}, **scenario.parameters}
    highs = {f.name: f.high for f in factors if f.kind == "parameter"}
    for rule in COMBINED:
        varied = [n for n in rule.names if n in highs]
        if varied and rule.total({**values, **highs}) > rule.limit + 1e-12:
            shown = " + ".join(f"{n} {({**values, **highs})[n]:g}" for n in rule.names)
            raise InputError(f"parameters.{varied[-1]}.high", f"{shown} at the top of the ranges",
                             f"ranges whose largest sum {' + '.join(rule.names)} is at most {rule.limit:g} ({rule.why})")
        if varied or years_changed:  # else the base scenario was checked so when it was read
            check_shares_over_time(scenario, highs, (rule,), f"parameters.{varied[-1]}.high" if varied else "run.years")


def load_experiment(path: str | Path, net=None) -> Experiment:
    """Read and validate a sweep file; nothing runs if anything in it is wrong."""
    p = existing_file("experiment", path, "an existing sweep .toml file (see experiments/)")
    text = read_text("experiment", p)
    raw = read_toml("experiment", p)
    try:
        exp = parse_experiment(raw, p, net)
    except InputError as exc:
        raise exc.in_file(p) from None
    return Experiment(**{**exp.__dict__, "raw_text": text})

"""The validation file (`experiments/validation.toml`): which model, which sets, which experiments.

    [validation]
    name = "hindcast_2024"
    extends = "validation.toml"            # (optional) another validation file: its tables, with this file's keys
                                           # over them and this file's [[fact]]s, if any, instead of its own
    baseline = "baseline"                  # the hand-tuned scenario: bundled name, or a path relative to this file
    posterior = "../scenarios/calibrated_posterior.csv"   # parameter sets (CSV or Parquet), relative to this file
    validation_targets = "default"         # bp_sim/data/validation_targets.csv (2024 only), or a path
    targets = "default"                    # bp_sim/data/targets.csv (2020-2023, fitted), or a path
    seed = 0                               # replicate r of every run has seed + r
    [run]
    replicates = 40                        # hand-tuned replicates, and posterior sets 0..39 (set r with seed + r)
    years = 5.02                           # (default: just what holds every validation figure's period)
    agents = 5000                          # (default: the baseline's), and persons_per_mover, persons_per_agent_abroad
    [facts]
    replicates = 10                        # paired replicates of each fact (posterior sets 0..9)
    hand_tuned = true                      # also run each fact with the hand-tuned parameters
    [[fact]]
    id = "legal_channels"
    title = "Legal channels substitute for part of irregular migration"
    policy = "legal_pathways"              # a scenario, and/or levers = { lever = value or {value=..., where=[...]} }
    base = "baseline"                      # (default: the validation's baseline)
    origin = "AFG"                         # or route = "SRC->DST": whose outcomes (default: everyone's)
    until = 2021-12-31                     # (default: the horizon's end) the last day summed
    reference = "..."                      # the literature (shared/data/README.md)
    checks = [{ outcome = "irregular_departures", expect = "down" }, ...]
        # outcome: an outcome of bp_sim.outcomes, or two joined by / (a ratio of their totals)
        # expect: up, down, not_down, or small (with within_pct = the largest |change| in percent)

Every key is checked before anything runs (one InputError naming the key, the value and what is allowed).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from bp_sim import checks
from bp_sim.compare import Focus, focus_of
from bp_sim.errors import InputError, Note
from bp_sim.levers.setting import parse_levers
from bp_sim.outcomes import OUTCOME_NAMES
from bp_sim.scenario import Scenario, load_scenario, valid_places
from bp_sim.targets import Target, load_targets, load_validation_targets
from bp_sim.userfiles import existing_file, load_checked_toml, read_toml
from bp_sim.validate import set_resolutions

TOP_KEYS = ("validation", "run", "facts", "fact")
HEAD_KEYS = ("name", "description", "extends", "baseline", "posterior", "validation_targets", "targets", "seed")
RUN_KEYS = ("years", "agents", "persons_per_mover", "persons_per_agent_abroad", "replicates")
FACTS_KEYS = ("replicates", "hand_tuned")
FACT_KEYS = ("id", "title", "base", "policy", "levers", "origin", "route", "until", "years", "reference", "checks")
CHECK_KEYS = ("outcome", "expect", "within_pct")
EXPECT = ("up", "down", "not_down", "small")
WEEKS_PER_YEAR = 52  # as `Scenario.weeks` counts them
MAX_FACTS = 50


@dataclass(frozen=True)
class Check:
    """One expected direction or size of a fact's paired difference."""

    outcome: str  # an outcome name, or "a/b"
    expect: str  # one of EXPECT
    within_pct: float | None = None  # for "small": the largest |change| that counts as small (percent)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.outcome.split("/"))


@dataclass(frozen=True)
class Fact:
    """A stylized fact as an experiment: base and policy scenario, whose outcomes, the expectation."""

    id: str
    title: str
    base: Scenario
    policy: Scenario
    focus: Focus
    until: dt.date | None
    reference: str
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class ValidationConfig:
    """A checked validation file."""

    name: str
    description: str
    source: str
    baseline: Scenario  # horizon and resolutions set
    posterior: Path
    validation_targets: tuple[Target, ...]
    targets: tuple[Target, ...]
    seed: int
    agents: int | None
    replicates: int
    fact_replicates: int
    facts_hand_tuned: bool
    facts: tuple[Fact, ...] = field(default=())
    raw_text: str = ""


def _relative(base: Path, name: str) -> Path:
    p = Path(name)
    return p if p.is_absolute() else base.parent / p


def _scenario(where: str, raw: object, path: Path, net) -> Scenario:
    name = checks.text(where, raw, required=True)
    candidate = _relative(path, name)
    return copy.deepcopy(load_scenario(candidate if candidate.suffix == ".toml" and candidate.exists() else name,
                                       net, where))


def _check(where: str, raw: object) -> Check:
    t = checks.table(where, raw)
    checks.known_keys(where, t, CHECK_KEYS)
    outcome = checks.text(f"{where}.outcome", checks.required(where, t, "outcome", "an outcome, or two joined by /"),
                          required=True)
    parts = outcome.split("/")
    if len(parts) > 2 or any(p not in OUTCOME_NAMES for p in parts):
        raise InputError(f"{where}.outcome", outcome, "an outcome of bp_sim.outcomes, or two joined by / (a ratio): "
                         + checks.one_of(OUTCOME_NAMES, parts[0]))
    expect = checks.choice(f"{where}.expect", checks.required(where, t, "expect", ", ".join(EXPECT)), EXPECT)
    within = None
    if expect == "small":
        within = checks.number(f"{where}.within_pct", checks.required(where, t, "within_pct", "a percentage above 0",
                                                                      "needed with expect = small"), 0.01, 1000.0)
    elif "within_pct" in t:
        raise InputError(f"{where}.within_pct", t["within_pct"], "nothing unless expect = small")
    return Check(outcome, expect, within)


def _fact(where: str, raw: object, path: Path, net, baseline: Scenario) -> Fact:
    t = checks.table(where, raw)
    checks.known_keys(where, t, FACT_KEYS)
    fid = checks.text(f"{where}.id", checks.required(where, t, "id", "a short name"), required=True, max_chars=60)
    where = f"fact[{fid}]" if fid.replace("_", "").isalnum() else where
    title = checks.text(f"{where}.title", checks.required(where, t, "title", "the fact in words"), required=True,
                        max_chars=300)
    reference = checks.text(f"{where}.reference", checks.required(where, t, "reference", "the literature it rests on"),
                            required=True, max_chars=1000)
    base = _scenario(f"{where}.base", t["base"], path, net) if "base" in t else copy.deepcopy(baseline)
    if "policy" not in t and "levers" not in t:
        raise InputError(f"{where}.policy", Note("nothing"), "a scenario, or levers = {...}, or both (what changes)")
    policy = _scenario(f"{where}.policy", t["policy"], path, net) if "policy" in t else copy.deepcopy(base)
    if "levers" in t:
        try:
            added = parse_levers(t["levers"], valid_places(net))
        except InputError as exc:
            raise InputError(f"{where}.{exc.where}", exc.value, exc.allowed) from None
        policy.levers = {**policy.levers, **added}
        policy.name = f"{policy.name}+{fid}"
    for sc in (base, policy):
        sc.start_date, sc.years = baseline.start_date, baseline.years
        sc.persons_per_mover, sc.persons_per_agent_abroad = baseline.persons_per_mover, baseline.persons_per_agent_abroad
    if "years" in t:
        years = checks.years(f"{where}.years", t["years"])
        if years > baseline.years:
            raise InputError(f"{where}.years", years, f"at most the run's horizon ({baseline.years:g} years)")
        base.years = policy.years = float(years)
    if base.name == policy.name:
        policy.name = f"{policy.name} ({fid})"
    try:
        focus = focus_of(net, t.get("origin"), t.get("route"))
    except InputError as exc:
        raise InputError(f"{where}.{exc.where.lstrip('-')}", exc.value, exc.allowed) from None
    until = None
    if "until" in t:
        end = base.start_date + dt.timedelta(weeks=base.weeks) - dt.timedelta(days=1)
        until = checks.date(f"{where}.until", t["until"], base.start_date, end)
    raw_checks = checks.array(f"{where}.checks", checks.required(where, t, "checks", "an array of {outcome, expect}"),
                              "an array of tables {outcome = ..., expect = ...}")
    if not raw_checks:
        raise InputError(f"{where}.checks", raw_checks, "at least one {outcome = ..., expect = ...}")
    found = tuple(_check(f"{where}.checks[{k}]", c) for k, c in enumerate(raw_checks))
    return Fact(fid, title, base, policy, focus, until, reference, found)


def parse_config(raw: dict, path: Path, net) -> ValidationConfig:
    """Validate a raw TOML dict into a ValidationConfig (no run starts)."""
    checks.known_keys("", raw, TOP_KEYS)
    head = checks.table("validation", raw.get("validation", {}))
    checks.known_keys("validation", head, HEAD_KEYS)
    name = checks.text("validation.name", head.get("name", path.stem or "validation"), required=True, max_chars=200)
    description = checks.text("validation.description", head.get("description", ""), multiline=True)
    seed = checks.whole("validation.seed", head.get("seed", 0), 0, 2**31)
    baseline = _scenario("validation.baseline", head.get("baseline", "baseline"), path, net)
    posterior_raw = checks.text("validation.posterior",
                                checks.required("validation", head, "posterior", "a file of parameter sets"),
                                required=True)
    posterior = existing_file("validation.posterior", _relative(path, posterior_raw),
                              "an existing file of parameter sets (posterior_sets.parquet of bp-sim calibrate, or CSV)")

    def table_path(key: str) -> Path | None:
        given = head.get(key, "default")
        checks.text(f"validation.{key}", given, required=True)
        if given == "default":
            return None
        return existing_file(f"validation.{key}", _relative(path, given), "an existing CSV file, or \"default\"")

    held_out = tuple(load_validation_targets(net, table_path("validation_targets")))
    fitted = tuple(load_targets(net, table_path("targets")))

    run = checks.table("run", raw.get("run", {}))
    checks.known_keys("run", run, RUN_KEYS)
    last = max(t.end for t in held_out)
    needed = baseline.week_of(last) + 1  # weeks a run needs to hold the week of the last figure's last day
    years = checks.years("run.years", run["years"]) if "years" in run else needed / WEEKS_PER_YEAR
    if round(years * WEEKS_PER_YEAR) < needed:
        raise InputError("run.years", years, f"at least {needed / WEEKS_PER_YEAR:.3f} years ({needed} weeks from "
                         f"{baseline.start_date}: the figures run to {last}), or no value (that many)")
    baseline.years = float(years)
    set_resolutions(baseline, run.get("persons_per_mover"), run.get("persons_per_agent_abroad"), "run.")
    agents = checks.whole("run.agents", run["agents"], 100, 500_000_000) if "agents" in run else None
    replicates = checks.whole("run.replicates", run.get("replicates", 40), 2, 10_000,
                              "a whole number of replicates (intervals need two; one parameter set each)")

    facts_t = checks.table("facts", raw.get("facts", {}))
    checks.known_keys("facts", facts_t, FACTS_KEYS)
    fact_reps = checks.whole("facts.replicates", facts_t.get("replicates", min(10, replicates)), 2, replicates,
                             f"a whole number of paired replicates, 2 to run.replicates ({replicates}: one set each)")
    hand = checks.flag("facts.hand_tuned", facts_t.get("hand_tuned", True))
    raw_facts = checks.array("fact", raw.get("fact", []), "an array of tables [[fact]]")
    if len(raw_facts) > MAX_FACTS:
        raise InputError("fact", f"{len(raw_facts)} facts", f"at most {MAX_FACTS}")
    facts = tuple(_fact(f"fact[{k}]", f, path, net, baseline) for k, f in enumerate(raw_facts))
    ids = [f.id for f in facts]
    if len(set(ids)) != len(ids):
        raise InputError("fact.id", next(i for i in ids if ids.count(i) > 1), "a new id (each fact once)")
    return ValidationConfig(name=name, description=description, source=str(path), baseline=baseline,
                            posterior=posterior, validation_targets=held_out, targets=fitted, seed=seed, agents=agents,
                            replicates=replicates, fact_replicates=fact_reps, facts_hand_tuned=hand, facts=facts)


def _extended(raw: dict, p: Path) -> dict:
    """The file's tables over those of the file it extends (one level: that file may not extend another)."""
    head = raw.get("validation")
    if not isinstance(head, dict) or "extends" not in head:
        return raw
    name = checks.text("validation.extends", head["extends"], required=True)
    parent_path = existing_file("validation.extends", _relative(p, name), "an existing validation .toml file")
    parent = read_toml("validation.extends", parent_path)
    if isinstance(parent.get("validation"), dict) and "extends" in parent["validation"]:
        raise InputError("validation.extends", name, "a validation file that does not extend another one")
    merged = {k: v for k, v in parent.items()}
    for key, value in raw.items():
        if isinstance(value, dict) and isinstance(parent.get(key), dict):
            merged[key] = {**parent[key], **value}
        else:
            merged[key] = value
    merged["validation"] = {k: v for k, v in merged["validation"].items() if k != "extends"}
    return merged


def load_config(path: str | Path, net=None) -> ValidationConfig:
    """Read and check a validation file; nothing runs if anything in it is wrong."""
    if net is None:
        from bp_sim.network import load_network

        net = load_network()
    cfg, text = load_checked_toml("validation", path, "an existing validation .toml file (see experiments/validation.toml)",
                                  lambda raw, p: parse_config(_extended(raw, p), p, net))
    return ValidationConfig(**{**cfg.__dict__, "raw_text": text})

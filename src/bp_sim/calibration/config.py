"""The calibration file (`experiments/calibration.toml`): what is fitted, with how many runs.

    [calibration]
    name = "baseline_2020_2023"
    scenario = "baseline"            # bundled name, or a path relative to this file
    targets = "default"              # bp_sim/data/targets.csv, or a path
    parameters = "default"           # bp_sim/data/calibration_parameters.csv, or a path
    seed = 0                         # replicate r of every run has seed + r; designs draw from it too
    [run]
    years = 4.02                     # (default: just what holds every target's period, 2020-2023; 2024 is held out)
    agents = 5000                    # (default: the scenario's), and persons_per_mover, persons_per_agent_abroad
    replicates = 2                   # runs per design point (their spread is the emulators' noise)
    [waves]
    count = 4                        # waves of history matching
    points = 160                     # runs' design points per wave
    candidates = 20000               # points screened by the emulators to find the next wave's
    cutoff = 3.0                     # implausibility above which a point is ruled out
    rank = 3                         # ... judged on the rank-th largest implausibility over the targets
    model_discrepancy_log_sd = 0.1   # added to every target's observation error (log scale)
    [posterior]
    candidates = 20000               # points screened to start the sampler among the least implausible
    steps = 2000                     # MCMC steps of each walker over the emulated posterior (half burn-in)
    samples = 40                     # parameter sets drawn from the weighted posterior
    replicates = 1                   # runs of each drawn set (posterior-predictive)

Every key is checked before anything runs (one InputError naming the key, the value and what is allowed).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from bp_sim import checks
from bp_sim.calibration.priors import Prior, load_priors
from bp_sim.errors import InputError
from bp_sim.scenario import Scenario, load_scenario
from bp_sim.targets import Target, load_targets
from bp_sim.userfiles import existing_file, load_checked_toml
from bp_sim.validate import set_resolutions

TOP_KEYS = ("calibration", "run", "waves", "posterior")
HEAD_KEYS = ("name", "description", "scenario", "targets", "parameters", "seed")
RUN_KEYS = ("years", "agents", "persons_per_mover", "persons_per_agent_abroad", "replicates")
WAVE_KEYS = ("count", "points", "candidates", "cutoff", "rank", "model_discrepancy_log_sd")
POSTERIOR_KEYS = ("candidates", "steps", "samples", "replicates")
WEEKS_PER_YEAR = 52  # as `Scenario.weeks` counts them


@dataclass(frozen=True)
class CalibrationConfig:
    """A checked calibration file."""

    name: str
    description: str
    source: str
    scenario: Scenario  # horizon and resolutions set
    targets: tuple[Target, ...]
    priors: tuple[Prior, ...]
    seed: int
    agents: int | None
    replicates: int
    waves: int
    points: int
    candidates: int
    cutoff: float
    rank: int
    discrepancy: float  # model discrepancy, log-scale sd
    posterior_candidates: int
    posterior_steps: int
    posterior_samples: int
    posterior_replicates: int
    raw_text: str = ""


def _relative(base: Path, name: str) -> Path:
    p = Path(name)
    return p if p.is_absolute() else base.parent / p


def _scenario(raw: object, path: Path, net) -> Scenario:
    name = checks.text("calibration.scenario", raw, required=True)
    candidate = _relative(path, name)
    return load_scenario(candidate if candidate.suffix == ".toml" and candidate.exists() else name, net)


def parse_config(raw: dict, path: Path, net) -> CalibrationConfig:
    """Validate a raw TOML dict into a CalibrationConfig."""
    checks.known_keys("", raw, TOP_KEYS)
    head = checks.table("calibration", raw.get("calibration", {}))
    checks.known_keys("calibration", head, HEAD_KEYS)
    name = checks.text("calibration.name", head.get("name", path.stem or "calibration"), required=True, max_chars=200)
    description = checks.text("calibration.description", head.get("description", ""), multiline=True)
    seed = checks.whole("calibration.seed", head.get("seed", 0), 0, 2**31)
    scenario = copy.deepcopy(_scenario(head.get("scenario", "baseline"), path, net))

    def table_path(key: str) -> Path | None:
        given = head.get(key, "default")
        checks.text(f"calibration.{key}", given, required=True)
        if given == "default":
            return None
        return existing_file(f"calibration.{key}", _relative(path, given), "an existing CSV file, or \"default\"")

    targets = tuple(load_targets(net, table_path("targets")))
    priors = tuple(load_priors(table_path("parameters")))

    run = checks.table("run", raw.get("run", {}))
    checks.known_keys("run", run, RUN_KEYS)
    last = max(t.end for t in targets)
    needed = scenario.week_of(last) + 1  # weeks a run needs to hold the week of the targets' last day
    years = checks.years("run.years", run["years"]) if "years" in run else needed / WEEKS_PER_YEAR
    if round(years * WEEKS_PER_YEAR) < needed:
        raise InputError("run.years", years, f"at least {needed / WEEKS_PER_YEAR:.3f} years ({needed} weeks from "
                         f"{scenario.start_date}: the targets run to {last}), or no value (that many)")
    scenario.years = float(years)
    set_resolutions(scenario, run.get("persons_per_mover"), run.get("persons_per_agent_abroad"), "run.")
    agents = checks.whole("run.agents", run["agents"], 100, 500_000_000) if "agents" in run else None
    replicates = checks.whole("run.replicates", run.get("replicates", 2), 1, 100)
    in_scenario = [p.name for p in priors if p.name in scenario.parameters]
    if in_scenario:
        raise InputError(f"scenario {scenario.name}, parameters.{in_scenario[0]}", scenario.parameters[in_scenario[0]],
                         "no value for a free parameter (calibration sets it): remove it from the scenario or from "
                         "the free parameters")

    waves = checks.table("waves", raw.get("waves", {}))
    checks.known_keys("waves", waves, WAVE_KEYS)
    n_targets = len(targets)
    post = checks.table("posterior", raw.get("posterior", {}))
    checks.known_keys("posterior", post, POSTERIOR_KEYS)
    return CalibrationConfig(
        name=name, description=description, source=str(path), scenario=scenario, targets=targets, priors=priors,
        seed=seed, agents=agents, replicates=replicates,
        waves=checks.whole("waves.count", waves.get("count", 4), 1, 20),
        points=checks.whole("waves.points", waves.get("points", 160), len(priors) + 2, 100_000,
                            "a whole number of points (more than the free parameters, for the emulators)"),
        candidates=checks.whole("waves.candidates", waves.get("candidates", 20_000), 100, 10_000_000),
        cutoff=checks.number("waves.cutoff", waves.get("cutoff", 3.0), 0.5, 100.0),
        rank=checks.whole("waves.rank", waves.get("rank", 3), 1, n_targets, f"a whole number of targets (1 to {n_targets})"),
        discrepancy=checks.number("waves.model_discrepancy_log_sd", waves.get("model_discrepancy_log_sd", 0.1), 0.0, 5.0),
        posterior_candidates=checks.whole("posterior.candidates", post.get("candidates", 20_000), 100, 10_000_000),
        posterior_steps=checks.whole("posterior.steps", post.get("steps", 2000), 20, 1_000_000),
        posterior_samples=checks.whole("posterior.samples", post.get("samples", 40), 2, 10_000),
        posterior_replicates=checks.whole("posterior.replicates", post.get("replicates", 1), 1, 100))


def load_config(path: str | Path, net=None) -> CalibrationConfig:
    """Read and check a calibration file; nothing runs if anything in it is wrong."""
    if net is None:
        from bp_sim.network import load_network

        net = load_network()
    cfg, text = load_checked_toml("calibration", path, "an existing calibration .toml file (see experiments/calibration.toml)",
                                  lambda raw, p: parse_config(raw, p, net))
    return CalibrationConfig(**{**cfg.__dict__, "raw_text": text})

"""Runs of a sweep: (design point, replicate) pairs with stable ids, and the scenario of each.

Replicate r runs with seed `seed + r` at every design point (common random numbers: the engine's
draws are keyed by seed, agent, week and decision, so two points differ only by their settings).
A run's id hashes everything that decides its result (values, replicate, seed, horizon, agents,
base scenario, outcomes kept), so a resumed sweep can tell what is done from what is missing,
and two design points with equal values share their runs.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from bp_sim.scenario import Scenario
from bp_sim.sweep.designs import design_points
from bp_sim.sweep.spec import Experiment, Factor


@dataclass(frozen=True)
class Run:
    """One model run of a sweep."""

    run_id: str
    point_id: str
    values: tuple[tuple[str, float], ...]  # (factor name, value) in factor order
    replicate: int
    seed: int


def _hash(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:20]


def point_id(values: dict[str, float]) -> str:
    """Stable id of a design point (JSON keeps floats exactly: repr round-trips)."""
    return _hash({"values": values})


def run_id(exp: Experiment, values: dict[str, float], replicate: int, seed: int) -> str:
    """Stable id of a run: the same inputs give the same id in any session, on any machine."""
    inputs = {"values": values, "replicate": replicate, "seed": seed, "weeks": exp.scenario.weeks,
              "agents": exp.agents, "scenario": exp.scenario_fingerprint(), "outcomes": list(exp.outcomes),
              "timing": {f.name: f.describe().get("timing") for f in exp.factors}}
    if exp.targets:  # only then, so that the ids of sweeps without targets stay what they were
        inputs["targets"] = [dataclasses.asdict(t) for t in exp.targets]
    return _hash(inputs)


def plan(exp: Experiment) -> tuple[np.ndarray, list[Run]]:
    """The design points (in design order) and the distinct runs they need."""
    points = design_points(exp)
    runs: dict[str, Run] = {}
    for row in points:
        values = {name: float(v) for name, v in zip(exp.names, row, strict=True)}
        pid = point_id(values)
        for r in range(exp.replicates):
            seed = exp.seed + r
            rid = run_id(exp, values, r, seed)
            if rid not in runs:
                runs[rid] = Run(rid, pid, tuple(values.items()), r, seed)
    return points, list(runs.values())


def build_scenario(base: Scenario, factors: tuple[Factor, ...], values: dict[str, float]) -> Scenario:
    """The base scenario with the run's lever settings and parameter values put in."""
    sc = copy.deepcopy(base)
    sc.levers = dict(sc.levers)
    sc.parameters = dict(sc.parameters)
    for f in factors:
        if f.kind == "lever":
            sc.levers[f.name] = f.setting(values[f.name])
        else:
            sc.parameters[f.name] = float(values[f.name])
    return sc

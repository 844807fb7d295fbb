"""What every tab of one dashboard server shares: the network, the presets, the lever values in
the data, the background worker, the server's defaults. Read-only, loaded once."""

from __future__ import annotations

import functools
import os

import numpy as np

from bp_sim.dashboard.compute import Computer
from bp_sim.dashboard.lever_info import CALIBRATED
from bp_sim.dashboard.state import PageState
from bp_sim.levers.catalogue import LEVERS
from bp_sim.levers.setting import select
from bp_sim.model import SilkRoutesModel
from bp_sim.network import Network, load_network
from bp_sim.scenario import Scenario, load_scenario, scenarios_dir
from bp_sim.validate import DEFAULT_AGENTS

DASHBOARD_AGENTS = DEFAULT_AGENTS  # cohorts: the default run
DASHBOARD_REPLICATES = 8  # paired replicates the page fills in after the first


@functools.lru_cache(maxsize=1)
def shared_network() -> Network:
    """The shipped network, loaded once per server (every session reads, none writes it)."""
    return load_network()


@functools.lru_cache(maxsize=1)
def computer() -> Computer:
    """The server's one background worker."""
    return Computer(shared_network())


@functools.lru_cache(maxsize=1)
def fitted_parameters() -> dict[str, float]:
    """The calibrated scenario's parameters (`bp-sim calibrate`'s posterior medians, over the
    baseline's own), which every preset runs with unless it sets a parameter itself; none if no
    calibrated scenario is shipped."""
    path = scenarios_dir() / f"{CALIBRATED}.toml"
    return dict(load_scenario(path, shared_network()).parameters) if path.exists() else {}


@functools.lru_cache(maxsize=64)
def preset(name: str) -> Scenario:
    """A bundled scenario with the calibrated parameters, read once (callers copy before changing it)."""
    sc = load_scenario(name, shared_network())
    sc.parameters = {**fitted_parameters(), **sc.parameters}
    return sc


def preset_names() -> list[str]:
    """Bundled scenarios, baseline first (the calibrated one is the baseline here: every preset has its parameters)."""
    names = sorted(f.stem for f in scenarios_dir().glob("*.toml") if f.stem != CALIBRATED)
    return sorted(names, key=lambda n: n != "baseline")


@functools.lru_cache(maxsize=1)
def data_values() -> dict[str, float]:
    """Each lever's setting in the data (the baseline's policy before any lever), averaged over
    its default places: the tick marked on its slider."""
    model = SilkRoutesModel(preset("baseline"), agents=100, seed=0, network=shared_network())
    policy, net = model.policy, shared_network()
    out = {}
    for name, lv in LEVERS.items():
        if lv.scope == "param":
            out[name] = float(policy.params[lv.field])
        elif lv.scope == "origin":
            out[name] = float(np.mean(policy.base[lv.scope][lv.field]))
        else:
            out[name] = float(np.mean(policy.base[lv.scope][lv.field][select(net, lv.targets)]))
    return out


def server_defaults() -> PageState:
    """Population, resolutions and seed for this server (set by `bp-sim dashboard --agents
    --persons-per-mover --persons-per-agent-abroad --seed`, checked there)."""
    mover = os.environ.get("BP_SIM_DASHBOARD_PERSONS_PER_MOVER")
    abroad = os.environ.get("BP_SIM_DASHBOARD_PERSONS_PER_AGENT_ABROAD")
    return PageState(agents=int(os.environ.get("BP_SIM_DASHBOARD_AGENTS", DASHBOARD_AGENTS)),
                     seed=int(os.environ.get("BP_SIM_DASHBOARD_SEED", 0)), replicates=DASHBOARD_REPLICATES,
                     persons_per_mover=int(mover) if mover else None,
                     persons_per_agent_abroad=float(abroad) if abroad else None)


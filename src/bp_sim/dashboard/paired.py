"""PairedModel: the chosen scenario and the baseline, stepped together with the same seed.

Both Silk Routes models have the same seed and population size, so their agents meet the same
random numbers (common random numbers) and start from the same population: every difference
between the two is what the levers did. Levers changed while the model runs act on the scenario
model from the current week on; `scenario()` is what a reset (or `bp-sim run` of the exported
file) replays.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import threading

import mesa
import numpy as np

from bp_sim.errors import InputError
from bp_sim.levers.catalogue import LEVERS
from bp_sim.levers.setting import LeverSetting, select
from bp_sim.model import SilkRoutesModel
from bp_sim.network import Network, load_network
from bp_sim.scenario import Scenario, load_scenario

DASHBOARD_AGENTS = 200_000  # a pair of weeks takes ~20 ms at this size; rare outcomes still show


@functools.lru_cache(maxsize=1)
def shared_network() -> Network:
    """The shipped network, loaded once per process (every session reads, none writes it)."""
    return load_network()


def _locked(method):
    """Run a PairedModel method holding its lock (a whole lever change happens between steps)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)

    return run


class PairedModel(mesa.Model):
    """A scenario (a preset plus lever settings) beside the baseline, one week per step.

    Args:
        preset: bundled scenario name or .toml path the scenario starts from.
        levers: lever settings replacing the preset's (None: the preset's own).
        agents: population of each model.
        seed: the seed both models share.
        baseline: the reference scenario (same start date required).
    """

    def __init__(self, preset: str = "baseline", levers: dict[str, LeverSetting] | None = None, *,
                 agents: int = DASHBOARD_AGENTS, seed: int = 0, baseline: str = "baseline",
                 network: Network | None = None) -> None:
        super().__init__(rng=seed)
        net = network if network is not None else shared_network()
        self.net = net
        self.preset = preset
        self.preset_scenario = load_scenario(preset, net)
        base_sc = load_scenario(baseline, net)
        if base_sc.start_date != self.preset_scenario.start_date:
            raise InputError("preset", preset, f"a scenario starting on {base_sc.start_date} like the baseline")
        self._levers: dict[str, LeverSetting] = dict(self.preset_scenario.levers if levers is None else levers)
        self.scenario_model = SilkRoutesModel(self._current_scenario(), agents=agents, seed=seed, network=net)
        self.baseline_model = SilkRoutesModel(base_sc, agents=agents, seed=seed, network=net)
        self.n_agents = int(agents)
        self.seed = int(seed)
        self.horizon = self.preset_scenario.weeks
        self.revision = 0  # counts lever changes, so the page knows when to redraw
        # Held by a step, a lever change and every reader of both models: the page draws from
        # Solara's thread while Mesa's controller steps from its own.
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ state
    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.scenario_model.week

    @property
    def date(self) -> dt.date:
        return self.scenario_model.date

    @property
    def levers(self) -> dict[str, LeverSetting]:
        """Lever settings in force (a copy)."""
        return dict(self._levers)

    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """Weekly outcomes so far, (weeks, outcomes), of the scenario and of the baseline: copies
        of the same weeks, taken while no step runs (Mesa's play thread steps while the page's
        thread draws; a week taken halfway through a step gave series of different lengths)."""
        with self.lock:
            s, b = self.scenario_model.recorder, self.baseline_model.recorder
            weeks = min(s.steps_done, b.steps_done)
            return s.outcomes[:weeks].copy(), b.outcomes[:weeks].copy()

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week of both models, as one step for any reader; stops running at the horizon."""
        with self.lock:
            self.scenario_model.step()
            self.baseline_model.step()
            self.running = self.week < self.horizon

    # ------------------------------------------------------------------ levers
    @_locked
    def set_lever(self, name: str, value: float) -> LeverSetting:
        """Set a lever from the current week on (a preset's later start and ramp are kept)."""
        lv = LEVERS.get(name)
        if lv is None:
            raise InputError("lever", name, ", ".join(sorted(LEVERS)))
        if isinstance(value, bool) or not isinstance(value, int | float) or not lv.low <= value <= lv.high:
            raise InputError(f"levers.{name}", value, f"a number in [{lv.low:g}, {lv.high:g}] ({lv.unit})")
        old = self._levers.get(name)
        now = self.date if self.week > 0 else None
        if old is not None and old.start is not None and (now is None or old.start > now):
            setting = LeverSetting(name, float(value), old.start, old.until, old.ramp_weeks, old.where)
        else:
            setting = LeverSetting(name, float(value), now, None, 0, old.where if old is not None else None)
        self._levers[name] = setting
        self._apply()
        return setting

    @_locked
    def clear_lever(self, name: str) -> None:
        """Back to the data's setting for this lever from the current week on."""
        if name not in self._levers:
            return
        if self.week == 0:
            del self._levers[name]
        else:
            # the lever stays in force for the weeks already run, then ends now
            old = self._levers[name]
            if old.start is not None and old.start >= self.date:
                del self._levers[name]
            else:
                self._levers[name] = LeverSetting(name, old.value, old.start, self.date, old.ramp_weeks, old.where)
        self._apply()

    def reference_value(self, name: str) -> float:
        """The lever's setting in the data, averaged over its default places (before any lever)."""
        lv = LEVERS[name]
        policy = self.scenario_model.policy
        if lv.scope == "param":
            return float(policy.params[lv.field])
        values = policy.base[lv.scope][lv.field]
        if lv.scope == "origin":
            return float(np.mean(values))
        return float(np.mean(values[select(self.net, lv.targets)]))

    def _current_scenario(self) -> Scenario:
        sc = copy.deepcopy(self.preset_scenario)
        sc.levers = dict(self._levers)
        return sc

    def _apply(self) -> None:
        """Rebuild the scenario model's policy from the current lever settings (between steps)."""
        with self.lock:
            self.scenario_model.set_scenario(self._current_scenario())
            self.revision += 1

    # ------------------------------------------------------------------ export
    def scenario(self) -> Scenario:
        """The scenario as set on the page: the preset with the current levers, seed and agents."""
        sc = self._current_scenario()
        if self._levers != self.preset_scenario.levers:
            sc.name = f"{self.preset_scenario.name}_dashboard"
            sc.description = (f"{self.preset_scenario.description or self.preset_scenario.name}; levers set in "
                              "the bp-sim dashboard").strip("; ")
        sc.seed = self.seed
        sc.agents = self.n_agents
        sc.persons_per_agent = None
        return sc

"""EMA Workbench adapter: the model as an `ema_workbench.Model` with its levers and outcomes declared.

    from bp_sim.sweep.ema_adapter import ema_model
    from ema_workbench import perform_experiments
    model = ema_model(levers={"remittance_cost": (1, 10)}, uncertainties={"remit_cost_elasticity": (0, 1)},
                      outcomes=["remittances_received_usd"], years=2, agents=50_000, replications=2)
    experiments, outcomes = perform_experiments(model, scenarios=8, policies=4)

Levers are those of `bp-sim levers`, uncertainties the parameters of `bp-sim params`; each
range is checked against what the lever or parameter allows. Outcomes are horizon totals, as in
`bp-sim sweep`. With `replications`, replicate r runs with seed + r in every experiment (common
random numbers) and each outcome is the replicate mean. Written and tested against
ema-workbench 2.5.3 (the newest for Python 3.11; install with `pip install 'bp_sim[ema]'`);
ema-workbench 3.0 needs Python 3.12 and is not tested here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import numpy as np

from bp_sim import checks
from bp_sim.errors import InputError
from bp_sim.levers.catalogue import LEVERS
from bp_sim.outcomes import OUTCOME_INDEX, OUTCOME_NAMES, horizon_totals
from bp_sim.parameters import SPECS
from bp_sim.sweep.runs import build_scenario
from bp_sim.sweep.spec import Factor, parse_factor

Ranges = Mapping[str, tuple[float, float]] | Iterable[str] | None


def _factors(kind: str, given: Ranges) -> list[Factor]:
    """Factors from {name: (low, high)} or names (their whole allowed range), validated."""
    if given is None:
        return []
    allowed = LEVERS if kind == "lever" else SPECS
    pairs = given.items() if isinstance(given, Mapping) else ((n, None) for n in given)
    out = []
    key = "levers" if kind == "lever" else "uncertainties"
    for name, rng in pairs:
        if name not in allowed:
            raise InputError(f"{key}.{name}", "unknown name", ", ".join(sorted(allowed)))
        if rng is not None and not (isinstance(rng, tuple | list) and len(rng) == 2):
            raise InputError(f"{key}.{name}", rng, "a pair (low, high): numbers in the allowed range, low below high")
        lo, hi = rng if rng is not None else (allowed[name].low, allowed[name].high)
        out.append(parse_factor(kind, name, {"low": lo, "high": hi}, "latin"))  # range and order checked there
    return out


@functools.lru_cache(maxsize=1)
def _network():
    from bp_sim.network import load_network

    return load_network()


class SilkRoutesFunction:
    """The model as a function of lever and parameter values (picklable, for EMA's evaluators)."""

    def __init__(self, scenario: str = "baseline", factors: Iterable[Factor] = (),
                 outcomes: Iterable[str] = OUTCOME_NAMES, years: float | None = None, agents: int | None = None,
                 seed: int = 0) -> None:
        from bp_sim.scenario import load_scenario

        self.base = load_scenario(scenario, _network())
        if years is not None:
            self.base.years = checks.years("years", years)
        self.factors = tuple(factors)
        self.outcomes = tuple(outcomes)
        for name in self.outcomes:
            if name not in OUTCOME_INDEX:
                raise InputError("outcomes", name, ", ".join(OUTCOME_NAMES))
        self.agents = agents
        self.seed = seed

    def __call__(self, seed: int | None = None, **values: float) -> dict[str, float]:
        from bp_sim.model import SilkRoutesModel

        names = {f.name for f in self.factors}
        unknown = sorted(set(values) - names)
        if unknown:
            raise InputError(unknown[0], values[unknown[0]], "one of " + ", ".join(sorted(names)))
        given = [f for f in self.factors if f.name in values]
        sc = build_scenario(self.base, tuple(given), {k: float(v) for k, v in values.items()})
        model = SilkRoutesModel(sc, agents=self.agents, seed=self.seed if seed is None else int(seed),
                                network=_network())
        model.run()
        totals = horizon_totals(model.recorder.outcomes[: model.recorder.steps_done])
        return {name: float(totals[OUTCOME_INDEX[name]]) for name in self.outcomes}


def ema_model(name: str = "silkroutes", scenario: str = "baseline", levers: Ranges = None, uncertainties: Ranges = None,
              outcomes: Iterable[str] = ("irregular_departures", "deaths_missing"), years: float | None = None,
              agents: int | None = None, seed: int = 0, replications: int | None = None):
    """An `ema_workbench.Model` (a `ReplicatorModel` with `replications`) of a base scenario."""
    try:
        from ema_workbench import Model, RealParameter, ReplicatorModel, ScalarOutcome
    except ImportError as exc:
        raise InputError("ema_workbench", "not installed", "pip install 'bp_sim[ema]' (ema-workbench 2.5.3)") from exc
    lever_factors, param_factors = _factors("lever", levers), _factors("parameter", uncertainties)
    outcomes = tuple(outcomes)
    fn = SilkRoutesFunction(scenario, lever_factors + param_factors, outcomes, years, agents, seed)
    if replications is not None:
        checks.whole("replications", replications, 1)
        model = ReplicatorModel(name, function=fn)
        model.replications = [{"seed": seed + r} for r in range(replications)]
        model.outcomes = [ScalarOutcome(o, function=np.mean) for o in outcomes]
    else:
        model = Model(name, function=fn)
        model.outcomes = [ScalarOutcome(o) for o in outcomes]
    model.levers = [RealParameter(f.name, f.low, f.high) for f in lever_factors]
    model.uncertainties = [RealParameter(f.name, f.low, f.high) for f in param_factors]
    return model

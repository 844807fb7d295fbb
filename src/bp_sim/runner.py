"""Run a scenario and write its outputs: Parquet tables, the resolved scenario, plots.

Outputs are first written to a temporary folder beside the target and moved into place only
when everything succeeded, so a failed or interrupted run never leaves half-written files
and never touches what an earlier run wrote elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import tomli_w

from bp_sim import checks
from bp_sim.atomic import atomic_dir, check_out
from bp_sim.engines import model_class
from bp_sim.model import SilkRoutesModel
from bp_sim.network import load_network
from bp_sim.outcomes import OUTCOME_NAMES
from bp_sim.plots import draw_figures, plot_network_flows, plot_outcomes
from bp_sim.population import bytes_per_agent
from bp_sim.scenario import MAX_SEED, Scenario, load_scenario
from bp_sim.states import State
from bp_sim.tally import E_CROSSINGS, E_DEATHS, E_DETECTIONS, E_INTERCEPTIONS
from bp_sim.validate import MIN_AGENTS, check_runnable, set_resolutions
from bp_sim.warmup import warm_up_engine


def timeseries_frame(model: SilkRoutesModel) -> pd.DataFrame:
    """One row per week, one column per outcome."""
    steps = model.recorder.steps_done
    df = pd.DataFrame(model.recorder.outcomes[:steps], columns=list(OUTCOME_NAMES))
    start = model.scenario.start_date
    df.insert(0, "date", [start + dt.timedelta(weeks=k) for k in range(steps)])
    df.insert(0, "step", np.arange(steps))
    return df


def edge_flows_frame(model: SilkRoutesModel) -> pd.DataFrame:
    """Crossings, interceptions, deaths, detections and fee per leg per week (persons, USD)."""
    rec, net = model.recorder, model.net
    steps = rec.steps_done
    e = net.n_edges
    labels = [net.edge_label(k) for k in range(e)]
    return pd.DataFrame({
        "step": np.repeat(np.arange(steps), e),
        "edge": np.tile(labels, steps),
        "source": np.tile(net.routes.source.to_numpy(), steps),
        "target": np.tile(net.routes.target.to_numpy(), steps),
        "crossings": rec.edges[:steps, :, E_CROSSINGS].ravel(),
        "interceptions": rec.edges[:steps, :, E_INTERCEPTIONS].ravel(),
        "deaths": rec.edges[:steps, :, E_DEATHS].ravel(),
        "detections": rec.edges[:steps, :, E_DETECTIONS].ravel(),
        "fee_usd": rec.edge_fee[:steps].ravel(),
    })


def edge_flows_by_origin_frame(model: SilkRoutesModel) -> pd.DataFrame:
    """Crossings, interceptions, deaths and detections per leg, week and origin (persons; rows
    where all four are zero left out). Summed over origins they are `edge_flows_frame`'s."""
    rec, net = model.recorder, model.net
    steps = rec.steps_done
    flows = rec.edges_by_origin[:steps]  # (steps, O, E, N_EDGE)
    week, o, e = np.nonzero(flows.any(axis=3))
    names = net.nodes.node_id.to_numpy()
    origins = names[np.array(net.origin_nodes)]
    labels = np.array([net.edge_label(k) for k in range(net.n_edges)])
    cells = flows[week, o, e]
    return pd.DataFrame({
        "step": week,
        "origin": origins[o],
        "edge": labels[e],
        "crossings": cells[:, E_CROSSINGS],
        "interceptions": cells[:, E_INTERCEPTIONS],
        "deaths": cells[:, E_DEATHS],
        "detections": cells[:, E_DETECTIONS],
    })


def returns_frame(model: SilkRoutesModel) -> pd.DataFrame:
    """Persons setting off home per week, by origin, the place they left and kind (voluntary or
    forced; non-zero cells only, long form)."""
    rec, net = model.recorder, model.net
    steps = rec.steps_done
    idx = np.nonzero(rec.returns[:steps])
    names = net.nodes.node_id.to_numpy()
    origins = names[np.array(net.origin_nodes)]
    return pd.DataFrame({
        "step": idx[0],
        "origin": origins[idx[1]],
        "from": names[idx[2]],
        "kind": np.array(["voluntary", "forced"])[idx[3]],
        "persons": rec.returns[:steps][idx],
    })


def node_stocks_frame(model: SilkRoutesModel) -> pd.DataFrame:
    """Persons per week, location, origin and state (non-zero cells only, long form)."""
    rec, net = model.recorder, model.net
    steps = rec.steps_done
    idx = np.nonzero(rec.stocks[:steps])
    names = net.nodes.node_id.to_numpy()
    origins = names[np.array(net.origin_nodes)]
    state_names = np.array([s.name.lower() for s in State])
    return pd.DataFrame({
        "step": idx[0],
        "origin": origins[idx[1]],
        "location": names[idx[2]],
        "state": state_names[idx[3]],
        "persons": rec.stocks[:steps][idx],
    })


def write_resolved_scenario(sc: Scenario, agents: int, path: Path, persons_per_mover: int | None = None,
                            persons_per_agent_abroad: float | None = None) -> None:
    """The scenario as run (extends resolved, cohorts and resolutions fixed), so that it replays the run."""
    resolved = sc.to_toml_dict()
    resolved["population"] = {"agents": agents,
                              **({"persons_per_mover": persons_per_mover} if persons_per_mover else {}),
                              **({"persons_per_agent_abroad": persons_per_agent_abroad}
                                 if persons_per_agent_abroad else {})}
    with path.open("wb") as fh:
        fh.write(f"# Resolved from {sc.source}\n".encode())
        tomli_w.dump(resolved, fh)


def peak_rss_bytes() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def run_scenario(scenario: str | Path | Scenario | None, out_dir: str | Path, *, years: float | None = None,
                 agents: int | None = None, seed: int | None = None, engine: str = "numba",
                 progress: Callable[[int, int], None] | None = None, profile: bool = False,
                 persons_per_mover: int | None = None, persons_per_agent_abroad: float | None = None) -> dict:
    """Run one scenario and write all outputs to out_dir atomically. Returns run info.

    `persons_per_mover`, `persons_per_agent_abroad`: the resolutions of movers and of the people
    abroad at the start (override the scenario's `[population]`).

    `profile`: time every phase of the week (`phases.WEEK`); the seconds per phase go into the
    run info (`phase_seconds`, also in run_info.json) and `phase_table` prints them.

    Everything that can be checked is checked before the simulation starts: the scenario, the
    options, the output folder (see `atomic.check_out`) and the memory the run needs.
    """
    t0 = time.perf_counter()
    model_cls = model_class(engine)
    net = load_network()
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, net)
    if years is not None:
        sc.years = checks.years("--years", years)
    if seed is not None:
        checks.whole("--seed", seed, 0, MAX_SEED)
    if agents is not None:
        checks.whole("--agents", agents, MIN_AGENTS, 10**15, "a whole number of cohorts")
    set_resolutions(sc, persons_per_mover, persons_per_agent_abroad)
    check_runnable(sc, net, agents, engine=engine)
    check_out(out_dir, "run")
    warm_up_engine(sc, network=net, stream=sys.stderr if progress is not None else None)  # says so if it compiles
    model = model_cls(sc, agents=agents, seed=seed, network=net)
    sc.seed = model.seed
    if profile:
        model.profile_phases()
    t1 = time.perf_counter()
    model.run(progress=progress)
    t_sim = time.perf_counter() - t1
    with atomic_dir(out_dir, "run") as tmp:
        ts = timeseries_frame(model)
        ts.to_parquet(tmp / "timeseries.parquet", index=False)
        flows = edge_flows_frame(model)
        flows.to_parquet(tmp / "edge_flows.parquet", index=False)
        edge_flows_by_origin_frame(model).to_parquet(tmp / "edge_flows_by_origin.parquet", index=False)
        node_stocks_frame(model).to_parquet(tmp / "node_stocks.parquet", index=False)
        returns_frame(model).to_parquet(tmp / "returns.parquet", index=False)
        write_resolved_scenario(sc, model.n_agents, tmp / "scenario.toml", model.persons_per_mover,
                                model.persons_per_agent_abroad)
        failed = draw_figures({
            "outcomes.png": lambda: plot_outcomes(ts, tmp, f"{sc.name}: {model.n_agents:,} agents, seed {model.seed}"),
            "network_flows.png": lambda: plot_network_flows(model, flows, tmp),
        })
        info = {
            "scenario": sc.name,
            "engine": model.engine,
            "agents": model.n_agents,
            "persons_per_agent": model.persons_per_agent,
            "persons_per_mover": model.persons_per_mover,
            "persons_per_agent_abroad": model.persons_per_agent_abroad,
            "persons": model.persons_total,
            "rows_at_end": model.rows_in_use,
            "row_bytes": model.rows.nbytes + sum(a.nbytes for a in model.cohorts.rows) + model.cohorts.aspiring.nbytes,
            "bytes_per_row": bytes_per_agent(),
            "steps": model.recorder.steps_done,
            "seed": model.seed,
            "threads": numba.get_num_threads() if model.engine == "numba" else 1,
            "seconds_simulation": t_sim,
            "seconds_total": time.perf_counter() - t0,
            "agent_steps_per_second": model.row_steps / max(t_sim, 1e-9),
            "persons_steps_per_second": model.persons_total * model.recorder.steps_done / max(t_sim, 1e-9),
            "peak_rss_bytes": peak_rss_bytes(),
        }
        if failed:
            info["figures_not_drawn"] = failed
        if model.phase_seconds is not None:
            info["phase_seconds"] = dict(model.phase_seconds)
        (tmp / "run_info.json").write_text(json.dumps(info, indent=2))
    return info


def phase_table(phase_seconds: dict[str, float], weeks: int) -> str:
    """Seconds per phase of the week as a table: total, share of the week, milliseconds a week.

    The `population` phase is the population kernel (or the twin's migrants); the other phases
    are the weekly aggregate updates over network-sized arrays and the recording of outcomes.
    """
    total = sum(phase_seconds.values())
    width = max(len("phase"), *(len(name) for name in phase_seconds))
    lines = [f"{'phase':<{width}}  {'seconds':>9}  {'share':>7}  {'ms/week':>9}",
             f"{'-' * width}  {'-' * 9}  {'-' * 7}  {'-' * 9}"]
    for name, seconds in phase_seconds.items():
        share = seconds / total if total > 0 else 0.0
        lines.append(f"{name:<{width}}  {seconds:>9.3f}  {share:>6.1%}  {1000 * seconds / max(weeks, 1):>9.3f}")
    lines.append(f"{'all phases':<{width}}  {total:>9.3f}  {1.0:>6.1%}  {1000 * total / max(weeks, 1):>9.3f}")
    return "\n".join(lines)

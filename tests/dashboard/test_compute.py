"""The page's background worker: whole-horizon pairs replicate by replicate, the baseline once per
seed, a new request cancelling the old, and an exported scenario that replays the page's run."""

from __future__ import annotations

import copy
import threading
import tomllib

import numpy as np
import pytest

from bp_sim.dashboard import export
from bp_sim.dashboard.compute import Computer, Job, follow, run_key
from bp_sim.dashboard.shared import preset, shared_network
from bp_sim.dashboard.simulate import simulate
from bp_sim.dashboard.state import Move, PageState, scenario_of
from bp_sim.levers.setting import LeverSetting
from bp_sim.model import SilkRoutesModel
from bp_sim.scenario import load_scenario

AGENTS = 3_000
PERSONS_PER_MOVER = 2_000  # movers and people abroad in rows of 2,000 persons: quick runs


def _short(name: str, years: float = 1.0):
    sc = copy.deepcopy(preset(name))
    sc.years = years
    sc.persons_per_mover = PERSONS_PER_MOVER
    return sc


def _wait(job):
    follow(job, lambda j: None, lambda: False, poll_s=0.2)
    return job


def test_replicates_fill_in_paired_by_seed_and_match_a_run_of_their_own():
    comp = Computer(shared_network())
    base, a = _short("baseline"), _short("goal1_smuggling_trafficking")
    seen = []
    job = comp.submit("tab", {"a": a}, base, agents=AGENTS, seed=10, replicates=3)
    follow(job, lambda j: seen.append(j.replicates_done), lambda: False, poll_s=0.2)
    assert job.done and job.error is None and seen[-1] == 3 and seen == sorted(seen)  # 1, 2, 3 as they come
    res = job.results["a"]
    assert [r.seed for r in res.scenario] == [r.seed for r in res.baseline] == [10, 11, 12]
    own, _ = simulate(a, AGENTS, 11, shared_network())
    np.testing.assert_array_equal(res.scenario[1].outcomes, own.outcomes)  # exactly reproducible from the seed
    assert not np.array_equal(res.scenario[0].outcomes, res.baseline[0].outcomes)  # the levers did something


def test_the_baseline_of_a_seed_is_computed_once_for_every_tab():
    comp = Computer(shared_network())
    base = _short("baseline")
    _wait(comp.submit("tab1", {"a": _short("goal1_smuggling_trafficking")}, base, agents=AGENTS, seed=0,
                      replicates=2))
    assert comp.runs_computed == 4  # 2 baselines + 2 scenarios
    _wait(comp.submit("tab2", {"a": _short("goal2_legal_pathways")}, base, agents=AGENTS, seed=0, replicates=2))
    assert comp.runs_computed == 6  # only the new scenario's runs
    job = _wait(comp.submit("tab3", {"a": _short("baseline")}, base, agents=AGENTS, seed=0, replicates=2))
    assert comp.runs_computed == 6 and job.results["a"].replicates == 2  # the baseline as scenario: cached
    assert run_key(base, AGENTS, 0) != run_key(base, AGENTS, 1) != run_key(base, AGENTS + 1, 1)


def test_a_new_request_from_a_tab_cancels_its_old_one_between_two_weeks():
    comp = Computer(shared_network())
    base = _short("baseline", years=40)  # long: it cannot finish before it is cancelled
    started = threading.Event()
    long_job = comp.submit("tab", {"a": base}, base, agents=AGENTS, seed=0, replicates=50)
    # wait until the worker is inside the long job's first run (a state, not a time)
    follow(long_job, lambda j: started.set(), lambda: comp.runs_computed > 0 or started.is_set(), poll_s=0.05)
    short = comp.submit("tab", {"a": _short("baseline")}, _short("baseline"), agents=AGENTS, seed=0, replicates=1)
    assert long_job.cancelled
    _wait(short)
    assert short.done and short.results["a"].replicates == 1
    assert long_job.replicates_done < 50
    other = comp.submit("tab9", {"a": base}, base, agents=AGENTS, seed=3, replicates=5)
    comp.forget("tab9")  # the tab closed
    assert other.cancelled and comp.active_jobs() == 0


def test_a_preset_with_another_horizon_is_refused_by_name():
    comp = Computer(shared_network())
    with pytest.raises(Exception, match="horizon"):
        comp.submit("tab", {"a": _short("goal1_smuggling_trafficking", 2.0)}, _short("baseline"), agents=AGENTS,
                    seed=0, replicates=1)


def test_the_exported_toml_of_a_lever_moved_twice_replays_the_pages_run(tmp_path):
    state = PageState(preset="goal2_legal_pathways", seed=4, agents=AGENTS, persons_per_mover=PERSONS_PER_MOVER)
    for move in (Move("border_enforcement", 0.95, 0), Move("border_enforcement", 0.2, 120),
                 Move("remittance_cost", 0.5, 30), Move("remittance_cost", None, 200)):
        state = state.with_move(move)
    text = export.scenario_toml(state)
    assert all(f"{k}. " in text for k in (1, 2, 3, 4))  # every move listed, in order
    path = tmp_path / "page.toml"
    path.write_text(text)
    sc = load_scenario(path)
    assert sc.persons_per_mover == PERSONS_PER_MOVER  # the server's resolution travels with the export
    pieces = sc.levers["border_enforcement"]
    assert isinstance(pieces, tuple) and [p.value for p in pieces] == [0.95, 0.2]  # both moves kept
    assert isinstance(sc.levers["remittance_cost"], LeverSetting) and sc.levers["remittance_cost"].until is not None
    replay = SilkRoutesModel(sc, agents=sc.agents, seed=sc.seed)
    replay.run()
    page, _ = simulate(scenario_of(preset(state.preset), state), AGENTS, state.seed, shared_network())
    np.testing.assert_array_equal(replay.recorder.outcomes[: sc.weeks], page.outcomes)
    only_last = copy.deepcopy(sc)
    only_last.levers["border_enforcement"] = LeverSetting("border_enforcement", 0.2)  # what the old export kept
    other = SilkRoutesModel(only_last, agents=sc.agents, seed=sc.seed)
    other.run()
    assert not np.array_equal(other.recorder.outcomes[: sc.weeks], page.outcomes)
    assert tomllib.loads(text)["scenario"]["seed"] == 4


def test_follow_hands_on_a_last_publication_that_comes_while_the_page_draws():
    job = Job("tab", {}, _short("baseline"), AGENTS, 0, 2)
    job._publish(done=False)
    seen = []

    def on_update(j):
        seen.append(j.version)
        if len(seen) == 1:
            j._publish(done=True)  # the job finishes while the page draws the previous version

    follow(job, on_update, lambda: False, poll_s=0.05)
    assert seen == [1, 2]

"""Tests of mechanism 15, living diasporas (`bp_sim.mechanisms.diasporas`).

Rule level: `update_diasporas` on a small hand-made stock (who counts, the shares and ratio by
hand, the memory, the unit of the counts), and the adapter's week 0 and switch. Model level: the
phase runs before both readers of its arrays, `living_diaspora = 0` keeps the 2020 pull, the
reference twin reads this week's values, and chain migration in paired runs (a larger diaspora
of Pakistanis in Iran in year 1 raises Iran's pull for Pakistanis and their arrivals in year 2).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from bp_sim.build import build_world
from bp_sim.mechanisms.diasporas import Diasporas, memory_weight, update_diasporas
from bp_sim.model import STEP_ORDER, SilkRoutesModel
from bp_sim.phases import WEEK, Phase, inserted
from bp_sim.reference import ReferenceModel
from bp_sim.states import N_STATES, State

from ..conftest import baseline, network
from .helpers import P, node, scalars_array

NO_MEMORY = scalars_array(diaspora_memory_weeks=0.0)
LIVING = (State.PROTECTED, State.REGULAR_RESIDENT, State.IRREGULAR_RESIDENT, State.ASYLUM_PENDING)


def small_stock() -> np.ndarray:
    """Two origins (at nodes 0 and 1) and four nodes, with people who count and people who don't."""
    s = np.zeros((2, 4, N_STATES), np.int64)
    # origin 0, abroad: 2 at node 1, 3 + 1 at node 2, 5 at node 3 (11 in all)
    s[0, 1, State.IRREGULAR_RESIDENT] = 2
    s[0, 2, State.PROTECTED] = 3
    s[0, 2, State.ASYLUM_PENDING] = 1
    s[0, 3, State.REGULAR_RESIDENT] = 5
    # ... not diaspora: passing through, held, exploited, dead
    s[0, 3, State.TRANSIT_SMUGGLED] = 7
    s[0, 1, State.TRANSIT_REGULAR] = 8
    s[0, 2, State.DETAINED] = 4
    s[0, 3, State.EXPLOITED] = 6
    s[0, 2, State.DEAD_MISSING] = 9
    # origin 0 at home: 100 + 10 + 5 + 3 + 2 = 120 (the 50 on a flight out are not at home)
    s[0, 0, State.STAYING] = 100
    s[0, 0, State.ASPIRING] = 10
    s[0, 0, State.PREPARING] = 5
    s[0, 0, State.RETURNED] = 3
    s[0, 0, State.REINTEGRATED] = 2
    s[0, 0, State.TRANSIT_REGULAR] = 50
    # origin 1: everyone at home (its node 1), no one abroad
    s[1, 1, State.STAYING] = 40
    s[1, 2, State.TRANSIT_SMUGGLED] = 3
    return s


ORIGIN_NODE = np.array([0, 1], np.int16)


def test_shares_and_ratio_equal_a_hand_computation_on_a_small_stock():
    share = np.array([[0.0, 0.1, 0.2, 0.7], [0.0, 0.0, 0.6, 0.4]])
    ratio = np.array([0.5, 0.25])
    update_diasporas(NO_MEMORY, small_stock(), ORIGIN_NODE, share, ratio)
    assert share[0].tolist() == pytest.approx([0.0, 2 / 11, 4 / 11, 5 / 11])
    assert ratio[0] == pytest.approx(11 / 120)
    # No one of origin 1 abroad: its shares stay where they were; its ratio is 0 abroad / 40 at home.
    assert share[1].tolist() == [0.0, 0.0, 0.6, 0.4]
    assert ratio[1] == 0.0


def test_the_counts_may_be_agents_or_persons():
    agents = small_stock()
    share_a, ratio_a = np.zeros((2, 4)), np.ones(2)
    share_p, ratio_p = np.zeros((2, 4)), np.ones(2)
    update_diasporas(NO_MEMORY, agents, ORIGIN_NODE, share_a, ratio_a)
    update_diasporas(NO_MEMORY, agents * 3274.3, ORIGIN_NODE, share_p, ratio_p)  # float persons
    np.testing.assert_allclose(share_p, share_a, rtol=1e-12)
    np.testing.assert_allclose(ratio_p, ratio_a, rtol=1e-12)


def test_the_memory_moves_part_of_the_way_and_keeps_shares_summing_to_one():
    p_arr = scalars_array(diaspora_memory_weeks=26.0)
    a = 1.0 - np.exp(-1.0 / 26.0)
    assert memory_weight(26.0) == pytest.approx(a) and memory_weight(0.0) == 1.0
    old = np.array([0.0, 0.5, 0.5, 0.0])
    share, ratio = np.vstack([old, old]), np.array([0.5, 0.25])
    update_diasporas(p_arr, small_stock(), ORIGIN_NODE, share, ratio)
    target = np.array([0.0, 2 / 11, 4 / 11, 5 / 11])
    np.testing.assert_allclose(share[0], old + a * (target - old))
    assert ratio[0] == pytest.approx(0.5 + a * (11 / 120 - 0.5))
    assert share[0].sum() == pytest.approx(1.0)
    for _ in range(52 * 10):  # the same stock for ten years: the memory has forgotten the start
        update_diasporas(p_arr, small_stock(), ORIGIN_NODE, share, ratio)
    np.testing.assert_allclose(share[0], target, atol=1e-6)


def test_the_adapter_waits_for_a_last_week_and_obeys_the_switch():
    def model(last, living):
        w = SimpleNamespace(origin_node=ORIGIN_NODE, network_share=np.full((2, 4), 0.25), diaspora_ratio=np.ones(2))
        p_arr = scalars_array(living_diaspora=living, diaspora_memory_weeks=0.0)
        return SimpleNamespace(world=w, p_arr=p_arr, p=p_arr[0], last=last)

    last = SimpleNamespace(stock=small_stock())
    for m in (model(None, 1.0), model(last, 0.0)):  # week 0; switched off
        Diasporas(m).step(m, 1)
        assert (m.world.network_share == 0.25).all() and (m.world.diaspora_ratio == 1.0).all()
    m = model(last, 1.0)
    Diasporas(m).step(m, 1)
    assert m.world.network_share[0].tolist() == pytest.approx([0.0, 2 / 11, 4 / 11, 5 / 11])


def test_the_phase_runs_before_both_readers_of_its_arrays():
    names = [line.split(":")[0] for line in STEP_ORDER]
    assert "diasporas" in names
    # origin_conditions reads diaspora_ratio (place aspiration), destination_appeal network_share.
    assert names.index("policy") < names.index("diasporas") < names.index("origin_conditions") < names.index(
        "destination_appeal")
    assert next(ph for ph in WEEK if ph.name == "diasporas").state is Diasporas


def test_living_diaspora_off_keeps_the_2020_pull_every_week():
    w2020, _ = build_world(network(), P)
    sc = baseline()
    sc.parameters = {**sc.parameters, "living_diaspora": 0.0}
    m = SilkRoutesModel(sc, agents=20_000, seed=7, network=network())
    for _ in range(52):
        m.step()
        assert np.array_equal(m.world.network_share, w2020.network_share)
        assert np.array_equal(m.world.diaspora_ratio, w2020.diaspora_ratio)
    on = SilkRoutesModel(baseline(), agents=20_000, seed=7, network=network())
    on.run(52)
    assert not np.array_equal(on.world.network_share, w2020.network_share)  # the default follows the people


def test_the_reference_twin_reads_this_weeks_diaspora():
    twin = ReferenceModel(baseline(), agents=1000, seed=3, network=network())
    w2020 = twin.world.network_share.copy()
    for _ in range(3):
        twin.step()
        seen = twin.week_context.w  # the snapshot its migrants read this week
        assert seen.network_share == twin.world.network_share.tolist()
        assert seen.diaspora_ratio == twin.world.diaspora_ratio.tolist()
    assert not np.array_equal(twin.world.network_share, w2020)


# ------------------------------------------------------------------ chain migration, paired runs
ORIGIN, DEST = "PAK", "IRN"  # few Pakistanis in Iran in 2020 (share ~1%), yet a steady flow there
INFLATE = 3  # year 1: the diaspora the mechanism sees there is three times the simulated one
CHAIN_AGENTS, CHAIN_SEEDS = 20_000, (1, 2, 3)  # cohorts; movers at the default persons_per_mover


def larger_diaspora_in_year_one(model, t: int) -> None:
    """Year 1: last week's stock of Pakistanis living in Iran counted three times (a test's own phase)."""
    if model.last is not None and t < 52:
        oi = int(model.world.origin_index[node(ORIGIN)])
        model.last.stock[oi, node(DEST), list(LIVING)] *= INFLATE


class LargerDiaspora(SilkRoutesModel):
    week_phases = inserted(WEEK, Phase("larger_diaspora", larger_diaspora_in_year_one), after="policy")


def chain_run(cls, seed: int, living: float = 1.0) -> dict:
    """Two years: arrivals of ORIGIN's people to stay at DEST per year, and DEST's pull for them
    (network share, destination appeal) in the first week of year 2."""
    sc = baseline()
    sc.parameters = {**sc.parameters, "living_diaspora": living}
    m = cls(sc, agents=CHAIN_AGENTS, seed=seed, network=network())
    o, d = node(ORIGIN), node(DEST)
    oi, di = int(m.world.origin_index[o]), int(m.world.dest_index[d])
    arrivals = np.zeros(2, np.int64)  # persons
    transit, living_there = [State.TRANSIT_REGULAR, State.TRANSIT_SMUGGLED], list(LIVING)
    for t in range(104):
        before = m.pop.state.copy()
        m.step()
        pop, n0 = m.pop, len(before)  # rows made this week are preparing: none of them arrived
        arrived = ((pop.origin[:n0] == o) & (pop.location[:n0] == d) & np.isin(before, transit)
                   & np.isin(pop.state[:n0], living_there))
        arrivals[t // 52] += int(pop.weight[:n0][arrived].sum())
        if t == 52:
            pull = (float(m.world.network_share[oi, d]), float(m.world.dest_appeal[oi, di]))
    return {"arrivals": arrivals, "share": pull[0], "appeal": pull[1]}


def test_more_arrivals_at_a_destination_raise_its_pull_for_the_same_origin_next_year():
    for seed in CHAIN_SEEDS:
        base, more = chain_run(SilkRoutesModel, seed), chain_run(LargerDiaspora, seed)
        assert more["share"] > 1.5 * base["share"], (seed, base, more)
        assert more["appeal"] > base["appeal"] + 0.2, (seed, base, more)  # utility units
        assert more["arrivals"][1] > base["arrivals"][1], (seed, base, more)  # year 2, same seed
    # The larger stock reaches the model only through this mechanism: switched off, nothing moves.
    off, off_more = chain_run(SilkRoutesModel, 1, living=0.0), chain_run(LargerDiaspora, 1, living=0.0)
    assert off_more["arrivals"].tolist() == off["arrivals"].tolist()
    assert off_more["share"] == off["share"] and off_more["appeal"] == off["appeal"]

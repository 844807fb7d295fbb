"""The recipe of docs/architecture.md ("A new mechanism"), followed end to end from this file.

A trivial mechanism of the test's own, debt relief: once a week, after the population phase, a
share of every living person's debt is forgiven. Its per-agent rule is a compiled kernel for the
engine and a plain function for the reference twin; its phase is one line added to the week
(`phases.inserted`). Nothing in bp_sim is edited, so this shows the recipe is enough.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit, prange

from bp_sim.model import SilkRoutesModel
from bp_sim.phases import WEEK, Phase, inserted
from bp_sim.reference import ReferenceModel
from bp_sim.states import State

FORGIVEN_SHARE = 0.5  # share of debt forgiven each week (the mechanism's one parameter)
AGENTS, WEEKS = 3_000, 20
PERSONS_PER_ROW = 2_000  # movers and people abroad: ~10,000 rows, so the twin's Mesa agents are quick


@njit(parallel=True, cache=False)
def forgive_debt(pop, w, p_arr, seed, t) -> None:
    """The engine's rule: every living person's debt falls by FORGIVEN_SHARE."""
    # The arrays are taken out of the population before the parallel loop: Numba 0.68 drops an
    # in-place update of `pop.debt[i]` written inside `prange` (measured here: nothing changed).
    debt, state = pop.debt, pop.state
    for i in prange(debt.shape[0]):
        if state[i] != State.DEAD_MISSING:
            debt[i] = debt[i] * (1.0 - FORGIVEN_SHARE)


def forgive_debt_twin(migrant, week) -> None:
    """The twin's rule, the same in plain Python on one Mesa agent."""
    if migrant.state != State.DEAD_MISSING:
        migrant.debt *= 1.0 - FORGIVEN_SHARE


def debt_relief(model, t: int) -> None:
    """Debt relief: a share of every living person's debt is forgiven (a test mechanism)."""
    model.weeks_relieved = getattr(model, "weeks_relieved", 0) + 1
    before = _debt(model)
    model.apply_agent_rule(forgive_debt, forgive_debt_twin, t)
    model.debt_before_after = (before, _debt(model))  # this week's, around the rule


WEEK_WITH_RELIEF = inserted(WEEK, Phase("debt_relief", debt_relief), after="population")  # the one line


class EngineWithRelief(SilkRoutesModel):
    week_phases = WEEK_WITH_RELIEF


class TwinWithRelief(ReferenceModel):
    week_phases = WEEK_WITH_RELIEF


def _debt(model) -> float:
    if isinstance(model, ReferenceModel):
        model.sync_population()
    return float(model.pop.debt.sum())


def _run(cls, seed: int = 3):
    model = cls("baseline", agents=AGENTS, seed=seed, check_invariants=True, persons_per_mover=PERSONS_PER_ROW)
    model.profile_phases()
    model.run(WEEKS)
    return model


def test_the_phase_is_in_the_week_where_it_was_put() -> None:
    model = EngineWithRelief("baseline", agents=AGENTS, seed=1)
    names = [line.split(":")[0] for line in model.step_order]
    assert names.index("debt_relief") == names.index("population") + 1
    assert "debt_relief: Debt relief" in model.step_order[names.index("debt_relief")]
    assert "debt_relief" not in [ph.name for ph in SilkRoutesModel.week_phases]  # the shipped week is untouched


def test_engine_and_twin_both_apply_the_rule_every_week_and_keep_the_invariants() -> None:
    for plain, relieved in ((SilkRoutesModel, EngineWithRelief), (ReferenceModel, TwinWithRelief)):
        without, with_relief = _run(plain), _run(relieved)  # invariants checked every week (check_invariants)
        assert with_relief.weeks_relieved == WEEKS
        assert set(with_relief.phase_seconds) == {ph.name for ph in WEEK_WITH_RELIEF}
        assert with_relief.phase_seconds["debt_relief"] > 0.0
        debt_without, debt_with = _debt(without), _debt(with_relief)
        assert debt_without > 0.0, plain.__name__  # people in this baseline borrow for their journeys
        assert debt_with < 0.75 * debt_without, (plain.__name__, debt_with, debt_without)
        before, after = with_relief.debt_before_after  # the last week: the rule took exactly its share
        assert before > 0.0 and after == pytest.approx((1.0 - FORGIVEN_SHARE) * before, rel=1e-5), plain.__name__


def test_a_phase_that_only_reads_leaves_every_output_bit_identical() -> None:
    """Phases share the model only through what they write: a phase that reads the population
    each week (here, a count of people in transit) changes no output by one bit."""
    seen: list[int] = []

    def count_in_transit(model, t: int) -> None:
        """Count people in transit (a test mechanism that writes nothing the model reads)."""
        seen.append(int(np.isin(model.pop.state, (State.TRANSIT_REGULAR, State.TRANSIT_SMUGGLED)).sum()))

    class Observed(SilkRoutesModel):
        week_phases = inserted(WEEK, Phase("count_in_transit", count_in_transit), after="population")

    a, b = SilkRoutesModel("baseline", agents=AGENTS, seed=5), Observed("baseline", agents=AGENTS, seed=5)
    a.run(WEEKS)
    b.run(WEEKS)
    assert len(seen) == WEEKS and max(seen) > 0
    assert np.array_equal(a.recorder.outcomes[:WEEKS], b.recorder.outcomes[:WEEKS], equal_nan=True)
    assert np.array_equal(a.pop.savings, b.pop.savings) and np.array_equal(a.pop.state, b.pop.state)

"""People back at home rejoin cohorts: a row that ends the week staying at home (a returnee
re-established without support, a mover who gave up) joins the rejoin cohort of its origin,
history and household flags and skill band, and leaves the rows, in the engine and in the twin
(`kernel.join_all` here; the weekly `join_groups` does the same for the rows a week listed)."""

from __future__ import annotations

import numpy as np
import pytest

from bp_sim import SilkRoutesModel
from bp_sim import tally as T
from bp_sim.kernel import join_all, join_cohort
from bp_sim.population import (
    REJOIN_KEY_BASE,
    REJOIN_PER_ORIGIN,
    allocate,
    rejoin_cohorts,
    rejoin_group,
)
from bp_sim.reference.model import ReferenceModel
from bp_sim.states import (
    FLAG_EMPLOYED,
    FLAG_REMIT_HOUSEHOLD,
    FLAG_RETURNEE,
    FLAG_SUPPORTED,
    State,
)

from .conftest import coarse_model, weeks_of

ORIGINS = np.array([3, 5])  # node ids of two origins (origin index 0 and 1)


def _rows(states, flags, skills, origins, weights) -> tuple:
    rows = allocate(len(states))
    rows.state[:] = states
    rows.flags[:] = flags
    rows.skill[:] = skills
    rows.origin[:] = ORIGINS[origins]
    rows.location[:] = rows.origin
    rows.weight[:] = weights
    rows.savings[:] = np.arange(len(states)) * 100.0 + 50.0
    rows.key[:] = np.arange(len(states), dtype=np.uint64) + 1000
    return rows


def _origin_index() -> np.ndarray:
    index = np.full(10, -1, np.int16)
    index[ORIGINS] = np.arange(len(ORIGINS))
    return index


def test_rejoin_groups_cover_every_origin_flag_and_band_once():
    groups = {rejoin_group(o, f, s) for o in range(2) for f in range(0, 256, 4) for s in range(256)}
    assert groups == set(range(2 * REJOIN_PER_ORIGIN))
    cohorts = rejoin_cohorts(ORIGINS, np.full(10, 20.0))
    for g in (0, 17, REJOIN_PER_ORIGIN - 1, REJOIN_PER_ORIGIN + 300):  # each cohort is the group it stands for
        c_origin = int(np.flatnonzero(cohorts.origin[g] == ORIGINS)[0])
        assert rejoin_group(c_origin, int(cohorts.flags[g]), int(cohorts.skill[g])) == g
    assert (cohorts.weight == 0).all() and (cohorts.state == State.STAYING).all()
    assert (cohorts.key == REJOIN_KEY_BASE + np.arange(len(cohorts.key), dtype=np.uint64)).all()


def test_staying_rows_join_their_cohort_and_leave_the_table_the_others_stay():
    staying, away = State.STAYING, State.REGULAR_RESIDENT
    rows = _rows(states=[staying, away, staying, State.REINTEGRATED, staying, staying],
                 flags=[FLAG_RETURNEE, 0, FLAG_RETURNEE | FLAG_EMPLOYED, FLAG_SUPPORTED, FLAG_REMIT_HOUSEHOLD,
                        FLAG_RETURNEE],
                 skills=[40, 40, 41, 40, 40, 200], origins=[0, 0, 0, 1, 1, 0], weights=[100, 100, 300, 100, 100, 100])
    before = {int(k): (int(s), int(w)) for k, s, w in zip(rows.key, rows.state, rows.weight, strict=True)}
    cohorts = rejoin_cohorts(ORIGINS, np.full(10, 20.0))
    aspiring = np.zeros(len(cohorts.state), np.int64)
    no_settled_groups = np.full((2, 10), -1, np.int32)  # permit holders stay rows here
    n = join_all(rows, len(rows.state), cohorts, aspiring, 0, allocate(1), np.zeros(1, np.int64), no_settled_groups,
                 _origin_index())
    assert n == 2  # the resident and the reintegrated stay rows
    assert sorted(before[int(k)][0] for k in rows.key[:n]) == sorted([away, State.REINTEGRATED])
    first = rejoin_group(0, FLAG_RETURNEE, 40)
    assert rejoin_group(0, FLAG_RETURNEE | FLAG_EMPLOYED, 41) == first  # employment means nothing at home
    assert cohorts.weight[first] == 400  # rows 0 and 2: same origin, history, household and band
    assert cohorts.savings[first] == pytest.approx((100 * 50.0 + 300 * 250.0) / 400)  # persons-weighted
    assert cohorts.skill[first] == round((100 * 40 + 300 * 41) / 400)
    assert cohorts.weight[rejoin_group(1, FLAG_REMIT_HOUSEHOLD, 40)] == 100
    assert cohorts.weight[rejoin_group(0, FLAG_RETURNEE, 200)] == 100  # another skill band
    assert cohorts.weight.sum() + rows.weight[:n].sum() == sum(w for _, w in before.values())


def test_the_twin_joins_a_cohort_with_the_engines_means():
    m = coarse_model(ReferenceModel, seed=1)
    c = m.cohort_rows[0]
    c.weight, c.aspiring, c.savings, c.skill, c.awareness, c.debt = 700, 300, 80.0, 100, 10, 5.0
    migrant = m.migrant_rows[0]
    migrant.weight, migrant.savings, migrant.skill, migrant.awareness, migrant.debt = 1000, 20.0, 50, 200, 0.0
    engine_cohorts = allocate(1)
    engine_cohorts.weight[0], engine_cohorts.savings[0], engine_cohorts.skill[0] = 700, 80.0, 100
    engine_cohorts.awareness[0], engine_cohorts.debt[0] = 10, 5.0
    engine_row = allocate(1)
    engine_row.weight[0], engine_row.savings[0], engine_row.skill[0], engine_row.awareness[0] = 1000, 20.0, 50, 200
    join_cohort(engine_cohorts, np.array([300]), 0, engine_row, 0)
    c.join(migrant)
    assert (c.weight, c.skill, c.awareness) == (1700, engine_cohorts.skill[0], engine_cohorts.awareness[0])
    assert c.weight == engine_cohorts.weight[0]
    assert c.savings == pytest.approx(engine_cohorts.savings[0]) and c.savings == pytest.approx(50.0)
    assert c.debt == pytest.approx(engine_cohorts.debt[0])


@pytest.mark.parametrize("engine", [SilkRoutesModel, ReferenceModel])
def test_after_a_week_no_row_stays_at_home_and_returnees_leave_again_from_their_cohorts(engine):
    m = coarse_model(engine)
    remigrated = 0
    for _ in weeks_of(m, 78):
        assert not (m.pop.state == State.STAYING).any()
        remigrated += int(m.this_week.ints[:, T.I_REMIGRATED].sum())
    n = m.n_cohorts
    rejoin = m.cohorts.rows
    held = rejoin.weight[n:] + m.cohorts.aspiring[n:]
    assert held.sum() > 0
    returnees = (rejoin.flags[n:] & FLAG_RETURNEE) != 0
    assert held[returnees].sum() > 0  # returnees re-established without support are cohorts again
    assert (rejoin.location[n:] == rejoin.origin[n:]).all()
    assert remigrated > 0  # and they leave again: counted as re-migrating (their flags go with them)

"""Permit holders abroad as settled groups (`mechanisms.settled`, `kernel.join_groups`): work,
remittances and voluntary return in persons, in the engine and the twin."""

from __future__ import annotations

import numpy as np
import pytest

from bp_sim import SilkRoutesModel
from bp_sim.mechanisms.returns import R_VOLUNTARY
from bp_sim.mechanisms.settled import let_returners_go
from bp_sim.population import allocate
from bp_sim.reference.model import ReferenceModel
from bp_sim.states import Channel, Legal, State
from bp_sim.tally import I_RETURNS_VOLUNTARY

from ..conftest import coarse_model, total, weeks_of
from .helpers import SEED, WEEK, P, ints, node, pair, return_counters, world


def _group(persons: int, employed: int, n: int = 1):
    groups = allocate(n)
    groups.state[:] = State.REGULAR_RESIDENT
    groups.legal[:] = Legal.VISA
    groups.origin[:] = node("AFG")
    groups.location[:] = node("IRN")
    groups.weight[:] = persons
    groups.key[:] = np.arange(n, dtype=np.uint64) + 7
    return groups, np.full(n, employed, np.int64), np.zeros((n, 2), np.int64)


@pytest.mark.parametrize(("persons", "ppm"), [(150, 100), (40, 100), (5_000, 100), (900, 1)])
def test_returners_leave_in_rows_of_movers_as_many_as_deciding_one_by_one(persons, ppm):
    w = world()
    d = node("IRN")
    w.return_weekly[d] = 0.3
    n = 4_000
    groups, employed, plan = _group(persons, persons // 2, n)
    counts, returns = ints(), return_counters()
    oi = w.origin_index[node("AFG")]
    gone = np.array([let_returners_go(groups, employed, plan, g, w, SEED, WEEK, oi, d, counts, returns, ppm)
                     for g in range(n)])
    assert gone.mean() == pytest.approx(0.3 * persons, rel=0.03)  # the expected number who leave
    rows = plan[:, 0] * ppm + plan[:, 1]
    assert (rows == gone).all() and (plan[:, 1] <= ppm).all()
    assert (groups.weight == persons - gone).all() and (employed >= 0).all() and (employed <= groups.weight).all()
    assert returns[oi, d, R_VOLUNTARY] == gone.sum() == counts[I_RETURNS_VOLUNTARY]
    employed_left = persons // 2 - employed
    assert employed_left.sum() == pytest.approx(gone.sum() / 2, rel=0.05)  # the employed leave as often


@pytest.mark.parametrize("engine", [SilkRoutesModel, ReferenceModel])
def test_permit_holders_are_settled_groups_and_their_returners_travel_home_as_rows(engine):
    m = coarse_model(engine)
    settled_at_start = int(m.settled.rows.weight.sum())
    assert settled_at_start > 0 and not (m.pop.state == State.REGULAR_RESIDENT).any()  # 2020's in groups
    returning = 0
    for _ in weeks_of(m, 30):
        assert not (m.pop.state == State.REGULAR_RESIDENT).any()
        returning = max(returning, int((m.pop.channel == Channel.RETURN).sum()))
    st = m.settled
    assert (st.employed <= st.rows.weight).all() and st.employed.sum() > 0.5 * st.rows.weight.sum()
    assert returning > 0  # returners on their way home as rows


def test_more_voluntary_return_of_permit_holders_means_more_returns_and_fewer_settled():
    sooner_weekly = 2 * P.return_temporary_weekly

    def leave_sooner(sc):
        sc.parameters = {**sc.parameters, "return_temporary_weekly": sooner_weekly}
        return sc

    base, sooner = pair(leave_sooner, weeks=52)
    assert sooner.settled.rows.weight.sum() < base.settled.rows.weight.sum()
    assert total(sooner, "returns_voluntary") > 1.2 * total(base, "returns_voluntary")

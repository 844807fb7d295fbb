"""Tests of mechanism 11, remittances (`bp_sim.mechanisms.remittances`): cost, channel, what arrives.

Rule-level tests of the formal share, of the weekly per-corridor factors
(`update_remittance_factors`: formal share, mean cost, volume) and of the per-row rule
`step_remit` on a tiny population in the bundled network's World (who sends, that every dollar
sent is either a fee or arrives at the origin, and that a row sends for each of its persons),
then the effect of cheaper transfers on paired model runs.
"""

import itertools

import numpy as np

from bp_sim.mechanisms.remittances import formal_share, step_remit, update_remittance_factors
from bp_sim.states import FLAG_EMPLOYED, Legal, State
from bp_sim.tally import M_REMIT_FEES, M_REMIT_FORMAL, M_REMIT_RECEIVED, M_REMIT_SENT

from ..conftest import total
from .helpers import (
    P_ARR,
    P,
    base_net_corridors,
    money,
    node,
    origin_of,
    pair,
    per_origin,
    population,
    rebuild_remittances,
    world,
)


# ------------------------------------------------------------------ rule level
def test_formal_remittances_fall_with_cost():
    shares = [formal_share(P, c) for c in (0.02, 0.05, 0.08, 0.12)]
    assert all(a > b for a, b in itertools.pairwise(shares))
    assert shares[0] > 0.9 and shares[-1] < 0.2


def test_the_corridor_factors_are_the_formal_share_the_mean_cost_and_the_volume_response():
    cost = np.array([[0.02, 0.05], [0.08, 0.12]])
    formal, mean_cost, volume = (np.full(cost.shape, np.nan) for _ in range(3))
    update_remittance_factors(P_ARR, cost, formal, mean_cost, volume)
    for (o, n), c in np.ndenumerate(cost):
        f = formal_share(P, c)
        mean = f * c + (1.0 - f) * P.informal_cost_share
        assert formal[o, n] == f and mean_cost[o, n] == mean
        assert np.isclose(volume[o, n], (P.remit_cost_reference / mean) ** P.remit_cost_elasticity, rtol=1e-14)
    assert volume[0, 0] > volume[1, 1]  # cheaper transfers: more is sent


def test_employed_migrants_send_money_home_and_every_dollar_is_a_fee_or_arrives():
    w = world()
    oi = origin_of("PAK", w)
    pop = population(3, origin=node("PAK"), location=node("ARE"), state=State.REGULAR_RESIDENT, legal=Legal.VISA,
                     income=np.array([400.0, 400.0, 400.0]), savings=np.array([5000.0, 5000.0, 3.0]),
                     flags=np.array([FLAG_EMPLOYED, 0, FLAG_EMPLOYED]))
    sums, remit_in = money(), per_origin(np.float64)
    step_remit(pop, 0, w, P, sums, remit_in)
    sent = 5000.0 - float(pop.savings[0])
    assert 0 < sent < 400.0  # a share of this week's earnings
    assert np.isclose(sums[M_REMIT_SENT], sent, rtol=1e-4)  # savings are float32
    assert np.isclose(sums[M_REMIT_FEES] + sums[M_REMIT_RECEIVED], sums[M_REMIT_SENT])
    assert 0 < sums[M_REMIT_FEES] < 0.2 * sent and 0 < sums[M_REMIT_FORMAL] < sums[M_REMIT_SENT]
    assert remit_in[oi] == sums[M_REMIT_RECEIVED] and remit_in.sum() == remit_in[oi]  # to their own origin
    before = sums.copy()
    step_remit(pop, 1, w, P, sums, remit_in)  # without a job: nothing sent
    assert pop.savings[1] == 5000.0 and (sums == before).all()
    step_remit(pop, 2, w, P, sums, remit_in)  # never more than the savings
    assert pop.savings[2] == 0.0 and np.isclose(sums[M_REMIT_SENT] - before[M_REMIT_SENT], 3.0)


def test_a_row_sends_for_each_of_its_persons():
    w = world()
    oi = origin_of("PAK", w)
    pop = population(2, origin=node("PAK"), location=node("ARE"), state=State.REGULAR_RESIDENT, legal=Legal.VISA,
                     income=400.0, savings=5000.0, flags=FLAG_EMPLOYED, weight=np.array([1, 7]))
    alone, row = (money(), per_origin(np.float64)), (money(), per_origin(np.float64))
    step_remit(pop, 0, w, P, *alone)
    step_remit(pop, 1, w, P, *row)
    assert pop.savings[0] == pop.savings[1] < 5000.0  # each person of the row sends what one person does
    assert np.allclose(row[0], 7 * alone[0]) and np.isclose(row[1][oi], 7 * alone[1][oi])


def test_a_dearer_corridor_takes_more_in_fees_and_delivers_less():
    delivered = []
    for cost in (0.03, 0.12):
        w = world()
        oi = origin_of("PAK", w)
        w.remit_cost[oi, node("ARE")] = cost
        rebuild_remittances(w)  # the week's corridor factors follow the cost
        pop = population(1, origin=node("PAK"), location=node("ARE"), state=State.REGULAR_RESIDENT,
                         legal=Legal.VISA, income=400.0, savings=5000.0, flags=FLAG_EMPLOYED)
        sums, remit_in = money(), per_origin(np.float64)
        step_remit(pop, 0, w, P, sums, remit_in)
        delivered.append((sums[M_REMIT_FEES] / sums[M_REMIT_SENT], remit_in[oi]))
    (cheap_fee, cheap_in), (dear_fee, dear_in) = delivered
    assert cheap_fee < dear_fee and cheap_in > dear_in


# ------------------------------------------------------------------ effect level
def test_cheaper_remittances_raise_what_arrives():
    def cheap(sc):
        sc.parameters = {**sc.parameters}
        cor = {}
        for r in base_net_corridors():
            cor[r] = {"remittance_cost_pct": 3.0}
        sc.corridors = cor
        return sc

    base, cheaper = pair(cheap, weeks=52)
    assert total(cheaper, "remittance_fees_usd") < total(base, "remittance_fees_usd")
    assert total(cheaper, "remittances_received_usd") > total(base, "remittances_received_usd")
    assert total(cheaper, "remittances_formal_usd") > 1.05 * total(base, "remittances_formal_usd")

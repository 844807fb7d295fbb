"""Tests of mechanism 10, work and integration at destination (`bp_sim.mechanisms.labour`).

Rule-level tests of the per-agent rule `step_work` on tiny populations in the bundled network's
World (legal access, discrimination and integration support move job finding; earnings by
status; what is earned pays living costs and debt, the rest is saved), then the effect of
integration support on employment on paired model runs.
"""

import numpy as np

from bp_sim.mechanisms.labour import step_work, work_access
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.states import FLAG_EMPLOYED, Legal, State
from bp_sim.tally import I_EMPLOYED, I_WORKFORCE

from .helpers import SEED, WEEK, P, ints, node, pair, population, scalars, world

EMPLOYMENT = OUTCOME_INDEX["migrant_employment_rate"]


# ------------------------------------------------------------------ rule level
def test_access_to_work_is_full_with_papers_and_lower_without():
    assert work_access(P, Legal.VISA) == work_access(P, Legal.NATIONAL) == 1.0
    assert work_access(P, Legal.REFUGEE) == P.job_access_refugee
    for legal in (Legal.IRREGULAR, Legal.REJECTED, Legal.ASYLUM_SEEKER):
        assert work_access(P, legal) == P.job_access_irregular
    assert P.job_access_irregular < 1.0


def job_seekers(n, legal=Legal.VISA, place="DEU"):
    return population(n, state=State.REGULAR_RESIDENT, legal=legal, origin=node("AFG"), location=node(place),
                      skill=128, income=77.0, savings=10.0)


def found_jobs(w, p, legal=Legal.VISA, n=3000):
    pop, counts = job_seekers(n, legal), ints()
    for i in range(n):
        step_work(pop, i, w, p, SEED, WEEK, counts)
    employed = (pop.flags & FLAG_EMPLOYED) > 0
    assert counts[I_WORKFORCE] == n and counts[I_EMPLOYED] == employed.sum()
    assert (pop.income[~employed] == 0).all() and (pop.savings[~employed] == 10.0).all()  # no job, no earnings
    return employed


def test_job_finding_falls_with_discrimination_and_status_and_rises_with_integration_support():
    p = scalars(job_find_weekly=0.4)
    w = world(p)
    deu = node("DEU")
    w.unemployment[deu] = 0.0
    base = found_jobs(w, p)
    assert abs(base.mean() - 0.4) < 0.03
    irregular = found_jobs(w, p, Legal.IRREGULAR)
    assert irregular.sum() < base.sum() and base[irregular].all()  # the same draws: a subset
    w.discrimination[deu] = 0.5
    hostile = found_jobs(w, p)
    assert abs(hostile.mean() - 0.2) < 0.03 and base[hostile].all()
    w.discrimination[deu] = 0.0
    w.integration_support[deu] = 1.0
    supported = found_jobs(w, p)
    assert supported.sum() > base.sum() and supported[base].all()


def test_earnings_pay_living_costs_and_debt_and_the_rest_is_saved():
    p = scalars(job_loss_weekly=0.0)
    w = world(p)
    pop = job_seekers(3)
    pop.flags[:] = FLAG_EMPLOYED
    pop.legal[1] = Legal.IRREGULAR
    pop.debt[:] = [0.0, 0.0, 1e6]
    counts = ints()
    for i in range(3):
        step_work(pop, i, w, p, SEED, WEEK, counts)
    assert counts[I_EMPLOYED] == 3 and (pop.flags & FLAG_EMPLOYED).all()
    wage = pop.income.astype(float)
    assert wage[0] > 0 and np.isclose(wage[1], wage[0] * p.irregular_wage_factor, rtol=1e-6)
    spare = wage * (1.0 - p.living_cost_share)
    assert np.isclose(pop.savings[0], 10.0 + spare[0], rtol=1e-6)  # no debt: all the spare is saved
    repaid = spare[2] * p.debt_repay_share
    assert np.isclose(pop.debt[2], 1e6 - repaid, rtol=1e-6)
    assert np.isclose(pop.savings[2], 10.0 + spare[2] - repaid, rtol=1e-6)


def test_jobs_are_lost_at_the_weekly_rate():
    p = scalars(job_loss_weekly=0.25)
    w = world(p)
    n = 3000
    pop, counts = job_seekers(n), ints()
    pop.flags[:] = FLAG_EMPLOYED
    for i in range(n):
        step_work(pop, i, w, p, SEED, WEEK, counts)
    lost = (pop.flags & FLAG_EMPLOYED) == 0
    assert abs(lost.mean() - 0.25) < 0.03 and counts[I_EMPLOYED] == n - lost.sum()


# ------------------------------------------------------------------ effect level
def test_integration_support_raises_employment():
    def support(sc):
        sc.nodes = {d: {"integration_support": 1.0, "anti_discrimination": 1.0}
                    for d in ("DEU", "AUT", "FRA", "ITA", "SWE", "GBR", "GRC", "TUR", "IRN", "PAK")}
        return sc

    base, more = pair(support, weeks=52)
    assert np.nanmean(more.recorder.outcomes[:, EMPLOYMENT]) > np.nanmean(base.recorder.outcomes[:, EMPLOYMENT]) + 0.01

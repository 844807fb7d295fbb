"""Tests of mechanism 8, asylum (`bp_sim.mechanisms.asylum`): the claim queue and decisions.

The template of a mechanism's test file: rule-level tests first, calling the module's Numba
functions directly (the weekly aggregate `decision_chances` on a small hand-made queue, the
per-agent rule `step_pending` on a tiny population in the bundled network's World, see
`helpers`), then effect-direction tests on paired model runs (same seed, one setting changed).
"""

import numpy as np

from bp_sim.mechanisms.asylum import decision_chances, step_pending
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.states import Legal, State
from bp_sim.tally import I_DECISIONS, I_RECOGNISED, I_WAIT_WEEKS_DECIDED
from bp_sim.world import WAIT_BUCKETS

from ..conftest import baseline, run
from .helpers import AGENTS, SEED, WEEK, P, ints, node, origin_of, population, world

BACKLOG = OUTCOME_INDEX["asylum_backlog"]
WAIT = OUTCOME_INDEX["mean_asylum_wait_weeks"]


# ------------------------------------------------------------------ rule level
def test_asylum_queue_is_first_in_first_out_within_capacity():
    pending = np.zeros((1, 20))
    pending[0, 10] = 5  # the oldest claims
    pending[0, 6] = 10
    pending[0, 2] = 10  # too young to decide (min 4 weeks)
    chances = decision_chances(pending, np.array([10.0]), 4)
    assert chances[0, 10] == 1.0  # all the oldest decided
    assert np.isclose(chances[0, 6], 0.5)  # the rest of capacity shared by the next
    assert chances[0, 2] == 0.0
    assert np.isclose((chances * pending).sum(), 10.0)  # exactly the capacity


def claimants(n, waited):
    """n asylum seekers from Afghanistan waiting in Germany for `waited` weeks."""
    return population(n, state=State.ASYLUM_PENDING, legal=Legal.ASYLUM_SEEKER, origin=node("AFG"),
                      location=node("DEU"), time_in_state=waited)


def test_a_decided_claim_is_recognised_or_rejected_by_the_recognition_rate():
    w = world()
    a, oi, deu = w.asylum_index[node("DEU")], origin_of("AFG", w), node("DEU")
    w.decide_prob[a, :] = 1.0
    for rate, state, legal in ((1.0, State.PROTECTED, Legal.REFUGEE), (0.0, State.IRREGULAR_RESIDENT, Legal.REJECTED)):
        w.recognition[oi, deu] = rate
        pop, counts, pending = claimants(50, np.arange(50) % 30), ints(), np.zeros(w.decide_prob.shape, np.int64)
        waited = int(pop.time_in_state.sum())
        for i in range(50):
            step_pending(pop, i, w, P, SEED, WEEK, counts, pending)
        assert (pop.state == state).all() and (pop.legal == legal).all()
        assert counts[I_DECISIONS] == 50 and counts[I_RECOGNISED] == (50 if rate else 0)
        assert counts[I_WAIT_WEEKS_DECIDED] == waited
        assert pending.sum() == 0  # decided claims leave the queue


def test_undecided_claims_wait_and_join_next_weeks_queue_one_week_older():
    w = world()
    a = w.asylum_index[node("DEU")]
    w.decide_prob[a, :] = 0.0
    waited = np.array([0, 3, 3, 40, WAIT_BUCKETS + 10])  # the last bucket holds the longest waits
    pop, counts, pending = claimants(5, waited), ints(), np.zeros(w.decide_prob.shape, np.int64)
    pop.income[:] = 99.0
    for i in range(5):
        step_pending(pop, i, w, P, SEED, WEEK, counts, pending)
    assert (pop.state == State.ASYLUM_PENDING).all() and (pop.income == 0).all()  # no earnings while waiting
    assert not counts.any()  # nothing decided: no counter moves (the queue is `pending`)
    expected = np.zeros(WAIT_BUCKETS, np.int64)
    expected[[1, 4, 41, WAIT_BUCKETS - 1]] = [1, 2, 1, 1]
    assert (pending[a] == expected).all() and pending.sum() == 5


# ------------------------------------------------------------------ effect level
def test_asylum_capacity_lowers_backlog_and_waiting():
    def scarce(sc):
        sc.parameters = {**sc.parameters, "asylum_capacity_weekly_total": 1000.0}
        return sc

    def ample(sc):
        sc.parameters = {**sc.parameters, "asylum_capacity_weekly_total": 10000.0}
        return sc

    base = run(scarce(baseline()), agents=AGENTS, weeks=104, seed=3)
    more = run(ample(baseline()), agents=AGENTS, weeks=104, seed=3)
    last = more.recorder.steps_done - 1
    assert more.recorder.outcomes[last, BACKLOG] < 0.8 * base.recorder.outcomes[last, BACKLOG]
    assert np.nanmean(more.recorder.outcomes[52:last, WAIT]) < np.nanmean(base.recorder.outcomes[52:last, WAIT])

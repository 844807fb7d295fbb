import numpy as np

from bp_sim import SilkRoutesModel
from bp_sim.population import Population, apportion, bytes_per_agent
from bp_sim.states import State


def test_initial_attributes_are_drawn_for_every_agent():
    m = SilkRoutesModel(agents=30_000, seed=4)
    cohorts = m.cohorts.rows
    home = Population(*(a[: m.n_cohorts] for a in cohorts))
    assert (cohorts.weight[m.n_cohorts:] == 0).all()  # the rejoin cohorts start empty
    for pop in (m.pop, home):
        assert 0.45 < pop.skill.mean() / 255 < 0.55 and pop.skill.std() > 20
        assert 0.3 < pop.awareness.mean() / 255 < 0.5
        assert (pop.savings > 0).mean() > 0.99
    pop = m.pop
    assert 0.3 < pop.awareness.mean() / 255 < 0.5
    assert (pop.savings > 0).mean() > 0.99
    abroad = np.isin(pop.state, [State.REGULAR_RESIDENT, State.PROTECTED, State.IRREGULAR_RESIDENT])
    assert 0.6 < (pop.flags[abroad] & 1).mean() < 0.8  # init_employed_share 0.7
    assert pop.time_in_state[pop.state == State.ASYLUM_PENDING].max() > 20


def test_population_matches_the_data_in_proportion():
    m = SilkRoutesModel(agents=50_000, seed=1)
    afg = m.net.node_id["AFG"]
    cohorts = m.cohorts.rows
    at_home = cohorts.weight[cohorts.origin == afg].sum()
    assert abs(at_home / 42.6e6 - 1) < 0.001  # F056: whole persons in the cohorts
    assert (m.pop.location != m.pop.origin).all()  # no row at home at the start: home is the cohorts
    irn = m.net.node_id["IRN"]
    afghans_in_iran = m.pop.weight[(m.pop.origin == afg) & (m.pop.location == irn)].sum()
    assert abs(afghans_in_iran / 2_710_601 - 1) < 0.001  # F001
    rows_abroad = (m.pop.location == irn) & (m.pop.origin == afg)
    assert abs(m.pop.weight[rows_abroad].mean() / m.persons_per_agent_abroad - 1) < 0.01  # the resolution asked for


def test_rows_grow_between_weeks_by_doubling_and_keep_their_keys():
    m = SilkRoutesModel(agents=5_000, seed=2, persons_per_mover=20)
    first = {int(k): (int(o), int(s)) for k, o, s in zip(m.pop.key, m.pop.origin, m.pop.skill, strict=True)}
    capacities = set()
    for _ in range(60):
        m.step()
        capacities.add(m.rows.capacity)
    assert m.rows.n > len(first)
    keys = m.pop.key.tolist()
    assert len(set(keys)) == len(keys)
    kept = [j for j, k in enumerate(keys) if k in first]
    assert len(kept) > 0.5 * len(first)
    # A row keeps its key and attributes wherever it moves in the table (rows move only when one
    # before them rejoins a cohort: `kernel.rejoin_home`).
    assert all(first[keys[j]] == (m.pop.origin[j], m.pop.skill[j]) for j in kept)
    assert len(capacities) == m.rows.grown + 1 <= 8  # a few reallocations, not one a week
    is_new = np.array([k not in first for k in keys])
    new = m.pop.weight[is_new]
    assert ((new == 20) | (m.pop.state[is_new] == State.DEAD_MISSING) | (new < 20)).all()
    assert (new <= 20).all() and (new[new > 0] == 20).mean() > 0.99  # movers of 20 (fewer only by deaths)


def test_apportion_is_exact_and_proportional():
    counts = apportion(np.array([1.0, 2.0, 3.0, 0.5]), 1000)
    assert counts.sum() == 1000 and abs(counts[2] / counts[0] - 3) < 0.02


def test_state_is_compact():
    assert bytes_per_agent() <= 64

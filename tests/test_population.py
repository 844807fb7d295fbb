import numpy as np

from bp_sim import SilkRoutesModel
from bp_sim.population import apportion, bytes_per_agent
from bp_sim.states import State


def test_initial_attributes_are_drawn_for_every_agent():
    m = SilkRoutesModel(agents=30_000, seed=4)
    pop = m.pop
    assert 0.45 < pop.skill.mean() / 255 < 0.55 and pop.skill.std() > 20
    assert 0.3 < pop.awareness.mean() / 255 < 0.5
    assert (pop.savings > 0).mean() > 0.99
    abroad = np.isin(pop.state, [State.REGULAR_RESIDENT, State.PROTECTED, State.IRREGULAR_RESIDENT])
    assert 0.6 < (pop.flags[abroad] & 1).mean() < 0.8  # init_employed_share 0.7
    assert pop.time_in_state[pop.state == State.ASYLUM_PENDING].max() > 20


def test_population_matches_the_data_in_proportion():
    m = SilkRoutesModel(agents=50_000, seed=1)
    afg = m.net.node_id["AFG"]
    at_home = ((m.pop.origin == afg) & (m.pop.location == afg)).sum() * m.persons_per_agent
    assert abs(at_home / 42.6e6 - 1) < 0.02  # F056
    irn = m.net.node_id["IRN"]
    afghans_in_iran = ((m.pop.origin == afg) & (m.pop.location == irn)).sum() * m.persons_per_agent
    assert abs(afghans_in_iran / 2_710_601 - 1) < 0.05  # F001


def test_apportion_is_exact_and_proportional():
    counts = apportion(np.array([1.0, 2.0, 3.0, 0.5]), 1000)
    assert counts.sum() == 1000 and abs(counts[2] / counts[0] - 3) < 0.02


def test_state_is_compact():
    assert bytes_per_agent() <= 64

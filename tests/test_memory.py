"""Memory: state arrays are sized once; a week allocates nothing that outlives it."""

import tracemalloc

from bp_sim import SilkRoutesModel
from bp_sim.population import POP_DTYPES, bytes_per_agent
from tests.conftest import baseline, network

AGENTS = 20_000


def test_state_bytes_per_agent_within_budget():
    model = SilkRoutesModel(baseline(), agents=AGENTS, seed=1, network=network())
    assert bytes_per_agent() <= 64
    rows = len(model.pop.state) + len(model.cohorts.rows.state)
    assert sum(getattr(model.pop, name).nbytes + getattr(model.cohorts.rows, name).nbytes
               for name in POP_DTYPES) == rows * bytes_per_agent()


def test_no_memory_growth_from_week_to_week():
    model = SilkRoutesModel(baseline(), agents=AGENTS, seed=1, network=network())
    model.run(4)  # compile and warm up
    tracemalloc.start()
    try:
        model.run(2)
        before = tracemalloc.get_traced_memory()[0]
        model.run(40)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # Outputs are preallocated for the whole horizon, so 40 more weeks add (almost) nothing:
    # far less than one byte per agent per week.
    assert grown < AGENTS * 40 // 10, f"memory grew by {grown} bytes over 40 weeks"


def test_a_model_is_freed_once_nothing_refers_to_it():
    # Mesa 3.3.1 kept every model alive through Agent._ids (mesa/mesa#3179): a server or worker
    # running model after model grew by a whole model each run
    import gc
    import weakref

    from bp_sim.model import SilkRoutesModel
    from bp_sim.reference.model import ReferenceModel

    for kind in (SilkRoutesModel, ReferenceModel):
        model = kind("baseline", agents=500, seed=1)
        model.step()
        ref = weakref.ref(model)
        del model
        gc.collect()
        assert ref() is None, kind.__name__

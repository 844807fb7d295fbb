import json
import os
import subprocess
import sys

import numpy as np

CODE = "import json; from bp_sim.regression import summary; print(json.dumps(summary()['totals']))"


def _totals(threads: int) -> dict:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", CODE], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_same_seed_same_outputs_with_one_or_two_threads():
    assert _totals(1) == _totals(2)


def test_chunk_rows_are_summed_in_chunk_order_for_every_field_and_then_zeroed():
    """`tally.collect` (and the kernel's own summing) must cover every Tally field, add rows in
    chunk order exactly as NumPy does, and leave the rows zeroed for next week."""
    from bp_sim import tally as T

    t = T.new_tally(7, 5, 40, 14, 90, 10, 30)
    rng = np.random.default_rng(0)
    for arr in t:
        arr[:] = rng.integers(0, 1000, arr.shape) if arr.dtype.kind == "i" else rng.random(arr.shape) * 1e6
    expected = [arr.sum(axis=0) for arr in t]
    got = T.collect(t)
    for name, want, have, rows in zip(T.Tally._fields, expected, got, t, strict=True):
        assert np.array_equal(want, have), name  # bit-identical, floats included
        assert not rows.any(), name

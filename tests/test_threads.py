import json
import os
import subprocess
import sys

CODE = "import json; from bp_sim.regression import summary; print(json.dumps(summary()['totals']))"


def _totals(threads: int) -> dict:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", CODE], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_same_seed_same_outputs_with_one_or_two_threads():
    assert _totals(1) == _totals(2)

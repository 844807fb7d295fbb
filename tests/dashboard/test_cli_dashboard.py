"""`bp-sim dashboard`: bad options stop with one line and exit 2 before any server starts."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(("args", "words"), [(["--agents", "50"], "--agents: got 50"),
                                             (["--port", "70000"], "--port: got 70000"),
                                             (["--port", "x"], "argument --port")])
def test_bad_options_exit_2_with_one_line(args, words):
    r = subprocess.run([sys.executable, "-m", "bp_sim.cli", "dashboard", *args], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr and "Traceback" not in r.stderr

"""The first run on a fresh machine: the engine is compiled once, in the driver, and said to be.

`bp-sim compare --jobs 2` used to compile the same kernels in both worker processes at once, in
silence. Now the driver compiles them (or loads them) first, announcing a compile, and the
workers load them from Numba's cache. Numba reports each cache file it writes or reads when
NUMBA_DEBUG_CACHE=1, which is how these tests see which process compiled what.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

from bp_sim.warmup import ROOMY_FRAME_SLOTS, _call, engine_cached, warm_up_engine

GUARD_S = 900  # last-resort deadline for a subprocess (a cold compile takes 1-4 minutes; not a measure)
CACHED = "from bp_sim.warmup import engine_cached; print(engine_cached())"
KERNEL_FILE = "kernel.advance_rows-"  # the population kernel's cache files start so


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env), capture_output=True, text=True,
                          timeout=GUARD_S, check=True)


def test_an_empty_cache_is_cold_and_the_cache_this_session_filled_is_warm(tmp_path):
    assert _python(CACHED, NUMBA_CACHE_DIR=str(tmp_path)).stdout.split() == ["False"]
    warm_up_engine(stream=io.StringIO())  # compiled (or loaded) into this session's cache
    assert engine_cached()
    assert _python(CACHED).stdout.split() == ["True"]  # another process finds it there
    quiet = _python("from bp_sim.warmup import warm_up_engine; warm_up_engine()")
    assert quiet.stderr == ""  # loading is not announced


def test_a_cold_warm_up_says_so_before_and_after_unless_quiet(monkeypatch, capsys):
    from bp_sim import warmup

    warm_up_engine(stream=io.StringIO())
    monkeypatch.setattr(warmup, "engine_cached", lambda: False)  # as on a fresh machine
    said = io.StringIO()
    seconds = warm_up_engine(stream=said, who="bp-sim test")
    lines = said.getvalue().splitlines()
    assert lines[0] == f"bp-sim test: compiling the engine, once, {warmup.COLD_COMPILE_ESTIMATE} (cached for later runs)"
    assert lines[1] == f"bp-sim test: engine compiled in {seconds:.0f} s" and len(lines) == 2
    capsys.readouterr()
    warm_up_engine(stream=None)  # quiet: not even on stderr
    assert capsys.readouterr() == ("", "")


def test_the_compile_runs_in_one_roomy_frame():
    assert _call.__code__.co_stacksize >= ROOMY_FRAME_SLOTS  # see warmup.py: CPython's frame chunks
    assert _call(lambda: 42) == 42


def test_compare_compiles_once_in_the_driver_and_its_workers_only_load(tmp_path):
    """A fresh cache: the driver announces and does the one compile; then the two workers run
    with what it saved, writing nothing to the cache; a second compare compiles nothing."""
    cmd = [sys.executable, "-m", "bp_sim.cli", "compare", "baseline", "package_enforcement_legal", "--reps", "2",
           "--jobs", "2", "--agents", "500", "--years", "0.1"]
    # One unbuffered stream, so lines from the driver and its workers come in the order written.
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), NUMBA_DEBUG_CACHE="1", PYTHONUNBUFFERED="1")

    def compare(out: str) -> list[str]:
        r = subprocess.run([*cmd, "--out", str(tmp_path / out)], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=GUARD_S)
        assert r.returncode == 0, r.stdout[-3000:]
        assert (tmp_path / out / "summary.csv").is_file()
        return r.stdout.splitlines()

    lines = compare("first")
    said = [k for k, line in enumerate(lines) if "compiling the engine, once" in line]
    done = [k for k, line in enumerate(lines) if "engine compiled in" in line]
    assert len(said) == 1 and len(done) == 1 and said[0] < done[0], lines[:5]
    before, after = lines[: done[0]], lines[done[0]:]
    assert any("data saved" in line and KERNEL_FILE in line for line in before)  # the driver compiled it
    assert not [line for line in after if "data saved" in line]  # no worker compiled anything
    assert any("data loaded" in line and KERNEL_FILE in line for line in after)  # the workers loaded it

    again = compare("second")
    assert not [line for line in again if "compiling the engine" in line or "data saved" in line]

"""A stop whose KeyboardInterrupt Python dropped (raised in a finaliser) still ends a compare, quietly."""

from __future__ import annotations

import signal
import sys

import pytest

from bp_sim import stopping
from bp_sim.compare import run_replicates

from .conftest import baseline


def test_a_dropped_stop_ends_a_compare_after_the_run_in_hand():
    sc = baseline(years=4 / 52, persons_per_mover=10_000)  # rows of 10,000 persons: a tiny run
    done: list[int] = []
    stopping.request(signal.SIGINT)  # Ctrl-C was received, its exception lost
    try:
        with pytest.raises(KeyboardInterrupt):
            run_replicates([sc], reps=3, agents=200, seed=0, jobs=1, progress=lambda n, total: done.append(n))
    finally:
        stopping.clear()
    assert done == [1]  # the first run ended, no other started
    assert len(run_replicates([sc], reps=2, agents=200, seed=0, jobs=1)) == 2  # once cleared, it runs on


class _RaisesOnDelete:
    def __del__(self) -> None:
        raise KeyboardInterrupt  # as when Ctrl-C lands while the garbage collector runs a finaliser


def _drop_a_stop() -> None:
    _RaisesOnDelete()  # deleted at once: the exception is "unraisable", Python reports and drops it


def test_a_recorded_stop_dropped_in_a_finaliser_prints_no_traceback(capsys):
    stopping.request(signal.SIGINT)
    try:
        with stopping.quiet_dropped_stops():
            _drop_a_stop()
    finally:
        stopping.clear()
    assert capsys.readouterr().err == ""


class _RaisesValueError:
    def __del__(self) -> None:
        raise ValueError("a real bug in a finaliser")


def test_other_dropped_exceptions_and_unrecorded_stops_are_still_reported():
    seen = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(type(u.exc_value))  # what was there before the block
    try:
        with stopping.quiet_dropped_stops():
            _drop_a_stop()  # no stop recorded: not ours to hide
            stopping.request(signal.SIGINT)
            try:
                _RaisesValueError()  # a stop recorded, but this is no stop
            finally:
                stopping.clear()
        restored = sys.unraisablehook
    finally:
        sys.unraisablehook = previous
    assert seen == [KeyboardInterrupt, ValueError]
    assert restored.__name__ == "<lambda>"  # the hook before the block is back after it

"""Stop requests (Ctrl-C, SIGTERM, SIGHUP) that are not lost when their KeyboardInterrupt is.

Python raises a signal's exception wherever the main thread happens to be, and when that is a
finaliser or a weakref callback (run by the garbage collector at any point), the exception is
printed as "Exception ignored" and dropped: the command goes on as if never stopped. The CLI's
handlers therefore also record the signal here, and long loops (a sweep's and a compare's results) call
`raise_if_requested` between steps, so that a stop is honoured at the next step at the latest.
While a command runs, `quiet_dropped_stops` keeps such a dropped stop from printing its
"Exception ignored ... Traceback" (the stop itself is not lost: it is recorded here).
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator

_requested: list[int] = []  # the signals received, in order


def request(signum: int) -> None:
    """Record that signal `signum` asked the command to stop."""
    _requested.append(signum)


def clear() -> None:
    """Forget earlier requests (a new command starts)."""
    _requested.clear()


def requested() -> int | None:
    """The last signal that asked the command to stop, or None."""
    return _requested[-1] if _requested else None


def raise_if_requested() -> None:
    """Raise KeyboardInterrupt if a stop was requested (its first exception may have been dropped)."""
    if _requested:
        raise KeyboardInterrupt(signal.Signals(_requested[-1]).name)


@contextlib.contextmanager
def quiet_dropped_stops() -> Iterator[None]:
    """Within the block, a stop's exception that Python drops (raised in a finaliser, "unraisable")
    prints nothing once the stop is recorded; every other unraisable exception is printed as before."""
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if _requested and isinstance(unraisable.exc_value, KeyboardInterrupt):  # the CLI's stops are all one
            return  # recorded by the signal handler: honoured at the next step (`raise_if_requested`)
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous

"""Progress of a sweep on stderr: runs done and failed, rate, time left.

On a terminal the line is rewritten in place; into a log file a line is written every
`log_every` seconds, so a batch job's log stays short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Counts finished runs of this session and shows the rate and time left."""

    def __init__(self, total: int, already: int, stream: TextIO | None = None, log_every: float = 30.0) -> None:
        self.total = total  # runs in the whole sweep
        self.already = already  # done in earlier sessions
        self.done = 0
        self.failed = 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.log_every = log_every
        self.start = time.perf_counter()
        self._last = 0.0

    @property
    def rate_per_min(self) -> float:
        elapsed = time.perf_counter() - self.start
        return 60.0 * (self.done + self.failed) / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        finished = self.done + self.failed
        left = self.total - self.already - finished
        rate = self.rate_per_min
        eta = _duration(60.0 * left / rate) if rate > 0 else "?"
        before = f" ({self.already} from before)" if self.already else ""
        return (f"runs {self.already + self.done}/{self.total} done{before}, {self.failed} failed, "
                f"{rate:.1f} runs/min, about {eta} left")

    def update(self, ok: bool) -> None:
        if ok:
            self.done += 1
        else:
            self.failed += 1
        now = time.perf_counter()
        last = self.done + self.failed + self.already == self.total
        if self.tty and (now - self._last > 0.2 or last):
            self.stream.write("\r  " + self.line() + "   ")
            self.stream.flush()
            self._last = now
        elif not self.tty and (now - self._last > self.log_every or last):
            self.stream.write("  " + self.line() + "\n")
            self.stream.flush()
            self._last = now

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

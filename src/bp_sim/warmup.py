"""Compile the engine once (or load it from Numba's cache) before the real work, saying so.

On a fresh checkout, and after any edit to compiled code (the cache folder is keyed by the
package's source, see `_numba_cache`), the first model run compiles the kernels: half a minute
to a minute and a half of silence. Commands call `warm_up_engine` first, so that a cold compile
is announced and timed, and so that the worker processes they start afterwards load the kernels
from the cache instead of each compiling them at the same time (two compiles on two cores took
longer than four one after the other: 144 s for the README's main job, against 5 s warm).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO, TypeVar

if TYPE_CHECKING:
    from bp_sim.network import Network
    from bp_sim.scenario import Scenario

T = TypeVar("T")

# Cold compile of the kernels in one process on 2-core development machines (Numba 0.68, CPython
# 3.11): 30-35 s idle before the two resolutions (issue 13), about 50 s beside a busy process; 213 s
# on a 2.7 times slower machine with the kernels of issue 13 (2026-12-01); about 5 min 20 s on
# another (2026-12-02, transit inlined in the row pass: +25 s). An estimate for the user.
COLD_COMPILE_ESTIMATE = "1 to 6 minutes"
WARM_UP_AGENTS = 200  # the smallest population; the compiled code does not depend on its size
WARM_UP_WEEKS = 3  # week 0: no one aspires yet, no diaspora update; by week 2 cohorts let movers go (spawn_movers)
WARM_UP_PERSONS_PER_MOVER = 1000  # a few hundred rows abroad; the compiled code does not depend on it

# CPython 3.11 and 3.12 keep Python frames in 16 KiB chunks and unmap a chunk as soon as its
# first frame returns, so a deep recursion that keeps crossing one chunk boundary maps and
# unmaps it each time (CPython gh-142183, fixed in 3.13 and 3.14). Numba's compiler does this:
# 2 million mmap/munmap calls, 12-18 s of system time in a 50-60 s compile, depending on the
# call depth the compile starts at. Started from a frame just over 1 MiB, whose chunk is then
# 2 MiB, the whole compile fits in one chunk: 0.2 s of system time, 30 s in all (measured).
ROOMY_FRAME_SLOTS = (1 << 20) // 8 + 64  # pointer-sized stack slots: just over 1 MiB


def _call(fn: Callable[[], T]) -> T:
    return fn()


with contextlib.suppress(AttributeError, TypeError, ValueError):  # not CPython: `_call` stays as it is
    # A larger declared stack only makes the frame of `_call` larger, never changes what it does.
    _call.__code__ = _call.__code__.replace(co_stacksize=ROOMY_FRAME_SLOTS)


def engine_cached() -> bool:
    """Whether the population kernel is compiled in this process or in Numba's cache for this
    machine and this source (then a warm-up only loads it, in a second or two).

    Reads Numba's cache index for the kernel (Numba internals: if they change, this says False,
    and the only effect is a note that compiling may take a while)."""
    from bp_sim.kernel import advance_rows as kernel

    if kernel.signatures:
        return True
    try:
        cache = kernel._cache
        wanted = cache._index_key(None, kernel.targetctx.codegen())[1:]  # this CPU, this code
        return any(key[1:] == wanted for key in cache._cache_file._load_index())
    except Exception:
        return False


def warm_up_engine(scenario: Scenario | None = None, *, network: Network | None = None,
                   stream: TextIO | None = sys.stderr, who: str = "bp-sim") -> float:
    """Compile (or load) every kernel a run uses by running a tiny model for `WARM_UP_WEEKS` weeks.

    When the cache is cold, says so on `stream` (None: quietly) before and after. Returns the
    seconds it took."""
    from bp_sim.model import SilkRoutesModel

    cold = not engine_cached()
    if cold and stream is not None:
        stream.write(f"{who}: compiling the engine, once, {COLD_COMPILE_ESTIMATE} (cached for later runs)\n")
        stream.flush()
    t0 = time.perf_counter()
    _call(lambda: SilkRoutesModel(scenario, agents=WARM_UP_AGENTS, seed=0, network=network,
                                  persons_per_mover=WARM_UP_PERSONS_PER_MOVER).run(WARM_UP_WEEKS))
    seconds = time.perf_counter() - t0
    if cold and stream is not None:
        stream.write(f"{who}: engine compiled in {seconds:.0f} s\n")
        stream.flush()
    return seconds

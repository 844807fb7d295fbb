"""How much memory a run needs, whether this machine has it (before anything is allocated), and
handing freed memory back (`release_memory`).

A population too large for the machine would otherwise end in NumPy's MemoryError (or the
kernel's OOM killer) after seconds of set-up; instead the run is refused at once, with the
estimate and what the machine has.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
from pathlib import Path

from bp_sim.errors import InputError

# Measured peak resident memory (`ru_maxrss`) after building a model and running two weeks,
# above the imported package: 43 B/agent at 4M agents, 31 B/agent at 10M (state is 30 B/agent,
# plus the start-up temporaries). Rounded up so the estimate errs on the safe side.
BYTES_PER_AGENT = 48
# The reference twin keeps one Mesa agent (a Python object) per person besides the arrays:
# 2,568 B/agent measured at 100k agents after one week.
BYTES_PER_AGENT_BY_ENGINE = {"numba": BYTES_PER_AGENT, "reference": 3_000}
GROWTH_FACTOR = 2  # growing arrays double their capacity: up to twice the rows in use
BASE_BYTES = 400 * 2**20  # Python, NumPy, Numba and the compiled kernels: ~212 MB measured, doubled
# Recorder per week: stocks (origins x nodes x states) and edge counters, int64 (40 kB at 40 nodes,
# 7 origins, 14 states, 96 legs); the output tables built from it at the end take about as much again.
RECORD_FACTOR = 2


def recorded_bytes_per_week(n_origins: int, n_nodes: int, n_states: int, n_edges: int, n_edge_fields: int) -> int:
    return 8 * (n_origins * n_nodes * n_states + n_edges * (n_edge_fields + 1) + 64)


def run_bytes(n_agents: int, weeks: int, per_week: int, per_agent: int = BYTES_PER_AGENT) -> int:
    """Estimated peak memory of one run, bytes."""
    return BASE_BYTES + per_agent * n_agents + RECORD_FACTOR * per_week * weeks


def available_bytes() -> int | None:
    """Memory this process may still use: MemAvailable, capped by a cgroup limit (None: unknown)."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            found.append(int(limit) - used)
    except (OSError, ValueError):
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return None
    return max(0, min(found))


def check_fits(key: str, n_agents: int, weeks: int, per_week: int, processes: int = 1,
               available: int | None = None, engine: str = "numba", rows: int | None = None) -> None:
    """Refuse a run (or `processes` runs at once) that would not fit in this machine's memory.

    `rows`: the rows the run holds at its end (cohorts, people abroad and movers), when known;
    the arrays may hold up to twice that while they grow (capacity doubling), counted here."""
    free = available_bytes() if available is None else available
    if free is None:
        return
    per_agent = BYTES_PER_AGENT_BY_ENGINE.get(engine, BYTES_PER_AGENT)
    count = n_agents if rows is None else max(n_agents, GROWTH_FACTOR * rows)
    need = processes * run_bytes(count, weeks, per_week, per_agent)
    if need <= free:
        return
    room = free // processes - BASE_BYTES - RECORD_FACTOR * per_week * weeks
    most = max(0, room // per_agent)
    each = f" each, {processes} runs at once," if processes > 1 else ""
    what = f"{n_agents:,} agents" if rows is None else f"{n_agents:,} cohorts (about {rows:,} rows by the end)"
    raise InputError(key, n_agents, f"at most about {most:,} rows{each} on this machine: {what} for {weeks} "
                     f"weeks need about {need / 2**30:.1f} GiB{' in all' if processes > 1 else ''}, "
                     f"and {free / 2**30:.1f} GiB is available")


def release_memory() -> None:
    """Give freed memory back to the system (a long-lived process running model after model, such
    as the dashboard's server): collect reference cycles, then ask glibc to return the free pages
    of its heaps (NumPy frees a finished model's arrays into them, where they stay otherwise:
    measured, 20 runs at 200,000 agents left the process 150 MB larger, 0 after a trim)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)

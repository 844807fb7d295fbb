"""How the per-agent rules are compiled.

Rules run inside the parallel population kernel and only read and write arrays that already
exist. They are compiled without Numba's reference counting (`_nrt=False`): with it, every
access to an array of the population or world tuple increments and decrements a shared
counter atomically, and two threads doing so on the same counters spent most of a week's time
(measured: 126 ms -> 56 ms per week at 1M agents, identical outputs; benchmarks/README.md).
A rule must therefore never allocate an array.
"""

from __future__ import annotations

from numba import njit

rule = njit(cache=True, _nrt=False)
"""A per-agent rule called from the kernel (not inlined: keeps compile time and code size down)."""

inline_rule = njit(inline="always", cache=True, _nrt=False)
"""A small per-agent rule or helper inlined into its caller at Numba IR level."""

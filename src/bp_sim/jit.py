"""How the per-agent rules are compiled.

Rules run inside the parallel population kernel and only read and write arrays that already
exist. They are compiled without Numba's reference counting (`_nrt=False`): with it, every
access to an array of the population or world tuple increments and decrements a shared
counter atomically, and two threads doing so on the same counters spent most of a week's time
(measured: 126 ms -> 56 ms per week at 1M agents, identical outputs; benchmarks/README.md).
A rule must therefore never allocate an array.

Loop-free rules are inlined into the kernel (`inline_rule`): a call passes the population and
world tuples, several hundred machine words, by value, which cost more than most rules. Rules
with a loop and an early return (destination and corridor choice, the asylum queue) stay calls
(`rule`): inlining them at Numba IR level changed results (no one at home ever started
aspiring; Numba 0.68), so keep them out of `inline_rule`. The per-state dispatcher
`kernel.step_agent` is a call too: inlining it whole gained ~10% speed but tripled the cold
compile (54 s -> 170 s here). The two common cases are inlined in `kernel.advance_chunk`
instead: people at home (~96% of agents) and residents at destinations (most of the rest),
whose call cost ~200 ns each (one-thread pass at 100k agents 2.08 -> 1.70 ms; cold compile
~60 s -> ~77 s), and since issue 13 the travellers, regular and smuggled (the row pass of the
baseline 2020-2024 3.3-3.7 s -> 2.0-2.5 s at one thread, cold compile 5 min 27 s -> 5 min 51 s;
2026-12-02). The held, claimants and victims, a few hundred rows, still take the call. Inlining the
cohorts' per-person loops (`cohorts.try_regular`, `set_out`) made their pass no faster: not kept.
"""

from __future__ import annotations

from numba import njit

rule = njit(cache=True, _nrt=False)
"""A per-agent rule called from the kernel (a rule with a loop; see above)."""

inline_rule = njit(inline="always", cache=True, _nrt=False)
"""A small per-agent rule or helper inlined into its caller at Numba IR level."""
